"""record document: each record's served JSON, CSV line and GeoJSON Feature, built once

Revision ID: 9c3e5f1a7b20
Revises: 97cb937442d0
Create Date: 2026-11-30 08:40:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '9c3e5f1a7b20'
down_revision: Union[str, Sequence[str], None] = '97cb937442d0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'record_document',
        sa.Column('record_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('record_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('json', sa.Text(), nullable=False),
        sa.Column('csv', sa.Text(), nullable=False),
        sa.Column('feature', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('record_type', 'record_id', name=op.f('pk_record_document')),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('record_document')
