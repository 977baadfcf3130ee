"""batch import: import_event (an import's events, held until it is done), import_batch.updated_at

Revision ID: d5b2e8f4a7c3
Revises: a8d4c7e2f915
Create Date: 2026-12-04 12:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = 'd5b2e8f4a7c3'
down_revision: Union[str, Sequence[str], None] = 'a8d4c7e2f915'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'import_event',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('event_type', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_import_event_batch_id', 'import_event', ['batch_id'], unique=False)
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
    op.drop_index('ix_import_event_batch_id', table_name='import_event')
    op.drop_table('import_event')
