"""The per-dataset-version response cache and conditional requests (RFC 9110 section 13).

The dataset changes only at build time, so an answer to a URL is the same until the version
changes: it is kept in memory, labelled with a strong ETag, and answered again without
touching the database.
"""

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.middleware import instance_of, send_problem


@dataclass
class Cached:
    """A kept answer: as the response cache sends it, and (once the fast path has sent it)
    with the headers the layers outside add."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None = None
    # The start of the answer as the client gets it, for a request the fast path answers
    # (app/api/fast_path.py): made from `headers` the first time it is needed.
    final_headers: list[tuple[bytes, bytes]] | None = None


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


class ResponseStore:
    """The kept answers of one app, by dataset version and request, and how an answer is
    labelled for keeping (ETag, Vary, Cache-Control).

    Shared by the response cache middleware and the fast path (app/api/fast_path.py), so an
    answer is kept once whichever of them made it.
    """

    def __init__(self, max_entries: int, max_age: int, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        # Bounded in count and in bytes, so varied URLs or Accept headers can't grow memory
        # without limit; the least recently used answers go first.
        self.max_bytes = max_bytes
        self.max_body = max_bytes // 16
        self.size = 0
        self.cache_control = f"public, max-age={max_age}".encode()
        self.entries: OrderedDict[tuple[str, ...], Cached] = OrderedDict()

    def get(self, version: str, request_key: tuple[str, ...]) -> "Cached | None":
        """The answer kept for `request_key` of dataset `version`, marked as recently used."""
        key = (version, *request_key)
        cached = self.entries.get(key)
        if cached is not None:
            self.entries.move_to_end(key)
        return cached

    @staticmethod
    def _etag(version: str, path: str, query: str, headers: list[tuple[bytes, bytes]]) -> bytes:
        media_type = _header(headers, b"content-type").decode("latin-1")
        coding = _header(headers, b"content-encoding").decode("latin-1")
        name = "\0".join((version, path, query, media_type))
        digest = hashlib.blake2b(name.encode(), digest_size=8).hexdigest()
        return f'"{version}-{digest}{"-" + coding if coding else ""}"'.encode()

    def labelled(
        self,
        start: dict[str, Any],
        body: bytes,
        state: dict[str, Any],
        request_key: tuple[str, ...] | None,
    ) -> "Cached":
        """The answer with its ETag, Vary and Cache-Control (a 200 of a dataset version)."""
        entry = Cached(start["status"], list(start.get("headers", [])), body)
        # Label the answer with the version its session really read (a rebuild may have
        # landed since the request came in); an answer that read nothing is not cached.
        version = state.get("dataset_version")
        if request_key is not None and entry.status == 200 and version:
            path, query = request_key[0], request_key[1]
            entry.etag = self._etag(version, path, query, entry.headers)
            entry.headers = _add_vary(entry.headers, "Accept", "Accept-Encoding")
            entry.headers += [(b"etag", entry.etag), (b"cache-control", self.cache_control)]
        elif request_key is not None:
            entry.headers = _add_vary(entry.headers, "Accept")
        return entry

    def keep(
        self, state: dict[str, Any], request_key: tuple[str, ...] | None, entry: "Cached"
    ) -> None:
        """Keep a labelled answer for its dataset version, within the bounds."""
        key = (state["dataset_version"], *(request_key or ()))
        size = len(entry.body)
        if size <= self.max_body and self.max_entries > 0 and key not in self.entries:
            self.entries[key] = entry
            self.size += size
            while len(self.entries) > self.max_entries or self.size > self.max_bytes:
                _, evicted = self.entries.popitem(last=False)
                self.size -= len(evicted.body)


def request_key(scope: Scope, accept: str, gzip: bool) -> tuple[str, ...] | None:
    """What a kept answer is found by, besides the dataset version: the path, the query
    string, the Accept header and the content coding; None for a path that is not kept
    (only the API and its index at the root depend on the dataset version alone)."""
    path: str = scope["path"]
    if not (path.startswith("/v1") or path == "/"):
        return None
    query = scope.get("query_string", b"").decode("latin-1")
    return (path, query, accept, "gzip" if gzip else "identity")


async def served_version(database: Any) -> str | None:
    """The dataset version served now, after following any rebuild."""
    if database.check_due():
        # A PostgreSQL version check is a query: run it off the event loop.
        await anyio.to_thread.run_sync(database.refresh)
    else:
        database.refresh()
    version: str | None = database.version
    return version


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

    def __init__(self, app: ASGIApp, store: ResponseStore) -> None:
        self.app = app
        self.store = store

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
        conditions = Conditions(
            scope["method"],
            headers.get("if-match"),
            headers.get("if-none-match"),
            scope,
        )
        database = scope["app"].state.database if "app" in scope else None
        key = request_key(scope, headers.get("accept", ""), gzip)
        if key is None or database is None:
            await self._fill(inner, receive, send, None, conditions)
            return
        version = await served_version(database)
        if version is None:
            await self._fill(inner, receive, send, None, conditions)
            return
        cached = self.store.get(version, key)
        if cached is not None:
            await conditions.answer(send, cached)
            return
        await self._fill(inner, receive, send, key, conditions)

    async def _fill(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        request_key: tuple[str, ...] | None,
        conditions: "Conditions",
    ) -> None:
        """Run the app; an answer in one body is labelled, kept and answered whole, and a
        streamed answer (a large export) is passed on as it comes, and kept if it fits."""
        store = self.store
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        stream: dict[str, Any] = {}  # set once a streamed answer has begun
        state: dict[str, Any] = scope.setdefault("state", {})

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                return
            body, more = message.get("body", b""), message.get("more_body", False)
            if not stream and not more:
                chunks.append(body)
                return
            if not stream:
                entry = store.labelled(start, b"", state, request_key)
                stream["entry"] = entry
                stream["keep"] = entry.etag is not None
                stream["forward"] = await conditions.begin(send, entry)
            if stream["keep"]:
                chunks.append(body)
                stream["keep"] = sum(map(len, chunks)) <= store.max_body
            if stream["forward"]:
                await send({"type": "http.response.body", "body": body, "more_body": more})
            if not more and stream["keep"]:
                entry = stream["entry"]
                entry.body = b"".join(chunks)
                entry.headers = [*entry.headers, (b"content-length", str(len(entry.body)).encode())]
                store.keep(state, request_key, entry)

        await self.app(scope, receive, capture)
        if stream:
            return
        entry = store.labelled(start, b"".join(chunks), state, request_key)
        if entry.etag is not None:
            store.keep(state, request_key, entry)
        await conditions.answer(send, entry)


@dataclass(frozen=True)
class Conditions:
    """The request's method and preconditions, applied to an answer (RFC 9110 13.2.2)."""

    method: str
    if_match: str | None
    if_none_match: str | None
    scope: Scope  # the request's, for the `instance` of a 412 (worked out only then)

    async def begin(self, send: Send, entry: Cached) -> bool:
        """Send the answer's start, or the 412 or 304 its preconditions call for instead;
        True when its body is to follow (not for those, nor for HEAD)."""
        # Preconditions apply only to an answer that would otherwise be a 2xx (13.1).
        if 200 <= entry.status < 300:
            if self.if_match is not None and not _matches(self.if_match, entry.etag, weak=False):
                await send_problem(
                    send,
                    "precondition-failed",
                    "If-Match names no current representation of this resource"
                    + (f" (its ETag is {entry.etag.decode()})." if entry.etag else "."),
                    instance_of(self.scope),
                )
                return False
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
                return False
        await send(
            {"type": "http.response.start", "status": entry.status, "headers": entry.headers}
        )
        if self.method == "HEAD":
            await send({"type": "http.response.body", "body": b""})
            return False
        return True

    async def answer(self, send: Send, entry: Cached) -> None:
        """Send a whole answer, as its preconditions and method call for."""
        if await self.begin(send, entry):
            await send({"type": "http.response.body", "body": entry.body})


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
