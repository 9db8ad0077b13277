"""The ASGI application: `app.main:app`, made by `create_app()`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.middleware.gzip import GZipMiddleware

from app.api import openapi, problems
from app.api.direct_reads import DirectReader, DirectReads
from app.api.fast_path import FastPath
from app.api.middleware import ProblemCORSMiddleware, RequestLimits, SecurityHeaders
from app.api.params import read_vocabularies
from app.api.response_cache import ResponseCache, ResponseStore
from app.api.router import api_router, root_router
from app.config import Settings, get_settings
from app.db import Database

DESCRIPTION = """
A read-only API over a hand-curated dataset of bilateral relations (first pair: China and
Kazakhstan): cooperation projects, awards, trade statistics, sister cities, quotes, and the
people, places, events and stated figures around them.

Every record cites the source it comes from with a verbatim excerpt and its code-point
offsets in the stored text (`GET /v1/sources/{id}/text`). Errors are RFC 9457 problems.
"""

# Answers smaller than this are sent uncompressed: gzip's header and dictionary would make
# them hardly smaller, or larger.
GZIP_MINIMUM = 1024


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for `settings` (the environment's by default)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One pooled connection per worker thread (sync routes run in anyio's thread pool),
        # so a request waits for a connection only when every thread is busy.
        threads = int(anyio.to_thread.current_default_thread_limiter().total_tokens)
        app.state.database = Database(
            settings.database_url,
            settings.statement_timeout_ms,
            pool_size=threads,
            pool_timeout=settings.pool_timeout_s,
            check_interval=settings.version_check_s,
        )
        try:
            yield
        finally:
            app.state.database.close()

    docs = settings.docs_enabled
    # Swagger UI and ReDoc assets come from fastapi-offline's package, never a CDN.
    factory = FastAPIOffline if docs else FastAPI
    app = factory(
        title="Bilateral Relations API",
        version=openapi.api_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        # On, FastAPI looks for configured providers on every request (and reports through
        # them if there are any); off, it never looks.
        telemetry={
            "tracing": settings.telemetry,
            "metrics": settings.telemetry,
            "logs": settings.telemetry,
        },
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.settings = settings
    # The terms filters take (and OpenAPI lists), from the curators' data/vocabularies.yaml.
    app.state.vocabularies = read_vocabularies(settings.data_dir)
    problems.install(app)
    openapi.install(app)
    # Added last = outermost: the fast path (plain reads answered whole, with the bytes the
    # layers below would send), then CORS, then security headers on every answer (refusals
    # included), then the request limits, then the cache.
    # Innermost: collection lists and items answered from compiled statements, beside the
    # routes (which answer anything else, and every refusal).
    store = ResponseStore(
        max_entries=settings.response_cache_entries,
        max_bytes=settings.response_cache_bytes,
        max_age=settings.cache_max_age,
    )
    # On app.state so tests (and operators' tools) can see what is kept.
    app.state.response_store = store
    reader = DirectReader()
    app.add_middleware(DirectReads, reader=reader)
    # Then gzip for answers over 1 KB (RFC 9110 content coding), so the cache keeps
    # the compressed bytes it sends.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM, compresslevel=6)
    app.add_middleware(ResponseCache, store=store)
    app.add_middleware(RequestLimits)
    app.add_middleware(SecurityHeaders, docs_paths=("/docs", "/redoc"))
    app.add_middleware(
        ProblemCORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["ETag", "Link"],
    )
    app.add_middleware(FastPath, store=store, reader=reader, gzip_minimum=GZIP_MINIMUM)
    app.include_router(root_router)
    app.include_router(api_router)
    return app


app = create_app()
