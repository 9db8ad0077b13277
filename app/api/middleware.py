"""ASGI middleware: request limits, security headers, and the per-version response cache."""

import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_PATH = 512
MAX_QUERY = 2048

API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI and ReDoc run an inline bootstrap script and ReDoc starts a blob: worker.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


async def _send_problem(send: Send, status: int, title: str, detail: str, path: str) -> None:
    body = json.dumps(
        {
            "type": f"/problems/{title.lower().replace(' ', '-')}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": path[:MAX_PATH],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
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
                await _send_problem(
                    send,
                    414,
                    "URI too long",
                    f"Paths are limited to {MAX_PATH} characters and query "
                    f"strings to {MAX_QUERY} bytes.",
                    path,
                )
                return
            try:
                _check_utf8(query)
                path.encode("utf-8")
            except UnicodeError:
                await _send_problem(
                    send, 400, "Bad request", "The query string is not valid UTF-8.", "/"
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


class ResponseCache:
    """Serve GET /v1 answers from memory, keyed by dataset version and representation.

    The dataset only changes at build time, so a 200 answer for a URL and Accept header is
    the same until the version changes. Every cached answer carries a strong ETag derived from
    the version and the representation, and If-None-Match gets a 304. Headers that depend on
    the request (CORS) are added outside this middleware, so they stay correct per request.
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
        self.entries: OrderedDict[tuple[str, str, str, str], _Cached] = OrderedDict()

    def _etag(self, key: tuple[str, str, str, str]) -> bytes:
        digest = hashlib.blake2b("\0".join(key).encode(), digest_size=8).hexdigest()
        return f'"{key[0]}-{digest}"'.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not scope["path"].startswith("/v1")
        ):
            await self.app(scope, receive, send)
            return
        database = scope["app"].state.database if "app" in scope else None
        if database is None:
            await self.app(scope, receive, send)
            return
        database.refresh()
        if database.version is None:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_key = (
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            headers.get("accept", ""),
        )
        if_none_match = headers.get("if-none-match")
        key = (database.version, *request_key)
        cached = self.entries.get(key)
        if cached is not None:
            self.entries.move_to_end(key)
            await self._answer(send, cached, self._etag(key), if_none_match, scope["method"])
            return
        # ("*" only matches a representation known to exist, so it waits for the route.)
        if (
            if_none_match
            and if_none_match.strip() != "*"
            and _matches(if_none_match, self._etag(key))
        ):
            # The client holds this representation of this dataset version: no need to
            # compute it again.
            await self._answer(
                send, _Cached(200, [], b""), self._etag(key), if_none_match, scope["method"]
            )
            return
        await self._fill(scope, receive, send, request_key, if_none_match)

    async def _fill(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        request_key: tuple[str, str, str],
        if_none_match: str | None,
    ) -> None:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        # HEAD is answered as GET without the body, so both share one cache entry.
        state: dict[str, Any] = scope.setdefault("state", {})
        await self.app({**scope, "method": "GET"}, receive, capture)
        body = b"".join(chunks)
        entry = _Cached(start["status"], list(start.get("headers", [])), body)
        # Label the answer with the version its session really read (a rebuild may have
        # landed since the request came in); an answer that read nothing is not cached.
        version = state.get("dataset_version")
        etag = None
        if entry.status == 200 and version:
            key = (version, *request_key)
            etag = self._etag(key)
            if len(body) <= self.max_body and self.max_entries > 0 and key not in self.entries:
                self.entries[key] = entry
                self.size += len(body)
                while len(self.entries) > self.max_entries or self.size > self.max_bytes:
                    _, evicted = self.entries.popitem(last=False)
                    self.size -= len(evicted.body)
        await self._answer(send, entry, etag, if_none_match, scope["method"])

    async def _answer(
        self, send: Send, entry: _Cached, etag: bytes | None, if_none_match: str | None, method: str
    ) -> None:
        headers = list(entry.headers)
        if not any(name.lower() == b"vary" for name, _ in headers):
            headers.append((b"vary", b"Accept"))
        if etag is not None:
            headers += [(b"etag", etag), (b"cache-control", self.cache_control)]
            if if_none_match and _matches(if_none_match, etag):
                kept = [
                    (k, v)
                    for k, v in headers
                    if k.lower() in (b"etag", b"cache-control", b"vary", b"link")
                ]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
        await send({"type": "http.response.start", "status": entry.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else entry.body})


def _matches(if_none_match: str, etag: bytes) -> bool:
    """RFC 9110 weak comparison of an If-None-Match list with our ETag."""
    if if_none_match.strip() == "*":
        return True
    ours = etag.decode().removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in if_none_match.split(","))


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS handling, with a refused preflight answered as an RFC 9457 problem."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        detail = bytes(response.body).decode()
        body = json.dumps(
            {
                "type": "/problems/cors-refused",
                "title": "CORS refused",
                "status": response.status_code,
                "detail": f"{detail}: this origin, method or header is not allowed.",
            }
        )
        headers = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("content-type", "content-length")
        }
        return Response(
            body,
            status_code=response.status_code,
            media_type="application/problem+json",
            headers=headers,
        )
