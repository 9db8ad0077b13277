"""postgres search index: a tsvector (GIN) and trigram (pg_trgm GIN) table for /v1/search

SQLite searches its FTS5 table; on PostgreSQL the same rows go into search_index with their
words (as the query parser splits them) and a tsvector of them (GIN) for full text, and
trigram indexes on label and body for words of scripts written without spaces (Chinese),
matched by substring.

Revision ID: b7d2e4f19a60
Revises: 8d3c6f2e4b17
Create Date: 2026-11-30 08:40:00.000000

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = 'b7d2e4f19a60'
down_revision: Union[str, Sequence[str], None] = '8d3c6f2e4b17'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Create the search table and its indexes (PostgreSQL only)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    # In public, shared by every dataset schema (a build drops old schemas, never this).
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    op.execute(
        # Hits are ordered by collection and id by code point, as on SQLite.
        "CREATE TABLE search_index ("
        'collection text COLLATE "C" NOT NULL, record_id text COLLATE "C" NOT NULL, '
        "label text NOT NULL, "
        'body text NOT NULL, start integer, "end" integer, '
        # The words of label and body as the query parser splits them, their number, and
        # their tsvector: what matching and bm25 ranking read.
        "label_words text NOT NULL, body_words text NOT NULL, tokens integer NOT NULL, "
        "document tsvector NOT NULL)"
    )
    op.execute("CREATE INDEX search_index_document ON search_index USING gin (document)")
    op.execute(
        "CREATE INDEX search_index_label_trgm ON search_index USING gin (label public.gin_trgm_ops)"
    )
    op.execute(
        "CREATE INDEX search_index_body_trgm ON search_index USING gin (body public.gin_trgm_ops)"
    )


def downgrade() -> None:
    """Drop the search table (the pg_trgm extension stays: other schemas may use it)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE IF EXISTS search_index")
