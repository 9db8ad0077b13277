"""A uniform reference to any record, for lists that span collections."""

from pydantic import BaseModel, Field
from sqlmodel import Session

from app.models import CitationPublic
from app.queries.listing import ListResult
from app.queries.parameters import PageQuery
from app.queries.records import citations_of, labels, record_citations
from app.registry import CITED


class RecordRef(BaseModel):
    """A record of any collection, with the excerpts by which it cites one source."""

    collection: str = Field(description="Collection of the record, e.g. projects.")
    id: str = Field(description="Id of the record in its collection.")
    label: str = Field(description="Short human label: name, title or text.")
    url: str = Field(description="Path of the record.")
    citations: list[CitationPublic] = Field(description="The record's excerpts of this source.")


def record_refs(session: Session, source_id: str, query: PageQuery) -> ListResult:
    """A page of references to the records citing `source_id`."""
    keys, total, cursor = citations_of(session, source_id, query)
    names = labels(session, keys)
    by_record: dict[tuple[str, str], list[CitationPublic]] = {key: [] for key in keys}
    for citation in record_citations(session, source_id, keys):
        by_record[(citation.record_type, citation.record_id)].append(
            CitationPublic.model_validate(citation)
        )
    items = []
    for record_type, record_id in keys:
        path = CITED[record_type].path
        items.append(
            RecordRef(
                collection=path,
                id=record_id,
                label=names.get((record_type, record_id), record_id),
                url=f"/v1/{path}/{record_id}",
                citations=by_record[(record_type, record_id)],
            )
        )
    return ListResult(items, total, next_cursor=cursor)
