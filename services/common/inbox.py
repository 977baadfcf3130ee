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
import traceback
from datetime import timedelta

import eventlet
from nameko.events import event_handler
from nameko.rpc import rpc
from nameko.timer import timer
from sqlalchemy import select

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
    """Apply ``work()`` for one event at most once; park it if it fails. True if applied."""
    event_id = payload.get("event_id") if isinstance(payload, dict) else None
    if not event_id or not uow.first_time(event_id, mark):
        if not event_id:
            log.warning("%s: event without an id ignored: %r", handler, payload)
        return False
    try:
        work()
        uow.commit()
        return True
    except Exception as exc:
        uow.rollback()
        _park(uow, handler, mark, payload, exc, config or {})
        return False


def _park(uow, handler, mark, payload, exc, config):
    quiet = isinstance(exc, NotYetApplicable)
    try:
        row = uow.session.get(FailedEvent, (payload["event_id"], handler))
        now = utcnow()
        if row is None:
            row = FailedEvent(event_id=payload["event_id"], handler=handler, mark=mark,
                              event_type=str(payload.get("event_type") or ""), payload=payload,
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
    elif quiet:
        log.info("%s: event %s parked until it applies (%s)", handler, row.event_id, exc)
    else:
        log.warning("%s: event %s failed (attempt %s), retried at %s: %s", handler, row.event_id,
                    row.attempts, row.next_attempt_at, row.last_error.splitlines()[0])


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
