"""Facts about the build that produced the database."""

from sqlmodel import Field, SQLModel


class BuildInfo(SQLModel, table=True):
    """The single row describing the loaded dataset."""

    __tablename__ = "build_info"

    id: int = Field(default=1, primary_key=True)
    dataset_version: str = Field(description="Content hash of data/.")
    built_at: str = Field(description="UTC time of the build (ISO 8601).")
