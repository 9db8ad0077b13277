"""Fields every bilateral record shares."""

from sqlmodel import Field, SQLModel

from app.models.types import PairCode


class RecordBase(SQLModel):
    """The country pair a record belongs to, and curator notes."""

    pair: PairCode = Field(
        index=True,
        description="Country pair of the record: two ISO 3166-1 alpha-2 codes in alphabetical "
        "order, joined by '-' (e.g. CN-KZ).",
    )
    notes: str | None = Field(default=None, description="Curator notes, including inferences.")


class Figure(SQLModel):
    """A stated figure: a value with an explicit unit."""

    metric: str = Field(description="What is measured (vocabulary `project_metric`).")
    value: float = Field(description="The value, in `unit`.")
    unit: str = Field(description="Unit of the value (vocabulary `unit`), e.g. MW or USD.")
    qualifier: str = Field(
        default="exact",
        description="How the source qualifies it: exact, more_than, ...",
    )
