"""security: issued tokens, failed logins, the audit trail as a hash chain

Revision ID: d4e1a7c0b5f2
Revises: fca56d55b2bf
Create Date: 2026-12-01 10:00:00

Rows already in ``audit_entry`` are sealed into the chain in id order (their readable
columns stay empty), so the chain starts at the first row ever written.
"""
import hashlib
import json
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'd4e1a7c0b5f2'
down_revision: Union[str, Sequence[str], None] = 'fca56d55b2bf'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

GENESIS = "0" * 64
# The chain's canonical form as of this revision (gateway.audit.canonical; a unit test
# holds the two equal).
CHAINED_FIELDS = ("seq", "at", "user_id", "username", "user_name", "action", "target", "method",
                  "path", "status", "duration_ms", "remote_addr", "prev_hash")


def chain_hash(values):
    values = {field: values.get(field) for field in CHAINED_FIELDS}
    at = values["at"]
    values["at"] = at.strftime("%Y-%m-%dT%H:%M:%S.%f") if at is not None else None
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def upgrade() -> None:
    op.create_table(
        'auth_token',
        sa.Column('jti', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_reason', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
        sa.PrimaryKeyConstraint('jti'))
    with op.batch_alter_table('auth_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_token_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_auth_token_expires_at'), ['expires_at'], unique=False)

    op.create_table(
        'login_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account', sa.String(length=64), nullable=False),
        sa.Column('remote_addr', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index('ix_login_failure_pair', ['account', 'remote_addr', 'at'], unique=False)
        batch_op.create_index('ix_login_failure_addr', ['remote_addr', 'at'], unique=False)

    op.create_table(
        'audit_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'))

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('username', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('user_name', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('action', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('target', sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))

    seq, prev = _seal_existing_rows()
    op.get_bind().execute(sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (1, :seq, :hash)"),
                          {"seq": seq, "hash": prev})

    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint('uq_audit_entry_seq', ['seq'])
        batch_op.create_index(batch_op.f('ix_audit_entry_username'), ['username'], unique=False)


def _seal_existing_rows():
    bind = op.get_bind()
    entry = sa.table('audit_entry', sa.column('at', sa.DateTime()), *(sa.column(c) for c in (
        'id', 'seq', 'user_id', 'username', 'user_name', 'action', 'target', 'method', 'path',
        'status', 'duration_ms', 'remote_addr', 'prev_hash', 'hash')))
    seq, prev, last_id = 0, GENESIS, 0
    while True:
        rows = bind.execute(sa.select(entry).where(entry.c.id > last_id).order_by(entry.c.id)
                            .limit(1000)).mappings().all()
        if not rows:
            return seq, prev
        updates = []
        for row in rows:
            seq += 1
            values = dict(row, seq=seq, prev_hash=prev)
            prev = chain_hash(values)
            updates.append({"row_id": row["id"], "seq": seq, "prev_hash": values["prev_hash"], "hash": prev})
            last_id = row["id"]
        bind.execute(entry.update().where(entry.c.id == sa.bindparam("row_id"))
                     .values(seq=sa.bindparam("seq"), prev_hash=sa.bindparam("prev_hash"),
                             hash=sa.bindparam("hash")), updates)


def downgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_username'))
        batch_op.drop_constraint('uq_audit_entry_seq', type_='unique')
        for column in ('hash', 'prev_hash', 'target', 'action', 'user_name', 'username', 'seq'):
            batch_op.drop_column(column)
    op.drop_table('audit_head')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failure_addr')
        batch_op.drop_index('ix_login_failure_pair')
    op.drop_table('login_failure')
    with op.batch_alter_table('auth_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_token_expires_at'))
        batch_op.drop_index(batch_op.f('ix_auth_token_user_id'))
    op.drop_table('auth_token')
