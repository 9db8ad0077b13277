"""search index: an FTS5 table over every record and source passage (SQLite only)

Revision ID: c1c2a20e77fa
Revises: 2c5654a4617b
Create Date: 2026-11-25 13:50:37.795100

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = 'c1c2a20e77fa'
down_revision: Union[str, Sequence[str], None] = '2c5654a4617b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Create the full-text index; other databases search without it."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE search_index USING fts5("
        "collection UNINDEXED, record_id UNINDEXED, label, body, "
        "start UNINDEXED, end UNINDEXED, "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )


def downgrade() -> None:
    """Drop the full-text index."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS search_index")
