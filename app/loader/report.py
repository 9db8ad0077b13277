"""What a build changes: the previous database against the new dataset, and the shrink guard.

A build compares each collection's records (by id, and by a content digest stored with the
database) with the database it replaces. It refuses to make a collection fall to zero or
lose more than a share of its records (20% by default) unless told `--allow-shrink`: an
emptied file or a bad merge must not silently take records off the service.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, inspect, select
from sqlmodel import Session, SQLModel

from app import models as m
from app.loader.check import Dataset
from app.loader.problems import Problem
from app.registry import COLLECTIONS

# Default share of a collection's records a build may remove without --allow-shrink.
DEFAULT_MAX_SHRINK = 0.2

# Collection -> its table, to count the records of a database built before digests were kept.
_TABLES: dict[str, type[SQLModel]] = {c.key: c.table for c in COLLECTIONS}


@dataclass(frozen=True)
class Snapshot:
    """The records of one dataset: version, and per collection each id's digest.

    A digest is None when the database predates digests (its changes can't be told).
    """

    version: str | None
    records: dict[str, dict[str, str | None]]


@dataclass(frozen=True)
class CollectionChange:
    """One collection's records before and after a build."""

    collection: str
    before: int | None  # None: there was no previous database
    after: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...] | None  # None: the previous database kept no digests


def _digest(value: Any) -> str:
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def record_digests(dataset: Dataset) -> dict[str, dict[str, str]]:
    """Collection -> id -> SHA-256 of the record as validated, its citations and its text."""
    digests: dict[str, dict[str, str]] = {}
    for collection, entries in dataset.entries.items():
        ids = digests.setdefault(collection, {})
        for entry in entries:
            record_id = entry.model.id
            citations = dataset.citations.get((collection, record_id), [])
            ids[record_id] = _digest(
                {
                    "record": entry.model.model_dump(mode="json"),
                    "citations": [[c.source_id, c.excerpt, c.start, c.end] for c in citations],
                    "text": dataset.texts.get(record_id) if collection == "sources" else None,
                }
            )
    return digests


def digest_rows(dataset: Dataset) -> list[m.RecordDigest]:
    """The record_digest rows of a dataset."""
    return [
        m.RecordDigest(collection=collection, record_id=record_id, digest=digest)
        for collection, ids in record_digests(dataset).items()
        for record_id, digest in ids.items()
    ]


def snapshot_of(dataset: Dataset) -> Snapshot:
    """The snapshot a build of `dataset` makes."""
    records: dict[str, dict[str, str | None]] = {name: {} for name in _TABLES}
    for collection, ids in record_digests(dataset).items():
        records[collection] = dict(ids)
    return Snapshot(dataset.version, records)


def read_snapshot(engine: Engine | Connection) -> Snapshot | None:
    """The snapshot of the database behind `engine` (or a connection, e.g. one pointed at
    the PostgreSQL dataset schema now served); None if it holds no built dataset."""
    tables = set(inspect(engine).get_table_names())
    if "build_info" not in tables:
        return None
    with Session(engine) as session:
        info = session.get(m.BuildInfo, 1)
        if info is None:
            return None
        records: dict[str, dict[str, str | None]] = {name: {} for name in _TABLES}
        if "record_digest" in tables:
            digests = session.execute(
                select(m.RecordDigest.collection, m.RecordDigest.record_id, m.RecordDigest.digest)  # type: ignore[call-overload]
            ).all()
            for collection, record_id, digest in digests:
                records.setdefault(collection, {})[record_id] = digest
        if not any(records.values()):
            for collection, table in _TABLES.items():
                if table.__tablename__ in tables:
                    ids = session.execute(select(table.id)).scalars()  # type: ignore[attr-defined]
                    records[collection] = dict.fromkeys(ids)
        return Snapshot(info.dataset_version, records)


def compare(old: Snapshot | None, new: Snapshot) -> list[CollectionChange]:
    """Each collection's change from `old` (None: no previous database) to `new`."""
    changes = []
    names = list(new.records) + [n for n in (old.records if old else {}) if n not in new.records]
    for name in names:
        after = new.records.get(name, {})
        if old is None:
            changes.append(CollectionChange(name, None, len(after), (), (), ()))
            continue
        before = old.records.get(name, {})
        knows_digests = all(digest is not None for digest in before.values())
        changes.append(
            CollectionChange(
                collection=name,
                before=len(before),
                after=len(after),
                added=tuple(sorted(set(after) - set(before))),
                removed=tuple(sorted(set(before) - set(after))),
                changed=tuple(sorted(i for i in after if i in before and before[i] != after[i]))
                if knows_digests
                else None,
            )
        )
    return changes


def shrink_problems(
    changes: list[CollectionChange],
    files: dict[str, list[tuple[str, int]]],
    data_rel: str,
    max_shrink: float = DEFAULT_MAX_SHRINK,
) -> list[Problem]:
    """A problem for each collection that would fall to zero or lose more than `max_shrink`.

    Each names the data file(s) of the collection and the counts before and after.
    """
    problems: list[Problem] = []
    for change in changes:
        before, after = change.before, change.after
        if not before or after >= before:
            continue
        lost = before - after
        if after > 0 and lost <= before * max_shrink:
            continue
        where = files.get(change.collection) or [(f"{data_rel}/{change.collection}.yaml", 1)]
        how = "fall to zero" if after == 0 else f"lose {lost} ({lost / before:.0%})"
        message = (
            f"the build would make {change.collection} {how}: {before} record(s) in the "
            f"database it replaces, {after} in the data files; removed: "
            f"{_ids(change.removed)}. If that is intended, build with --allow-shrink"
        )
        problems.extend(Problem(file, line, change.collection, message) for file, line in where)
    return problems


def _ids(ids: tuple[str, ...], limit: int = 10) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def render(
    changes: list[CollectionChange],
    old_version: str | None,
    new_version: str,
    rows: int,
    seconds: float,
    quiet: bool = False,
) -> str:
    """The build report: one line when `quiet`, else counts per collection and ids changed."""
    was = (
        "new database"
        if old_version is None
        else "unchanged"
        if old_version == new_version
        else f"was {old_version}"
    )
    head = f"built dataset {new_version} ({was}) in {seconds:.1f} s: {rows} rows"
    compared = old_version is not None or any(c.before is not None for c in changes)
    if compared:
        added = sum(len(c.added) for c in changes)
        removed = sum(len(c.removed) for c in changes)
        changed = (
            str(sum(len(c.changed) for c in changes if c.changed is not None))
            if all(c.changed is not None for c in changes)
            else "?"
        )
        head += f", records {added} added, {removed} removed, {changed} changed"
    if quiet:
        return head
    lines = [head, counts_table(changes, compared)]
    for change in changes:
        for kind, ids in (
            ("added", change.added),
            ("removed", change.removed),
            ("changed", change.changed or ()),
        ):
            if ids:
                lines.append(f"  {kind} {change.collection}: {', '.join(ids)}")
    if compared and any(c.changed is None for c in changes):
        lines.append("  (the previous database kept no record digests: changes are unknown)")
    return "\n".join(lines)


def counts_table(changes: list[CollectionChange], compared: bool = False) -> str:
    """A small aligned table: records per collection, and added/removed/changed if compared."""
    width = max(len(c.collection) for c in changes) if changes else 10
    header = f"  {'collection':<{width}}  {'records':>7}"
    if compared:
        header += f"  {'before':>6}  {'added':>5}  {'removed':>7}  {'changed':>7}"
    rows = [header]
    for c in changes:
        row = f"  {c.collection:<{width}}  {c.after:>7}"
        if compared:
            changed = "?" if c.changed is None else str(len(c.changed))
            before = "-" if c.before is None else str(c.before)
            row += f"  {before:>6}  {len(c.added):>5}  {len(c.removed):>7}  {changed:>7}"
        rows.append(row)
    return "\n".join(rows)
