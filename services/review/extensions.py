"""Extensions (延期): asked by the unit with days and a reason, decided by the review office,
never past the latest date the rule book allows for the item (TREATMENT: 6 months)."""
from datetime import date, timedelta

from sqlalchemy import select

from services.common.actor import Actor
from services.common.errors import Conflict, NotFound
from services.common.schemas import load

from .exceptions import AlreadyReviewed, ExtensionBeyondLimit
from .models import Extension
from .schemas import ExtensionIn

EXTENSION_IN = ExtensionIn()


def request(uow, case, clock, actor: Actor, item_id, payload):
    actor.require("operator")
    item = case.get_item(actor.dump(), item_id)
    data = load(EXTENSION_IN, payload)
    if item["state"] not in ("open", "rejected"):
        raise Conflict(f"事项“{item['name']}”当前不能申请延期", {"item": [item["state"]]})
    _check_within_limit(item, data["days"])
    pending = uow.session.scalar(select(Extension.id).where(
        Extension.item_id == item_id, Extension.state == "requested"))
    if pending:
        raise Conflict("该事项已有待批准的延期申请", {"item": ["已有申请"]})
    extension = Extension(item_id=item_id, decision_id=item.get("decision_id"),
                          reform_id=item.get("reform_id"), unit_id=item["unit_id"],
                          code=item["code"], days=data["days"], reason=data["reason"],
                          from_due_date=date.fromisoformat(item["due_date"]), state="requested", requested_by=actor.user_id, requested_at=clock.now())
    uow.session.add(extension)
    uow.commit()
    return extension


def approve(uow, case, clock, actor: Actor, extension_id):
    """批准延期: the item's due date moves in case; extension_approved is published.

    The new date is counted from the due date the extension was asked against, and case
    answers "already there" as success: an approval retried after our commit failed (case
    had moved the date) lands on the same date instead of extending twice."""
    actor.require("reviewer")
    extension = _pending(uow.session, extension_id)
    item = case.get_item(actor.dump(), extension.item_id)
    base = extension.from_due_date or date.fromisoformat(item["due_date"])
    new_due = _check_within_limit(item, extension.days, base)
    case.extend_due_date(actor.dump(), extension.item_id, new_due.isoformat(), base.isoformat())
    extension.state, extension.new_due_date = "approved", new_due
    extension.decided_by, extension.decided_at = actor.user_id, clock.now()
    uow.emit("extension_approved", {
        "extension_id": extension.id, "item_id": extension.item_id, "decision_id": extension.decision_id,
        "reform_id": extension.reform_id, "unit_id": extension.unit_id, "code": extension.code, "name": item["name"],
        "days": extension.days, "new_due_date": new_due.isoformat()})
    uow.commit()
    return extension


def refuse(uow, clock, actor: Actor, extension_id):
    actor.require("reviewer")
    extension = _pending(uow.session, extension_id)
    extension.state = "refused"
    extension.decided_by, extension.decided_at = actor.user_id, clock.now()
    uow.commit()
    return extension


def for_item(session, item_id):
    return session.scalars(select(Extension).where(Extension.item_id == item_id)
                           .order_by(Extension.id)).all()


def _pending(session, extension_id):
    extension = session.get(Extension, extension_id) if isinstance(extension_id, int) else None
    if extension is None:
        raise NotFound("延期申请不存在", {"extension_id": [str(extension_id)]})
    if extension.state != "requested":
        raise AlreadyReviewed("该延期申请已处理", {"extension": [extension.state]})
    return extension


def _check_within_limit(item, days, base=None):
    """``base`` (the item's due date) + ``days``, or 422 naming the legal limit (no limit in
    the rule book: none allowed)."""
    new_due = (base or date.fromisoformat(item["due_date"])) + timedelta(days=days)
    limit = item.get("extension_limit")
    if not limit:
        raise ExtensionBeyondLimit(f"事项“{item['name']}”依规定不得延期", {"days": ["该事项无延期规定"]})
    if new_due > date.fromisoformat(limit):
        raise ExtensionBeyondLimit(f"延期后期限 {new_due} 超过法定最长期限 {limit}",
                                   {"days": [f"最迟可延至 {limit}"]})
    return new_due
