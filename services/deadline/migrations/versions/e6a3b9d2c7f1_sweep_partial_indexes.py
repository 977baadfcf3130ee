"""the sweep's hot table: partial indexes on next_check_on (rows with a pending threshold) and
reform_id (reform tasks), so a crossing rewrites fewer index entries

Revision ID: e6a3b9d2c7f1
Revises: d8f1a2b3c4e5
Create Date: 2026-12-04 11:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'e6a3b9d2c7f1'
down_revision: Union[str, Sequence[str], None] = 'd8f1a2b3c4e5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PARTIAL = {"ix_deadline_next_check": ("next_check_on", "next_check_on IS NOT NULL"),
           "ix_deadline_reform_id": ("reform_id", "reform_id IS NOT NULL")}


def upgrade() -> None:
    for name, (column, where) in PARTIAL.items():
        op.drop_index(name, table_name='deadline')
        op.create_index(name, 'deadline', [column], unique=False, postgresql_where=sa.text(where),
                        sqlite_where=sa.text(where))


def downgrade() -> None:
    for name, (column, _) in PARTIAL.items():
        op.drop_index(name, table_name='deadline')
        op.create_index(name, 'deadline', [column], unique=False)
