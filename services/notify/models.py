"""Notify tables: notices (通知) with their receipts (回执), webhook subscriptions, deliveries."""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Notice(Base):
    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))            # unit | partner | review
    unit_id: Mapped[int | None] = mapped_column(Integer)     # addressed unit (kind unit)
    role: Mapped[str | None] = mapped_column(String(32))     # addressed partner role
    sender: Mapped[str | None] = mapped_column(String(32))   # 发出单位 as the route names it
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    item_id: Mapped[int | None] = mapped_column(Integer, index=True)
    decision_id: Mapped[int | None] = mapped_column(Integer)
    reform_id: Mapped[int | None] = mapped_column(Integer)      # a reform case's (以案促改) notice
    about_unit_id: Mapped[int | None] = mapped_column(Integer)  # the responsible unit concerned
    asks_reply: Mapped[bool] = mapped_column(Boolean, default=False)
    reply_due: Mapped[date | None] = mapped_column(Date)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(Integer)
    acknowledged_unit_id: Mapped[int | None] = mapped_column(Integer)
    feedback: Mapped[str | None] = mapped_column(Text)
    reminded_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("event_id", "kind", "unit_id", "role", name="uq_notice_once"),
        Index("ix_notice_inbox", "kind", "unit_id", "role"),
    )


class Subscription(Base):
    """A unit's system that wants events pushed (webhook), or a mailbox (email channel).

    ``unit_kind`` and ``partner_role`` are the unit's, as the gateway's directory knows them:
    they decide which notices concern the subscriber (the review office's, a partner role's)."""
    __tablename__ = "subscription"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer)
    unit_kind: Mapped[str | None] = mapped_column(String(16))   # review | responsible | partner
    partner_role: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8), default="webhook", server_default="webhook")   # webhook | email
    url: Mapped[str | None] = mapped_column(String(500))
    secret: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    events: Mapped[list] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Delivery(Base):
    __tablename__ = "delivery"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)   # the receiver's dedup key
    subscription_id: Mapped[int] = mapped_column(Integer, index=True)
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(DateTime)   # the event's time: delivery order
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | delivered | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)   # a sender is on it until then
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", name="uq_delivery_once"),
        Index("ix_delivery_due", "state", "next_attempt_at"),
    )
