"""vocabulary term: the controlled vocabularies in the database, for the data package

Revision ID: 8d3c6f2e4b17
Revises: 9c3e5f1a7b20
Create Date: 2026-11-30 08:20:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision: str = '8d3c6f2e4b17'
down_revision: Union[str, Sequence[str], None] = '9c3e5f1a7b20'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'vocabulary_term',
        sa.Column('vocabulary', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('term', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('vocabulary', 'term', name=op.f('pk_vocabulary_term')),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('vocabulary_term')
