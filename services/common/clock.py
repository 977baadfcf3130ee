"""The one source of time.  Code asks the ``Clock`` dependency, never ``datetime.now()``.

"Today" is a calendar date in the platform's time zone, ``CLOCK_TZ`` (default
``Asia/Shanghai``), never the container's: a service in a UTC container would otherwise
be a day behind from 00:00 to 08:00 Beijing time (due dates, "not in the future", lights).
``CLOCK_TODAY`` (``YYYY-MM-DD``) pins the date, for demos and tests that simulate a given
day; tests can also replace the dependency with a ``FixedClock``.
"""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nameko.extensions import DependencyProvider

from .calendar import load_holidays

DEFAULT_TZ = "Asia/Shanghai"


def utcnow():
    """Wall-clock instant for bookkeeping columns (created_at, published_at)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def platform_zone(name=None):
    """The zone named by ``CLOCK_TZ``; an unknown name stops the service at start-up."""
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"CLOCK_TZ {name!r} is not a known time zone") from exc


class SystemClock:
    def __init__(self, zone=None, now=None):
        self.zone = zone or platform_zone()
        self._now = now or (lambda: datetime.now(timezone.utc))   # injectable for tests

    def now(self):
        return self._now().astimezone(timezone.utc).replace(tzinfo=None)

    def today(self):
        return self._now().astimezone(self.zone).date()


class FixedClock:
    def __init__(self, today):
        self._today = date.fromisoformat(today) if isinstance(today, str) else today

    def now(self):
        return datetime.combine(self._today, datetime.min.time())

    def today(self):
        return self._today

    def set(self, today):
        self._today = date.fromisoformat(today) if isinstance(today, str) else today


def clock_from(config):
    """The clock a service runs on, from ``CLOCK_TODAY`` and ``CLOCK_TZ``."""
    pinned = config.get("CLOCK_TODAY")
    if pinned:
        return FixedClock(str(pinned))
    return SystemClock(platform_zone(config.get("CLOCK_TZ") or None))


class Clock(DependencyProvider):
    def setup(self):
        self.clock = clock_from(self.container.config)
        # Working days are part of "when": a district's holidays file is read (and checked)
        # when the service starts, so a bad entry stops it naming the entry.
        load_holidays(self.container.config.get("HOLIDAYS_PATH") or None)

    def get_dependency(self, worker_ctx):
        return self.clock
