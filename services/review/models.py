"""Review tables: reports (上报) and their reviews, attachments, guidance, extensions."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


# A report waiting for or under review (上报待审): an item has at most one, by the database.
LIVE_STATES = ("submitted", "approving", "rejecting")
_LIVE = text("state IN ('submitted', 'approving', 'rejecting')")
_WAITING = text("state = 'submitted'")     # in the review queue


class Report(Base):
    """上报: one round of a unit's report on an item, and the review it received."""
    __tablename__ = "report"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, index=True)
    # The item's owner in case: its decision, or the reform case of a task (以案促改).
    decision_id: Mapped[int | None] = mapped_column(Integer)
    reform_id: Mapped[int | None] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    code: Mapped[str] = mapped_column(String(16))
    item_name: Mapped[str] = mapped_column(String(64))
    # Copied from case at submission so the queue needs no call per row (被处分人, 文号, 期限).
    person_name: Mapped[str | None] = mapped_column(String(64))
    doc_number: Mapped[str | None] = mapped_column(String(128))
    due_date: Mapped[date | None] = mapped_column(Date)
    round: Mapped[int] = mapped_column(Integer)
    performed_on: Mapped[date] = mapped_column(Date)
    evidence: Mapped[dict] = mapped_column(JSON)
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    findings: Mapped[list] = mapped_column(JSON, default=list)
    # "|送达部门遗漏|本人不表态|": the findings' categories, for filtering the queue in SQL.
    finding_categories: Mapped[str] = mapped_column(String(400), default="")
    state: Mapped[str] = mapped_column(String(16), default="submitted")  # submitted|approved|rejected
    version: Mapped[int] = mapped_column(Integer, default=1)
    # When a reviewer took the report (state approving/rejecting): an old claim was abandoned.
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_by: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    reviewed_by: Mapped[int | None] = mapped_column(Integer)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    comment: Mapped[str] = mapped_column(Text, default="")
    problem_category: Mapped[str | None] = mapped_column(String(32))   # 驳回问题类别
    requirement: Mapped[str | None] = mapped_column(Text)              # 整改要求
    rectify_by: Mapped[date | None] = mapped_column(Date)              # 整改期限

    __table_args__ = (Index("ix_report_queue", "state", "submitted_at"),
                      Index("ix_report_reviewed", "reviewed_at"),   # figures over a period
                      # One live report per item: two submissions at once cannot both be stored.
                      Index("uq_report_live_item", "item_id", unique=True,
                            sqlite_where=_LIVE, postgresql_where=_LIVE),
                      # The queue (records.queue) in its order, of the waiting reports only (about 1%
                      # of all): all of them, with the findings' categories beside (filtering by a
                      # finding reads the index, not the reports), and a unit's.
                      Index("ix_report_waiting", "submitted_at", "id", postgresql_include=["finding_categories"],
                            sqlite_where=_WAITING, postgresql_where=_WAITING),
                      Index("ix_report_waiting_unit", "unit_id", "submitted_at", "id",
                            sqlite_where=_WAITING, postgresql_where=_WAITING))


class Attachment(Base):
    """A scanned receipt or minutes; the bytes live on disk, named by their checksum."""
    __tablename__ = "attachment"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(128))
    filename: Mapped[str] = mapped_column(String(255))
    unit_id: Mapped[int | None] = mapped_column(Integer)
    uploaded_by: Mapped[int | None] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)


class Guidance(Base):
    """指导意见 from the review office to a unit."""
    __tablename__ = "guidance"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    decision_id: Mapped[int | None] = mapped_column(Integer)
    item_id: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Extension(Base):
    """延期: asked by the unit, decided by the review office."""
    __tablename__ = "extension"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, index=True)
    decision_id: Mapped[int | None] = mapped_column(Integer)    # or the reform case of a task
    reform_id: Mapped[int | None] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    code: Mapped[str] = mapped_column(String(16))
    days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="requested")  # requested|approved|refused
    new_due_date: Mapped[date | None] = mapped_column(Date)
    # The due date the extension extends from (as asked): approving twice lands on one date.
    from_due_date: Mapped[date | None] = mapped_column(Date)
    requested_by: Mapped[int | None] = mapped_column(Integer)
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
