"""Events in any order, never dropped: the deadline service's inbox (services/common/inbox.py).

Each event type has its own queue, so an item's state change can arrive before its
decision; a handler can fail.  Either way the event is parked in ``failed_event``, retried
with backoff, and after the last attempt left as a dead letter the admin lists and replays."""
import uuid

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from services.case.service import CaseService
from services.common.errors import Forbidden, NotFound
from services.deadline.service import DeadlineService
from tests.helpers import eventually

SYSTEM = {"role": "system"}
OPERATOR = {"user_id": 2, "role": "operator", "unit_id": 2}


@pytest.fixture
def deadline(platform_config, container_factory):
    platform_config.update({"EVENT_RETRY_ATTEMPTS": 3, "EVENT_RETRY_BASE_SECONDS": 0.05})
    for cls in (CaseService, DeadlineService):          # deadline asks case for the rule book
        container = container_factory(cls, platform_config)
        container.start()
    return container


def call(container, method, *args):
    with entrypoint_hook(container, method) as hook:
        return hook(*args)


def event(**payload):
    return dict(payload, event_id=str(uuid.uuid4()))


def registered(item_id, state="open", version=1):
    return event(event_type="decision_registered", decision_id=item_id, unit_id=2, items=[{
        "item_id": item_id, "decision_id": item_id, "unit_id": 2, "code": "SERVE", "name": "送达",
        "state": state, "version": version, "due_date": "2021-03-20", "opens_on": None}])


def rows(config, sql, **params):
    engine = create_engine(config["DEADLINE_DB_URL"], poolclass=NullPool)
    with engine.connect() as conn:
        found = [tuple(r) for r in conn.execute(text(sql), params)]
    engine.dispose()
    return found


def countdown(config, item_id):
    return rows(config, "SELECT state, item_version FROM deadline WHERE item_id = :i", i=item_id)


def parked(config):
    return rows(config, "SELECT handler, state, attempts FROM failed_event ORDER BY handler")


def test_a_state_change_that_overtakes_its_decision_waits_then_applies(deadline, platform_config):
    call(deadline, "on_item_state_changed", event(item_id=501, state="submitted", version=2))
    assert countdown(platform_config, 501) == []
    assert [r[:2] for r in parked(platform_config)] == [("on_item_state_changed", "retrying")]
    call(deadline, "on_decision_registered", registered(501))
    applied = eventually(lambda: countdown(platform_config, 501), lambda r: r == [("submitted", 2)])
    assert applied == [("submitted", 2)]
    assert eventually(lambda: parked(platform_config), lambda p: p == []) == []


def test_a_late_event_older_than_the_countdown_changes_nothing(deadline, platform_config):
    call(deadline, "on_decision_registered", registered(502))
    call(deadline, "on_item_state_changed", event(item_id=502, state="approved", version=3))
    call(deadline, "on_item_state_changed", event(item_id=502, state="submitted", version=2))
    assert countdown(platform_config, 502) == [("approved", 3)]
    assert parked(platform_config) == []


def test_the_rejection_from_review_and_case_apply_in_either_order(deadline, platform_config):
    for item_id, first in ((503, "review"), (504, "case")):
        call(deadline, "on_decision_registered", registered(item_id))
        from_case = event(item_id=item_id, state="rejected", version=3)
        from_review = event(item_id=item_id, item_version=3, rectify_by="2021-04-30")
        steps = [("on_item_rejected", from_review), ("on_item_state_changed", from_case)]
        for method, payload in (steps if first == "review" else steps[::-1]):
            call(deadline, method, payload)
        target = rows(platform_config, "SELECT state, target_date FROM deadline WHERE item_id = :i", i=item_id)
        assert [(s, str(d)[:10]) for s, d in target] == [("rejected", "2021-04-30")], first


def test_a_failing_handler_is_retried_then_dead_lettered_listed_and_replayed(deadline, platform_config):
    call(deadline, "on_decision_registered", registered(505))
    broken = event(event_type="item_due_date_changed", item_id=505, due_date="not-a-date", version=2)
    call(deadline, "on_due_date_changed", broken)
    assert eventually(lambda: parked(platform_config),
                      lambda p: p == [("on_due_date_changed", "dead", 3)]) == [("on_due_date_changed", "dead", 3)]
    [letter] = call(deadline, "failed_events", SYSTEM)
    assert (letter["event_id"], letter["event_type"], letter["attempts"]) == (broken["event_id"],
                                                                               "item_due_date_changed", 3)
    assert "not-a-date" in letter["error"] and letter["payload"]["due_date"] == "not-a-date"
    again = call(deadline, "replay_failed_event", SYSTEM, broken["event_id"], "on_due_date_changed")
    assert (again["applied"], again["state"]) == (False, "dead")
    assert parked(platform_config) == [("on_due_date_changed", "dead", 4)]
    assert countdown(platform_config, 505) == [("open", 1)]       # nothing half-applied


def test_a_dead_letter_replayed_once_its_cause_is_mended_applies_and_goes(deadline, platform_config):
    early = event(item_id=506, state="submitted", version=2)
    call(deadline, "on_item_state_changed", early)
    eventually(lambda: parked(platform_config), lambda p: p and p[0][1] == "dead")
    call(deadline, "on_decision_registered", registered(506))
    replay = call(deadline, "replay_failed_event", SYSTEM, early["event_id"], "on_item_state_changed")
    assert replay["applied"] is True
    assert countdown(platform_config, 506) == [("submitted", 2)] and parked(platform_config) == []


def test_dead_letters_are_the_admins_and_a_replay_of_nothing_is_not_found(deadline):
    with pytest.raises(Forbidden):
        call(deadline, "failed_events", OPERATOR)
    with pytest.raises(NotFound):
        call(deadline, "replay_failed_event", SYSTEM, "no-such-event", "on_item_state_changed")
