"""The ceiling of the benchmark: a bare async Starlette app that replays recorded answers.

bench/run.py records, for each benchmarked request, the status, headers and body our service
gave, into a JSON file named by BENCH_CEILING_FIXTURES. This app serves them verbatim (same
status, content type, ETag, ... and bytes) with no database, validation or serialization, on
the same uvicorn settings as the service:

    BENCH_CEILING_FIXTURES=bench/out/fixtures.json .venv/bin/uvicorn bench.ceiling:app

A request is matched on path, query string and If-None-Match; anything else is a 404.
"""

import base64
import json
import os
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# Headers Starlette or uvicorn set by themselves.
_OWN = {"content-length", "date", "server"}

Key = tuple[str, str, str]


def load(path: Path) -> dict[Key, tuple[int, dict[str, str], bytes]]:
    """The recorded answers by (path, query string, If-None-Match)."""
    answers = {}
    for entry in json.loads(path.read_text(encoding="utf-8")):
        headers = {k: v for k, v in entry["headers"] if k.lower() not in _OWN}
        key = (entry["path"], entry["query"], entry.get("if_none_match") or "")
        answers[key] = (entry["status"], headers, base64.b64decode(entry["body_b64"]))
    return answers


def _fixtures_path() -> Path | None:
    value = os.environ.get("BENCH_CEILING_FIXTURES")
    return Path(value) if value else None


_path = _fixtures_path()
ANSWERS = load(_path) if _path else {}
NOT_FOUND = (404, {"content-type": "text/plain"}, b"not recorded\n")


async def replay(request: Request) -> Response:
    scope: Any = request.scope
    key = (
        scope["path"],
        scope["query_string"].decode("latin-1"),
        request.headers.get("if-none-match", ""),
    )
    status, headers, body = ANSWERS.get(key, NOT_FOUND)
    return Response(body, status_code=status, headers=headers)


app = Starlette(routes=[Route("/{path:path}", replay, methods=["GET", "HEAD"])])
