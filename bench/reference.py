"""The bare ASGI reference of the benchmark: no framework, and per request the same answer
read as ready JSON text from SQLite.

It serves the two uncached requests bench/run.py compares against it, from the database the
build made (BENCH_REFERENCE_DB):

- `GET /v1/projects?limit=50`: the first 50 projects in the list's default order (name, id),
  their stored documents (record_document) joined in one statement, plus their count, in
  the page envelope;
- `GET /v1/projects/<id>`: that project's stored document.

It parses nothing, checks nothing and negotiates nothing: it is what reading ready JSON from
SQLite costs per request, the floor under any service that does (the ceiling, bench/ceiling.py,
replays the recorded bytes without touching a database at all).

    BENCH_REFERENCE_DB=bench/out/bench.sqlite3 .venv/bin/uvicorn bench.reference:app
"""

import os
import sqlite3
from typing import Any

LIST = (
    "SELECT d.json FROM project AS p JOIN record_document AS d "
    "ON d.record_type = 'project' AND d.record_id = p.id ORDER BY p.name, p.id LIMIT 50"
)
COUNT = "SELECT count(*) FROM project"
ITEM = "SELECT json FROM record_document WHERE record_type = 'project' AND record_id = ?"

_connection: sqlite3.Connection | None = None


def _database() -> sqlite3.Connection:
    global _connection
    if _connection is None:
        path = os.environ["BENCH_REFERENCE_DB"]
        _connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    return _connection


def answer(path: str) -> tuple[int, bytes]:
    """The status and JSON body for a path."""
    database = _database()
    if path == "/v1/projects":
        items = [row[0] for row in database.execute(LIST)]
        total = database.execute(COUNT).fetchone()[0]
        body = '{"items":[' + ",".join(items) + f'],"total":{total},"limit":50,"offset":0}}'
        return 200, body.encode()
    if path.startswith("/v1/projects/"):
        found = database.execute(ITEM, (path.rsplit("/", 1)[1],)).fetchone()
        return (200, found[0].encode()) if found else (404, b'{"detail":"not found"}')
    if path == "/healthz":
        return 200, b'{"status":"ok"}'
    return 404, b'{"detail":"not found"}'


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The ASGI application."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    status, body = answer(scope["path"])
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
