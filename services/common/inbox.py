"""Events in (收件): applied once, in any order, and never acknowledged and forgotten.

Every event handler of every service goes through :func:`apply`:

* an event id a handler has applied before is skipped (the outbox may republish);
* a handler that raises is rolled back and the event is *parked* in the service's own
  ``failed_event`` table, in the same breath as the broker's copy is acknowledged;
  :class:`Inbox` retries parked events with exponential backoff and jitter, and after
  ``EVENT_RETRY_ATTEMPTS`` leaves them ``dead`` (死信) with their error, for the admin to
  list and replay (``failed_events`` / ``replay_failed_event`` RPCs);
* an event that arrives before what it depends on (an item's state change before its
  decision) raises :class:`NotYetApplicable` and is parked the same way, quietly, until
  it can be applied; versions on the events make a late one harmless.

If even parking fails (the database is down), the handler raises and nameko puts the
message back on the queue (``requeue_on_error``) after a pause, so it comes again.
"""
import logging
import random
import time
import traceback
from datetime import datetime, timedelta

import eventlet
from nameko.events import event_handler
from nameko.rpc import rpc
from nameko.timer import timer
from sqlalchemy import func, select

from . import logs, metrics
from .actor import Actor
from .clock import utcnow
from .errors import NotFound
from .models import FailedEvent, ProcessedEvent

log = logging.getLogger(__name__)

RETRY_ATTEMPTS = 8          # 1 s, 2 s, 4 s … 128 s: about four minutes before a dead letter
RETRY_BASE_SECONDS = 1.0
RETRY_CAP_SECONDS = 300.0
PARK_FAILED_PAUSE = 1.0     # before the broker redelivers an event we could not even park


class NotYetApplicable(Exception):
    """The event depends on one not handled yet: park it and try again shortly."""


def reliable_handler(source, event_type):
    """``@event_handler`` whose message goes back to the queue if the handler raises."""
    return event_handler(source, event_type, requeue_on_error=True)


def apply(uow, handler, mark, payload, work, config=None):
    """Apply ``work()`` for one event at most once; park it if it fails. True if applied.

    Each call writes one log line (``kind: event``: the handler, the event, its outcome, how
    long it took and how long after the event was created) and counts the outcome."""
    previous = logs.current()
    if isinstance(payload, dict) and payload.get(logs.KEY):
        # A parked event tried again: it goes on under the id of the request that caused it.
        logs.bind(**dict(previous, correlation_id=payload[logs.KEY]))
    try:
        return _apply(uow, handler, mark, payload, work, config)
    finally:
        logs.bind(**previous)


def _apply(uow, handler, mark, payload, work, config):
    event_id = payload.get("event_id") if isinstance(payload, dict) else None
    service = getattr(uow, "service", None) or logs.current().get("service") or "unknown"
    started = time.perf_counter()
    if not event_id or not uow.first_time(event_id, mark):
        if not event_id:
            log.warning("%s: event without an id ignored: %r", handler, payload)
        else:
            _handled(service, handler, payload, "duplicate", started)
        return False
    try:
        work()
        uow.commit()
    except Exception as exc:
        uow.rollback()
        outcome = _park(uow, handler, mark, payload, exc, config or {})
        _handled(service, handler, payload, outcome, started, exc)
        return False
    _handled(service, handler, payload, "applied", started)
    return True


def _handled(service, handler, payload, outcome, started, exc=None):
    metrics.EVENTS.labels(service, handler, "failed" if outcome == "dead" else outcome).inc()
    lag = _lag_seconds(payload)
    if outcome == "applied" and lag is not None:
        metrics.EVENT_LAG.labels(service, handler).observe(lag)
    if outcome == "dead":
        metrics.EVENT_DEAD_LETTERS.labels(service, handler).inc()
    fields = {"kind": "event", "handler": handler, "event_type": payload.get("event_type"),
              "event_id": payload.get("event_id"), "outcome": outcome,
              "duration_ms": round((time.perf_counter() - started) * 1000, 1)}
    if lag is not None:
        fields["lag_ms"] = round(lag * 1000, 1)
    if exc is not None:
        fields["error"] = type(exc).__name__
    logs.line(log, "event %s %s by %s: %s", fields["event_type"], fields["event_id"], handler, outcome,
              level=logging.WARNING if outcome in ("failed", "dead") else logging.INFO, **fields)


def _lag_seconds(payload):
    """Seconds since the event was created (its ``occurred_at``, UTC), or None."""
    try:
        occurred = datetime.fromisoformat(payload["occurred_at"]).replace(tzinfo=None)
    except (KeyError, TypeError, ValueError):
        return None
    return max(0.0, (utcnow() - occurred).total_seconds())


def _park(uow, handler, mark, payload, exc, config):
    quiet = isinstance(exc, NotYetApplicable)
    try:
        row = uow.session.get(FailedEvent, (payload["event_id"], handler))
        now = utcnow()
        if row is None:
            correlation_id = logs.correlation_id()
            kept = dict(payload, **{logs.KEY: correlation_id}) if correlation_id else payload
            row = FailedEvent(event_id=payload["event_id"], handler=handler, mark=mark,
                              event_type=str(payload.get("event_type") or ""), payload=kept,
                              attempts=0, first_failed_at=now)
            uow.session.add(row)
        row.attempts += 1
        row.last_error = _describe(exc)
        row.last_failed_at = now
        attempts = int(config.get("EVENT_RETRY_ATTEMPTS", RETRY_ATTEMPTS))
        if row.attempts >= attempts:
            row.state, row.next_attempt_at = "dead", None
        else:
            row.state, row.next_attempt_at = "retrying", now + timedelta(seconds=_backoff(row.attempts, config))
        uow.commit()
    except Exception:
        log.exception("%s: could not park event %s; the broker will deliver it again",
                      handler, payload.get("event_id"))
        uow.rollback()
        eventlet.sleep(PARK_FAILED_PAUSE)
        raise exc
    if row.state == "dead":
        log.error("%s: event %s dead-lettered after %s attempts: %s", handler, row.event_id,
                  row.attempts, row.last_error.splitlines()[0])
        return "dead"
    if quiet:
        log.info("%s: event %s parked until it applies (%s)", handler, row.event_id, exc)
        return "deferred"
    log.warning("%s: event %s failed (attempt %s), retried at %s: %s", handler, row.event_id,
                row.attempts, row.next_attempt_at, row.last_error.splitlines()[0])
    return "failed"


def _backoff(attempts, config):
    base = float(config.get("EVENT_RETRY_BASE_SECONDS", RETRY_BASE_SECONDS))
    wait = min(base * 2 ** (attempts - 1), RETRY_CAP_SECONDS)
    return wait * random.uniform(0.8, 1.2)      # jitter: parked events do not retry in lockstep


def _describe(exc):
    if isinstance(exc, NotYetApplicable):
        return f"NotYetApplicable: {exc}"
    return "".join(traceback.format_exception(exc))[-4000:]


def due(session, now, limit=100):
    return session.scalars(select(FailedEvent).where(
        FailedEvent.state == "retrying", FailedEvent.next_attempt_at <= now)
        .order_by(FailedEvent.next_attempt_at).limit(limit)).all()


class Inbox:
    """Mixin for a service with event handlers: retries parked events, lists and replays
    dead letters.  A handler method takes ``(self, payload)``; a parked event is retried
    by calling that method again."""

    @timer(interval=1)
    def retry_failed_events(self):
        for row in due(self.db.session, utcnow()):
            self._retry(row.handler, row.mark, row.event_id, row.payload)

    def _retry(self, handler, mark, event_id, payload):
        metrics.EVENT_RETRIES.labels(self.name, handler).inc()
        getattr(self, handler)(payload)
        session = self.db.session
        if session.get(ProcessedEvent, (event_id, mark)) is not None:   # it applied this time
            row = session.get(FailedEvent, (event_id, handler))
            if row is not None:
                session.delete(row)
            self.db.commit()

    @rpc
    def failed_events(self, actor, state="dead"):
        """Events this service could not apply (``dead`` or ``retrying``), newest first."""
        Actor.load(actor).require("admin", "system")
        rows = self.db.session.scalars(select(FailedEvent).where(FailedEvent.state == state)
                                       .order_by(FailedEvent.last_failed_at.desc()).limit(500)).all()
        return [{"service": self.name, "event_id": r.event_id, "handler": r.handler,
                 "event_type": r.event_type, "state": r.state, "attempts": r.attempts,
                 "error": r.last_error.strip().splitlines()[-1] if r.last_error else "",
                 "first_failed_at": r.first_failed_at.isoformat(),
                 "last_failed_at": r.last_failed_at.isoformat(), "payload": r.payload} for r in rows]

    @rpc
    def replay_failed_event(self, actor, event_id, handler):
        """Apply a parked event now (after its cause was mended); its row goes once it applies."""
        Actor.load(actor).require("admin", "system")
        row = self.db.session.get(FailedEvent, (event_id, handler)) if isinstance(event_id, str) else None
        if row is None:
            raise NotFound("没有这条未处理的事件", {"event_id": [str(event_id)]})
        self._retry(row.handler, row.mark, row.event_id, row.payload)
        left = self.db.session.get(FailedEvent, (event_id, handler))
        return {"event_id": event_id, "handler": handler, "applied": left is None,
                "state": left.state if left else "applied", "error": left.last_error if left else None}


@metrics.probe()
def failed_event_gauges(container):
    """Parked events by state (the ``ix_failed_event_due`` index), for a service with an inbox."""
    if not issubclass(container.service_cls, Inbox):
        return
    database = metrics.provider(container, "db")
    with database.Session() as session:
        counts = dict(session.execute(select(FailedEvent.state, func.count()).group_by(FailedEvent.state)).all())
    metrics.set_gauges(metrics.FAILED_EVENTS, {(container.service_name, state): n for state, n in counts.items()},
                       [(container.service_name, state) for state in metrics.FAILED_STATES])
