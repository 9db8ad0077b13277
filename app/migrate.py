"""Run the Alembic migrations programmatically (the only way the schema is made)."""

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from app.config import ROOT


def alembic_config(database_url: str | None = None, connection: Connection | None = None) -> Config:
    """The project's Alembic config (from pyproject.toml), aimed at a URL or a connection."""
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    if database_url is not None:
        config.attributes["database_url"] = database_url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Migrate the database behind `connection` to `revision`."""
    command.upgrade(alembic_config(connection=connection), revision)


def downgrade(connection: Connection, revision: str = "base") -> None:
    """Migrate the database behind `connection` down to `revision`."""
    command.downgrade(alembic_config(connection=connection), revision)
