"""failed events parked for retry (inbox); item version on countdowns

Revision ID: 7a1e5c2d9f03
Revises: 02b7d858f39d
Create Date: 2026-12-01 10:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa  # noqa: F401

from services.common.migrate import create_failed_event_table

revision: str = '7a1e5c2d9f03'
down_revision: Union[str, Sequence[str], None] = '02b7d858f39d'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    create_failed_event_table(op)
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_version', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_column('item_version')
    op.drop_index('ix_failed_event_due', table_name='failed_event')
    op.drop_table('failed_event')
