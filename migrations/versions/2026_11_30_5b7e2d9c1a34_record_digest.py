"""record digest: a content hash per curated record, for the build's change report

Revision ID: 5b7e2d9c1a34
Revises: 5e1f0c3a9b27
Create Date: 2026-11-30 07:50:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '5b7e2d9c1a34'
down_revision: Union[str, Sequence[str], None] = '5e1f0c3a9b27'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'record_digest',
        sa.Column('collection', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('record_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint('collection', 'record_id', name=op.f('pk_record_digest')),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('record_digest')
