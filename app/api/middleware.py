"""ASGI middleware: request limits, security headers, and the per-version response cache."""

import hashlib
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_from_bytes, unquote_to_bytes

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PROBLEM_TYPES

MAX_PATH = 512
MAX_QUERY = 2048

API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI and ReDoc run an inline bootstrap script and ReDoc starts a blob: worker.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def problem_document(slug: str, detail: str, instance: str) -> bytes:
    """An RFC 9457 document of a declared problem type, as JSON bytes."""
    problem = PROBLEM_TYPES[slug]
    return json.dumps(
        {
            "type": problem.uri,
            "title": problem.title,
            "status": problem.status,
            "detail": detail,
            "instance": instance,
        }
    ).encode()


async def _send_problem(send: Send, slug: str, detail: str, instance: str) -> None:
    body = problem_document(slug, detail, instance)
    await send(
        {
            "type": "http.response.start",
            "status": PROBLEM_TYPES[slug].status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _check_utf8(query: bytes) -> None:
    """Raise UnicodeError if the query string, once percent-decoded, is not UTF-8."""
    for part in query.replace(b"+", b" ").split(b"&"):
        unquote_to_bytes(part).decode("utf-8")


class RequestLimits:
    """Reject over-long paths and query strings (OWASP API4) before any work is done."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope.get("path", "")
            query: bytes = scope.get("query_string", b"")
            if len(path) > MAX_PATH or len(query) > MAX_QUERY:
                # The instance names the (cut) path only: the whole target is what is wrong.
                await _send_problem(
                    send,
                    "uri-too-long",
                    f"Paths are limited to {MAX_PATH} characters and query "
                    f"strings to {MAX_QUERY} bytes.",
                    instance_of({"path": path[:MAX_PATH]}),
                )
                return
            try:
                _check_utf8(query)
                path.encode("utf-8")
            except UnicodeError:
                await _send_problem(
                    send, "bad-request", "The query string is not valid UTF-8.", instance_of(scope)
                )
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Headers every response carries: nosniff, referrer policy, a CSP, no framing."""

    def __init__(self, app: ASGIApp, docs_paths: tuple[str, ...]) -> None:
        self.app = app
        self.docs_paths = docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] in self.docs_paths else API_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                headers["Content-Security-Policy"] = csp
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass
class _Cached:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None = None


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding value admits gzip (RFC 9110 12.5.3: `gzip` or `*` with a
    non-zero q-value; an explicit `gzip;q=0` refuses it whatever `*` says)."""
    star: bool | None = None
    for part in (accept_encoding or "").split(","):
        coding, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        coding = coding.strip().lower()
        if coding in ("gzip", "x-gzip"):
            return quality > 0
        if coding == "*":
            star = quality > 0
    return bool(star)


def _add_vary(headers: list[tuple[bytes, bytes]], *names: str) -> list[tuple[bytes, bytes]]:
    """The headers with `names` in one Vary header (each once)."""
    present: list[str] = []
    rest = []
    for key, value in headers:
        if key.lower() == b"vary":
            present += [v.strip() for v in value.decode("latin-1").split(",") if v.strip()]
        else:
            rest.append((key, value))
    lowered = {v.lower() for v in present}
    present += [name for name in names if name.lower() not in lowered]
    return [*rest, (b"vary", ", ".join(present).encode("latin-1"))]


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes:
    return next((value for key, value in headers if key.lower() == name), b"")


class ResponseCache:
    """Serve GET /v1 (and /) answers from memory, keyed by dataset version and request; evaluate
    conditional requests (RFC 9110 section 13); answer HEAD everywhere as GET without a body.

    The dataset only changes at build time, so a 200 answer for a URL, Accept and
    Accept-Encoding is the same until the version changes. It is kept as sent (gzip bytes
    included) with a strong ETag naming the representation: the dataset version, URL,
    media type and content coding, so `Accept: */*` and no Accept share one, and the gzip
    and identity answers have one each. If-Match that fails is a 412; If-None-Match that
    matches is a 304. Headers that depend on the request (CORS) are added outside this
    middleware, so they stay correct per request.

    The app inside gets an Accept-Encoding that says only `gzip` when gzip is acceptable
    (and none otherwise), so the compression middleware within follows RFC 9110 q-values.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_entries: int,
        max_age: int,
        max_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self.app = app
        self.max_entries = max_entries
        # Bounded in count and in bytes, so varied URLs or Accept headers can't grow memory
        # without limit; the least recently used answers go first.
        self.max_bytes = max_bytes
        self.max_body = max_bytes // 16
        self.size = 0
        self.cache_control = f"public, max-age={max_age}".encode()
        self.entries: OrderedDict[tuple[str, ...], _Cached] = OrderedDict()

    @staticmethod
    def _etag(version: str, path: str, query: str, headers: list[tuple[bytes, bytes]]) -> bytes:
        media_type = _header(headers, b"content-type").decode("latin-1")
        coding = _header(headers, b"content-encoding").decode("latin-1")
        name = "\0".join((version, path, query, media_type))
        digest = hashlib.blake2b(name.encode(), digest_size=8).hexdigest()
        return f'"{version}-{digest}{"-" + coding if coding else ""}"'.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        gzip = accepts_gzip(headers.get("accept-encoding"))
        inner_headers = [
            (k, v) for k, v in scope.get("headers", []) if k.lower() != b"accept-encoding"
        ]
        if gzip:
            inner_headers.append((b"accept-encoding", b"gzip"))
        # HEAD is answered as GET without the body, on every route, so both share one entry.
        inner = {**scope, "method": "GET", "headers": inner_headers}
        conditions = _Conditions(
            scope["method"],
            headers.get("if-match"),
            headers.get("if-none-match"),
            instance_of(scope),
        )
        database = scope["app"].state.database if "app" in scope else None
        # The API and its index at the root depend only on the dataset version.
        cached_path = scope["path"].startswith("/v1") or scope["path"] == "/"
        if not cached_path or database is None:
            await self._fill(inner, receive, send, None, conditions)
            return
        database.refresh()
        if database.version is None:
            await self._fill(inner, receive, send, None, conditions)
            return
        request_key = (
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            headers.get("accept", ""),
            "gzip" if gzip else "identity",
        )
        cached = self.entries.get((database.version, *request_key))
        if cached is not None:
            self.entries.move_to_end((database.version, *request_key))
            await conditions.answer(send, cached)
            return
        await self._fill(inner, receive, send, request_key, conditions)

    async def _fill(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        request_key: tuple[str, ...] | None,
        conditions: "_Conditions",
    ) -> None:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        state: dict[str, Any] = scope.setdefault("state", {})
        await self.app(scope, receive, capture)
        entry = _Cached(start["status"], list(start.get("headers", [])), b"".join(chunks))
        # Label the answer with the version its session really read (a rebuild may have
        # landed since the request came in); an answer that read nothing is not cached.
        version = state.get("dataset_version")
        if request_key is not None and entry.status == 200 and version:
            path, query = request_key[0], request_key[1]
            entry.etag = self._etag(version, path, query, entry.headers)
            entry.headers = _add_vary(entry.headers, "Accept", "Accept-Encoding")
            entry.headers += [(b"etag", entry.etag), (b"cache-control", self.cache_control)]
            key = (version, *request_key)
            size = len(entry.body)
            if size <= self.max_body and self.max_entries > 0 and key not in self.entries:
                self.entries[key] = entry
                self.size += size
                while len(self.entries) > self.max_entries or self.size > self.max_bytes:
                    _, evicted = self.entries.popitem(last=False)
                    self.size -= len(evicted.body)
        elif request_key is not None:
            entry.headers = _add_vary(entry.headers, "Accept")
        await conditions.answer(send, entry)


_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def instance_of(scope: Scope) -> str:
    """The request's target as a URI reference (RFC 3986): the percent-encoded path and the
    query string, for a problem's `instance`."""
    path = quote(scope.get("path", "/"), safe="/:@!$&'()*+,;=")
    # The query string is kept as sent, with any byte a URI may not hold percent-encoded
    # (a `%` that starts no escape included).
    query = quote_from_bytes(scope.get("query_string", b""), safe="/?:@!$&'()*+,;=%")
    query = _STRAY_PERCENT.sub("%25", query)
    return f"{path}?{query}" if query else path


@dataclass(frozen=True)
class _Conditions:
    """The request's method and preconditions, applied to an answer (RFC 9110 13.2.2)."""

    method: str
    if_match: str | None
    if_none_match: str | None
    instance: str

    async def answer(self, send: Send, entry: _Cached) -> None:
        # Preconditions apply only to an answer that would otherwise be a 2xx (13.1).
        if 200 <= entry.status < 300:
            if self.if_match is not None and not _matches(self.if_match, entry.etag, weak=False):
                await _send_problem(
                    send,
                    "precondition-failed",
                    "If-Match names no current representation of this resource"
                    + (f" (its ETag is {entry.etag.decode()})." if entry.etag else "."),
                    self.instance,
                )
                return
            if (
                entry.etag is not None
                and self.if_none_match
                and _matches(self.if_none_match, entry.etag)
            ):
                kept = [
                    (k, v)
                    for k, v in entry.headers
                    if k.lower() in (b"etag", b"cache-control", b"vary", b"link")
                ]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
        await send(
            {"type": "http.response.start", "status": entry.status, "headers": entry.headers}
        )
        body = b"" if self.method == "HEAD" else entry.body
        await send({"type": "http.response.body", "body": body})


def _matches(condition: str, etag: bytes | None, weak: bool = True) -> bool:
    """Whether an If-Match / If-None-Match list matches our ETag (RFC 9110 8.8.3: weak
    comparison for If-None-Match, strong for If-Match; `*` matches any representation)."""
    if condition.strip() == "*":
        return True
    if etag is None:
        return False
    ours = etag.decode()
    for tag in condition.split(","):
        tag = tag.strip()
        if tag.startswith("W/"):
            if not weak:
                continue
            tag = tag[2:]
        if tag == ours:
            return True
    return False


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS handling, with a refused preflight answered as an RFC 9457 problem."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            headers = Headers(scope=scope)
            if "origin" in headers and "access-control-request-method" in headers:
                response = self.preflight_response(request_headers=headers)
                if response.status_code >= 400:
                    response = self._refusal(response, instance_of(scope))
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    @staticmethod
    def _refusal(response: Response, instance: str) -> Response:
        detail = bytes(response.body).decode()
        body = problem_document(
            "cors-refused",
            f"{detail}: this origin, method or header is not allowed.",
            instance,
        )
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("content-type", "content-length")
        }
        return Response(
            body,
            status_code=PROBLEM_TYPES["cors-refused"].status,
            media_type="application/problem+json",
            headers=headers,
        )
