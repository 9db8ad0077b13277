"""Citations: the verbatim excerpt of a source that backs a record."""

from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, Relationship, SQLModel

from app.models.source import Source, SourceSummary


class Citation(SQLModel, table=True):
    """One verbatim excerpt of a source, cited by one record of any collection."""

    id: int | None = Field(default=None, primary_key=True)
    # One composite index serves every "citations of these records" lookup.
    __table_args__ = (Index("ix_citation_record", "record_type", "record_id", "position"),)

    record_type: str = Field(description="Collection of the citing record.")
    record_id: str = Field(description="Id of the citing record.")
    position: int = Field(description="Order of the citation within its record.")
    source_id: str = Field(foreign_key="source.id", index=True)
    excerpt: str = Field(description="Verbatim excerpt of the source text.")
    start: int = Field(description="Code-point offset where the excerpt starts.")
    end: int = Field(description="Code-point offset just past the excerpt's end.")

    source: Source = Relationship(sa_relationship_kwargs={"lazy": "joined"})


class CitationPublic(SQLModel):
    """A verbatim excerpt backing a record: `text[start:end] == excerpt` in the source."""

    source_id: str = Field(description="Id of the cited source.")
    excerpt: str = Field(description="Verbatim excerpt of the source text.")
    start: int = Field(description="Code-point offset of the excerpt in the source text.")
    end: int = Field(description="Code-point offset just past the excerpt's end.")
    source: SourceSummary = Field(description="Summary of the cited source.")


def cited_by(record_type: str, owner: str, lazy: str = "selectin") -> Any:
    """A read-only relationship from a record to its citations, in their curated order.

    Records that other records embed as summaries (people, places) load their citations
    only when asked (`lazy="select"`), so a page of projects doesn't fetch its places'.
    """
    return Relationship(
        sa_relationship_kwargs={
            "primaryjoin": (
                f"and_(Citation.record_type == '{record_type}', "
                f"foreign(Citation.record_id) == {owner}.id)"
            ),
            "order_by": "Citation.position",
            "viewonly": True,
            "lazy": lazy,
        }
    )
