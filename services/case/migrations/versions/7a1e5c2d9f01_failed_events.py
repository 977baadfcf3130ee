"""failed events parked for retry (inbox)

Revision ID: 7a1e5c2d9f01
Revises: c20c806114b4
Create Date: 2026-12-01 10:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa  # noqa: F401

from services.common.migrate import create_failed_event_table

revision: str = '7a1e5c2d9f01'
down_revision: Union[str, Sequence[str], None] = 'c20c806114b4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    create_failed_event_table(op)


def downgrade() -> None:
    op.drop_index('ix_failed_event_due', table_name='failed_event')
    op.drop_table('failed_event')
