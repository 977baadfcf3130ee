"""one live report per item; the due date an extension extends from

Revision ID: 5c1d0e7a9b21
Revises: 2b8e2200db71
Create Date: 2026-12-01 10:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '5c1d0e7a9b21'
down_revision: Union[str, Sequence[str], None] = '2b8e2200db71'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LIVE = sa.text("state IN ('submitted', 'approving', 'rejecting')")


def upgrade() -> None:
    # A twin stored before this constraint (two submissions at once) is withdrawn, keeping
    # the first round; the index could not be built over it.
    op.execute("""
        UPDATE report SET state = 'withdrawn', comment = '重复上报，已撤回'
        WHERE state IN ('submitted', 'approving', 'rejecting')
          AND id NOT IN (SELECT MIN(id) FROM report
                         WHERE state IN ('submitted', 'approving', 'rejecting') GROUP BY item_id)
    """)
    op.create_index('uq_report_live_item', 'report', ['item_id'], unique=True,
                    sqlite_where=LIVE, postgresql_where=LIVE)
    with op.batch_alter_table('extension', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_due_date', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('extension', schema=None) as batch_op:
        batch_op.drop_column('from_due_date')
    op.drop_index('uq_report_live_item', table_name='report')
