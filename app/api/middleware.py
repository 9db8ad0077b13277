"""ASGI middleware: request limits, security headers and CORS (the response cache is in
app/api/response_cache.py)."""

import json
import re
from urllib.parse import quote, quote_from_bytes, unquote_to_bytes

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PROBLEM_TYPES

# A request target of up to 8,000 octets, the least RFC 9110 (section 4.1) recommends that
# every recipient support: 512 characters of path (ids are short) and the rest of query.
MAX_PATH = 512
MAX_QUERY = 8000 - MAX_PATH

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


async def send_problem(send: Send, slug: str, detail: str, instance: str) -> None:
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


def target_refusal(scope: Scope) -> tuple[str, str, str] | None:
    """Why a request's target is refused before any work (problem slug, detail, instance),
    or None when it is acceptable: over-long (OWASP API4) or not UTF-8."""
    path: str = scope.get("path", "")
    query: bytes = scope.get("query_string", b"")
    if len(path) > MAX_PATH or len(query) > MAX_QUERY:
        # The instance names the (cut) path only: the whole target is what is wrong.
        raw_path: bytes = scope.get("raw_path") or b""
        return (
            "uri-too-long",
            f"Paths are limited to {MAX_PATH} characters and query strings to {MAX_QUERY} bytes.",
            instance_of({"path": path[:MAX_PATH], "raw_path": raw_path[:MAX_PATH]}),
        )
    try:
        _check_utf8(query)
        path.encode("utf-8")
    except UnicodeError:
        return ("bad-request", "The query string is not valid UTF-8.", instance_of(scope))
    return None


class RequestLimits:
    """Reject over-long paths and query strings (OWASP API4) before any work is done."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = target_refusal(scope)
            if refusal is not None:
                await send_problem(send, *refusal)
                return
        await self.app(scope, receive, send)


_COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
# Every answer gets these (lower-case names, as ASGI servers give them), in place of any of
# the same name; the docs pages get a CSP that lets Swagger UI and ReDoc run.
API_SECURITY_HEADERS = [*_COMMON_HEADERS, (b"content-security-policy", API_CSP.encode())]
DOCS_SECURITY_HEADERS = [*_COMMON_HEADERS, (b"content-security-policy", DOCS_CSP.encode())]
_SECURITY_NAMES = frozenset(name for name, _ in API_SECURITY_HEADERS)


def with_security_headers(
    headers: list[tuple[bytes, bytes]], added: list[tuple[bytes, bytes]] = API_SECURITY_HEADERS
) -> list[tuple[bytes, bytes]]:
    """`headers` with the security headers `added`: appended, or replacing any of the same
    name where it stands (as Starlette's MutableHeaders does)."""
    if any(pair[0] in _SECURITY_NAMES for pair in headers):
        mutable = MutableHeaders(raw=list(headers))
        for name, value in added:
            mutable[name.decode()] = value.decode()
        return mutable.raw
    return [*headers, *added]


class SecurityHeaders:
    """Headers every response carries: nosniff, referrer policy, a CSP, no framing."""

    def __init__(self, app: ASGIApp, docs_paths: tuple[str, ...]) -> None:
        self.app = app
        self.docs_paths = docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] in self.docs_paths
        added = DOCS_SECURITY_HEADERS if docs else API_SECURITY_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = with_security_headers(message.get("headers", []), added)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def instance_of(scope: Scope) -> str:
    """The request's target as a URI reference (RFC 3986): the percent-encoded path and the
    query string, for a problem's `instance`."""
    # Path and query are kept as sent (the raw path, so `a%2Fb` stays one segment), with any
    # byte a URI may not hold percent-encoded (a `%` that starts no escape included).
    raw_path = scope.get("raw_path")
    if raw_path:
        path = _STRAY_PERCENT.sub("%25", quote_from_bytes(raw_path, safe="/:@!$&'()*+,;=%"))
    else:  # an ASGI server need not give the raw path: encode the decoded one
        path = quote(scope.get("path", "/"), safe="/:@!$&'()*+,;=")
    query = quote_from_bytes(scope.get("query_string", b""), safe="/?:@!$&'()*+,;=%")
    query = _STRAY_PERCENT.sub("%25", query)
    return f"{path}?{query}" if query else path


def vary_origin(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`headers` as Starlette's CORSMiddleware sends them on a request without an Origin
    header: `Origin` added to Vary (the answer would differ for a cross-origin request)."""
    mutable = MutableHeaders(raw=list(headers))
    mutable["Vary"] = ", ".join([*mutable.getlist("Vary"), "Origin"])
    return mutable.raw


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
