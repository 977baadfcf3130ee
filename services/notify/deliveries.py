"""Webhook subscriptions and deliveries: queued in the database by the event consumer,
sent by a background worker — one green thread per subscriber, so a slow or dead endpoint
never delays the others, and a subscriber's deliveries go out in order."""
import logging
import time
import uuid
from datetime import datetime, timedelta

import requests
from sqlalchemy import select, update

from services.common.actor import Actor
from services.common.errors import NotFound, ValidationFailed
from services.common.schemas import load

from .models import Delivery, Subscription
from .schemas import SubscriptionIn
from .webhooks import UnsafeUrl, backoff_seconds, check_url, envelope

log = logging.getLogger(__name__)
SUBSCRIPTION_IN = SubscriptionIn()


def subscribe(uow, clock, actor: Actor, payload, allow_private):
    actor.require("admin")
    data = load(SUBSCRIPTION_IN, payload)
    try:
        check_url(data["url"], allow_private=allow_private)
    except UnsafeUrl as err:
        raise ValidationFailed(str(err), {"url": [str(err)]})
    subscription = Subscription(created_at=clock.now(), active=True, **data)
    uow.session.add(subscription)
    uow.commit()
    return subscription


def enqueue(uow, clock, event_type, payload, notices):
    """A delivery per active subscriber the event concerns (once per event id)."""
    units = {n.unit_id for n in notices if n.unit_id is not None}
    roles = {n.role for n in notices if n.role}
    for sub in uow.session.scalars(select(Subscription).where(Subscription.active.is_(True))):
        concerned = sub.unit_id in units or (sub.partner_role and sub.partner_role in roles)
        if event_type not in sub.events or not concerned:
            continue
        exists = uow.session.scalar(select(Delivery.id).where(
            Delivery.subscription_id == sub.id, Delivery.event_id == payload["event_id"]))
        if not exists:
            uow.session.add(Delivery(id=str(uuid.uuid4()), subscription_id=sub.id, event_id=payload["event_id"],
                                     event_type=event_type, payload=payload, state="pending", attempts=0,
                                     occurred_at=_occurred_at(payload, clock),
                                     next_attempt_at=_queue_time(uow.session, sub.id, clock.now()),
                                     created_at=clock.now()))


def _occurred_at(payload, clock):
    """When the event happened, as its publisher stamped it: events are handled by several
    workers at once, so arrival order is not publishing order."""
    try:
        return datetime.fromisoformat(payload["occurred_at"]).replace(tzinfo=None)
    except (KeyError, TypeError, ValueError):
        return clock.now()


def _queue_time(session, subscription_id, now):
    """A new delivery is due no earlier than the subscriber's queue head (in backoff or not)."""
    waiting = session.scalar(select(Delivery.next_attempt_at).where(
        Delivery.subscription_id == subscription_id, Delivery.state == "pending")
        .order_by(Delivery.next_attempt_at.desc()).limit(1))
    return max(now, waiting) if waiting else now


def due_subscribers(Session, clock):
    """Subscribers with a delivery due now."""
    with Session() as session:
        return session.scalars(select(Delivery.subscription_id).where(
            Delivery.state == "pending", Delivery.next_attempt_at <= clock.now()).distinct()).all()


def deliver_for(Session, clock, settings, subscription_id):
    """Send one subscriber's due deliveries, oldest first, stopping at the first failure."""
    with Session() as session:
        subscription = session.get(Subscription, subscription_id)
        while True:
            head = session.scalars(select(Delivery).where(
                Delivery.subscription_id == subscription_id, Delivery.state == "pending")
                .order_by(Delivery.occurred_at, Delivery.created_at).limit(1)).first()
            if head is None or head.next_attempt_at > clock.now():
                return
            if not _attempt(session, clock, settings, subscription, head):
                return   # keep order: nothing later goes before this one


def _attempt(session, clock, settings, subscription, delivery):
    timestamp = int(time.time())
    body, headers = envelope(delivery.id, delivery.event_type, delivery.payload, timestamp, subscription.secret)
    delivery.attempts += 1
    session.commit()   # no transaction stays open while we wait on the receiver
    try:
        reply = requests.post(subscription.url, data=body, headers=headers, timeout=settings["timeout_seconds"],
                              allow_redirects=False)
        if 200 <= reply.status_code < 300:
            delivery.state, delivery.delivered_at, delivery.last_error = "delivered", clock.now(), None
            session.commit()
            return True
        delivery.last_error = f"HTTP {reply.status_code}"
    except requests.RequestException as err:
        delivery.last_error = f"{type(err).__name__}: {err}"[:500]
    if delivery.attempts >= settings["max_attempts"]:
        delivery.state = "dead"
        log.warning("webhook delivery %s parked as dead: %s", delivery.id, delivery.last_error)
    else:
        wait = backoff_seconds(delivery.attempts, settings["backoff_base_seconds"], settings["backoff_max_seconds"])
        delivery.next_attempt_at = clock.now() + timedelta(seconds=wait)
        _hold_back(session, delivery)
    session.commit()
    return False


def _hold_back(session, head):
    """The rest of the subscriber's queue waits for its head: not due before it is."""
    session.execute(update(Delivery).where(
        Delivery.subscription_id == head.subscription_id, Delivery.state == "pending",
        Delivery.id != head.id, Delivery.next_attempt_at < head.next_attempt_at)
        .values(next_attempt_at=head.next_attempt_at))


def redeliver(uow, clock, actor: Actor, delivery_id):
    actor.require("admin")
    delivery = uow.session.get(Delivery, delivery_id) if isinstance(delivery_id, str) else None
    if delivery is None:
        raise NotFound("投递记录不存在", {"delivery_id": [str(delivery_id)]})
    delivery.state, delivery.attempts, delivery.next_attempt_at = "pending", 0, clock.now()
    uow.commit()
    return delivery


def listing(session, actor: Actor, state=None):
    actor.require("admin")
    stmt = select(Delivery)
    if state:
        stmt = stmt.where(Delivery.state == state)
    return session.scalars(stmt.order_by(Delivery.created_at.desc()).limit(500)).all()


def subscriptions(session, actor: Actor):
    actor.require("admin")
    return session.scalars(select(Subscription).order_by(Subscription.id)).all()
