"""The sweep (巡查) and the forecast (预测): the same thresholds, now or at a later date.

The sweep reads only rows whose ``next_check_on`` has come (an index range scan), so its
cost follows the items that cross a threshold, not all items.  Rows are claimed with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several instances never raise one crossing
twice; each crossing is recorded and its event written in the same transaction.
"""
import logging
import time
from collections import Counter
from datetime import date, timedelta
from types import SimpleNamespace

import orjson
from sqlalchemy import case, func, insert, or_, select, text, update

from services.common import logs, metrics
from services.common.actor import Actor
from services.common.errors import NotFound, ValidationFailed

from .models import Alert, Deadline
from .thresholds import ACTIVE, crossed, light, schedule, worst
from .tracking import alert_of, countdown_of, reschedule

FORECAST_HORIZON_DAYS = 3660   # "absurdly far" beyond about ten years
log = logging.getLogger(__name__)


# What a crossing may change on a countdown row, and what the sweep reads of it.
_SWEPT = ("level", "reminded_on", "warned", "overdue_on", "gate_reached", "next_check_on")
_READ = ("item_id", "decision_id", "reform_id", "unit_id", "code", "name", "state", "target_date", "opens_on",
         "last_activity_on") + _SWEPT


def sweep(uow, settings, today: date, batch=1000):
    """Raise every threshold crossed by ``today``; returns how many rows it handled.

    Set-based: rows are read as plain values, moved past their thresholds by thresholds.py
    (the forecast's rules too), and written back with their alerts and events: on PostgreSQL
    in one statement per batch (:data:`_WRITE_BACK`), elsewhere in one statement each.
    """
    handled, started, crossings = 0, time.perf_counter(), Counter()
    table = Deadline.__table__
    postgres = uow.session.bind.dialect.name == "postgresql"
    while True:
        query = (select(*(table.c[key] for key in _READ)).where(table.c.next_check_on <= today)
                 .order_by(table.c.next_check_on).limit(batch))
        if postgres:
            query = query.with_for_update(skip_locked=True)
        rows = [SimpleNamespace(**dict(zip(_READ, r))) for r in uow.session.execute(query)]
        raised = [alert for row in rows for alert in _apply(row, settings, today)]
        if rows:
            (_write_back_postgres if postgres else _write_back)(uow, rows, raised)
        uow.commit()
        crossings.update(event_type.removeprefix("deadline_") for _, (event_type, _) in raised)
        handled += len(rows)
        if len(rows) < batch:
            _swept(handled, crossings, time.perf_counter() - started)
            return handled


def _swept(handled, crossings, seconds):
    """The sweep's metrics (last run, duration, crossings by level) and its one log line."""
    metrics.SWEEP_SECONDS.observe(seconds)
    metrics.SWEEP_LAST_RUN.set(time.time())
    for level, count in crossings.items():
        metrics.SWEEP_CROSSINGS.labels(level).inc(count)
    logs.line(log, "sweep: %s rows, %s crossings in %.1f ms", handled, sum(crossings.values()), seconds * 1000,
              level=logging.INFO if handled else logging.DEBUG, kind="sweep", rows=handled,
              crossings=dict(crossings), duration_ms=round(seconds * 1000, 1))


def _write_back(uow, rows, raised):
    """The batch's countdowns, alerts and events, one statement each."""
    uow.session.execute(update(Deadline), [
        {"item_id": row.item_id, **{key: getattr(row, key) for key in _SWEPT}} for row in rows])
    alert_rows = [alert for alert, _ in raised if alert]
    if alert_rows:
        uow.session.execute(insert(Alert), alert_rows)
    uow.emit_many(event for _, event in raised)


# The batch in one round trip: the countdowns updated, the alerts and the outbox rows inserted,
# each from one JSON array (a parameter each; no row-by-row binding on either side).
_WRITE_BACK = text("""
WITH swept AS (
    UPDATE deadline SET level = b.level, reminded_on = b.reminded_on, warned = b.warned,
           overdue_on = b.overdue_on, gate_reached = b.gate_reached, next_check_on = b.next_check_on
    FROM json_to_recordset(CAST(:rows AS json)) AS b(item_id integer, level varchar, reminded_on date,
         warned boolean, overdue_on date, gate_reached boolean, next_check_on date)
    WHERE deadline.item_id = b.item_id
), alerts AS (
    INSERT INTO alert (item_id, decision_id, reform_id, unit_id, level, raised_on, due_date, days_left,
                       created_at)
    SELECT item_id, decision_id, reform_id, unit_id, level, raised_on, due_date, days_left, created_at
    FROM json_to_recordset(CAST(:alerts AS json)) AS a(item_id integer, decision_id integer,
         reform_id integer, unit_id integer, level varchar, raised_on date, due_date date,
         days_left integer, created_at timestamp)
)
INSERT INTO outbox (id, event_type, payload, created_at)
SELECT id, event_type, payload, created_at
FROM ROWS FROM (unnest(CAST(:ids AS varchar[])), unnest(CAST(:types AS varchar[])),
                unnest(CAST(:times AS timestamp[])), json_array_elements(CAST(:payloads AS json)))
     AS e(id, event_type, created_at, payload)
""")
# (The events' payloads as one JSON array, their other columns as arrays beside it: reading the
# payloads out of an array of row objects, json_to_recordset copies each, twice as slow.)


def _write_back_postgres(uow, rows, raised):
    events = uow.outbox_rows(event for _, event in raised)
    uow.session.execute(_WRITE_BACK, {
        "rows": _json([{key: getattr(row, key) for key in ("item_id",) + _SWEPT} for row in rows]),
        "alerts": _json([alert for alert, _ in raised if alert]),
        "ids": _array(e["id"] for e in events), "types": _array(e["event_type"] for e in events),
        "times": _array(e["created_at"].isoformat() for e in events),
        "payloads": _json([e["payload"] for e in events])})


def _json(rows):
    """JSON text; dates and times in ISO 8601, as PostgreSQL reads them (date, timestamp)."""
    return orjson.dumps(rows).decode()


def _array(values):
    """A PostgreSQL array literal of text values (none of them NULL), each quoted."""
    return "{" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def _apply(row, settings, today):
    """Move ``row`` past what it crossed; the (alert row, event) pairs raised."""
    raised = []
    for level in crossed(countdown_of(row), settings, today):
        if level == "due_date_reached":
            row.gate_reached = True
            raised.append((None, ("deadline_due_date_reached", {
                "item_id": row.item_id, "decision_id": row.decision_id, "reform_id": row.reform_id,
                "unit_id": row.unit_id,
                "code": row.code, "opens_on": row.opens_on.isoformat()})))
            continue
        if level == "reminder":
            row.reminded_on = today
        elif level == "warning":
            row.warned = True
        elif level == "overdue":
            row.overdue_on = today
        row.level = _stronger(row.level, level)
        alert, payload = alert_of(row, level, today)
        raised.append((alert, (f"deadline_{level}", payload)))
    reschedule(row, settings)   # past today: Settings.from_rulebook refuses a 0-day repeat
    return raised


_RANK = {None: 0, "reminder": 1, "warning": 2, "overdue": 3}


def _stronger(current, new):
    return new if _RANK[new] >= _RANK[current] else current


def forecast(session, settings, actor: Actor, today, as_of, decision_id=None):
    """What will be reminded, warned and overdue by ``as_of`` if nobody acts."""
    if as_of > today + timedelta(days=FORECAST_HORIZON_DAYS):
        raise ValidationFailed("预测日期过远（不超过10年）", {"as_of": ["不超过10年"]})
    stmt = select(Deadline).where(Deadline.state.in_(ACTIVE))
    if decision_id is not None:
        rows = _scoped(session, actor, select(Deadline).where(Deadline.decision_id == decision_id))
        if not rows:
            raise NotFound("处分决定不存在", {"decision_id": [str(decision_id)]})
        stmt = stmt.where(Deadline.decision_id == decision_id)
    result = {"as_of": as_of.isoformat(), "reminder": [], "warning": [], "overdue": []}
    for row in _scoped(session, actor, stmt):
        # Each item once, at the worst level it reaches by as_of; its days and light as of then.
        reached = [level for level, on in schedule(countdown_of(row), settings) if level in result and on <= as_of]
        if reached:
            level = max(reached, key=_RANK.get)
            result[level].append(_view(row, settings, as_of, level))
    return result


# A light the unit must act on, as the alert level it stands for.
_LIGHT_LEVEL = {"red": "overdue", "yellow": "warning"}


def alerts(session, settings, actor: Actor, today, level=None):
    """Items reminded, warned or overdue today.  The level is the sweep's, or the light's where
    that is worse (a red light is 超期, a yellow one 预警: the sweep may not have run since the
    item crossed), so the counts agree with the lights shown beside them."""
    soon = today + timedelta(days=settings.warning_days_before_due)
    table = Deadline.__table__
    # Rows read as plain values (an ORM object per row cost most of the time at a national
    # scale); the level asked for narrows the rows read, the rules below still decide.
    maybe = {"overdue": or_(table.c.level == "overdue", table.c.target_date < today),
             "warning": or_(table.c.level == "warning", table.c.target_date <= soon),
             "reminder": table.c.level == "reminder"}.get(level)
    stmt = (select(*(table.c[key] for key in _READ))
            .where(table.c.state.in_(ACTIVE), or_(table.c.level.is_not(None), table.c.target_date <= soon))
            .order_by(table.c.target_date, table.c.item_id))
    if maybe is not None:
        stmt = stmt.where(maybe)
    found = []
    for values in session.execute(actor.scope(stmt, table.c.unit_id)):
        row = SimpleNamespace(**dict(zip(_READ, values)))
        shade = light(countdown_of(row), settings, today)
        now = _stronger(row.level, _LIGHT_LEVEL.get(shade))
        if now and (not level or now == level):
            found.append(_view(row, settings, today, now, shade))
    return found


def lights_for(session, settings, actor: Actor, today, item_ids):
    rows = _scoped(session, actor, select(Deadline).where(Deadline.item_id.in_(item_ids)))
    return {row.item_id: _view(row, settings, today, row.level) for row in rows}


def decision_lights(session, settings, actor: Actor, today, decision_ids):
    """Each decision's light: its worst item's (红灯 on the decision when any item is red)."""
    rows = _scoped(session, actor, select(Deadline).where(Deadline.decision_id.in_(decision_ids)))
    lights = {}
    for row in rows:
        lights.setdefault(row.decision_id, []).append(light(countdown_of(row), settings, today))
    return {decision_id: worst(values) for decision_id, values in lights.items()}


def reform_lights(session, settings, actor: Actor, today, reform_ids):
    """Each reform case's light: its worst task's, as a decision's is its worst item's."""
    rows = _scoped(session, actor, select(Deadline).where(Deadline.reform_id.in_(reform_ids)))
    lights = {}
    for row in rows:
        lights.setdefault(row.reform_id, []).append(light(countdown_of(row), settings, today))
    return {reform_id: worst(values) for reform_id, values in lights.items()}


def unit_lights(session, settings, actor: Actor, today):
    rows = _scoped(session, actor, select(Deadline).where(Deadline.state.in_(ACTIVE)))
    lights = {}
    for row in rows:
        lights.setdefault(row.unit_id, []).append(light(countdown_of(row), settings, today))
    return {unit_id: worst(values) for unit_id, values in lights.items()}


def _scoped(session, actor, stmt):
    return session.scalars(actor.scope(stmt, Deadline.unit_id)).all()


def _view(row, settings, on, level, shade=None):
    """The row as alerts, lights and the forecast answer it; ``shade``: its light on ``on``, if known."""
    return {"item_id": row.item_id, "decision_id": row.decision_id, "reform_id": row.reform_id,
            "unit_id": row.unit_id, "code": row.code, "name": row.name, "item_name": row.name, "state": row.state,
            "due_date": row.target_date.isoformat(), "level": level,
            "light": shade or light(countdown_of(row), settings, on), "days_left": (row.target_date - on).days}


def items_by_light(session, settings, today):
    """``{(light, kind): count}`` of the items in play (open, rejected, submitted), in one
    GROUP BY; the lights as :func:`thresholds.light` gives them (a submitted item is green)."""
    warn_until = today + timedelta(days=settings.warning_days_before_due)
    shade = case((Deadline.state.in_(ACTIVE), case((Deadline.target_date < today, "red"),
                                                   (Deadline.target_date <= warn_until, "yellow"),
                                                   else_="green")), else_="green")
    kind = case((Deadline.reform_id.is_not(None), "reform"), else_="decision")
    rows = session.execute(select(shade, kind, func.count()).where(Deadline.state.in_(ACTIVE + ("submitted",)))
                           .group_by(shade, kind)).all()
    return {(light_, kind_): count for light_, kind_, count in rows}


@metrics.probe("deadline")
def deadline_gauges(container):
    """Items by light and kind; the sweep timer's interval (the alert allows two of them)."""
    timer = next((e for e in container.entrypoints if e.method_name == "sweep_timer"), None)
    if timer is not None:
        metrics.SWEEP_INTERVAL.set(timer.interval)
    database, settings = metrics.provider(container, "db"), metrics.provider(container, "settings")
    clock = metrics.provider(container, "clock")
    with database.Session() as session:
        counts = items_by_light(session, settings.value, clock.clock.today())
    metrics.set_gauges(metrics.ITEMS, counts, [(l, k) for l in metrics.LIGHTS for k in metrics.ITEM_KINDS])
