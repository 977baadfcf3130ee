"""Prometheus metrics, created once at module level (the registry is process-global).

``Metrics()`` as a dependency times every entrypoint of the service it is declared on;
each process exposes its own ``/metrics`` on the port ``METRICS_PORTS[<service>]`` if set.
"""
import logging
import time
from weakref import WeakKeyDictionary

from nameko.extensions import DependencyProvider
from prometheus_client import Counter, Histogram, start_http_server

log = logging.getLogger(__name__)

ENTRYPOINT_SECONDS = Histogram(
    "platform_entrypoint_seconds", "Time spent in a service entrypoint",
    ["service", "entrypoint"],
    buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5))
ENTRYPOINT_ERRORS = Counter(
    "platform_entrypoint_errors_total", "Entrypoint calls that raised, by error type",
    ["service", "entrypoint", "error"])

_exporting = set()


class Metrics(DependencyProvider):
    def setup(self):
        self._started = WeakKeyDictionary()
        port = (self.container.config.get("METRICS_PORTS") or {}).get(self.container.service_name)
        if port and port not in _exporting:
            _exporting.add(port)
            start_http_server(int(port), addr=self.container.config.get("METRICS_ADDR", "127.0.0.1"))

    def get_dependency(self, worker_ctx):
        return None

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self._started.pop(worker_ctx, None)
        labels = (self.container.service_name, worker_ctx.entrypoint.method_name)
        if started is not None:
            ENTRYPOINT_SECONDS.labels(*labels).observe(time.perf_counter() - started)
        if exc_info is not None:
            ENTRYPOINT_ERRORS.labels(*labels, exc_info[0].__name__).inc()
