"""The notify service (通知): a thin nameko adapter over routing, notices and deliveries."""
import logging

import eventlet
from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider
from nameko.rpc import rpc
from nameko.timer import timer
from prometheus_client import Counter

from services.common import inbox
from services.common.actor import Actor
from services.common.clock import Clock
from services.common.db import Database
from services.common.health import HealthMixin
from services.common.inbox import Inbox, reliable_handler
from services.common.metrics import Metrics
from services.common.periodic import Periodic
from services.common.startup import BuiltAtStartup
from services.common.startup_rpc import case_rulebook

from . import deliveries, notices
from .deliveries import Channels
from .mail import SmtpSettings, config_flag
from .routing import load_routing, with_rulebook
from .schemas import DeliveryOut, NoticeOut, SubscriptionOut

NOTICE_OUT, NOTICES_OUT = NoticeOut(), NoticeOut(many=True)
SUBSCRIPTION_OUT, SUBSCRIPTIONS_OUT = SubscriptionOut(), SubscriptionOut(many=True)
DELIVERY_OUT, DELIVERIES_OUT = DeliveryOut(), DeliveryOut(many=True)
log = logging.getLogger(__name__)
NOTICES_CREATED = Counter("notify_notices_total", "Notices created from events")


def routing_of(config):
    """routing.yaml, checked against the rule book case serves (asked at start-up): every
    partner role an item names has a route, or the service stops naming it."""
    return with_rulebook(load_routing(), case_rulebook(config))


class Sender(DependencyProvider):
    """Sends due deliveries from a background thread (the event consumer only queues them):
    one green thread per subscriber, never two for the same one, never waiting on another."""

    def setup(self):
        config = self.container.config
        self.allow_private = config_flag(config.get("NOTIFY_WEBHOOK_ALLOW_PRIVATE"))
        self.interval = float(config.get("NOTIFY_WEBHOOK_POLL_SECONDS") or 1.0)
        self.smtp = SmtpSettings.from_config(config)
        self.public_url = config.get("NOTIFY_PUBLIC_URL") or ""
        self.busy = set()
        self.pool = eventlet.GreenPool(int(config.get("NOTIFY_SENDERS") or 100))

    def start(self):
        self.worker = Periodic(self.interval, self.send_due, "deliveries")
        self.worker.start(self.container)

    def stop(self):
        self.worker.stop()

    @property
    def channels(self):
        """Read on each use: tests and operators may tune the webhook schedule at run time."""
        routing = _provider(self.container, "routing").value
        return Channels(routing.webhooks, self.allow_private, self.smtp, self.public_url)

    def send_due(self):
        database = _provider(self.container, "db")
        for subscription_id in deliveries.due_subscribers(database.Session):
            if subscription_id not in self.busy and self.pool.free():
                self.busy.add(subscription_id)
                self.pool.spawn_n(self._send, database.Session, self.channels, subscription_id)

    def _send(self, Session, channels, subscription_id):
        try:
            deliveries.deliver_for(Session, channels, subscription_id)
        except Exception:
            log.exception("deliveries to subscriber %s failed; retried on the next round", subscription_id)
        finally:
            self.busy.discard(subscription_id)

    def get_dependency(self, worker_ctx):
        return self


def _provider(container, attr_name):
    """A sibling dependency of this service (the sender shares its database and routing)."""
    return next(d for d in container.dependencies if getattr(d, "attr_name", None) == attr_name)


class NotifyService(HealthMixin, Inbox):
    name = "notify"

    db = Database("NOTIFY_DB_URL")
    clock = Clock()
    routing = BuiltAtStartup(routing_of)
    sender = Sender()
    metrics = Metrics()
    inbox_config = Config()

    # -- events in ----------------------------------------------------------------------
    @reliable_handler("case", "decision_registered")
    def on_decision_registered(self, payload):
        self._route("case", "decision_registered", payload)

    @reliable_handler("case", "reform_registered")
    def on_reform_registered(self, payload):
        self._route("case", "reform_registered", payload)

    @reliable_handler("case", "item_opened")
    def on_item_opened(self, payload):
        self._route("case", "item_opened", payload)

    @reliable_handler("review", "item_submitted")
    def on_item_submitted(self, payload):
        self._route("review", "item_submitted", payload)

    @reliable_handler("review", "item_approved")
    def on_item_approved(self, payload):
        self._route("review", "item_approved", payload)

    @reliable_handler("review", "item_rejected")
    def on_item_rejected(self, payload):
        self._route("review", "item_rejected", payload)

    @reliable_handler("review", "guidance_issued")
    def on_guidance_issued(self, payload):
        self._route("review", "guidance_issued", payload)

    @reliable_handler("review", "extension_approved")
    def on_extension_approved(self, payload):
        self._route("review", "extension_approved", payload)

    @reliable_handler("deadline", "deadline_reminder")
    def on_deadline_reminder(self, payload):
        self._route("deadline", "deadline_reminder", payload)

    @reliable_handler("deadline", "deadline_warning")
    def on_deadline_warning(self, payload):
        self._route("deadline", "deadline_warning", payload)

    @reliable_handler("deadline", "deadline_overdue")
    def on_deadline_overdue(self, payload):
        self._route("deadline", "deadline_overdue", payload)

    @reliable_handler("case", "impact_period_ended")
    def on_impact_period_ended(self, payload):
        self._route("case", "impact_period_ended", payload)

    def _route(self, source, event_type, payload):
        """Notices and queued deliveries for one event, once per event id; a failure is
        parked and retried (services/common/inbox.py), never dropped."""
        created = []

        def work():
            created.extend(notices.from_event(self.db, self.routing, self.clock, source, event_type, payload))
            deliveries.enqueue(self.db, event_type, payload, created, self.sender.channels)

        if inbox.apply(self.db, f"on_{event_type}", f"notify.{event_type}", payload, work, self.inbox_config):
            NOTICES_CREATED.inc(len(created))

    @timer(interval=3600)
    def remind_unanswered(self):
        notices.remind_unanswered(self.db, self.routing, self.clock)

    # -- inbox -----------------------------------------------------------------------------
    @rpc
    def inbox(self, actor, query=None):
        """The actor's notices, unread first: {items, total, unread}."""
        rows, total, unread = notices.inbox(self.db.session, Actor.load(actor), query)
        return {"items": NOTICES_OUT.dump(rows), "total": total, "unread": unread}

    @rpc
    def mark_read(self, actor, notice_id):
        return NOTICE_OUT.dump(notices.mark_read(self.db, self.clock, Actor.load(actor), notice_id))

    @rpc
    def acknowledge(self, actor, notice_id, payload=None):
        """回执 {feedback}: once; emits notice_acknowledged."""
        return NOTICE_OUT.dump(notices.acknowledge(self.db, self.clock, Actor.load(actor), notice_id, payload))

    @rpc
    def notices_for_item(self, actor, item_id):
        """The partners' notices about an item and their receipts, for GET /items/{id}."""
        return NOTICES_OUT.dump(notices.for_item(self.db.session, Actor.load(actor), item_id))

    # -- subscriptions and deliveries -------------------------------------------------------
    @rpc
    def subscribe(self, actor, payload):
        subscription = deliveries.subscribe(self.db, Actor.load(actor), payload, self.sender.channels,
                                            self.routing.event_types)
        return SUBSCRIPTION_OUT.dump(subscription)

    @rpc
    def subscriptions(self, actor):
        return {"items": SUBSCRIPTIONS_OUT.dump(deliveries.subscriptions(self.db.session, Actor.load(actor)))}

    @rpc
    def deliveries(self, actor, query=None):
        """Deliveries, newest first; query {status: pending|delivered|dead, subscription_id}."""
        if isinstance(query, str):          # deliveries(actor, "dead") reads as a status
            query = {"status": query}
        return {"items": DELIVERIES_OUT.dump(deliveries.listing(self.db.session, Actor.load(actor), query))}

    @rpc
    def redeliver(self, actor, delivery_id):
        return DELIVERY_OUT.dump(deliveries.redeliver(self.db, Actor.load(actor), delivery_id))
