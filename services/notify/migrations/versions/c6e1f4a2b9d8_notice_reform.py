"""notice.reform_id: the reform case (以案促改) a notice is about, for its link

Revision ID: c6e1f4a2b9d8
Revises: 7a1e5c2d9f02
Create Date: 2026-12-03 12:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'c6e1f4a2b9d8'
down_revision: Union[str, Sequence[str], None] = '7a1e5c2d9f02'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reform_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_column('reform_id')
