"""Figures for statistics: reports reviewed and rejected, by problem category, unit and
month, and the monthly correction rate (纠错率 = rejected ÷ reviewed)."""
from datetime import datetime, time, timedelta

from sqlalchemy import String, and_, case as when, cast, func, select

from services.common.actor import Actor
from services.common.schemas import load

from .models import Report
from .schemas import FiguresQuery

REVIEWED = ("approved", "rejected")
FIGURES_QUERY = FiguresQuery()


def review_figures(session, actor: Actor, query=None):
    """Figures over the reviews made in a period (``from``/``to``, default: all), optionally of one unit."""
    actor.require("reviewer", "leader", "admin")
    reviewed = _reviewed_in(load(FIGURES_QUERY, query or {}))
    rejected = func.sum(when((Report.state == "rejected", 1), else_=0))
    month = func.substr(cast(Report.reviewed_at, String), 1, 7)
    totals = session.execute(select(func.count(), rejected).where(reviewed)).one()
    by_month = session.execute(select(month, func.count(), rejected).where(reviewed)
                               .group_by(month).order_by(month)).all()
    by_unit = session.execute(select(Report.unit_id, func.count(), rejected).where(reviewed)
                              .group_by(Report.unit_id).order_by(Report.unit_id)).all()
    by_category = session.execute(select(Report.problem_category, func.count())
                                  .where(reviewed, Report.state == "rejected")
                                  .group_by(Report.problem_category).order_by(func.count().desc())).all()
    return {
        "reviewed": totals[0], "rejected": int(totals[1] or 0),
        "by_month": [_rate({"month": m, "reviewed": n, "rejected": int(r or 0)}) for m, n, r in by_month],
        "by_unit": [_rate({"unit_id": u, "reviewed": n, "rejected": int(r or 0)}) for u, n, r in by_unit],
        "by_category": [{"category": c, "count": n} for c, n in by_category],
    }


def _reviewed_in(q):
    condition = [Report.state.in_(REVIEWED)]
    if q["since"]:
        condition.append(Report.reviewed_at >= datetime.combine(q["since"], time()))
    if q["until"]:
        condition.append(Report.reviewed_at < datetime.combine(q["until"] + timedelta(days=1), time()))
    if q["unit_id"] is not None:
        condition.append(Report.unit_id == q["unit_id"])
    return and_(*condition)


def _rate(row):
    row["correction_rate"] = round(row["rejected"] / row["reviewed"], 4) if row["reviewed"] else None
    return row
