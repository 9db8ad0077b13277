"""Dependencies shared by the routes: the session and the lookups that 404."""

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from sqlalchemy import Connection, event
from sqlmodel import Session

from app.db import use_newest_dataset, version_of
from app.errors import NotFound, ServiceUnavailable
from app.models import Source
from app.queries import lookups
from app.registry import SOURCES, Collection


def get_session(request: Request) -> Iterator[Session]:
    """A read-only session on the current database, connected only when the route first
    reads (so a request refused for its parameters runs no SQL), on one connection.

    The dataset version read through that connection is left in `request.state`, so the
    response cache labels the answer with the dataset it was really read from.
    """
    database = getattr(request.app.state, "database", None)
    if database is None:
        raise ServiceUnavailable("The database is not open.")
    if not database.postgres:
        # SQLite: open the new file if a rebuild replaced it. (On PostgreSQL the session's
        # transaction finds the newest dataset itself, so nothing runs before the route reads.)
        database.refresh()
    with Session(bind=database.engine) as session:

        def label(_session: Session, _transaction: Any, connection: Connection) -> None:
            # PostgreSQL: the transaction (one REPEATABLE READ snapshot) reads the newest
            # dataset schema it sees, for every statement of the request.
            use_newest_dataset(connection)
            version = version_of(connection, database.versions)
            request.state.dataset_version = version
            database.seen(connection, version)

        event.listen(session, "after_begin", label)
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
RecordId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=120,
        pattern=r"^[a-z0-9-]+$",
        description="Stable slug of the record.",
    ),
]

SLUG = re.compile(r"[a-z0-9-]+")


def record_id_except(reserved: Iterable[str]) -> Any:
    """The path parameter naming a record (RecordId), refusing the names in `reserved`: those
    of other routes beside the items (`/v1/trade-stats/series`), so the schema admits no id
    that the path would not lead to. A negative lookahead, as ECMA and Python regexes both
    write it (pydantic's default engine has no lookaround, so the pattern is compiled by re)."""
    # Only a slug could be taken for an id (and a slug needs no escaping in either dialect).
    names = sorted(name for name in reserved if SLUG.fullmatch(name))
    if not names:
        return RecordId
    pattern = re.compile(rf"^(?!(?:{'|'.join(names)})$)[a-z0-9-]+$")
    listed = ", ".join(f"`{name}`" for name in names)
    return Annotated[
        str,
        Path(
            min_length=1,
            max_length=120,
            pattern=pattern,  # a compiled pattern: pydantic matches it with re
            description=f"Stable slug of the record (never {listed}, the path of another route).",
        ),
    ]


def record_or_404(collection: Collection) -> Callable[[Session, str], Any]:
    """A dependency giving the record of `collection` named in the path, or a 404 problem."""

    def dependency(session: SessionDep, id: RecordId) -> Any:
        record = lookups.by_id(session, collection.table, id)
        if record is None:
            raise NotFound(f"No {collection.noun} with id {id!r}.")
        return record

    dependency.__doc__ = f"The {collection.noun} named in the path, or a 404 problem."
    return dependency


get_source_or_404 = record_or_404(SOURCES)
SourceDep = Annotated[Source, Depends(get_source_or_404)]
