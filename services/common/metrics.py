"""Prometheus metrics, created once at module level (the registry is process-global).

``Metrics()`` as a dependency times every entrypoint of the service it is declared on, binds
each worker's correlation id to its green thread (``services.common.logs``) and writes one
log line per RPC worker; each process exposes its own ``/metrics`` on the port
``METRICS_PORTS[<service>]`` if set (the gateway serves the same registry at
``/api/v1/metrics``).  A process whose port is set also runs the *probes* every
``METRICS_PROBE_SECONDS``: what only the database can tell (outbox rows waiting, parked
events, items by light, deliveries waiting, notices unanswered), set as gauges.  Probes are
registered where the tables are known (``@probe("deadline")`` in services/deadline/sweep.py,
``@probe()`` for every service in services/common/db.py and inbox.py).

Labels are kept small and bounded: a service, an entrypoint or handler name, an outcome, a
light, a state; never an id.  Gauges read from a service's database are the same in every
instance of that service: aggregate them with ``max``, not ``sum`` (deploy/prometheus/rules.yml).
"""
import logging
import time
from weakref import WeakKeyDictionary

import eventlet
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from prometheus_client import REGISTRY, Counter, Gauge, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily

from . import logs

log = logging.getLogger(__name__)

FAST = (.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5)
SLOW = (.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 1800)

# -- every service: entrypoints -----------------------------------------------------------------
ENTRYPOINT_SECONDS = Histogram(
    "platform_entrypoint_seconds", "Time spent in a service entrypoint",
    ["service", "entrypoint"], buckets=FAST)
ENTRYPOINT_ERRORS = Counter(
    "platform_entrypoint_errors_total", "Entrypoint calls that raised, by error type",
    ["service", "entrypoint", "error"])
ENTRYPOINT_FAULTS = Counter(
    "platform_entrypoint_faults_total",
    "Entrypoint calls that raised anything but a refusal (a platform error below 500): the error rate",
    ["service", "entrypoint"])

# -- every service with a database: the outbox, the inbox, the pool ------------------------------
OUTBOX_PENDING = Gauge("platform_outbox_pending", "Outbox rows not yet published", ["service"])
OUTBOX_OLDEST = Gauge("platform_outbox_oldest_seconds",
                      "Age of the oldest unpublished outbox row (0 when none waits)", ["service"])
OUTBOX_PUBLISHED = Counter("platform_outbox_published_total", "Events published from the outbox",
                           ["service"])
EVENTS = Counter("platform_events_total",
                 "Events a handler was given, by outcome: applied, duplicate (seen before), "
                 "deferred (arrived before what it depends on) or failed",
                 ["service", "handler", "outcome"])
EVENT_RETRIES = Counter("platform_event_retries_total", "Parked events tried again", ["service", "handler"])
EVENT_DEAD_LETTERS = Counter("platform_event_dead_letters_total", "Events dead-lettered after the last retry",
                             ["service", "handler"])
FAILED_EVENTS = Gauge("platform_failed_events", "Parked events (failed_event rows) by state",
                      ["service", "state"])
EVENT_LAG = Histogram("platform_event_lag_seconds", "From an event's creation to a handler applying it",
                      ["service", "handler"], buckets=SLOW)
EVENT_OUTCOMES = ("applied", "duplicate", "deferred", "failed")
FAILED_STATES = ("retrying", "dead")

# -- RPC as the caller sees it (the gateway, review) ----------------------------------------------
RPC_CLIENT_SECONDS = Histogram(
    "platform_rpc_client_seconds",
    "RPC calls as the caller timed them, by outcome: ok, refused (a platform error below 500), "
    "error, timeout, unavailable (no queue, broker gone)",
    ["service", "method", "outcome"], buckets=FAST + (10, 30))

# -- the gateway ---------------------------------------------------------------------------------
# Metrics of one service are exported only by a process running it (``OWNED``, registered by
# ``Metrics.setup``): an unlabelled gauge would otherwise read 0 in every other process.
HTTP_REQUESTS = Counter("gateway_http_requests_total", "HTTP requests by route and status",
                        ["route", "status"], registry=None)
HTTP_SECONDS = Histogram("gateway_http_request_seconds", "HTTP request time by route", ["route"],
                         buckets=FAST + (10, 30), registry=None)
LOGIN_FAILURES = Counter("gateway_login_failures_total", "Failed logins (and wrong old passwords)",
                         registry=None)
LOGIN_THROTTLED = Counter("gateway_login_throttled_total", "Logins answered 429 (throttled)", registry=None)

# -- deadline ------------------------------------------------------------------------------------
SWEEP_LAST_RUN = Gauge("deadline_sweep_last_run_timestamp_seconds", "When the last sweep finished (Unix time)",
                       registry=None)
SWEEP_INTERVAL = Gauge("deadline_sweep_interval_seconds", "How often the sweep timer runs", registry=None)
SWEEP_SECONDS = Histogram("deadline_sweep_duration_seconds", "Time one sweep took", buckets=SLOW, registry=None)
SWEEP_CROSSINGS = Counter("deadline_sweep_crossings_total", "Thresholds crossed by the sweep", ["level"],
                          registry=None)
SWEEP_LEVELS = ("reminder", "warning", "overdue", "due_date_reached")
ITEMS = Gauge("deadline_items", "Items in play (open, rejected, submitted) by light and by what they "
              "belong to (kind: decision, reform)", ["light", "kind"], registry=None)
LIGHTS, ITEM_KINDS = ("green", "yellow", "red"), ("decision", "reform")

# -- library -------------------------------------------------------------------------------------
LIBRARY_SEARCH_SECONDS = Histogram("library_search_seconds", "Library searches by outcome (ok, refused, error)",
                                   ["outcome"], buckets=FAST, registry=None)
SEARCH_OUTCOMES = ("ok", "refused", "error")

# -- notify --------------------------------------------------------------------------------------
NOTICES_UNANSWERED = Gauge("notify_notices_unanswered_overdue",
                           "Notices asking a reply (回执) still unanswered past their reply deadline, "
                           "by addressed partner role", ["role"], registry=None)
DELIVERIES = Gauge("notify_deliveries", "Deliveries (webhook, email) waiting or parked dead", ["state"],
                   registry=None)
SUBSCRIBERS = Gauge("notify_subscribers",
                    "Subscribers by state: healthy, failing (a delivery in backoff), dead (deliveries "
                    "parked dead), inactive", ["state"], registry=None)
DELIVERY_STATES = ("pending", "dead")
SUBSCRIBER_STATES = ("healthy", "failing", "dead", "inactive")
PARTNER_ROLES = ("organization", "hr", "finance", "united_front")

OWNED = {
    "gateway": (HTTP_REQUESTS, HTTP_SECONDS, LOGIN_FAILURES, LOGIN_THROTTLED),
    "deadline": (SWEEP_LAST_RUN, SWEEP_INTERVAL, SWEEP_SECONDS, SWEEP_CROSSINGS, ITEMS),
    "library": (LIBRARY_SEARCH_SECONDS,),
    "notify": (NOTICES_UNANSWERED, DELIVERIES, SUBSCRIBERS),
}
_registered = set()


def export_owned(service):
    """Register the metrics only ``service`` has with the process's registry (once)."""
    for metric in OWNED.get(service, ()):
        if id(metric) not in _registered:
            REGISTRY.register(metric)
            _registered.add(id(metric))


# -- the database pool: read when scraped ----------------------------------------------------------
_pools = {}


def watch_pool(key, service, engine):
    _pools[key] = (service, engine)


def unwatch_pool(key):
    _pools.pop(key, None)


class _PoolCollector:
    def collect(self):
        in_use = GaugeMetricFamily("platform_db_pool_connections",
                                   "Database connections of the service's pool, by state (in_use, idle)",
                                   labels=["service", "state"])
        capacity = GaugeMetricFamily("platform_db_pool_capacity",
                                     "Connections the pool may open (size + overflow)", labels=["service"])
        totals = {}
        for service, engine in list(_pools.values()):
            pool = engine.pool
            try:
                used, idle = pool.checkedout(), pool.checkedin()
                most = pool.size() + getattr(pool, "_max_overflow", 0)
            except (AttributeError, TypeError):    # a pool without counts (NullPool, StaticPool)
                continue
            t = totals.setdefault(service, [0, 0, 0])
            t[0], t[1], t[2] = t[0] + used, t[1] + idle, t[2] + most
        for service, (used, idle, most) in sorted(totals.items()):
            in_use.add_metric([service, "in_use"], used)
            in_use.add_metric([service, "idle"], idle)
            capacity.add_metric([service], most)
        yield in_use
        yield capacity

    def describe(self):
        return []


REGISTRY.register(_PoolCollector())


# -- probes: gauges read from the database every METRICS_PROBE_SECONDS ---------------------------------
_probes = {}
PROBE_SECONDS = 15.0


def probe(service="*"):
    """``@probe("deadline")``: ``fn(container)`` sets gauges for that service (``"*"``: every one)."""
    def register(fn):
        _probes.setdefault(service, []).append(fn)
        return fn
    return register


def provider(container, attr_name):
    """A dependency of ``container`` by its attribute name (``db``, ``clock``, ``settings``), or None."""
    return next((d for d in container.dependencies if getattr(d, "attr_name", None) == attr_name), None)


def run_probes(container):
    for fn in _probes.get("*", []) + _probes.get(container.service_name, []):
        try:
            fn(container)
        except Exception:      # a database away for a moment: the gauges keep their last values
            log.warning("metrics probe %s failed", fn.__qualname__, exc_info=True)


def is_fault(exc):
    """Anything but a refusal: a platform error of status 500 or more, or any other exception."""
    status = getattr(exc, "status", None)
    return not (isinstance(status, int) and status < 500 and hasattr(exc, "code"))


_exporting = set()
_services = set()
QUIET_RPC = frozenset({"health"})   # the gateway's readiness probe, every few seconds: logged at DEBUG


class Metrics(DependencyProvider):
    def setup(self):
        self._started = WeakKeyDictionary()
        config = self.container.config
        service = self.container.service_name
        _services.add(service)
        # A process of one service (``nameko run``) names it on every line; several in one
        # process (tests) name it per worker only.
        logs.set_process(service=service if len(_services) == 1 else None)
        port = (config.get("METRICS_PORTS") or {}).get(service)
        self.probing = bool(port and int(port))
        self.probe_seconds = float(config.get("METRICS_PROBE_SECONDS") or PROBE_SECONDS)
        if self.probing and port not in _exporting:
            try:
                start_http_server(int(port), addr=config.get("METRICS_ADDR", "127.0.0.1"))
                _exporting.add(port)
            except OSError as exc:   # a second instance on one host: serve, without its own port
                log.error("metrics port %s: %s; this process exports no metrics", port, exc)
        self._initialise()

    def _initialise(self):
        """Zero the series whose labels are known now, so a rate over them exists from the start."""
        service = self.container.service_name
        export_owned(service)
        if service == "deadline":
            for level in SWEEP_LEVELS:
                SWEEP_CROSSINGS.labels(level)
        elif service == "library":
            for outcome in SEARCH_OUTCOMES:
                LIBRARY_SEARCH_SECONDS.labels(outcome)
        for entrypoint in self.container.entrypoints:
            if type(entrypoint).__name__ == "EventHandler":
                for outcome in EVENT_OUTCOMES:
                    EVENTS.labels(service, entrypoint.method_name, outcome)
                EVENT_RETRIES.labels(service, entrypoint.method_name)
                EVENT_DEAD_LETTERS.labels(service, entrypoint.method_name)
            ENTRYPOINT_FAULTS.labels(service, entrypoint.method_name)

    def start(self):
        if self.probing:
            self.container.spawn_managed_thread(self._probe_loop, identifier="metrics probes")

    def _probe_loop(self):
        eventlet.sleep(min(1.0, self.probe_seconds))
        while True:
            run_probes(self.container)
            eventlet.sleep(self.probe_seconds)

    def get_dependency(self, worker_ctx):
        return None

    def worker_setup(self, worker_ctx):
        # The correlation id this worker serves: the caller's (gateway, RPC, event header) or a
        # new one; written back to the context data so every call and event it makes carries it.
        cid = worker_ctx.data.get(logs.KEY) or logs.new_id()
        worker_ctx.data[logs.KEY] = cid
        logs.bind(service=self.container.service_name, correlation_id=cid)
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self._started.pop(worker_ctx, None)
        labels = (self.container.service_name, worker_ctx.entrypoint.method_name)
        elapsed = time.perf_counter() - started if started is not None else None
        if elapsed is not None:
            ENTRYPOINT_SECONDS.labels(*labels).observe(elapsed)
        if exc_info is not None:
            ENTRYPOINT_ERRORS.labels(*labels, exc_info[0].__name__).inc()
            if is_fault(exc_info[1]):
                ENTRYPOINT_FAULTS.labels(*labels).inc()
        if isinstance(worker_ctx.entrypoint, Rpc):
            outcome = "ok" if exc_info is None else ("error" if is_fault(exc_info[1]) else "refused")
            logs.line(log, "rpc %s.%s %s %.1f ms", labels[0], labels[1], outcome, (elapsed or 0) * 1000,
                      level=(logging.WARNING if outcome == "error" else
                             logging.DEBUG if labels[1] in QUIET_RPC else logging.INFO),
                      kind="rpc", method=labels[1], outcome=outcome,
                      duration_ms=round((elapsed or 0) * 1000, 1),
                      **({"error": exc_info[0].__name__} if exc_info is not None else {}))

    def worker_teardown(self, worker_ctx):
        logs.clear()


# -- helpers for instrumented code --------------------------------------------------------------
def observe_rpc(service, method, outcome, seconds):
    RPC_CLIENT_SECONDS.labels(service, method, outcome).observe(seconds)


def observe_http(route, status, seconds):
    HTTP_REQUESTS.labels(route, str(status)).inc()
    HTTP_SECONDS.labels(route).observe(seconds)


_set_before = {}


def set_gauges(gauge, values, known, default=0):
    """Set ``gauge`` for every label in ``known`` (``default`` where ``values`` has none) and any
    other label ``values`` has; one set before and missing now reads ``default``, not its last value."""
    before = _set_before.setdefault(id(gauge), set())
    keys = list(dict.fromkeys([*known, *values, *before]))
    for key in keys:
        gauge.labels(*(key if isinstance(key, tuple) else (key,))).set(values.get(key, default))
    before.update(keys)
