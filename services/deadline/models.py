"""Deadline tables: one countdown per execution item, and the alerts raised."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Deadline(Base):
    """倒计时 of one item, kept from events; ``next_check_on`` is what the sweep scans."""
    __tablename__ = "deadline"
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    decision_id: Mapped[int] = mapped_column(Integer, index=True)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    # case's version of the item as last applied: an event older than this is stale.
    item_version: Mapped[int | None] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)          # the rule's (or extended) due date
    target_date: Mapped[date] = mapped_column(Date)       # counted down to: due date or rectify-by
    opens_on: Mapped[date | None] = mapped_column(Date)
    last_activity_on: Mapped[date] = mapped_column(Date)
    level: Mapped[str | None] = mapped_column(String(16))  # reminder | warning | overdue
    reminded_on: Mapped[date | None] = mapped_column(Date)
    warned: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue_on: Mapped[date | None] = mapped_column(Date)
    gate_reached: Mapped[bool] = mapped_column(Boolean, default=False)
    next_check_on: Mapped[date | None] = mapped_column(Date)

    # Partial in spirit: only rows with a pending threshold have a date; the sweep's cost
    # follows the rows that cross, not the table.
    __table_args__ = (Index("ix_deadline_next_check", "next_check_on"),)


class Alert(Base):
    """提醒 / 预警 / 超期 / 解除, as raised: the alert history."""
    __tablename__ = "alert"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, index=True)
    decision_id: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    level: Mapped[str] = mapped_column(String(16))
    raised_on: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    days_left: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
