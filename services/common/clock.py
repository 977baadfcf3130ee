"""The one source of time.  Code asks the ``Clock`` dependency, never ``datetime.now()``.

``CLOCK_TODAY`` in config (``YYYY-MM-DD``) pins the date, for demos and tests that
simulate a given day; tests can also replace the dependency with a ``FixedClock``.
"""
from datetime import date, datetime, timezone

from nameko.extensions import DependencyProvider


def utcnow():
    """Wall-clock instant for bookkeeping columns (created_at, published_at)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class SystemClock:
    def now(self):
        return utcnow()

    def today(self):
        # Deadlines are calendar dates in China; the service runs in Asia/Shanghai.
        return datetime.now().date()


class FixedClock:
    def __init__(self, today):
        self._today = date.fromisoformat(today) if isinstance(today, str) else today

    def now(self):
        return datetime.combine(self._today, datetime.min.time())

    def today(self):
        return self._today

    def set(self, today):
        self._today = date.fromisoformat(today) if isinstance(today, str) else today


class Clock(DependencyProvider):
    def setup(self):
        pinned = self.container.config.get("CLOCK_TODAY")
        self.clock = FixedClock(pinned) if pinned else SystemClock()

    def get_dependency(self, worker_ctx):
        return self.clock
