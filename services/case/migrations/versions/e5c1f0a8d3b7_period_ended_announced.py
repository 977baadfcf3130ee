"""impact_period.ended_announced_at: when case announced the period's end (impact_period_ended)

Revision ID: e5c1f0a8d3b7
Revises: b3f9d2e4a611
Create Date: 2026-12-02 09:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'e5c1f0a8d3b7'
down_revision: Union[str, Sequence[str], None] = 'b3f9d2e4a611'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Periods that ended before this revision stay unannounced: the daily announcement looks
    # back only restrictions.announce_ended_within_days, so old ends are never broadcast.
    with op.batch_alter_table('impact_period', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_announced_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_period_announce', ['ended_announced_at', 'ends_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('impact_period', schema=None) as batch_op:
        batch_op.drop_index('ix_period_announce')
        batch_op.drop_column('ended_announced_at')
