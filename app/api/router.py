"""All routes: the /v1 API and the health checks at the root."""

from fastapi import APIRouter

from app.api.routes import (
    awards,
    disagreements,
    events,
    index,
    indicators,
    meta,
    people,
    places,
    problem_types,
    projects,
    quotes,
    search,
    sister_cities,
    sources,
    timeline,
    trade_stats,
)

api_router = APIRouter(prefix="/v1")
for module in (
    sources,
    people,
    places,
    problem_types,
    projects,
    awards,
    trade_stats,
    sister_cities,
    quotes,
    events,
    indicators,
    timeline,
    disagreements,
    search,
):
    api_router.include_router(module.router)
api_router.include_router(meta.router)

root_router = APIRouter()
root_router.include_router(index.router)
root_router.include_router(meta.health_router)
root_router.include_router(problem_types.router)
