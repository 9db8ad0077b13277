"""Facts about the build that produced the database."""

from sqlmodel import Field, SQLModel


class BuildInfo(SQLModel, table=True):
    """The single row describing the loaded dataset."""

    __tablename__ = "build_info"

    id: int = Field(default=1, primary_key=True)
    dataset_version: str = Field(description="Content hash of data/.")
    built_at: str = Field(description="UTC time of the build (ISO 8601).")


class RecordDigest(SQLModel, table=True):
    """A content hash of each curated record, so the next build can say what it changed."""

    __tablename__ = "record_digest"

    collection: str = Field(primary_key=True, description="Collection key, e.g. `projects`.")
    record_id: str = Field(primary_key=True, description="Id of the record in its collection.")
    digest: str = Field(
        description="SHA-256 of the record as validated, with its resolved citations."
    )
