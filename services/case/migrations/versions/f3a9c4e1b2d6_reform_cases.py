"""reform cases (以案促改): reform, reform_decision; execution_item.reform_id (a task's owner)

An item belongs to a decision or to a reform case: ``decision_id`` becomes nullable, the new
``reform_id`` names the reform case, and ``ck_item_one_owner`` says exactly one is set (every
item already there has its decision).

Revision ID: f3a9c4e1b2d6
Revises: e5c1f0a8d3b7
Create Date: 2026-12-03 09:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'f3a9c4e1b2d6'
down_revision: Union[str, Sequence[str], None] = 'e5c1f0a8d3b7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'reform',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('basis', sa.String(length=16), nullable=False),
        sa.Column('doc_number', sa.String(length=128), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('requirements', sa.Text(), nullable=False),
        sa.Column('due_date', sa.Date(), nullable=True),
        sa.Column('party_group', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('registered_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('request_id', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('doc_number'))
    with op.batch_alter_table('reform', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reform_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reform_status'), ['status'], unique=False)
    op.create_table(
        'reform_decision',
        sa.Column('reform_id', sa.Integer(), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], ),
        sa.ForeignKeyConstraint(['reform_id'], ['reform.id'], ),
        sa.PrimaryKeyConstraint('reform_id', 'decision_id'))
    with op.batch_alter_table('reform_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reform_decision_decision_id'), ['decision_id'], unique=False)
    with op.batch_alter_table('execution_item', schema=None) as batch_op:
        batch_op.alter_column('decision_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('reform_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_execution_item_reform_id', 'reform', ['reform_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_execution_item_reform_id'), ['reform_id'], unique=False)
        batch_op.create_unique_constraint('uq_execution_item_reform_seq', ['reform_id', 'seq'])
        batch_op.create_check_constraint('ck_item_one_owner', '(decision_id IS NULL) <> (reform_id IS NULL)')


def downgrade() -> None:
    op.execute("DELETE FROM item_transition WHERE item_id IN "
               "(SELECT id FROM execution_item WHERE reform_id IS NOT NULL)")
    op.execute("DELETE FROM execution_item WHERE reform_id IS NOT NULL")
    with op.batch_alter_table('execution_item', schema=None) as batch_op:
        batch_op.drop_constraint('ck_item_one_owner', type_='check')
        batch_op.drop_constraint('uq_execution_item_reform_seq', type_='unique')
        batch_op.drop_index(batch_op.f('ix_execution_item_reform_id'))
        batch_op.drop_constraint('fk_execution_item_reform_id', type_='foreignkey')
        batch_op.drop_column('reform_id')
        batch_op.alter_column('decision_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('reform_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reform_decision_decision_id'))
    op.drop_table('reform_decision')
    with op.batch_alter_table('reform', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reform_status'))
        batch_op.drop_index(batch_op.f('ix_reform_unit_id'))
    op.drop_table('reform')
