"""drop search trigram index: Chinese is indexed character by character in search_index

The build sets each character of an unspaced script (Chinese) apart in search_index, so one
FTS5 expression matches and ranks Chinese and Latin words together; the trigram table, which
could do neither for terms under three characters, is no longer written or read.

Revision ID: 5e1f0c3a9b27
Revises: 273a1bd4ff67
Create Date: 2026-11-30 08:00:00.000000

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '5e1f0c3a9b27'
down_revision: Union[str, Sequence[str], None] = '273a1bd4ff67'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Drop the trigram index (SQLite only)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS search_trigram")


def downgrade() -> None:
    """Make the trigram index again (empty until the next build)."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE search_trigram USING fts5("
        "collection UNINDEXED, record_id UNINDEXED, label, body, "
        "start UNINDEXED, end UNINDEXED, tokenize = 'trigram')"
    )
