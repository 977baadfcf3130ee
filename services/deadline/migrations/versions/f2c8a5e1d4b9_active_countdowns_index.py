"""the alerts' index: the countdowns a unit must act on (open, rejected), by unit and due date

Revision ID: f2c8a5e1d4b9
Revises: e6a3b9d2c7f1
Create Date: 2026-12-04 12:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'f2c8a5e1d4b9'
down_revision: Union[str, Sequence[str], None] = 'e6a3b9d2c7f1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACTIVE = "state IN ('open', 'rejected')"


def upgrade() -> None:
    op.create_index('ix_deadline_active', 'deadline', ['unit_id', 'target_date'], unique=False,
                    postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))


def downgrade() -> None:
    op.drop_index('ix_deadline_active', table_name='deadline')
