"""Statistics over decisions and items (多维统计), grouped by one dimension at a time.

Every figure is computed by the database (GROUP BY), within the actor's unit scope.
"""
from sqlalchemy import String, cast, func, select

from .models import Decision, ExecutionItem, Sanction

DECISION_DIMENSIONS = {
    "unit": Decision.unit_id,
    "status": Decision.status,
    "year": func.substr(cast(Decision.decision_date, String), 1, 4),
    "month": func.substr(cast(Decision.decision_date, String), 1, 7),
}
ITEM_DIMENSIONS = {"code": ExecutionItem.code, "state": ExecutionItem.state, "unit": ExecutionItem.unit_id}


def decision_counts(session, actor, by):
    if by == "sanction":
        column = Sanction.type
        stmt = select(column, func.count(func.distinct(Decision.id))).join(Decision.sanctions)
    else:
        column = DECISION_DIMENSIONS[by]
        stmt = select(column, func.count(Decision.id))
    stmt = actor.scope(stmt, Decision.unit_id)
    return _rows(session, stmt.group_by(column).order_by(column))


def item_counts(session, actor, by):
    column = ITEM_DIMENSIONS[by]
    stmt = actor.scope(select(column, func.count(ExecutionItem.id)), ExecutionItem.unit_id)
    return _rows(session, stmt.group_by(column).order_by(column))


def _rows(session, stmt):
    return [{"key": key, "count": count} for key, count in session.execute(stmt)]
