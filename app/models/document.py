"""Compiled representations: each record as served, rendered once by the build."""

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel


class RecordDocument(SQLModel, table=True):
    """One record's served representations, rendered by the build through its Public model.

    Serving selects ids with SQL over the typed, indexed columns of the record's table and
    writes these texts out: no ORM objects and no model validation per request.
    """

    __tablename__ = "record_document"

    record_type: str = Field(
        primary_key=True, description="Collection of the record, as citations name it."
    )
    record_id: str = Field(primary_key=True, description="Id of the record in its collection.")
    json_text: str = Field(
        sa_column=Column("json", Text, nullable=False),
        description="The record as JSON: its Public model with summaries and citations.",
    )
    csv_line: str = Field(
        sa_column=Column("csv", Text, nullable=False),
        description="The record's CSV line (CRLF-terminated), in its collection's columns.",
    )
    feature: str | None = Field(
        default=None,
        sa_column=Column("feature", Text, nullable=True),
        description="The record as a GeoJSON Feature, for collections with coordinates.",
    )
