"""以案促改 per unit (GET /api/v1/stats/reforms): reform cases open, completed, on time, overdue
and rejected, over the read model ``projection.py`` keeps from ``reform_registered``,
``reform_completed``, the tasks' countdowns (``Deadline.reform_id``) and their reviews
(``StatReview.reform_id``).

A reform case is

- **open** until case announces every task approved (``reform_completed``), then **completed**;
- **on time** when completed with every task approved no later than its due date (an extension
  moves the due date);
- **overdue** while open with a task past its date (a red light: not reported by its due or
  rectify-by date);
- **rejected** when a report on any of its tasks was rejected (驳回) at least once;
  ``rejections`` counts the rejections.

Dated by the issue date (``from``/``to``, both ends included), optionally one unit; operators see
their own unit (the scope of every query), partners nothing.  The statistics cube's ``reforms``
measure is the ``reforms`` count of this table, grouped by unit and month of ``issued_on``.
"""
from collections import defaultdict

from marshmallow import Schema, ValidationError, validates_schema
from sqlalchemy import and_, case, func, select

from services.common.actor import Actor
from services.common.errors import NotFound
from services.common.schemas import Day, Id, load

from .models import Deadline, StatReform, StatReview
from .thresholds import ACTIVE

ROLES = ("reviewer", "leader", "admin", "operator", "system")
FIGURES = ("reforms", "open", "completed", "on_time", "overdue", "rejected", "rejections")
LABELS = {"reforms": "以案促改数", "open": "未完成", "completed": "已完成", "on_time": "按期完成",
          "overdue": "超期", "rejected": "有驳回", "rejections": "驳回次数", "on_time_rate": "按期完成率"}


class ReformFiguresQuery(Schema):
    since = Day(load_default=None, data_key="from")
    until = Day(load_default=None, data_key="to")
    unit_id = Id(load_default=None, strict=False)

    @validates_schema
    def ordered(self, data, **_):
        if data["since"] and data["until"] and data["until"] < data["since"]:
            raise ValidationError("结束日期不能早于开始日期", "to")


QUERY = ReformFiguresQuery()


def reform_figures(session, settings, actor: Actor, today, query=None):
    """``{as_of, filters, rows: [{unit, reforms, open, …, on_time_rate}], totals, labels}``."""
    actor.require(*ROLES)
    q = load(QUERY, query or {})
    if q["unit_id"] is not None and not actor.may_see_unit(q["unit_id"]):
        raise NotFound("单位不存在", {"unit_id": [str(q["unit_id"])]})
    reforms = actor.scope(select(StatReform.reform_id, StatReform.unit_id, StatReform.completed), StatReform.unit_id)
    if q["unit_id"] is not None:
        reforms = reforms.where(StatReform.unit_id == q["unit_id"])
    if q["since"]:
        reforms = reforms.where(StatReform.issued_on >= q["since"])
    if q["until"]:
        reforms = reforms.where(StatReform.issued_on <= q["until"])
    found = {reform_id: (unit_id, completed) for reform_id, unit_id, completed in session.execute(reforms)}
    tasks, rejections = _tasks(session, today, found), _rejections(session, found)
    units = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for reform_id, (unit_id, completed) in found.items():
        row = units[unit_id]
        total, late_or_open, overdue = tasks.get(reform_id, (0, 0, 0))
        rejected = rejections.get(reform_id, 0)
        row["reforms"] += 1
        row["completed" if completed else "open"] += 1
        row["on_time"] += int(bool(completed) and total > 0 and late_or_open == 0)
        row["overdue"] += int(not completed and overdue > 0)
        row["rejected"] += int(rejected > 0)
        row["rejections"] += rejected
    rows = [dict(unit=unit_id, unit_name=None, **figures, on_time_rate=_rate(figures))
            for unit_id, figures in sorted(units.items())]
    totals = {name: sum(row[name] for row in rows) for name in FIGURES}
    totals["on_time_rate"] = _rate(totals)
    return {"as_of": today.isoformat(), "rows": rows, "totals": totals, "labels": LABELS,
            "filters": {"from": q["since"].isoformat() if q["since"] else None,
                        "to": q["until"].isoformat() if q["until"] else None, "unit_id": q["unit_id"]}}


def _tasks(session, today, found):
    """``{reform_id: (tasks, tasks not approved on time, tasks overdue today)}``."""
    if not found:
        return {}
    on_time = and_(Deadline.approved_on.is_not(None), Deadline.approved_on <= Deadline.due_date)
    overdue = and_(Deadline.state.in_(ACTIVE), Deadline.target_date < today)
    rows = session.execute(
        select(Deadline.reform_id, func.count(), func.sum(case((on_time, 0), else_=1)),
               func.sum(case((overdue, 1), else_=0)))
        .where(Deadline.reform_id.in_(list(found))).group_by(Deadline.reform_id))
    return {reform_id: (int(n), int(late or 0), int(red or 0)) for reform_id, n, late, red in rows}


def _rejections(session, found):
    if not found:
        return {}
    rows = session.execute(select(StatReview.reform_id, func.count())
                           .where(StatReview.reform_id.in_(list(found)), StatReview.outcome == "rejected")
                           .group_by(StatReview.reform_id))
    return {reform_id: int(n) for reform_id, n in rows}


def _rate(figures):
    return round(figures["on_time"] / figures["completed"], 4) if figures["completed"] else None
