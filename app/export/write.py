"""`python -m app export DIR`: write the data package of the built database to a folder."""

import json
from pathlib import Path

from sqlmodel import Session

from app.config import Settings
from app.db import Database
from app.export.package import descriptor, tables


def write_package(settings: Settings, directory: Path) -> list[Path]:
    """Write datapackage.json and one CSV per resource into `directory`; return the files.

    Each CSV is what the API serves for the resource, byte for byte (UTF-8, CRLF line ends).
    """
    directory.mkdir(parents=True, exist_ok=True)
    # Database.connect: on PostgreSQL, one read-only snapshot of the dataset now served.
    database = Database(settings.database_url)
    written = []
    try:
        with database.connect() as connection, Session(bind=connection) as session:
            package = descriptor(session, settings, lambda table: table.file)
            for table in tables():
                path = directory / table.file
                path.write_bytes(table.csv(session, settings).encode("utf-8"))
                written.append(path)
    finally:
        database.close()
    path = directory / "datapackage.json"
    path.write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [path, *written]
