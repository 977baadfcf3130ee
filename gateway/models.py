"""Gateway tables: units, users, their tokens and failed logins, and the audit trail."""
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Unit(Base):
    """单位: the review office (审理室), responsible units (主体责任部门), partners (协作部门)."""
    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16))            # review | responsible | partner
    partner_role: Mapped[str | None] = mapped_column(String(32))  # organization | hr | finance | united_front


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AuthToken(Base):
    """A token issued at login (its ``jti``): a token whose row is missing or revoked is
    refused, so logging out, a password change and deactivation take effect at once."""
    __tablename__ = "auth_token"
    jti: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(32))  # logout | password | deactivated


class LoginFailure(Base):
    """A failed login (or wrong current password): throttling counts these per (account,
    client address) and per address, so it survives a restart and is shared by replicas."""
    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_pair", "account", "remote_addr", "at"),
                      Index("ix_login_failure_addr", "remote_addr", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(64))        # the username tried, case-folded
    remote_addr: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """审计记录: one row per HTTP request, chained to the previous one by ``prev_hash``
    (SHA-256 over the row's canonical content and the previous row's hash)."""
    __tablename__ = "audit_entry"
    __table_args__ = (UniqueConstraint("seq", name="uq_audit_entry_seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)   # position in the chain, from 1
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str | None] = mapped_column(String(64), index=True)  # also a failed login's try
    user_name: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str | None] = mapped_column(String(64))      # 登记处分决定
    target: Mapped[str | None] = mapped_column(String(256))     # 东纪发〔2021〕12号（张三）
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(512))
    status: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's last link (one row, id 1): taken with a row lock by every audit write,
    so concurrent requests (and gateway replicas) append one after another; a truncated
    tail no longer matches it."""
    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
