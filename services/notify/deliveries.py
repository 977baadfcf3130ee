"""Subscriptions and deliveries (webhooks and email): queued in the database by the event
consumer, sent by a background worker — one green thread per subscriber, so a slow or dead
endpoint never delays the others, and a subscriber's deliveries go out in order."""
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from prometheus_client import Counter
from sqlalchemy import func, or_, select, update

from services.common import metrics
from services.common.actor import Actor
from services.common.clock import utcnow
from services.common.errors import Conflict, NotFound, ValidationFailed
from services.common.schemas import load

from . import mail
from .models import Delivery, Subscription
from .schemas import DeliveryQuery, SubscriptionIn, notice_link
from .webhooks import UnsafeUrl, backoff_seconds, check_url, envelope

log = logging.getLogger(__name__)
SUBSCRIPTION_IN, DELIVERY_QUERY = SubscriptionIn(), DeliveryQuery()
ATTEMPTS = Counter("notify_delivery_attempts_total", "Delivery attempts by channel and outcome",
                   ["channel", "outcome"])
for _channel in ("webhook", "email"):      # zero from the start: a rate over them exists at once
    for _outcome in ("ok", "failed"):
        ATTEMPTS.labels(_channel, _outcome)
LEASE_MARGIN_SECONDS = 30     # a sender that died mid-request frees its delivery after this


@dataclass(frozen=True)
class Channels:
    """What the sender may do: the webhook schedule, the address policy, SMTP (None = off)."""
    webhooks: dict
    allow_private: bool = False
    smtp: mail.SmtpSettings | None = None
    public_url: str = ""


def subscribe(uow, actor: Actor, payload, channels: Channels, event_types):
    actor.require("admin")
    data = load(SUBSCRIPTION_IN, payload)
    unknown = sorted(set(data["events"]) - set(event_types))
    if unknown:
        raise ValidationFailed("未知的事件类型", {"events": [f"可订阅：{', '.join(event_types)}；未知：{', '.join(unknown)}"]})
    if data["channel"] == "email":
        if channels.smtp is None:
            raise ValidationFailed("邮件通道未启用", {"channel": ["未配置 SMTP（NOTIFY_SMTP_HOST），不能订阅邮件"]})
        data.update(url=None, secret=None)
    else:
        try:
            check_url(data["url"], allow_private=channels.allow_private)
        except UnsafeUrl as err:
            raise ValidationFailed(str(err), {"url": [str(err)]})
        data["email"] = None
    subscription = Subscription(created_at=utcnow(), active=True, **data)
    uow.session.add(subscription)
    uow.commit()
    return subscription


def concerns(subscription, notice):
    """A notice reaches a subscriber whose unit it is addressed to: the unit itself, the
    unit's partner role, or the review office."""
    if notice.kind == "review":
        return subscription.unit_kind == "review"
    if notice.kind == "partner":
        return bool(subscription.partner_role) and subscription.partner_role == notice.role
    return subscription.unit_id == notice.unit_id


def enqueue(uow, event_type, payload, notices, channels: Channels):
    """A delivery per active subscriber the event's notices concern (once per event id)."""
    if not notices:
        return
    subscribers = uow.session.scalars(select(Subscription).where(Subscription.active.is_(True)))
    for sub in subscribers:
        notice = next((n for n in notices if concerns(sub, n)), None)
        if notice is None or event_type not in sub.events:
            continue
        if uow.session.scalar(select(Delivery.id).where(Delivery.subscription_id == sub.id,
                                                        Delivery.event_id == payload["event_id"])):
            continue
        now = utcnow()
        body = payload if sub.channel == "webhook" else _mail_body(notice, channels.public_url)
        uow.session.add(Delivery(id=str(uuid.uuid4()), subscription_id=sub.id, event_id=payload["event_id"],
                                 event_type=event_type, payload=body, state="pending", attempts=0,
                                 occurred_at=_occurred_at(payload, now),
                                 next_attempt_at=_queue_time(uow.session, sub.id, now), created_at=now))


def _mail_body(notice, public_url):
    link = notice_link(notice)
    text = notice.body + (f"\n\n查看：{public_url.rstrip('/')}/{link}" if link else "")
    return {"subject": notice.title, "text": text}


def _occurred_at(payload, now):
    """When the event happened, as its publisher stamped it: events are handled by several
    workers at once, so arrival order is not publishing order."""
    try:
        return datetime.fromisoformat(payload["occurred_at"]).replace(tzinfo=None)
    except (KeyError, TypeError, ValueError):
        return now


def _queue_time(session, subscription_id, now):
    """A new delivery is due no earlier than the subscriber's queue head (in backoff or not)."""
    waiting = session.scalar(select(Delivery.next_attempt_at).where(
        Delivery.subscription_id == subscription_id, Delivery.state == "pending")
        .order_by(Delivery.next_attempt_at.desc()).limit(1))
    return max(now, waiting) if waiting else now


def due_subscribers(Session):
    """Subscribers with a delivery due now."""
    with Session() as session:
        return session.scalars(select(Delivery.subscription_id).where(
            Delivery.state == "pending", Delivery.next_attempt_at <= utcnow()).distinct()).all()


def deliver_for(Session, channels: Channels, subscription_id):
    """Send one subscriber's due deliveries, oldest first, stopping at the first failure or
    at a head another sender holds (several notify instances may run)."""
    with Session() as session:
        subscription = session.get(Subscription, subscription_id)
        while True:
            head = session.scalars(select(Delivery).where(
                Delivery.subscription_id == subscription_id, Delivery.state == "pending")
                .order_by(Delivery.occurred_at, Delivery.created_at).limit(1)).first()
            if head is None or head.next_attempt_at > utcnow() or not _lease(session, head, channels):
                return
            if not _attempt(session, channels, subscription, head):
                return   # keep order: nothing later goes before this one


def _lease(session, delivery, channels):
    now = utcnow()
    until = now + timedelta(seconds=channels.webhooks["timeout_seconds"] + LEASE_MARGIN_SECONDS)
    claimed = session.execute(update(Delivery).where(
        Delivery.id == delivery.id, Delivery.state == "pending",
        or_(Delivery.lease_until.is_(None), Delivery.lease_until < now))
        .values(lease_until=until, attempts=Delivery.attempts + 1)).rowcount
    session.commit()   # no transaction stays open while we wait on the receiver
    return bool(claimed)


def _attempt(session, channels, subscription, delivery):
    error = _send(channels, subscription, delivery)
    ATTEMPTS.labels(subscription.channel, "ok" if error is None else "failed").inc()
    delivery.lease_until = None
    if error is None:
        delivery.state, delivery.delivered_at, delivery.last_error = "delivered", utcnow(), None
        session.commit()
        return True
    delivery.last_error = error
    settings = channels.webhooks
    if delivery.attempts >= settings["max_attempts"]:
        delivery.state = "dead"
        log.warning("delivery %s parked as dead: %s", delivery.id, error)
    else:
        wait = backoff_seconds(delivery.attempts, settings["backoff_base_seconds"], settings["backoff_max_seconds"])
        delivery.next_attempt_at = utcnow() + timedelta(seconds=wait)
        _hold_back(session, delivery)
    session.commit()
    return False


def _send(channels, subscription, delivery):
    """None when delivered, else the error to record."""
    timeout = channels.webhooks["timeout_seconds"]
    if subscription.channel == "email":
        if channels.smtp is None:
            return "邮件通道未启用"
        message = mail.compose(channels.smtp, subscription.email, delivery.payload["subject"],
                               delivery.payload["text"], delivery.id)
        try:
            mail.send(channels.smtp, message, timeout)
        except mail.MailError as err:
            return str(err)
        return None
    return _post(channels, subscription, delivery, timeout)


def _post(channels, subscription, delivery, timeout):
    try:
        # Checked again at send time: the name may resolve elsewhere since it was subscribed.
        check_url(subscription.url, allow_private=channels.allow_private)
        body, headers = envelope(delivery.id, delivery.event_type, delivery.payload, int(time.time()),
                                 subscription.secret)
        reply = requests.post(subscription.url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
    except UnsafeUrl as err:
        return f"UnsafeUrl: {err}"
    except requests.RequestException as err:
        return f"{type(err).__name__}: {err}"[:500]
    return None if 200 <= reply.status_code < 300 else f"HTTP {reply.status_code}"


def _hold_back(session, head):
    """The rest of the subscriber's queue waits for its head: not due before it is."""
    session.execute(update(Delivery).where(
        Delivery.subscription_id == head.subscription_id, Delivery.state == "pending",
        Delivery.id != head.id, Delivery.next_attempt_at < head.next_attempt_at)
        .values(next_attempt_at=head.next_attempt_at))


def redeliver(uow, actor: Actor, delivery_id):
    """Send a dead (or delivered) delivery again, under the same id, from attempt one."""
    actor.require("admin")
    delivery = uow.session.get(Delivery, delivery_id) if isinstance(delivery_id, str) else None
    if delivery is None:
        raise NotFound("投递记录不存在", {"delivery_id": [str(delivery_id)]})
    if delivery.state == "pending":
        raise Conflict("该投递仍在队列中，无需重新投递", {"delivery": ["pending"]})
    delivery.state, delivery.attempts, delivery.lease_until = "pending", 0, None
    delivery.next_attempt_at = _queue_time(uow.session, delivery.subscription_id, utcnow())
    uow.commit()
    return delivery


def listing(session, actor: Actor, query=None):
    actor.require("admin")
    q = load(DELIVERY_QUERY, query or {})
    stmt = select(Delivery)
    if q["status"]:
        stmt = stmt.where(Delivery.state == q["status"])
    if q["subscription_id"]:
        stmt = stmt.where(Delivery.subscription_id == q["subscription_id"])
    return session.scalars(stmt.order_by(Delivery.created_at.desc()).limit(500)).all()


def subscriptions(session, actor: Actor):
    actor.require("admin")
    return session.scalars(select(Subscription).order_by(Subscription.id)).all()


def delivery_states(session):
    """``({state: deliveries}, {state: subscribers})`` for the gauges: deliveries waiting and
    dead; each subscriber ``dead`` (deliveries parked dead, until redelivered), else ``failing``
    (its head in backoff after a failed attempt), else ``healthy``; ``inactive`` when switched off.
    Every query reads the ``ix_delivery_due`` index (state first), never the delivered rows."""
    waiting = dict(session.execute(select(Delivery.state, func.count()).where(
        Delivery.state.in_(metrics.DELIVERY_STATES)).group_by(Delivery.state)).all())
    dead = set(session.scalars(select(Delivery.subscription_id).where(Delivery.state == "dead").distinct()))
    failing = set(session.scalars(select(Delivery.subscription_id).where(
        Delivery.state == "pending", Delivery.attempts > 0).distinct()))
    subscribers = {state: 0 for state in metrics.SUBSCRIBER_STATES}
    for sub_id, active in session.execute(select(Subscription.id, Subscription.active)):
        state = ("inactive" if not active else "dead" if sub_id in dead
                 else "failing" if sub_id in failing else "healthy")
        subscribers[state] += 1
    return waiting, subscribers


@metrics.probe("notify")
def delivery_gauges(container):
    with metrics.provider(container, "db").Session() as session:
        waiting, subscribers = delivery_states(session)
    metrics.set_gauges(metrics.DELIVERIES, waiting, metrics.DELIVERY_STATES)
    metrics.set_gauges(metrics.SUBSCRIBERS, subscribers, metrics.SUBSCRIBER_STATES)
