"""All routes: the /v1 API and the health checks at the root."""

from fastapi import APIRouter

from app.api.routes import (
    datapackage,
    disagreements,
    index,
    meta,
    problem_types,
    search,
    sources,
    timeline,
    trade_stats,
)
from app.api.routes.collections import collection_router
from app.registry import COLLECTIONS, SOURCES, TRADE_STATS

# Routes beyond a list and an item, by the key of the collection they belong to.
EXTRA_ROUTES = {SOURCES.key: sources.router, TRADE_STATS.key: trade_stats.router}

api_router = APIRouter(prefix="/v1")
for collection in COLLECTIONS:
    api_router.include_router(collection_router(collection, EXTRA_ROUTES.get(collection.key)))
for module in (problem_types, timeline, disagreements, search, datapackage):
    api_router.include_router(module.router)
api_router.include_router(meta.router)

root_router = APIRouter()
root_router.include_router(index.router)
root_router.include_router(meta.health_router)
root_router.include_router(problem_types.router)
