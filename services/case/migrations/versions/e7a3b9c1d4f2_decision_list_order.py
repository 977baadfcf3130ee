"""decision list order: ix_decision_date_id, ix_decision_unit_date_id (newest first), which
replaces ix_decision_unit_id (its prefix)

Revision ID: e7a3b9c1d4f2
Revises: d5b2e8f4a7c3
Create Date: 2026-12-01 13:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'e7a3b9c1d4f2'
down_revision: Union[str, Sequence[str], None] = 'd5b2e8f4a7c3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_decision_date_id', 'decision', [sa.text('decision_date DESC'), sa.text('id DESC')])
    op.create_index('ix_decision_unit_date_id', 'decision',
                    ['unit_id', sa.text('decision_date DESC'), sa.text('id DESC')])
    op.drop_index('ix_decision_unit_id', table_name='decision')


def downgrade() -> None:
    op.create_index('ix_decision_unit_id', 'decision', ['unit_id'])
    op.drop_index('ix_decision_unit_date_id', table_name='decision')
    op.drop_index('ix_decision_date_id', table_name='decision')
