"""countdowns, alerts and reviews of reform tasks (以案促改): reform_id, decision_id nullable;
stat_reform, the reform cases the statistics count

Revision ID: d8f1a2b3c4e5
Revises: c5d2e8a1f407
Create Date: 2026-12-03 09:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'd8f1a2b3c4e5'
down_revision: Union[str, Sequence[str], None] = 'c5d2e8a1f407'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.alter_column('decision_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('reform_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_deadline_reform_id'), ['reform_id'], unique=False)
    for table in ('alert', 'stat_review'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('decision_id', existing_type=sa.Integer(), nullable=True)
            batch_op.add_column(sa.Column('reform_id', sa.Integer(), nullable=True))
    op.create_table(
        'stat_reform',
        sa.Column('reform_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('basis', sa.String(length=16), nullable=True),
        sa.Column('issued_on', sa.Date(), nullable=True),
        sa.Column('due_date', sa.Date(), nullable=True),
        sa.Column('completed', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('reform_id'))
    with op.batch_alter_table('stat_reform', schema=None) as batch_op:
        batch_op.create_index('ix_stat_reform_unit_date', ['unit_id', 'issued_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('stat_reform', schema=None) as batch_op:
        batch_op.drop_index('ix_stat_reform_unit_date')
    op.drop_table('stat_reform')
    for table in ('stat_review', 'alert'):
        op.execute(f"DELETE FROM {table} WHERE decision_id IS NULL")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('reform_id')
            batch_op.alter_column('decision_id', existing_type=sa.Integer(), nullable=False)
    op.execute("DELETE FROM deadline WHERE decision_id IS NULL")
    with op.batch_alter_table('deadline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_reform_id'))
        batch_op.drop_column('reform_id')
        batch_op.alter_column('decision_id', existing_type=sa.Integer(), nullable=False)
