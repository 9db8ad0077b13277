"""The Alembic migrations are the only way the schema is made: they must give exactly the
schema the SQLModel models declare, and go down and up again cleanly.

SQLite virtual tables (the FTS5 search index a migration makes) and their shadow tables cannot
be described by SQLAlchemy models; they are left out of the comparison, and only they (on
PostgreSQL, the search tables the same migrations make there). The tests run on the engine
under test, on an empty database.
"""

from collections.abc import Callable
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from app import migrate
from app.db import make_write_engine


@pytest.fixture
def engine(new_database_url: Callable[[], str]) -> Any:
    """An engine on an empty database, set up as the build sets up its own."""
    engine = make_write_engine(new_database_url())
    yield engine
    engine.dispose()


def _upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        migrate.upgrade(connection, revision)


def _downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.begin() as connection:
        migrate.downgrade(connection, revision)


def _virtual_tables(engine: Engine) -> set[str]:
    """Virtual tables and their shadow tables (`<name>_data`, `<name>_idx`, ...); on
    PostgreSQL, the search tables (UNMODELLED_PREFIX, as migrations/env.py leaves out)."""
    if engine.dialect.name != "sqlite":
        return {t for t in inspect(engine).get_table_names() if t.startswith("search_")}
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type='table'"))
        tables = {name: sql or "" for name, sql in rows}
    virtual = {name for name, sql in tables.items() if sql.upper().startswith("CREATE VIRTUAL")}
    return {name for name in tables if any(name == v or name.startswith(f"{v}_") for v in virtual)}


def _diff(engine: Engine) -> list[Any]:
    unmodelled = _virtual_tables(engine)

    def include_name(name: str | None, type_: str, _parents: Any) -> bool:
        return not (type_ == "table" and name in unmodelled)

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        return compare_metadata(context, SQLModel.metadata)


def _tables(engine: Engine) -> set[str]:
    """The tables of the database, apart from virtual tables and their shadow tables."""
    return set(inspect(engine).get_table_names()) - _virtual_tables(engine)


def _head() -> str:
    heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()
    assert len(heads) == 1, f"the migrations must have exactly one head, not {heads}"
    return heads[0]


def _current(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        return [row[0] for row in rows]


def test_migrations_have_a_single_head() -> None:
    assert _head()


def test_upgrade_to_head_gives_exactly_the_models_schema(engine: Engine) -> None:
    assert _tables(engine) == set()
    _upgrade(engine)
    assert _diff(engine) == []
    expected = {table.name for table in SQLModel.metadata.sorted_tables}
    assert _tables(engine) == expected | {"alembic_version"}
    assert _current(engine) == [_head()]


def test_upgrade_sets_up_every_foreign_key_and_index_of_the_models(engine: Engine) -> None:
    # compare_metadata ignores some differences (e.g. foreign keys on SQLite in batch mode);
    # check them directly against the models.
    _upgrade(engine)
    inspector = inspect(engine)
    for table in SQLModel.metadata.sorted_tables:
        wanted_fks = {
            (fk.parent.name, fk.column.table.name, fk.column.name) for fk in table.foreign_keys
        }
        found_fks = {
            (column, fk["referred_table"], referred)
            for fk in inspector.get_foreign_keys(table.name)
            for column, referred in zip(
                fk["constrained_columns"], fk["referred_columns"], strict=True
            )
        }
        assert found_fks == wanted_fks, table.name
        wanted_indexes = {tuple(c.name for c in index.columns) for index in table.indexes}
        found_indexes = {
            tuple(index["column_names"]) for index in inspector.get_indexes(table.name)
        }
        assert wanted_indexes <= found_indexes, table.name
        wanted_pk = [c.name for c in table.primary_key.columns]
        assert inspector.get_pk_constraint(table.name)["constrained_columns"] == wanted_pk
        for column in table.columns:
            found = {c["name"]: c for c in inspector.get_columns(table.name)}
            assert column.name in found, (table.name, column.name)
            if not column.primary_key:
                assert found[column.name]["nullable"] == column.nullable, (
                    table.name,
                    column.name,
                )


def test_downgrade_to_base_leaves_only_the_version_table(engine: Engine) -> None:
    _upgrade(engine)
    _downgrade(engine)
    # Every table, virtual ones included.
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    assert _current(engine) == []


def test_upgrade_again_after_downgrade(engine: Engine) -> None:
    _upgrade(engine)
    _downgrade(engine)
    _upgrade(engine)
    assert _diff(engine) == []
    assert _current(engine) == [_head()]


def test_upgrade_is_idempotent_at_head(engine: Engine) -> None:
    _upgrade(engine)
    _upgrade(engine)
    assert _diff(engine) == []
    assert _current(engine) == [_head()]


def test_every_revision_steps_down_and_up_one_at_a_time(engine: Engine) -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    revisions = [rev.revision for rev in script.walk_revisions("base", "heads")]
    revisions.reverse()  # oldest first
    for revision in revisions:
        _upgrade(engine, revision)
        assert _current(engine) == [revision]
    for revision in reversed(revisions):
        _downgrade(engine, revision)
        assert _current(engine) == [revision]
        _downgrade(engine, "-1")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    assert _current(engine) == []
