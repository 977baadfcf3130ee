"""the review queue's indexes: waiting reports only, in the queue's order (submitted_at, id), all
of them with the findings' categories included (PostgreSQL), and a unit's

Revision ID: c4d9e2f7a1b8
Revises: b7e2c9d4f1a3
Create Date: 2026-12-04 12:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'c4d9e2f7a1b8'
down_revision: Union[str, Sequence[str], None] = 'b7e2c9d4f1a3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

WAITING = "state = 'submitted'"


def upgrade() -> None:
    op.create_index('ix_report_waiting', 'report', ['submitted_at', 'id'], unique=False,
                    postgresql_include=['finding_categories'], postgresql_where=sa.text(WAITING),
                    sqlite_where=sa.text(WAITING))
    op.create_index('ix_report_waiting_unit', 'report', ['unit_id', 'submitted_at', 'id'], unique=False,
                    postgresql_where=sa.text(WAITING), sqlite_where=sa.text(WAITING))


def downgrade() -> None:
    op.drop_index('ix_report_waiting_unit', table_name='report')
    op.drop_index('ix_report_waiting', table_name='report')
