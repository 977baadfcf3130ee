"""Case tables: people, decisions, sanctions, impact periods, reform cases (以案促改), execution
items and their history.

An execution item belongs to exactly one owner: a decision (执行事项) or a reform case (以案促改
任务), by ``decision_id`` or ``reform_id`` (a check constraint says exactly one is set).  Both
owners have ``unit_id``, ``status`` and ``items``, so the state machine, its gating and its events
are the same code for both (``ExecutionItem.owner``)."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, CheckConstraint, Column, Date, DateTime, ForeignKey, Index, Integer,
                        Numeric, String, Table, Text, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Person(Base):
    """被处分人, one row per 身份证号."""
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    gender: Mapped[str | None] = mapped_column(String(4))
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    post: Mapped[str | None] = mapped_column(String(128))
    political_status: Mapped[str] = mapped_column(String(16))
    democratic_party: Mapped[str | None] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))


class Decision(Base):
    """处分决定."""
    __tablename__ = "decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    # The responsible unit (主体责任部门); ix_decision_unit_date_id below leads with it.
    unit_id: Mapped[int] = mapped_column(Integer)
    doc_number: Mapped[str] = mapped_column(String(128), unique=True)  # 文号
    decided_by: Mapped[str] = mapped_column(String(128))
    decision_date: Mapped[date] = mapped_column(Date)
    illicit_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    illicit_disposition: Mapped[str | None] = mapped_column(String(16))
    org_handling: Mapped[list] = mapped_column(JSON, default=list)
    letters: Mapped[list] = mapped_column(JSON, default=list)
    facts: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="executing", index=True)
    registered_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # The gateway's request id (Idempotency-Key): the same request redelivered or retried
    # answers this decision again instead of 409 (文号 + request id is the idempotency key).
    request_id: Mapped[str | None] = mapped_column(String(64))

    person: Mapped[Person] = relationship(lazy="joined")
    sanctions: Mapped[list["Sanction"]] = relationship(order_by="Sanction.id", lazy="selectin")
    periods: Mapped[list["ImpactPeriod"]] = relationship(order_by="ImpactPeriod.id", lazy="selectin")
    items: Mapped[list["ExecutionItem"]] = relationship(order_by="ExecutionItem.seq", lazy="selectin",
                                                        back_populates="decision")

    # The list's order (newest first), nationally and within a unit: a page is read off the
    # index instead of sorting every match (bench_reads: a unit's page 62 -> 20 ms at 1M).
    __table_args__ = (
        Index("ix_decision_date_id", decision_date.desc(), id.desc()),
        Index("ix_decision_unit_date_id", unit_id, decision_date.desc(), id.desc()),
    )


class Sanction(Base):
    """处分: one party (党纪) and/or one government (政务) sanction per decision."""
    __tablename__ = "sanction"
    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    type: Mapped[str] = mapped_column(String(16))
    months: Mapped[int | None] = mapped_column(Integer)


class ImpactPeriod(Base):
    """影响期 [starts_on, ends_on)."""
    __tablename__ = "impact_period"
    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    sanction_type: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    months: Mapped[int] = mapped_column(Integer)
    stacked: Mapped[bool] = mapped_column(default=False)
    # When case announced that the period ended (impact_period_ended); NULL until then.
    ended_announced_at: Mapped[datetime | None] = mapped_column(DateTime)

    person: Mapped[Person] = relationship()

    # The daily announcement finds the unannounced ends of the last days by this index.
    __table_args__ = (Index("ix_period_announce", "ended_announced_at", "ends_on"),)


# The decisions a reform case arises from (one or more of the unit's; none for a 监察建议 about
# the unit itself, as the rule book's reform bases say).
reform_decision = Table(
    "reform_decision", Base.metadata,
    Column("reform_id", ForeignKey("reform.id"), primary_key=True),
    Column("decision_id", ForeignKey("decision.id"), primary_key=True, index=True))


class Reform(Base):
    """以案促改: a reform case the review office registers for a unit (a 纪律检查建议书, 监察建议书,
    通报 …), whose tasks (execution items, ``reform_id``) the rule book's reform section generates."""
    __tablename__ = "reform"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)       # the unit that must reform
    basis: Mapped[str] = mapped_column(String(16))                  # 纪律检查建议书 | 监察建议书 | 通报 | 其他
    doc_number: Mapped[str] = mapped_column(String(128), unique=True)   # 文号
    issued_on: Mapped[date] = mapped_column(Date)
    requirements: Mapped[str] = mapped_column(Text)                 # 整改要求
    due_date: Mapped[date | None] = mapped_column(Date)             # the deadline the suggestion sets
    party_group: Mapped[bool] = mapped_column(Boolean, default=True)  # 设有党组（党委）: 专题民主生活会
    status: Mapped[str] = mapped_column(String(16), default="executing", index=True)
    registered_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    request_id: Mapped[str | None] = mapped_column(String(64))      # as Decision.request_id

    decisions: Mapped[list[Decision]] = relationship(secondary=reform_decision, order_by=Decision.id,
                                                     lazy="selectin")
    items: Mapped[list["ExecutionItem"]] = relationship(order_by="ExecutionItem.seq", lazy="selectin",
                                                        back_populates="reform")


class ExecutionItem(Base):
    """执行事项 (of a decision) or 以案促改任务 (of a reform case), with a version for optimistic
    concurrency."""
    __tablename__ = "execution_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    reform_id: Mapped[int | None] = mapped_column(ForeignKey("reform.id", name="fk_execution_item_reform_id"),
                                                 index=True)
    unit_id: Mapped[int] = mapped_column(Integer, index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="locked")
    version: Mapped[int] = mapped_column(Integer, default=1)
    after: Mapped[list] = mapped_column(JSON, default=list)
    opens_on: Mapped[date | None] = mapped_column(Date)   # time gate, if any
    due_date: Mapped[date] = mapped_column(Date)
    extension_limit: Mapped[date | None] = mapped_column(Date)
    cycle: Mapped[int | None] = mapped_column(Integer)    # assessment year of a RATING item
    legal_basis: Mapped[list] = mapped_column(JSON, default=list)
    partners: Mapped[list] = mapped_column(JSON, default=list)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)

    decision: Mapped[Decision | None] = relationship(back_populates="items")
    reform: Mapped[Reform | None] = relationship(back_populates="items")
    history: Mapped[list["ItemTransition"]] = relationship(order_by="ItemTransition.id",
                                                           lazy="selectin", back_populates="item")

    __table_args__ = (
        UniqueConstraint("decision_id", "seq"),
        UniqueConstraint("reform_id", "seq", name="uq_execution_item_reform_seq"),
        CheckConstraint("(decision_id IS NULL) <> (reform_id IS NULL)", name="ck_item_one_owner"),
        # Time-gated items waiting for their date: the opener scans only these.
        Index("ix_item_locked_opens_on", "state", "opens_on"),
    )

    # Every UPDATE says ``WHERE version = <the version read>``: two workers moving one item
    # at once cannot both win (the loser's flush raises StaleDataError → 409).  The code
    # increments ``version`` itself.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    @property
    def owner(self):
        """The decision or the reform case the item belongs to (``unit_id``, ``status``, ``items``)."""
        return self.decision if self.decision is not None else self.reform


class ItemTransition(Base):
    """Every state change of an item, who made it and why."""
    __tablename__ = "item_transition"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("execution_item.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_role: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime)
    # Recorded by the batch import (批量导入) of a historic decision: the item was done before
    # the platform knew it, on the day ``at`` names; no report exists for it.
    imported: Mapped[bool] = mapped_column(default=False)

    item: Mapped[ExecutionItem] = relationship(back_populates="history")


class ImportBatch(Base):
    """批量导入: one workbook uploaded (or its dry run), by whom and when, which file (its name
    and SHA-256), and what came of its rows; the rows' problems are ``ImportRowError``."""
    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    # The uploading request's Idempotency-Key: the same request again resumes or answers this one.
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    dry_run: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(16), default="running")   # running | done
    rows: Mapped[int] = mapped_column(Integer, default=0)        # data rows of the decisions sheet
    processed: Mapped[int] = mapped_column(Integer, default=0)   # rows handled so far, in order
    created: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)     # 文号 already registered
    invalid: Mapped[int] = mapped_column(Integer, default=0)     # rows in error, not written
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_by_role: Mapped[str] = mapped_column(String(16))
    created_by_name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)   # its last chunk (wall clock)


class ImportEvent(Base):
    """An event of an imported row, held until its import is done (then moved to the outbox, in
    order, and published): the import does not share the machine with its own events' listeners."""
    __tablename__ = "import_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ImportRowError(Base):
    """A problem of an imported workbook: the sheet, the row number the sheet shows, the
    column's header (None: the row as a whole) and what is wrong, in Chinese."""
    __tablename__ = "import_error"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    sheet: Mapped[str] = mapped_column(String(32))
    row: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
