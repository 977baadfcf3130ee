"""Notices (通知) and receipts (回执): the use cases over the unit of work."""
import re

from sqlalchemy import and_, func, or_, select, true, update

from services.common import metrics
from services.common.actor import Actor
from services.common.errors import NotFound, RuleRefused
from services.common.schemas import load

from .exceptions import AlreadyAcknowledged
from .models import Notice
from .routing import addressees, render, reply_due, with_item_name
from .schemas import AckIn, InboxQuery

ACK_IN, INBOX_QUERY = AckIn(), InboxQuery()
REVIEW_OFFICE_ROLES = ("reviewer", "leader", "admin")


def from_event(uow, routing, clock, source, event_type, payload):
    """One notice per addressee of every route the event takes (idempotent by event id)."""
    fields = with_item_name(payload, routing.item_names)
    created = []
    for route in routing.for_event(source, event_type):
        due = reply_due(clock.today(), routing, route.asks_reply)
        texts = dict(fields, reply_due=due.isoformat() if due else None)
        for to in addressees(route, payload):
            if _exists(uow.session, payload["event_id"], to):
                continue
            notice = Notice(
                event_id=payload["event_id"], event_type=event_type, kind=to.kind, unit_id=to.unit_id,
                role=to.role, sender=route.sender, title=plain(render(route.title, texts))[:200],
                body=plain(render(route.body, texts)), item_id=payload.get("item_id"),
                decision_id=payload.get("decision_id"), reform_id=payload.get("reform_id"),
                about_unit_id=payload.get("unit_id"),
                asks_reply=route.asks_reply, reply_due=due, created_at=clock.now())
            uow.session.add(notice)
            created.append(notice)
    uow.session.flush()
    return created


# A field that ends its own sentence (整改要求：补充表态记录。) before the text's full stop; a
# record number (（#45）), which means nothing to the reader.
_DOUBLED_STOP = re.compile(r"([。！？；])[。.]+")
_RECORD_NUMBER = re.compile(r"[（(]#\d+[)）]")


def plain(text):
    """The notice text as a reader sees it: one full stop, no record numbers."""
    return _DOUBLED_STOP.sub(r"\1", _RECORD_NUMBER.sub("", text))


def _exists(session, event_id, to):
    return session.scalar(select(Notice.id).where(
        Notice.event_id == event_id, Notice.kind == to.kind,
        Notice.unit_id.is_(None) if to.unit_id is None else Notice.unit_id == to.unit_id,
        Notice.role.is_(None) if to.role is None else Notice.role == to.role)) is not None


def addressed_to(actor: Actor):
    """Notices the actor's inbox holds: its unit's, its unit's partner role's, and the
    review office's for reviewers and leaders (an admin sees every inbox)."""
    if actor.role == "admin":
        return true()
    mine = [and_(Notice.kind == "unit", actor.in_own_unit(Notice.unit_id))]
    if actor.partner_role:
        mine.append(and_(Notice.kind == "partner", Notice.role == actor.partner_role))
    if actor.role in REVIEW_OFFICE_ROLES:
        mine.append(Notice.kind == "review")
    return or_(*mine)


def inbox(session, actor: Actor, query):
    """(page of notices, total, unread): unread first, newest first within each."""
    q = load(INBOX_QUERY, query or {})
    where = [addressed_to(actor)] + _filters(q)
    total, unread = session.execute(select(
        func.count(Notice.id), func.count(Notice.id).filter(Notice.read_at.is_(None))).where(*where)).one()
    rows = session.scalars(select(Notice).where(*where).order_by(Notice.read_at.is_not(None), Notice.id.desc())
                           .offset((q["page"] - 1) * q["per_page"]).limit(q["per_page"])).all()
    return rows, total, unread


def _filters(q):
    found = [column == q[key] for column, key in ((Notice.item_id, "item_id"), (Notice.decision_id, "decision_id"),
                                                  (Notice.kind, "kind"), (Notice.event_type, "event_type"))
             if q[key] is not None]
    for column, key in ((Notice.read_at, "unread"), (Notice.acknowledged_at, "answered")):
        if q[key] is not None:
            found.append(column.is_(None) if q[key] == (key == "unread") else column.is_not(None))
    if q["asks_reply"] is not None:
        found.append(Notice.asks_reply.is_(q["asks_reply"]))
    return found


def mark_read(uow, clock, actor: Actor, notice_id):
    actor.require_permission("notice.read")   # not the leader (read-only), not the admin
    notice = _visible(uow.session, actor, notice_id)
    notice.read_at = notice.read_at or clock.now()
    uow.commit()
    return notice


def acknowledge(uow, clock, actor: Actor, notice_id, payload):
    """回执: the recipient's receipt and answer, once, by the partner department addressed
    (no other role holds ``notice.ack``), and only where the notice asks for one."""
    actor.require_permission("notice.ack")
    notice = _visible(uow.session, actor, notice_id)
    if not notice.asks_reply:
        raise RuleRefused("该通知无需回执", {"notice": ["该通知不要求回执"]}, code="NO_REPLY_ASKED")
    data = load(ACK_IN, payload)
    if notice.acknowledged_at is not None:
        raise AlreadyAcknowledged("该通知已回执", {"notice": ["已回执"]})
    # Claimed by a conditional update: of two acks racing, one wins and the other is a 409.
    claimed = uow.session.execute(update(Notice).where(Notice.id == notice.id, Notice.acknowledged_at.is_(None))
                                  .values(acknowledged_at=clock.now())).rowcount
    if not claimed:
        uow.session.rollback()
        raise AlreadyAcknowledged("该通知已回执", {"notice": ["已回执"]})
    uow.session.refresh(notice)
    notice.read_at = notice.read_at or notice.acknowledged_at
    notice.acknowledged_by, notice.acknowledged_unit_id = actor.user_id, actor.unit_id
    notice.feedback = data["feedback"]
    uow.emit("notice_acknowledged", {"notice_id": notice.id, "item_id": notice.item_id,
                                     "decision_id": notice.decision_id, "unit_id": actor.unit_id,
                                     "about_unit_id": notice.about_unit_id, "role": notice.role,
                                     "feedback": notice.feedback})
    uow.commit()
    return notice


def for_item(session, actor: Actor, item_id):
    """Notices about an item that ask for an answer (the partners' receipts), for the review
    office and for the item's own unit."""
    stmt = select(Notice).where(Notice.item_id == item_id, Notice.asks_reply.is_(True))
    return session.scalars(actor.scope(stmt, Notice.about_unit_id).order_by(Notice.id)).all()


def remind_unanswered(uow, routing, clock):
    """An answer overdue raises a reminder notice to the same addressee, once — claimed row by
    row, so two instances sweeping at once still remind once."""
    if not routing.unanswered_reminder:
        return 0
    today, template, reminded = clock.today(), routing.reply_reminder, 0
    overdue = uow.session.scalars(select(Notice.id).where(
        Notice.asks_reply.is_(True), Notice.acknowledged_at.is_(None), Notice.reminded_on.is_(None),
        Notice.reply_due < today)).all()
    for notice_id in overdue:
        if not uow.session.execute(update(Notice).where(Notice.id == notice_id, Notice.reminded_on.is_(None))
                                   .values(reminded_on=today)).rowcount:
            continue
        notice = uow.session.get(Notice, notice_id)
        texts = {"title": notice.title, "body": notice.body, "reply_due": notice.reply_due.isoformat()}
        uow.session.add(Notice(
            event_id=f"remind-{notice.id}"[:36], event_type="reply_overdue", kind=notice.kind,
            unit_id=notice.unit_id, role=notice.role, sender=template.sender,
            title=render(template.title, texts)[:200], body=render(template.body, texts),
            item_id=notice.item_id, decision_id=notice.decision_id, reform_id=notice.reform_id,
            about_unit_id=notice.about_unit_id,
            asks_reply=False, created_at=clock.now()))
        uow.commit()
        reminded += 1
    return reminded


def _visible(session, actor, notice_id):
    notice = session.scalar(select(Notice).where(Notice.id == notice_id, addressed_to(actor))) \
        if isinstance(notice_id, int) and not isinstance(notice_id, bool) else None
    if notice is None:
        raise NotFound("通知不存在", {"notice_id": [str(notice_id)]})
    return notice


def unanswered_overdue(session, today):
    """``{partner role: notices}`` asking a reply (回执) still unanswered past their reply
    deadline (``none`` for a notice addressed to a unit rather than a role)."""
    rows = session.execute(select(Notice.role, func.count()).where(
        Notice.asks_reply.is_(True), Notice.acknowledged_at.is_(None), Notice.reply_due < today)
        .group_by(Notice.role)).all()
    return {role or "none": count for role, count in rows}


@metrics.probe("notify")
def unanswered_gauges(container):
    today = metrics.provider(container, "clock").clock.today()
    with metrics.provider(container, "db").Session() as session:
        counts = unanswered_overdue(session, today)
    metrics.set_gauges(metrics.NOTICES_UNANSWERED, counts, metrics.PARTNER_ROLES)
