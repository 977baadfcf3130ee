"""Keeping countdowns from events (计时): registration, state changes, rejections,
extensions.  Each handler is idempotent (the event id is recorded with the change) and
order-proof: an event for an item not known yet waits (``NotYetApplicable``), and one older
than the row's item version changes nothing."""
from datetime import date

from services.common.clock import utcnow
from services.common.inbox import NotYetApplicable

from .models import Alert, Deadline
from .thresholds import Countdown, next_check


def countdown_of(row: Deadline):
    return Countdown(state=row.state, due_date=row.target_date, last_activity_on=row.last_activity_on,
                     opens_on=row.opens_on, reminded_on=row.reminded_on, warned=row.warned,
                     overdue_on=row.overdue_on, gate_reached=row.gate_reached)


def reschedule(row, settings):
    row.next_check_on = next_check(countdown_of(row), settings)


def decision_registered(uow, settings, today, payload):
    """Every item of a new decision gets its countdown.  A time gate that had passed on the day
    case registered the decision (``registered_on``, which the batch import of historic
    decisions says) is not announced: case saw it open then, and opens the item itself once
    what it awaits is approved."""
    _countdowns(uow, settings, today, payload["items"], decision_id=payload["decision_id"],
                registered_on=_date(payload.get("registered_on")))


def reform_registered(uow, settings, today, payload):
    """Every task of a new reform case (以案促改) gets its countdown, as a decision's items do:
    from then on the sweep, the lights and the alerts treat it as any item."""
    reform_id = payload.get("reform_id")
    if not isinstance(reform_id, int) or isinstance(reform_id, bool):
        raise ValueError(f"reform_registered without a reform id: {reform_id!r}")
    _countdowns(uow, settings, today, payload.get("items") or (), reform_id=reform_id)


def _countdowns(uow, settings, today, items, decision_id=None, reform_id=None, registered_on=None):
    for item in items:
        if uow.session.get(Deadline, item["item_id"]) is not None:
            continue
        due = date.fromisoformat(item["due_date"])
        opens_on = _date(item.get("opens_on"))
        row = Deadline(item_id=item["item_id"], decision_id=decision_id, reform_id=reform_id,
                       unit_id=item["unit_id"], code=item["code"], name=item["name"], state=item["state"],
                       item_version=item.get("version"), due_date=due,
                       target_date=due, opens_on=opens_on, last_activity_on=today, warned=False,
                       gate_reached=bool(opens_on and registered_on and opens_on <= registered_on))
        reschedule(row, settings)
        uow.session.add(row)


def state_changed(uow, settings, today, item_id, state, rectify_by=None, version=None):
    """A move of the item: activity resets the idle clock; submission clears alerts;
    rejection restarts the countdown to the rectify-by date.

    ``version`` is case's item version: an event older than the row's is stale and changes
    nothing, so events may arrive in any order.  Case's ``item_state_changed`` and review's
    ``item_rejected`` describe one rejection with one version; whichever comes second only
    adds what it knows (the rectify-by date)."""
    row = _row(uow, item_id)
    newer = _newer(row, version)
    if newer is None:
        return
    if newer:
        _move(uow, row, state, today)
    if state == "rejected" and rectify_by and row.state == "rejected":
        row.target_date = date.fromisoformat(rectify_by)
        row.warned, row.overdue_on, row.level = False, None, None
    reschedule(row, settings)


def due_date_changed(uow, settings, today, item_id, new_due, version=None):
    """延期 approved: the countdown runs to the new date, warnings start afresh."""
    row = _row(uow, item_id)
    if not _newer(row, version):
        return
    row.due_date = row.target_date = date.fromisoformat(new_due)
    row.warned, row.overdue_on, row.level = False, None, None
    row.last_activity_on = today
    reschedule(row, settings)


def _newer(row, version):
    """True: the event is newer than the row (it moves it; ``item_version`` follows);
    False: it describes the row's own version; None: it is stale.  An event without a
    version (older publishers) counts as newer."""
    if version is None or row.item_version is None or version > row.item_version:
        if version is not None:
            row.item_version = version
        return True
    return False if version == row.item_version else None


def _move(uow, row, state, today):
    was_alerted = row.level is not None
    row.state, row.last_activity_on = state, today
    if state in ("submitted", "approved"):
        row.level, row.warned, row.overdue_on = None, False, None
        if was_alerted:
            raise_alert(uow, row, "cleared", today)


def raise_alert(uow, row, level, today):
    alert, payload = alert_of(row, level, today)
    uow.session.add(Alert(**alert))
    uow.emit(f"deadline_{level}", payload)


def alert_of(row, level, today):
    """The alert row and the event announcing it, for ``row`` crossing ``level``."""
    days_left = (row.target_date - today).days
    alert = {"item_id": row.item_id, "decision_id": row.decision_id, "reform_id": row.reform_id,
             "unit_id": row.unit_id, "level": level, "raised_on": today, "due_date": row.target_date,
             "days_left": days_left, "created_at": utcnow()}
    payload = {"item_id": row.item_id, "decision_id": row.decision_id, "reform_id": row.reform_id,
               "unit_id": row.unit_id,
               "code": row.code, "name": row.name, "due_date": row.target_date.isoformat(),
               "level": level, "days_left": days_left, "as_of": today.isoformat()}
    return alert, payload


def _row(uow, item_id):
    """The item's countdown; an event that overtook its decision_registered (or a task's
    reform_registered: each event type has its own queue) waits in the inbox until the
    decision or the reform case is known."""
    if not isinstance(item_id, int) or isinstance(item_id, bool):
        raise ValueError(f"item_id is not an id: {item_id!r}")
    row = uow.session.get(Deadline, item_id)
    if row is None:
        raise NotYetApplicable(f"item {item_id} not registered here yet")
    return row


def _date(value):
    return date.fromisoformat(value) if value else None
