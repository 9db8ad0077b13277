"""The fast path: plain reads answered whole, before the middleware stack, with its bytes.

Most requests are plain reads of the API: GET or HEAD, no Origin header (not a browser's
cross-origin call). For those, what each layer of the stack (app/main.py) would do is known
in advance:

- the security headers are added (`with_security_headers`), then CORS adds `Origin` to Vary
  and nothing else (`vary_origin`);
- the request limits pass: a kept answer's target passed them before, and a new target is
  checked with the same rule (`target_refusal`);
- the response cache answers from memory, or labels and keeps a new answer (`ResponseStore`),
  and evaluates If-Match / If-None-Match on a kept one (`Conditions`);
- gzip compresses nothing for a client that doesn't accept it, and adds Accept-Encoding to
  Vary when the body is over its minimum size (Starlette's IdentityResponder);
- a collection list or item is read by the direct reader (app/api/direct_reads.py).

The fast path does that work in one place: a kept answer is replayed with its final headers,
made once per kept answer; a new collection read by a client that doesn't take gzip is made,
labelled, kept and sent. Anything else goes down the stack unchanged: another method or path,
an Origin, preconditions on an answer not kept yet, gzip for a new answer, a streamed export,
every refusal. Each layer's rule is one function, used by the layer and here; tests compare
the fast path with the stack byte for byte (tests/test_fast_path.py).
"""

from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.responses import StreamingResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.direct_reads import DirectReader
from app.api.middleware import target_refusal, vary_origin, with_security_headers
from app.api.response_cache import (
    Cached,
    Conditions,
    ResponseStore,
    accepts_gzip,
    request_key,
    served_version,
)

# Request headers after which an answer is no longer the plain one: an Origin gets CORS
# headers, and preconditions on an answer not kept yet are the stack's to evaluate.
_OTHER = frozenset((b"origin", b"if-match", b"if-none-match"))


def _final(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """An answer's headers as the client gets them: with what the security headers middleware
    and then CORS (outermost) add to an answer to a request without Origin."""
    return vary_origin(with_security_headers(headers))


class FastPath:
    """Answer plain reads of kept answers and of collections whole; pass anything else on."""

    def __init__(
        self, app: ASGIApp, store: ResponseStore, reader: DirectReader, gzip_minimum: int
    ) -> None:
        self.app = app
        self.store = store
        self.reader = reader
        self.gzip_minimum = gzip_minimum

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if not await self._answered(scope, send):
            await self.app(scope, receive, send)

    async def _answered(self, scope: Scope, send: Send) -> bool:
        """Send the answer if the fast path can give it; False when the stack should."""
        app = scope["app"]
        database = getattr(app.state, "database", None)
        if database is None or not app.state.settings.fast_path:
            return False
        accept: bytes | None = None
        coding: bytes | None = None
        conditional: dict[bytes, str] = {}
        for name, value in scope["headers"]:
            if name in _OTHER:
                if name == b"origin":
                    return False
                # The first of each, as Starlette's Headers.get reads it.
                conditional.setdefault(name, value.decode("latin-1"))
            elif name == b"accept":
                accept = value if accept is None else accept
            elif name == b"accept-encoding":
                coding = value if coding is None else coding
        gzip = accepts_gzip(coding.decode("latin-1") if coding is not None else None)
        key = request_key(scope, (accept or b"").decode("latin-1"), gzip)
        if key is None:
            return False
        version = await served_version(database)
        if version is None:
            return False
        cached = self.store.get(version, key)
        if cached is not None:
            await self._replay(scope, send, cached, conditional)
            return True
        if conditional or gzip or target_refusal(scope) is not None:
            return False
        return await self._read(scope, send, key)

    async def _replay(
        self, scope: Scope, send: Send, cached: Cached, conditional: dict[bytes, str]
    ) -> None:
        """Send a kept answer, as its preconditions and method call for."""
        if conditional:

            async def send_final(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message = {**message, "headers": _final(message.get("headers", []))}
                await send(message)

            conditions = Conditions(
                scope["method"],
                conditional.get(b"if-match"),
                conditional.get(b"if-none-match"),
                scope,
            )
            await conditions.answer(send_final, cached)
            return
        if cached.final_headers is None:
            cached.final_headers = _final(cached.headers)
        await self._send(scope, send, cached.status, cached.final_headers, cached.body)

    async def _read(self, scope: Scope, send: Send, key: tuple[str, ...]) -> bool:
        """Read a collection list or item directly, keep and send it; False when the direct
        reader can't answer it whole."""
        state: dict[str, Any] = scope.setdefault("state", {})
        # HEAD is read as GET (the response cache's rule), the same state dict shared.
        answered = self.reader.answer({**scope, "method": "GET"}, refreshed=True)
        if answered is None:
            return False
        response, release = answered
        if isinstance(response, StreamingResponse) or response.status_code != 200:
            release()  # a streamed export goes down the stack, which streams it
            return False
        body = response.body if isinstance(response.body, bytes) else bytes(response.body)
        headers = response.raw_headers
        if len(body) >= self.gzip_minimum:
            # What Starlette's IdentityResponder does to an answer over gzip's minimum size.
            vary = MutableHeaders(raw=list(headers))
            vary.add_vary_header("Accept-Encoding")
            headers = vary.raw
        entry = self.store.labelled({"status": 200, "headers": headers}, body, state, key)
        if entry.etag is not None:
            self.store.keep(state, key, entry)
        entry.final_headers = _final(entry.headers)
        await self._send(scope, send, entry.status, entry.final_headers, entry.body)
        return True

    @staticmethod
    async def _send(
        scope: Scope, send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if scope["method"] == "HEAD":
            body = b""
        await send({"type": "http.response.body", "body": body})
