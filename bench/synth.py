"""Synthetic databases of any number of projects, for the scale benchmark (bench/scale.py).

The schema is made by the project's own migrations (`app.migrate.upgrade` on a new SQLite
file), then rows are bulk-inserted with SQLAlchemy core. Places, sources, citations, figures
and partners come in the proportions of the curated data (per project: 1.5 places, 0.2
sources, 2.6 project citations, 0.5 figures; 2 citations per place), so the joined and
`selectin` loads of a page do the same work per row as on the real database.

    .venv/bin/python -m bench.synth 10000 bench/out/synth-10000.sqlite3
"""

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert, select
from sqlmodel import Session

from app import migrate
from app.db import make_write_engine
from app.loader.documents import documents_of
from app.models import (
    BuildInfo,
    Citation,
    Place,
    Project,
    ProjectFigure,
    ProjectPartner,
    RecordDocument,
    Source,
)
from app.models.types import interval_of
from app.registry import COLLECTIONS

# Values of the curated vocabularies (data/vocabularies.yaml), so filters hit realistic shares.
SECTORS = [
    "agriculture_food",
    "automotive",
    "culture_tourism",
    "education",
    "health",
    "manufacturing",
    "oil_gas",
    "renewable_energy",
    "trade_ecommerce",
    "transport_logistics",
]
STATUSES = ["completed", "operational", "proposed", "under_construction", "unknown"]
METRICS = [("capacity", "MW"), ("annual_generation", "kWh_per_year"), ("jobs", "jobs")]

# Proportions measured on the curated data (24 projects when this was written).
PLACES_PER_PROJECT = 1.5
SOURCES_PER_PROJECT = 0.2
CITATIONS_PER_PROJECT = 2.6
CITATIONS_PER_PLACE = 2.0
FIGURES_PER_PROJECT = 0.5
PARTNERS_PER_PROJECT = 0.05
NO_PLACE_SHARE = 0.45
NO_COMPLETION_SHARE = 0.4

BATCH = 5_000
WORDS = [
    "cooperation",
    "wind",
    "solar",
    "plant",
    "logistics",
    "hub",
    "railway",
    "terminal",
    "pipeline",
    "university",
    "centre",
    "joint",
    "venture",
    "capacity",
    "energy",
    "trade",
    "corridor",
    "industrial",
    "park",
    "Kazakhstan",
    "China",
    "Almaty",
    "Astana",
    "Xinjiang",
    "Zhambyl",
    "investment",
    "construction",
    "operation",
    "agreement",
]


_POOL: dict[int, list[str]] = {}


def _text(rng: random.Random, words: int) -> str:
    """A sentence of `words` words, from a pool of 256 per length (fast for 10^6 rows)."""
    pool = _POOL.get(words)
    if pool is None:
        maker = random.Random(words)
        pool = _POOL[words] = [
            " ".join(maker.choice(WORDS) for _ in range(words)).capitalize() + "."
            for _ in range(256)
        ]
    return pool[rng.randrange(256)]


def _date(rng: random.Random) -> tuple[str, str]:
    year = rng.randint(1995, 2030)
    kind = rng.random()
    if kind < 0.3:
        return f"{year}", "year"
    if kind < 0.6:
        return f"{year}-{rng.randint(1, 12):02d}", "month"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "day"


def _batched(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _table(model: Any) -> Table:
    return model.__table__


def _sources(n: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    for i in range(n):
        published, precision = _date(rng)
        yield {
            "id": f"source-{i}",
            "title": _text(rng, 10),
            "publisher": rng.choice(["Xinhua", "Kazinform", "The Astana Times", None]),
            "authors": [],
            "kind": rng.choice(["interview", "press release", "news report"]),
            "language": "en",
            "published": published,
            "published_precision": precision,
            "url": f"https://example.org/{i}",
            "copy_url": None,
            "notes": None,
            "sha256": f"{i:064x}",
            "length": 20_000,
        }


def _places(n: int, rng: random.Random) -> tuple[list[dict[str, Any]], list[str]]:
    """Two countries, regions (a tenth) under them, cities under the regions."""
    rows: list[dict[str, Any]] = [
        {"id": "china", "name": "China", "kind": "country", "country": "CN", "parent_id": None},
        {
            "id": "kazakhstan",
            "name": "Kazakhstan",
            "kind": "country",
            "country": "KZ",
            "parent_id": None,
        },
    ]
    regions = max(1, n // 10)
    region_ids = []
    for i in range(regions):
        country = rng.choice(["CN", "KZ"])
        region_ids.append(f"region-{i}")
        rows.append(
            {
                "id": f"region-{i}",
                "name": f"Region {i}",
                "kind": "region",
                "country": country,
                "region_code": f"{country}-{i % 99:02d}",
                "parent_id": "china" if country == "CN" else "kazakhstan",
            }
        )
    for i in range(max(0, n - regions - 2)):
        parent = rng.choice(region_ids)
        rows.append(
            {
                "id": f"city-{i}",
                "name": f"City {i}",
                "kind": "city",
                "country": rows[2 + int(parent.split("-")[1])]["country"],
                "region_code": rows[2 + int(parent.split("-")[1])]["region_code"],
                "parent_id": parent,
            }
        )
    for row in rows:
        row.setdefault("region_code", None)
        row.update(
            aliases=[],
            lat=round(rng.uniform(35, 55), 4),
            lon=round(rng.uniform(50, 120), 4),
            coord_precision="city centroid",
            notes=None,
        )
    return rows, [row["id"] for row in rows[2:]]


def _projects(n: int, place_ids: list[str], rng: random.Random) -> Iterator[dict[str, Any]]:
    for i in range(n):
        start, start_precision = _date(rng)
        if rng.random() < NO_COMPLETION_SHARE:
            completion, completion_precision = None, "unknown"
        else:
            completion, completion_precision = _date(rng)
        yield {
            "id": f"project-{i}",
            "pair": "CN-KZ",
            "notes": _text(rng, 20),
            "name": f"{_text(rng, 3)[:-1]} {i}",
            "aliases": [],
            "sector": rng.choice(SECTORS),
            "host_country": rng.choice(["KZ", "KZ", "CN", None]),
            "status": rng.choice(STATUSES),
            "start_date": start,
            "start_date_precision": start_precision,
            "start_date_start": interval_of(start)[0],
            "start_date_end": interval_of(start)[1],
            "completion_date": completion,
            "completion_date_precision": completion_precision,
            # The full-date interval the list sorts and filters by, as the loader derives it.
            "completion_date_start": interval_of(completion)[0],
            "completion_date_end": interval_of(completion)[1],
            "bri": rng.choice([True, None]),
            "description": _text(rng, 45),
            "place_id": None if rng.random() < NO_PLACE_SHARE else rng.choice(place_ids),
        }


def _spread(total: int, owners: int) -> Iterator[int]:
    """Owner indexes for `total` children over `owners`, evenly with a random remainder."""
    for k in range(total):
        yield k * owners // total if total else 0


def _citations(
    record_type: str, ids: list[str], per: float, sources: int, rng: random.Random
) -> Iterator[dict[str, Any]]:
    position: dict[int, int] = {}
    for owner in _spread(int(len(ids) * per), len(ids)):
        pos = position.get(owner, 0)
        position[owner] = pos + 1
        excerpt = _text(rng, 20)
        start = rng.randint(0, 18_000)
        yield {
            "record_type": record_type,
            "record_id": ids[owner],
            "position": pos,
            "source_id": f"source-{rng.randrange(sources)}",
            "excerpt": excerpt,
            "start": start,
            "end": start + len(excerpt),
        }


def _figures(n: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    position: dict[int, int] = {}
    for owner in _spread(int(n * FIGURES_PER_PROJECT), n):
        pos = position.get(owner, 0)
        position[owner] = pos + 1
        metric, unit = rng.choice(METRICS)
        yield {
            "project_id": f"project-{owner}",
            "position": pos,
            "metric": metric,
            "unit": unit,
            "value": float(rng.randint(1, 1000)),
            "qualifier": "exact",
        }


def _partners(n: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    for k, owner in enumerate(_spread(int(n * PARTNERS_PER_PROJECT), n)):
        yield {
            "project_id": f"project-{owner}",
            "position": 0,
            "name": f"Company {k}",
            "country": rng.choice(["CN", "KZ"]),
            "role": rng.choice(["investor", "builder", "operator"]),
        }


def _documents(connection: Any, ids: dict[str, list[str]], chunk: int = 2000) -> None:
    """Render the served documents of the records in `ids` (by collection path) as the build
    does (app/loader/documents.py), a chunk at a time. Only the projects are rendered: they
    are what the benchmarks read, and rendering is most of the time a large database takes."""
    with Session(bind=connection) as session:
        for collection in COLLECTIONS:
            wanted = ids.get(collection.path, [])
            id_column = collection.table.id  # type: ignore[attr-defined]
            for start in range(0, len(wanted), chunk):
                rows = session.scalars(
                    select(collection.table).where(id_column.in_(wanted[start : start + chunk]))
                ).unique()
                documents = [
                    {
                        "record_type": d.record_type,
                        "record_id": d.record_id,
                        "json": d.json_text,
                        "csv": d.csv_line,
                        "feature": d.feature,
                    }
                    for d in documents_of(collection, rows)
                ]
                connection.execute(insert(_table(RecordDocument)), documents)
                session.expunge_all()


def create(path: Path, projects: int, seed: int = 0) -> dict[str, int]:
    """Make a new SQLite file at `path` with `projects` projects; return rows per table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    rng = random.Random(seed)
    engine = make_write_engine(f"sqlite:///{path}")
    counts: dict[str, int] = {}
    try:
        with engine.begin() as connection:
            migrate.upgrade(connection)
        n_sources = max(5, round(projects * SOURCES_PER_PROJECT))
        places, place_ids = _places(max(3, round(projects * PLACES_PER_PROJECT)), rng)
        project_ids = [f"project-{i}" for i in range(projects)]
        with engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # inserted parents first
            connection.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MiB for the indexes
            plan: list[tuple[Any, Iterator[dict[str, Any]]]] = [
                (Source, _sources(n_sources, rng)),
                (Place, iter(places)),
                (Project, _projects(projects, place_ids, rng)),
                (ProjectFigure, _figures(projects, rng)),
                (ProjectPartner, _partners(projects, rng)),
                (
                    Citation,
                    _citations("project", project_ids, CITATIONS_PER_PROJECT, n_sources, rng),
                ),
                (
                    Citation,
                    _citations(
                        "place", [p["id"] for p in places], CITATIONS_PER_PLACE, n_sources, rng
                    ),
                ),
            ]
            for model, rows in plan:
                table = _table(model)
                for batch in _batched(rows):
                    connection.execute(insert(table), batch)
                    counts[table.name] = counts.get(table.name, 0) + len(batch)
            _documents(connection, {"projects": project_ids})
            connection.execute(
                insert(_table(BuildInfo)),
                [
                    {
                        "id": 1,
                        "dataset_version": f"synth-{projects}-{seed}",
                        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    }
                ],
            )
    finally:
        engine.dispose()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("projects", type=int)
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = create(args.path, args.projects, args.seed)
    print(f"{args.path}: {counts} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
