"""Guidance opinions (指导意见) from the review office to a unit, optionally about a
decision or an item; a unit sees its own."""
from sqlalchemy import select

from services.common.actor import Actor
from services.common.errors import ValidationFailed
from services.common.schemas import load

from .models import Guidance
from .schemas import GuidanceIn

GUIDANCE_IN = GuidanceIn()


def issue(uow, case, clock, actor: Actor, payload):
    actor.require("reviewer")
    data = load(GUIDANCE_IN, payload)
    _check_subject(case, actor, data)
    guidance = Guidance(unit_id=data["unit_id"], decision_id=data["decision_id"], item_id=data["item_id"],
                        text=data["text"], author_id=actor.user_id, created_at=clock.now())
    uow.session.add(guidance)
    uow.session.flush()
    uow.emit("guidance_issued", {"guidance_id": guidance.id, "unit_id": guidance.unit_id,
                                 "decision_id": guidance.decision_id, "item_id": guidance.item_id,
                                 "text": guidance.text, "issued_at": guidance.created_at.isoformat()})
    uow.commit()
    return guidance


def _check_subject(case, actor, data):
    """A decision or item named must exist and belong to the unit addressed; an item's
    decision is filled in (and must match one given)."""
    if data["item_id"] is not None:
        subject, field = case.get_item(actor.dump(), data["item_id"]), "item_id"
        if data["decision_id"] not in (None, subject["decision_id"]):
            raise ValidationFailed("事项不属于所指处分决定", {"decision_id": ["与事项所属决定不符"]})
        data["decision_id"] = subject["decision_id"]
    elif data["decision_id"] is not None:
        subject, field = case.get_decision(actor.dump(), data["decision_id"]), "decision_id"
    else:
        return
    if subject["unit_id"] != data["unit_id"]:
        raise ValidationFailed("指导意见所涉事项不属于该单位", {field: ["不属于该单位"]})


def listing(session, actor: Actor, unit_id=None, decision_id=None):
    stmt = actor.scope(select(Guidance), Guidance.unit_id)
    if unit_id is not None:
        stmt = stmt.where(Guidance.unit_id == unit_id)
    if decision_id is not None:
        stmt = stmt.where(Guidance.decision_id == decision_id)
    return session.scalars(stmt.order_by(Guidance.id.desc()).limit(500)).all()
