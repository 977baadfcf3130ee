"""The deadline service against a controllable clock: months of simulated time, across the
2021 Spring Festival (11–17 February) and its 调休 Saturday (20 February)."""
from datetime import date, timedelta

import pytest
from nameko.testing.services import entrypoint_hook
from nameko.testing.utils import get_extension
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from services.case.service import CaseService
from services.common.clock import Clock, FixedClock
from services.deadline.service import DeadlineService
from services.review.service import ReviewService
from tests.helpers import decision_payload, eventually

REVIEWER = {"user_id": 1, "role": "reviewer", "unit_id": 1}
OPERATOR = {"user_id": 2, "role": "operator", "unit_id": 2}
OTHER = {"user_id": 3, "role": "operator", "unit_id": 3}
SYSTEM = {"role": "system"}
SERVE = {"served_on": "2021-02-22", "recipients": ["张三1", "东河区民政局"], "receipt_signed": True, "unit_seal": True}


@pytest.fixture
def world(platform_config, container_factory):
    clock = FixedClock("2021-01-15")
    containers = {}
    for cls in (CaseService, ReviewService, DeadlineService):
        containers[cls.name] = container_factory(cls, platform_config)
        containers[cls.name].start()
        get_extension(containers[cls.name], Clock).clock = clock
    containers["clock"] = clock
    return containers


def call(container, method, *args):
    with entrypoint_hook(container, method) as hook:
        return hook(*args)


def alerts(config, item_id):
    engine = create_engine(config["DEADLINE_DB_URL"], poolclass=NullPool)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT raised_on, level FROM alert WHERE item_id = :i ORDER BY id"),
                            {"i": item_id}).all()
    engine.dispose()
    return [(str(d)[:10], level) for d, level in rows]


def wait_state(world, item_id, state):
    eventually(lambda: call(world["deadline"], "lights_for", REVIEWER, [item_id]),
               lambda lights: lights.get(item_id, {}).get("state") == state)


def run_days(world, first, last):
    day = first
    while day <= last:
        world["clock"].set(day)
        call(world["deadline"], "sweep", SYSTEM)
        day += timedelta(days=1)


def test_each_alert_fires_once_on_its_day_through_months(world, platform_config):
    case, review, deadline = world["case"], world["review"], world["deadline"]
    decision = call(case, "register_decision", REVIEWER, decision_payload(
        decision_date="2021-01-15", sanctions=[{"kind": "government", "type": "记过"}],
        illicit_gains=None, org_handling=[], letters=[]))
    serve = decision["items"][0]
    # One month from 15 January is 15 February, inside the Spring Festival: the next working day.
    assert serve["due_date"] == "2021-02-18"
    wait_state(world, serve["id"], "open")

    run_days(world, date(2021, 1, 15), date(2021, 2, 21))
    assert alerts(platform_config, serve["id"]) == [
        ("2021-01-25", "reminder"),        # ten days without action
        ("2021-02-13", "warning"),         # five days before the due date
        ("2021-02-19", "overdue"), ("2021-02-20", "overdue"), ("2021-02-21", "overdue")]
    lights = call(deadline, "lights_for", REVIEWER, [serve["id"]])
    assert lights[serve["id"]]["light"] == "red"
    assert [a["item_id"] for a in call(deadline, "alerts", REVIEWER, "overdue")["items"]] == [serve["id"]]

    # Submitted on the 22nd: the alerts clear and stop.
    world["clock"].set(date(2021, 2, 22))
    report = call(review, "submit_report", OPERATOR, serve["id"], {"performed_on": "2021-02-22", "evidence": SERVE})
    wait_state(world, serve["id"], "submitted")
    run_days(world, date(2021, 2, 22), date(2021, 2, 22))
    assert alerts(platform_config, serve["id"])[-1] == ("2021-02-22", "cleared")

    # Rejected on the 23rd with a rectify-by date: the countdown restarts towards 1 March.
    world["clock"].set(date(2021, 2, 23))
    call(review, "reject_report", REVIEWER, report["id"],
         {"problem": "材料不全", "requirement": "补充回执", "rectify_by": "2021-03-01"})
    wait_state(world, serve["id"], "rejected")
    eventually(lambda: call(deadline, "lights_for", REVIEWER, [serve["id"]])[serve["id"]]["due_date"],
               lambda due: due == "2021-03-01")
    run_days(world, date(2021, 2, 23), date(2021, 3, 3))
    assert alerts(platform_config, serve["id"])[6:] == [
        ("2021-02-24", "warning"), ("2021-03-02", "overdue"), ("2021-03-03", "overdue")]


def test_time_gated_items_are_announced_on_their_opening_day(world, platform_config):
    case, deadline = world["case"], world["deadline"]
    decision = call(case, "register_decision", REVIEWER, decision_payload(
        decision_date="2021-01-15", sanctions=[{"kind": "party", "type": "警告"}],
        illicit_gains=None, org_handling=[], letters=[]))
    visit = next(i for i in decision["items"] if i["code"] == "EDU_VISIT")
    assert visit["opens_on"] == "2021-04-15"
    wait_state(world, visit["id"], "locked")
    run_days(world, date(2021, 4, 14), date(2021, 4, 14))
    assert call(case, "get_item", REVIEWER, visit["id"])["state"] == "locked"
    world["clock"].set(date(2021, 4, 15))
    assert call(deadline, "sweep", SYSTEM)["handled"] >= 1
    # The case service hears deadline_due_date_reached; its predecessors are not approved,
    # so the item stays locked, and the sweep does not announce it twice.
    assert call(deadline, "sweep", SYSTEM)["handled"] == 0


def test_forecast_agrees_with_the_later_sweep(world, platform_config):
    case, deadline = world["case"], world["deadline"]
    serve = call(case, "register_decision", REVIEWER, decision_payload(
        decision_date="2021-01-15", sanctions=[{"kind": "government", "type": "警告"}],
        illicit_gains=None, org_handling=[], letters=[]))["items"][0]
    wait_state(world, serve["id"], "open")
    forecast = call(deadline, "forecast", REVIEWER, "2021-02-19")
    # Each item once, at its worst level by then, its days counted from the forecast date.
    predicted = {level: [r["item_id"] for r in forecast[level]] for level in ("reminder", "warning", "overdue")}
    assert predicted == {"reminder": [], "warning": [], "overdue": [serve["id"]]}
    row = forecast["overdue"][0]
    assert (row["due_date"], row["days_left"], row["light"]) == ("2021-02-18", -1, "red")
    early = call(deadline, "forecast", REVIEWER, "2021-02-14")
    assert [r["item_id"] for r in early["warning"]] == [serve["id"]] and early["reminder"] == early["overdue"] == []
    assert (early["warning"][0]["days_left"], early["warning"][0]["light"]) == (4, "yellow")
    run_days(world, date(2021, 1, 15), date(2021, 2, 19))
    assert sorted({level for _, level in alerts(platform_config, serve["id"])}) == ["overdue", "reminder", "warning"]


def test_the_alerts_agree_with_the_lights_before_the_sweep_has_run(world):
    """An item past its due date is red and counted 超期 at once, not only after the next sweep."""
    case, deadline = world["case"], world["deadline"]
    world["clock"].set(date(2021, 3, 1))
    serve = call(case, "register_decision", REVIEWER, decision_payload(
        decision_date="2021-01-04", sanctions=[{"kind": "government", "type": "警告"}],
        illicit_gains=None, org_handling=[], letters=[]))["items"][0]
    wait_state(world, serve["id"], "open")
    assert call(deadline, "lights_for", REVIEWER, [serve["id"]])[serve["id"]]["light"] == "red"
    overdue = call(deadline, "alerts", REVIEWER, "overdue")["items"]
    assert [(a["item_id"], a["level"], a["light"]) for a in overdue] == [(serve["id"], "overdue", "red")]
    assert [a["item_id"] for a in call(deadline, "alerts", REVIEWER, None)["items"]] == [serve["id"]]
    assert call(deadline, "alerts", REVIEWER, "warning")["items"] == []


def test_bad_forecasts_and_foreign_decisions(world):
    from services.common.errors import NotFound, ValidationFailed
    case, deadline = world["case"], world["deadline"]
    decision = call(case, "register_decision", REVIEWER, decision_payload(decision_date="2021-01-15"))
    wait_state(world, decision["items"][0]["id"], "open")
    with pytest.raises(ValidationFailed) as err:
        call(deadline, "forecast", REVIEWER, "not-a-date")
    assert "as_of" in err.value.fields
    with pytest.raises(ValidationFailed):
        call(deadline, "forecast", REVIEWER, "2035-01-01")          # over ten years ahead
    with pytest.raises(NotFound):
        call(deadline, "forecast", OTHER, "2021-02-01", decision["id"])


def test_an_event_for_an_unknown_item_is_dropped_without_harm(world):
    deadline = world["deadline"]
    call(deadline, "on_item_state_changed", {"event_id": "x-1", "item_id": 424242, "state": "open"})
    call(deadline, "on_due_date_changed", {"event_id": "x-2", "item_id": None, "due_date": "bad"})
    assert call(deadline, "health")["ok"] is True
