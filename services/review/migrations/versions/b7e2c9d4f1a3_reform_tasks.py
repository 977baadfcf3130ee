"""reports and extensions of reform tasks (以案促改): reform_id, decision_id nullable

Revision ID: b7e2c9d4f1a3
Revises: 5c1d0e7a9b21
Create Date: 2026-12-03 09:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'b7e2c9d4f1a3'
down_revision: Union[str, Sequence[str], None] = '5c1d0e7a9b21'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    for table in ('report', 'extension'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('decision_id', existing_type=sa.Integer(), nullable=True)
            batch_op.add_column(sa.Column('reform_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in ('report', 'extension'):
        op.execute(f"DELETE FROM {table} WHERE decision_id IS NULL")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('reform_id')
            batch_op.alter_column('decision_id', existing_type=sa.Integer(), nullable=False)
