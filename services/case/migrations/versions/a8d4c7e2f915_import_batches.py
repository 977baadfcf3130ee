"""batch import of historic records (批量导入): import_batch, import_error; item_transition.imported

Revision ID: a8d4c7e2f915
Revises: f3a9c4e1b2d6
Create Date: 2026-12-04 09:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'a8d4c7e2f915'
down_revision: Union[str, Sequence[str], None] = 'f3a9c4e1b2d6'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'import_batch',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.String(length=64), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('dry_run', sa.Boolean(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('processed', sa.Integer(), nullable=False),
        sa.Column('created', sa.Integer(), nullable=False),
        sa.Column('skipped', sa.Integer(), nullable=False),
        sa.Column('invalid', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_by_role', sa.String(length=16), nullable=False),
        sa.Column('created_by_name', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('request_id'))
    op.create_index('ix_import_batch_created_at', 'import_batch', ['created_at'], unique=False)
    op.create_table(
        'import_error',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('sheet', sa.String(length=32), nullable=False),
        sa.Column('row', sa.Integer(), nullable=True),
        sa.Column('column', sa.String(length=64), nullable=True),
        sa.Column('message', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_import_error_batch_id', 'import_error', ['batch_id'], unique=False)
    # Every transition already there was made on the platform.
    with op.batch_alter_table('item_transition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('imported', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('item_transition', schema=None) as batch_op:
        batch_op.drop_column('imported')
    op.drop_index('ix_import_error_batch_id', table_name='import_error')
    op.drop_table('import_error')
    op.drop_index('ix_import_batch_created_at', table_name='import_batch')
    op.drop_table('import_batch')
