"""Countdown thresholds: reminder, warning, overdue (repeated), opening dates, lights."""
from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.deadline.thresholds import Countdown, Settings, crossed, light, next_check, schedule, worst

S = Settings(reminder_idle_days=10, warning_days_before_due=5, overdue_repeat_days=1)
OPEN = Countdown(state="open", due_date=date(2021, 2, 18), last_activity_on=date(2021, 1, 15))


def test_an_open_item_has_three_thresholds():
    assert dict(schedule(OPEN, S)) == {"reminder": date(2021, 1, 25), "warning": date(2021, 2, 13),
                                       "overdue": date(2021, 2, 19)}
    assert next_check(OPEN, S) == date(2021, 1, 25)


def test_each_threshold_is_crossed_on_its_day_and_not_before():
    assert crossed(OPEN, S, date(2021, 1, 24)) == []
    assert crossed(OPEN, S, date(2021, 1, 25)) == ["reminder"]
    reminded = replace(OPEN, reminded_on=date(2021, 1, 25))
    assert crossed(reminded, S, date(2021, 2, 12)) == []
    assert crossed(reminded, S, date(2021, 2, 13)) == ["warning"]


def test_a_reminder_comes_again_only_after_new_activity_goes_idle():
    reminded = replace(OPEN, reminded_on=date(2021, 1, 25), warned=True)
    assert "reminder" not in dict(schedule(reminded, S))
    active_again = replace(reminded, last_activity_on=date(2021, 2, 1))
    assert dict(schedule(active_again, S))["reminder"] == date(2021, 2, 11)


def test_overdue_repeats_daily_and_a_skipped_warning_is_not_raised_late():
    late_start = replace(OPEN, reminded_on=date(2021, 1, 25))
    assert crossed(late_start, S, date(2021, 2, 20)) == ["overdue"]      # warning moot once overdue
    overdue = replace(late_start, overdue_on=date(2021, 2, 19))
    assert dict(schedule(overdue, S)) == {"overdue": date(2021, 2, 20)}   # no late warning either
    weekly = Settings(10, 5, 7)
    assert dict(schedule(overdue, weekly))["overdue"] == date(2021, 2, 26)


def test_submitted_and_approved_items_have_no_countdown():
    for state in ("submitted", "approved"):
        done = replace(OPEN, state=state)
        assert schedule(done, S) == [] and next_check(done, S) is None
        assert light(done, S, date(2030, 1, 1)) == "green"


def test_a_time_gated_item_reaches_its_opening_date_once():
    gated = Countdown(state="locked", due_date=date(2023, 3, 1), last_activity_on=date(2021, 3, 1),
                      opens_on=date(2021, 6, 1))
    assert crossed(gated, S, date(2021, 5, 31)) == []
    assert crossed(gated, S, date(2021, 6, 1)) == ["due_date_reached"]
    assert schedule(replace(gated, gate_reached=True), S) == []
    assert light(gated, S, date(2021, 6, 1)) is None


def test_lights_and_the_worst_of_them():
    assert light(OPEN, S, date(2021, 2, 12)) == "green"
    assert light(OPEN, S, date(2021, 2, 13)) == "yellow"
    assert light(OPEN, S, date(2021, 2, 18)) == "yellow"
    assert light(OPEN, S, date(2021, 2, 19)) == "red"
    assert worst(["green", None, "yellow"]) == "yellow" and worst(["green", "red"]) == "red"
    assert worst([]) is None


def test_the_thresholds_come_from_the_rule_book():
    import yaml
    with open("services/case/rulebook.yaml", encoding="utf-8") as handle:
        settings = Settings.from_rulebook(yaml.safe_load(handle)["settings"])
    assert settings == S
    assert next_check(replace(OPEN, due_date=OPEN.due_date + timedelta(days=1)), settings) == date(2021, 1, 25)


@pytest.mark.parametrize("key, value", [
    ("overdue_repeat_days", 0), ("overdue_repeat_days", -1), ("reminder_idle_days", 0),
    ("warning_days_before_due", -2), ("overdue_repeat_days", "1"), ("reminder_idle_days", 2.5),
    ("reminder_idle_days", True), ("overdue_repeat_days", None)])
def test_settings_that_could_not_work_are_refused_naming_the_setting(key, value):
    settings = {"reminder_idle_days": 10, "warning_days_before_due": 5, "overdue_repeat_days": 1}
    settings[key] = value
    with pytest.raises(ValueError, match=f"settings.{key}"):
        Settings.from_rulebook(settings)
