"""Working-day calendar (工作日历) and calendar-month arithmetic.  Plain Python, no nameko.

"1 month" is a calendar month: 2021-01-31 + 1 month = 2021-02-28 (clamped to the month
end), never 30 days.  Working days follow China's official calendar, holidays and
make-up workdays (调休) included, from the ``chinese_calendar`` package; for a year it
does not know yet we fall back to Monday–Friday and log that once per year.
"""
import calendar as _stdlib_calendar
import logging
from datetime import date, timedelta

import chinese_calendar

log = logging.getLogger(__name__)
_warned_years = set()


def add_months(day: date, months: int) -> date:
    """Calendar-month arithmetic, clamped to the last day of the target month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = _stdlib_calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("no official holiday data for %s; counting Monday-Friday as working days",
                        day.year)
        return day.weekday() < 5


def next_workday(day: date) -> date:
    """The day itself if it is a working day, else the first working day after it."""
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def add_workdays(day: date, count: int) -> date:
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if is_workday(day):
            remaining -= 1
    return day


def shift(anchor: date, months=0, days=0, workdays=0, roll_to_workday=False) -> date:
    """``anchor`` moved by months, then days, then working days; optionally rolled forward
    to a working day (a deadline falling on a holiday moves to the next working day)."""
    day = add_months(anchor, months) + timedelta(days=days)
    if workdays:
        day = add_workdays(day, workdays)
    return next_workday(day) if roll_to_workday else day


def workdays_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -workdays_between(end, start)
    return sum(1 for n in range(1, (end - start).days + 1) if is_workday(start + timedelta(days=n)))
