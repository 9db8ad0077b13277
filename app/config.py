"""Runtime configuration, read from the environment (and an optional .env file)."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All configuration of the service; every value can be set by an environment variable."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{ROOT / 'var' / 'bilateral.sqlite3'}",
        description="SQLAlchemy URL of the database the service reads and the build writes.",
    )
    data_dir: Path = Field(default=ROOT / "data", description="Folder of the curated dataset.")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default=["*"],
        description="Origins allowed by CORS, comma-separated; '*' allows any origin (GET only).",
    )
    statement_timeout_ms: int = Field(
        default=2000, description="Time limit of one SQL statement; past it the request gets 503."
    )
    pool_timeout_s: float = Field(
        default=2.0,
        description="Longest wait, in seconds, for a free database connection (then 503).",
    )
    version_check_s: float = Field(
        default=0.5,
        description="PostgreSQL: how often, in seconds, the service checks for a new build.",
    )
    response_cache_entries: int = Field(
        default=4096, description="Responses kept in memory per dataset version (0 disables)."
    )
    response_cache_bytes: int = Field(
        default=64 * 1024 * 1024, description="Total body bytes the response cache may hold."
    )
    direct_reads: bool = Field(
        default=True,
        description="Answer collection lists and items from compiled statements beside the "
        "framework (app/api/direct_reads.py; SQLite only). Off, the routes answer them: the "
        "same bytes, slower.",
    )
    fast_path: bool = Field(
        default=True,
        description="Answer plain reads (GET or HEAD without Origin) of kept answers and of "
        "collections in one step before the middleware (app/api/fast_path.py). Off, the "
        "middleware stack answers them: the same bytes, slower.",
    )
    telemetry: bool = Field(
        default=False,
        description="FastAPI's native OpenTelemetry: spans, metrics and logs through the "
        "globally configured OpenTelemetry providers. Off by default, because looking for "
        "those providers costs every request.",
    )
    cache_max_age: int = Field(default=300, description="Cache-Control max-age, in seconds.")
    docs_enabled: bool = Field(default=True, description="Serve /docs, /redoc and /openapi.json.")
    max_limit: int = Field(default=500, description="Largest JSON page size a list accepts.")
    max_export_rows: int = Field(
        default=100_000, description="Largest number of records one CSV or GeoJSON answer holds."
    )
    licence: str = Field(
        default="Data: CC BY 4.0 (curation); source texts remain their publishers' copyright.",
        description="Licence statement served in /v1/meta.",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
