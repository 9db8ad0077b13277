"""Alembic environment: the schema is SQLModel.metadata, the URL comes from Settings."""

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from app.config import get_settings

config = context.config
target_metadata = SQLModel.metadata


# Tables that no model describes: the FTS5 indexes (and their shadow tables) that migrations
# make.
UNMODELLED_PREFIX = "search_"


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Leave the FTS5 tables out of autogenerate comparisons."""
    return not (type_ == "table" and name is not None and name.startswith(UNMODELLED_PREFIX))


def _url() -> str:
    # The build hands over a connection; the alembic command line uses DATABASE_URL.
    return str(config.attributes.get("database_url") or get_settings().database_url)


def run_migrations_offline() -> None:
    """Emit the migration SQL without a database connection."""
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a live connection (one handed over by the build, or a new one)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(
        {"sqlalchemy.url": _url()}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
