"""search trigram index: a second FTS5 table for scripts written without spaces (Chinese)

Revision ID: 273a1bd4ff67
Revises: 2acc5261fcd5
Create Date: 2026-11-25 15:17:40.736245

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '273a1bd4ff67'
down_revision: Union[str, Sequence[str], None] = '2acc5261fcd5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Create the trigram index (SQLite only), which matches any 3+ character substring."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE search_trigram USING fts5("
        "collection UNINDEXED, record_id UNINDEXED, label, body, "
        "start UNINDEXED, end UNINDEXED, tokenize = 'trigram')"
    )


def downgrade() -> None:
    """Drop the trigram index."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS search_trigram")
