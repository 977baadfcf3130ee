"""Tables every service keeps in its own database: the event outbox and the seen-event log."""
from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class CommonBase(DeclarativeBase):
    """Separate metadata, added to each service's own in its migrations."""


class OutboxEvent(CommonBase):
    __tablename__ = "outbox"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    __table_args__ = (Index("ix_outbox_unpublished", "published_at", "created_at"),)


class ProcessedEvent(CommonBase):
    """An event id a handler has acted on: handlers are idempotent by this key."""
    __tablename__ = "processed_event"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    handler: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime)


class FailedEvent(CommonBase):
    """An event a handler could not apply: retried with backoff, then dead-lettered.

    The broker's copy is acknowledged only once this row is committed, so a failing
    handler never loses an event; ``state`` is ``retrying`` or ``dead`` (死信, for the admin
    to look at and replay)."""
    __tablename__ = "failed_event"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    handler: Mapped[str] = mapped_column(String(64), primary_key=True)   # the service method
    mark: Mapped[str] = mapped_column(String(64))                        # its processed_event key
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text)
    first_failed_at: Mapped[datetime] = mapped_column(DateTime)
    last_failed_at: Mapped[datetime] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_failed_event_due", "state", "next_attempt_at"),)
