"""Deadline tables: one countdown per execution item, and the alerts raised."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, String, event, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


ACTIVE_WHERE = "state IN ('open', 'rejected')"    # thresholds.ACTIVE: the unit must act


class Deadline(Base):
    """倒计时 of one item, kept from events; ``next_check_on`` is what the sweep scans."""
    __tablename__ = "deadline"
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # The item's owner in case: a decision, or the reform case of a task (以案促改).
    decision_id: Mapped[int | None] = mapped_column(Integer, index=True)
    reform_id: Mapped[int | None] = mapped_column(Integer)     # indexed where set (below)
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
    # For the statistics (projection.py): the decision's facts copied onto its items, and the
    # day the review office approved the item (on time when no later than ``due_date``).
    category: Mapped[str | None] = mapped_column(String(32))
    party_type: Mapped[str | None] = mapped_column(String(16))
    government_type: Mapped[str | None] = mapped_column(String(16))
    approved_on: Mapped[date | None] = mapped_column(Date)
    due_month: Mapped[int | None] = mapped_column(Integer)    # 202606: the due date's month, kept in step

    # Partial indexes on the hot table (the sweep rewrites its rows): only rows with a pending
    # threshold are in the sweep's index (a closed item leaves it), so its cost follows the rows
    # that cross, not the table; only reform tasks are in reform_id's, so a decision's item
    # never adds an entry to it.
    __table_args__ = (
        Index("ix_deadline_next_check", "next_check_on", postgresql_where=text("next_check_on IS NOT NULL"),
              sqlite_where=text("next_check_on IS NOT NULL")),
        Index("ix_deadline_reform_id", "reform_id", postgresql_where=text("reform_id IS NOT NULL"),
              sqlite_where=text("reform_id IS NOT NULL")),
        # The alerts (a unit's, in due-date order) read only the items the unit must act on.
        Index("ix_deadline_active", "unit_id", "target_date", postgresql_where=text(ACTIVE_WHERE),
              sqlite_where=text(ACTIVE_WHERE)),
    )


class Alert(Base):
    """提醒 / 预警 / 超期 / 解除, as raised: the alert history."""
    __tablename__ = "alert"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, index=True)
    decision_id: Mapped[int | None] = mapped_column(Integer)
    reform_id: Mapped[int | None] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    level: Mapped[str] = mapped_column(String(16))
    raised_on: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    days_left: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)


# -- the statistics' read model (多维统计), kept from events by services/deadline/projection.py -----
# Facts of decisions, reviews and guidance opinions, each row with the attributes the cube groups
# by copied onto it (unit, 人员类别, the party and the government sanction), so no query joins.
# Items are the countdown rows above, with the same attributes and the approval date
# (``Deadline.category`` … ``Deadline.approved_on``, added to the countdown table).

class StatDecision(Base):
    """处分决定 as the statistics count it."""
    __tablename__ = "stat_decision"
    decision_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    unit_id: Mapped[int] = mapped_column(Integer)
    decision_date: Mapped[date | None] = mapped_column(Date)         # None: the event did not say
    decision_month: Mapped[int | None] = mapped_column(Integer)      # 202606 (grouping by an int is cheap)
    category: Mapped[str | None] = mapped_column(String(32))          # 人员类别
    party_type: Mapped[str | None] = mapped_column(String(16))        # 党纪处分, at most one
    government_type: Mapped[str | None] = mapped_column(String(16))   # 政务处分, at most one
    completed: Mapped[bool] = mapped_column(Boolean, default=False)   # case's decision_completed

    __table_args__ = (Index("ix_stat_decision_unit_date", "unit_id", "decision_date"),
                      Index("ix_stat_decision_date", "decision_date"))


class StatReview(Base):
    """One review (审核) of one report: approved or rejected (驳回), on the day it was made."""
    __tablename__ = "stat_review"
    report_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    item_id: Mapped[int] = mapped_column(Integer)
    decision_id: Mapped[int | None] = mapped_column(Integer)
    reform_id: Mapped[int | None] = mapped_column(Integer)          # a reform task's review
    unit_id: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(16))
    reviewed_on: Mapped[date] = mapped_column(Date)
    review_month: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))                  # approved | rejected
    problem: Mapped[str | None] = mapped_column(String(32))           # 驳回问题类别
    category: Mapped[str | None] = mapped_column(String(32))
    party_type: Mapped[str | None] = mapped_column(String(16))
    government_type: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (Index("ix_stat_review_date", "reviewed_on"),
                      Index("ix_stat_review_unit_date", "unit_id", "reviewed_on"))


class StatGuidance(Base):
    """指导意见 issued to a unit."""
    __tablename__ = "stat_guidance"
    guidance_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    unit_id: Mapped[int] = mapped_column(Integer)
    decision_id: Mapped[int | None] = mapped_column(Integer)
    item_id: Mapped[int | None] = mapped_column(Integer)
    issued_on: Mapped[date] = mapped_column(Date)
    issued_month: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_stat_guidance_unit_date", "unit_id", "issued_on"),)


class StatReform(Base):
    """以案促改 as the statistics count it: a reform case of a unit, from ``reform_registered``;
    its tasks are countdown rows (``Deadline.reform_id``), their reviews ``StatReview.reform_id``."""
    __tablename__ = "stat_reform"
    reform_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    unit_id: Mapped[int] = mapped_column(Integer)
    basis: Mapped[str | None] = mapped_column(String(16))
    issued_on: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)   # case's reform_completed

    __table_args__ = (Index("ix_stat_reform_unit_date", "unit_id", "issued_on"),)


def month_number(day):
    """202606 for any day of June 2026; None for None."""
    return None if day is None else day.year * 100 + day.month


@event.listens_for(Deadline, "before_insert")
@event.listens_for(Deadline, "before_update")
def _due_month(mapper, connection, row):
    """``due_month`` follows ``due_date`` whoever sets it (registration, an extension)."""
    row.due_month = month_number(row.due_date)
