"""Notices (通知) and receipts (回执): the use cases over the unit of work."""
from sqlalchemy import and_, or_, select

from services.common.actor import Actor
from services.common.errors import NotFound
from services.common.schemas import load

from .exceptions import AlreadyAcknowledged
from .models import Notice
from .routing import addressees, render, reply_due
from .schemas import AckIn, InboxQuery

ACK_IN, INBOX_QUERY = AckIn(), InboxQuery()


def from_event(uow, routing, clock, source, event_type, payload):
    """One notice per addressee of every route the event takes (idempotent by event id)."""
    created = []
    for route in routing.for_event(source, event_type):
        for to in addressees(route, payload):
            if _exists(uow.session, payload["event_id"], to):
                continue
            notice = Notice(
                event_id=payload["event_id"], event_type=event_type, kind=to.kind, unit_id=to.unit_id,
                role=to.role, title=render(route.title, payload)[:200], body=render(route.body, payload),
                item_id=payload.get("item_id"), decision_id=payload.get("decision_id"),
                about_unit_id=payload.get("unit_id"), asks_reply=route.asks_reply,
                reply_due=reply_due(clock.today(), routing, route.asks_reply), created_at=clock.now())
            uow.session.add(notice)
            created.append(notice)
    uow.session.flush()
    return created


def _exists(session, event_id, to):
    return session.scalar(select(Notice.id).where(
        Notice.event_id == event_id, Notice.kind == to.kind,
        Notice.unit_id.is_(None) if to.unit_id is None else Notice.unit_id == to.unit_id,
        Notice.role.is_(None) if to.role is None else Notice.role == to.role)) is not None


def addressed_to(actor: Actor):
    """Notices the actor's inbox holds: its unit's, its partner role's, the review office's."""
    if actor.role == "admin":
        return True
    mine = [and_(Notice.kind == "unit", Notice.unit_id == actor.unit_id)]
    if actor.partner_role:
        mine.append(and_(Notice.kind == "partner", Notice.role == actor.partner_role))
    if actor.role in ("reviewer", "leader"):
        mine.append(Notice.kind == "review")
    return or_(*mine)


def inbox(session, actor: Actor, query):
    q = load(INBOX_QUERY, query or {})
    stmt = select(Notice).where(addressed_to(actor))
    if q["unread"] is not None:
        stmt = stmt.where(Notice.read_at.is_(None) if q["unread"] else Notice.read_at.is_not(None))
    for column, key in ((Notice.item_id, "item_id"), (Notice.kind, "kind")):
        if q[key] is not None:
            stmt = stmt.where(column == q[key])
    rows = session.scalars(stmt.order_by(Notice.read_at.is_not(None), Notice.id.desc())).all()
    start = (q["page"] - 1) * q["per_page"]
    return rows[start:start + q["per_page"]], len(rows), sum(1 for r in rows if r.read_at is None)


def mark_read(uow, clock, actor: Actor, notice_id):
    notice = _visible(uow.session, actor, notice_id)
    notice.read_at = notice.read_at or clock.now()
    uow.commit()
    return notice


def acknowledge(uow, clock, actor: Actor, notice_id, payload):
    """回执: the recipient's receipt and answer, once."""
    notice = _visible(uow.session, actor, notice_id)
    data = load(ACK_IN, payload)
    if notice.acknowledged_at is not None:
        raise AlreadyAcknowledged("该通知已回执", {"notice": ["已回执"]})
    notice.acknowledged_at = notice.read_at = clock.now()
    notice.acknowledged_by, notice.acknowledged_unit_id = actor.user_id, actor.unit_id
    notice.feedback = data["feedback"]
    uow.emit("notice_acknowledged", {"notice_id": notice.id, "item_id": notice.item_id,
                                     "decision_id": notice.decision_id, "unit_id": actor.unit_id,
                                     "feedback": notice.feedback})
    uow.commit()
    return notice


def for_item(session, actor: Actor, item_id):
    """Notices about an item that ask for an answer, for the review office and its unit."""
    stmt = select(Notice).where(Notice.item_id == item_id, Notice.asks_reply.is_(True))
    if not actor.sees_all_units:
        stmt = stmt.where(Notice.about_unit_id == actor.unit_id)
    return session.scalars(stmt.order_by(Notice.id)).all()


def remind_unanswered(uow, routing, clock):
    """An answer overdue raises a reminder notice to the same addressee, once."""
    if not routing.unanswered_reminder:
        return 0
    today = clock.today()
    overdue = uow.session.scalars(select(Notice).where(
        Notice.asks_reply.is_(True), Notice.acknowledged_at.is_(None), Notice.reminded_on.is_(None),
        Notice.reply_due < today)).all()
    for notice in overdue:
        notice.reminded_on = today
        uow.session.add(Notice(
            event_id=f"remind-{notice.id}"[:36], event_type="reply_overdue", kind=notice.kind,
            unit_id=notice.unit_id, role=notice.role, title=f"回执逾期：{notice.title}"[:200],
            body=f"请尽快回执：{notice.body}", item_id=notice.item_id, decision_id=notice.decision_id,
            about_unit_id=notice.about_unit_id, asks_reply=False, created_at=clock.now()))
    uow.commit()
    return len(overdue)


def _visible(session, actor, notice_id):
    notice = session.scalar(select(Notice).where(Notice.id == notice_id, addressed_to(actor))) \
        if isinstance(notice_id, int) else None
    if notice is None:
        raise NotFound("通知不存在", {"notice_id": [str(notice_id)]})
    return notice
