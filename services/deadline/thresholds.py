"""Countdown thresholds (倒计时): when an item is reminded, warned, overdue, and its light.
Plain Python; the sweep and the forecast both use :func:`schedule`, so they agree.

- reminder (提醒): an open item with no action for ``reminder_idle_days``;
- warning (预警, yellow): ``warning_days_before_due`` days or fewer before the due date;
- overdue (超期, red): past the due date, raised again every ``overdue_repeat_days``;
- a time-gated item's opening date (RATING, EDU_VISIT, RESTORE): ``due_date_reached``.
"""
from dataclasses import dataclass
from datetime import date, timedelta

ACTIVE = ("open", "rejected")   # states in which the unit must act


@dataclass(frozen=True)
class Settings:
    reminder_idle_days: int
    warning_days_before_due: int
    overdue_repeat_days: int

    @classmethod
    def from_rulebook(cls, settings):
        """The rule book's values, refused at start-up when they could not work: an overdue
        repeated every 0 days would be raised again and again within one sweep."""
        minimum = {"reminder_idle_days": 1, "warning_days_before_due": 0, "overdue_repeat_days": 1}
        values = {}
        for key, least in minimum.items():
            value = settings.get(key)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ValueError(f"rule book settings.{key}: a whole number of days ≥ {least} "
                                 f"is required, not {value!r}")
            values[key] = value
        return cls(**values)


@dataclass(frozen=True)
class Countdown:
    """What the thresholds look at (a row of the deadline table, or a test's value)."""
    state: str
    due_date: date                 # the countdown's target (the rectify-by date after a rejection)
    last_activity_on: date
    opens_on: date | None = None
    reminded_on: date | None = None     # last reminder raised (for this idle stretch)
    warned: bool = False
    overdue_on: date | None = None      # last overdue alert raised
    gate_reached: bool = False


def schedule(c: Countdown, s: Settings):
    """Each pending threshold and the date it is crossed: [(level, on), ...]."""
    upcoming = []
    if c.state == "locked" and c.opens_on and not c.gate_reached:
        upcoming.append(("due_date_reached", c.opens_on))
    if c.state not in ACTIVE:
        return upcoming
    if c.reminded_on is None or c.reminded_on < c.last_activity_on:
        upcoming.append(("reminder", c.last_activity_on + timedelta(days=s.reminder_idle_days)))
    if not c.warned and c.overdue_on is None:   # once overdue, a warning is moot
        upcoming.append(("warning", c.due_date - timedelta(days=s.warning_days_before_due)))
    overdue_from = c.due_date + timedelta(days=1)
    if c.overdue_on is None:
        upcoming.append(("overdue", overdue_from))
    else:
        upcoming.append(("overdue", c.overdue_on + timedelta(days=s.overdue_repeat_days)))
    return upcoming


def crossed(c: Countdown, s: Settings, today: date):
    """Thresholds crossed by ``today`` (each once); a warning is moot once overdue."""
    levels = [level for level, on in schedule(c, s) if on <= today]
    if "overdue" in levels and "warning" in levels:
        levels.remove("warning")
    return levels


def next_check(c: Countdown, s: Settings):
    """The earliest date a threshold is crossed, or None: the sweep's indexed column."""
    dates = [on for _, on in schedule(c, s)]
    return min(dates) if dates else None


def light(c: Countdown, s: Settings, today: date):
    """绿灯 / 黄灯 / 红灯 for an item the unit still has to act on; None otherwise."""
    if c.state not in ACTIVE:
        return "green" if c.state in ("submitted", "approved") else None
    if today > c.due_date:
        return "red"
    if (c.due_date - today).days <= s.warning_days_before_due:
        return "yellow"
    return "green"


LIGHT_ORDER = {None: 0, "green": 1, "yellow": 2, "red": 3}


def worst(lights):
    """A decision's or a unit's light: its worst item's."""
    return max(lights, key=LIGHT_ORDER.get, default=None)
