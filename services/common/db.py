"""Database dependency: one SQLAlchemy session per worker, with a transactional outbox.

An entrypoint works on ``self.db.session``, records the events its change announces
with ``self.db.emit(event_type, payload)`` (a row in the service's ``outbox`` table,
same transaction) and calls ``self.db.commit()``.  Only after the commit succeeds are
those rows published; a crash in between leaves them for the relay thread, which
republishes anything unpublished.  Consumers skip event ids they have seen
(:meth:`UnitOfWork.first_time`), so a republished event is harmless.

nameko sends an RPC reply *before* dependencies see the result, so commit is explicit:
an entrypoint that does not commit has its changes rolled back at teardown.
"""
import logging
import uuid
from weakref import WeakKeyDictionary

from nameko.extensions import DependencyProvider
from nameko import serialization
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_SSL_CONFIG_KEY, LOGIN_METHOD_CONFIG_KEY
from nameko.standalone.events import get_event_exchange
from sqlalchemy import create_engine, event, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from . import logs, metrics
from .clock import utcnow
from .models import OutboxEvent, ProcessedEvent
from .periodic import Periodic

log = logging.getLogger(__name__)

_green_pg = False


def make_cooperative_postgres():
    """psycopg2 blocks the whole eventlet hub unless it yields through psycogreen."""
    global _green_pg
    if not _green_pg:
        from psycogreen.eventlet import patch_psycopg
        patch_psycopg()
        _green_pg = True


def normalise_url(url):
    """``postgresql://`` means psycopg2 here (SQLAlchemy 2.1 would pick psycopg 3), the
    driver psycogreen makes cooperative under eventlet."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg2://" + url.split("://", 1)[1]
    return url


def make_engine(url):
    url = normalise_url(url)
    if url.startswith("postgresql"):
        make_cooperative_postgres()
        # Batched UPDATEs (execute_batch): an ORM flush of many changed rows is a few round
        # trips, not one per row (the deadline sweep updates every row it raises).
        return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True,
                             executemany_mode="values_plus_batch")
    if url.startswith("sqlite"):
        # Pooled: closing the last connection to a WAL database checkpoints and deletes the
        # WAL, which would cost every request a few milliseconds.  SQLite's own file lock
        # (busy_timeout) arbitrates writers; greenlets share the one OS thread.
        engine = create_engine(url, pool_size=5, max_overflow=10,
                               connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: no corruption on a crash; a power cut may lose the last commits.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url)


def _outbox_row(event_type, payload):
    event_id = str(uuid.uuid4())
    now = utcnow()
    body = dict(payload, event_id=event_id, event_type=event_type, occurred_at=now.isoformat())
    correlation_id = logs.correlation_id()
    if correlation_id:
        # Kept with the row, so the relay's republish carries it too; published as the
        # ``nameko.correlation_id`` header, not in the body (services/common/logs.py).
        body[logs.KEY] = correlation_id
    return {"id": event_id, "event_type": event_type, "payload": body, "created_at": now}


class UnitOfWork:
    """What an entrypoint sees as ``self.db``."""

    def __init__(self, session, publish, service=None):
        self.session = session
        self._publish = publish
        self._pending = []
        self.service = service      # whose database: the label of its metrics

    def emit(self, event_type, payload):
        """Record an event in the outbox, in the current transaction."""
        row = _outbox_row(event_type, payload)
        self.session.add(OutboxEvent(**row))
        self._pending.append((row["id"], event_type, row["payload"]))
        return row["id"]

    def emit_many(self, events):
        """Record many ``(event_type, payload)`` in one statement: for a sweep raising
        thousands of events, where an ORM object per event costs more than the rest."""
        rows = self.outbox_rows(events)
        if rows:
            self.session.execute(insert(OutboxEvent), rows)
        return [row["id"] for row in rows]

    def outbox_rows(self, events):
        """The outbox rows of many ``(event_type, payload)``, for the caller to write in a
        statement of its own (the deadline sweep writes them with its countdowns and alerts,
        one round trip on PostgreSQL); published after the commit, as emitted ones are."""
        rows = [_outbox_row(event_type, payload) for event_type, payload in events]
        self._pending.extend((row["id"], row["event_type"], row["payload"]) for row in rows)
        return rows

    def first_time(self, event_id, handler):
        """Mark ``event_id`` as handled by ``handler``; False if it was handled before.

        The mark is written in the handler's own transaction, so it commits with
        the handler's effects or not at all.
        """
        if not event_id:
            return True
        if self.session.get(ProcessedEvent, (event_id, handler)) is not None:
            return False
        self.session.add(ProcessedEvent(event_id=event_id, handler=handler, seen_at=utcnow()))
        return True

    def commit(self):
        self.session.commit()
        pending, self._pending = self._pending, []
        if pending:
            self._publish(pending)

    def rollback(self):
        self.session.rollback()
        self._pending = []

    def close(self):
        self.session.rollback()
        self.session.close()


class Database(DependencyProvider):
    """``db = Database("CASE_DB_URL")``; the service's tables plus ``outbox``/``processed_event``."""

    relay_interval = 1.0

    def __init__(self, url_key, publishes=True):
        self.url_key = url_key
        self.publishes = publishes

    def setup(self):
        config = self.container.config
        self.engine = make_engine(config[self.url_key])
        self.Session = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._publisher = _event_publisher(config, self.container.service_name) if self.publishes else None
        self._relay = Periodic(self.relay_interval, self.relay_once, "outbox relay")
        self._uows = WeakKeyDictionary()
        self._published = []
        metrics.watch_pool(id(self), self.container.service_name, self.engine)

    def start(self):
        if self.publishes:
            self._relay.start(self.container)

    def stop(self):
        self._relay.stop()
        if self.publishes:
            self.mark_published()
        metrics.unwatch_pool(id(self))
        self.engine.dispose()

    def kill(self):
        self._relay.stop()
        metrics.unwatch_pool(id(self))
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        uow = UnitOfWork(self.Session(), self._publish, self.container.service_name)
        self._uows[worker_ctx] = uow
        return uow

    def worker_teardown(self, worker_ctx):
        uow = self._uows.pop(worker_ctx, None)
        if uow is not None:
            uow.close()

    # -- publishing -----------------------------------------------------------------
    def _publish(self, rows):
        """Publish committed outbox rows; the relay marks them published in batches.

        Marking is deferred so a request pays for one write transaction, not two; a
        crash before the mark means a republish, which consumers skip by event id.
        """
        for event_id, event_type, payload in rows:
            body, headers = _with_headers(payload)
            try:
                self._publisher.publish(body, routing_key=event_type, headers=headers)
            except Exception:  # broker hiccup: the relay retries later
                log.exception("publishing %s %s failed; relay will retry", event_type, event_id)
                return
            self._published.append(event_id)
            metrics.OUTBOX_PUBLISHED.labels(self.container.service_name).inc()

    def mark_published(self):
        ids, self._published = self._published, []
        for start in range(0, len(ids), 500):
            with self.Session() as session:
                session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(ids[start:start + 500]))
                                .values(published_at=utcnow()))
                session.commit()

    def relay_once(self, older_than_seconds=2.0):
        """Mark what was published, then publish rows left unpublished (a crash between
        commit and publish, or a broker outage)."""
        self.mark_published()
        cutoff = utcnow().timestamp() - older_than_seconds
        with self.Session() as session:
            query = (select(OutboxEvent).where(OutboxEvent.published_at.is_(None))
                     .order_by(OutboxEvent.created_at).limit(500))
            if self.engine.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = [r for r in session.scalars(query) if r.created_at.timestamp() <= cutoff]
            batch = [(r.id, r.event_type, r.payload) for r in rows]
            session.commit()
        if batch:
            self._publish(batch)
        return len(batch)



def _with_headers(payload):
    """The body as consumers know it, and the headers that carry its correlation id (nameko
    hands the ``nameko.*`` headers to the handling worker as its context data)."""
    correlation_id = payload.get(logs.KEY) if isinstance(payload, dict) else None
    if not correlation_id:
        return payload, {}
    body = {key: value for key, value in payload.items() if key != logs.KEY}
    return body, {f"nameko.{logs.KEY}": correlation_id}


def database_of(container):
    """The container's :class:`Database`, or None."""
    return next((d for d in container.dependencies if isinstance(d, Database)), None)


@metrics.probe()
def outbox_gauges(container):
    """Rows waiting in the outbox and the age of the oldest (the ``ix_outbox_unpublished`` index)."""
    database = database_of(container)
    if database is None or not database.publishes:
        return
    with database.Session() as session:
        waiting, oldest = session.execute(select(func.count(), func.min(OutboxEvent.created_at))
                                          .where(OutboxEvent.published_at.is_(None))).one()
    service = container.service_name
    metrics.OUTBOX_PENDING.labels(service).set(waiting)
    metrics.OUTBOX_OLDEST.labels(service).set(max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0)


def _event_publisher(config, service_name):
    """Publishes to ``<service>.events`` as nameko's EventDispatcher does, declaring the
    exchange so the first event reaches a fresh broker."""
    exchange = get_event_exchange(service_name, config)
    serializer, _ = serialization.setup(config)
    return Publisher(config["AMQP_URI"], serializer=serializer, exchange=exchange,
                     declare=[exchange], ssl=config.get(AMQP_SSL_CONFIG_KEY),
                     login_method=config.get(LOGIN_METHOD_CONFIG_KEY))


__all__ = ["Database", "UnitOfWork", "make_engine", "IntegrityError"]
