"""The case service in a real container, on a real RabbitMQ and database."""
from datetime import date, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from nameko.events import event_handler
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from nameko.testing.utils import get_extension

from services.case.exceptions import DuplicateDecision, ItemNotOpen, StaleVersion
from services.case.rulebook import RuleBookError
from services.case.service import CaseService
from services.common.clock import Clock, FixedClock
from services.common.db import Database
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.common.models import OutboxEvent
from tests.helpers import count_rows, decision_payload

REVIEWER = {"user_id": 1, "role": "reviewer", "unit_id": 1}
OPERATOR = {"user_id": 2, "role": "operator", "unit_id": 2}
OTHER_OPERATOR = {"user_id": 3, "role": "operator", "unit_id": 3}
TABLES = ("person", "decision", "execution_item", "impact_period", "outbox")


class Listener:
    """Stands in for the services that listen to the case service's events."""
    name = "listener"
    seen = []

    @event_handler("case", "item_opened")
    def on_item_opened(self, payload):
        Listener.seen.append(payload)


@pytest.fixture
def case(platform_config, container_factory):
    container = container_factory(CaseService, platform_config)
    container.start()
    return container


def call(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as hook:
        return hook(*args, **kwargs)


def test_registering_generates_items_opens_the_first_and_publishes(case, platform_config,
                                                                   container_factory):
    listener = container_factory(Listener, platform_config)
    listener.start()
    Listener.seen.clear()
    with entrypoint_waiter(listener, "on_item_opened"):
        decision = call(case, "register_decision", REVIEWER, decision_payload())
    states = {i["code"]: i["state"] for i in decision["items"]}
    assert states["SERVE"] == "open"
    assert all(s == "locked" for c, s in states.items() if c != "SERVE")
    assert Listener.seen[0]["code"] == "SERVE" and Listener.seen[0]["event_id"]
    assert [p["ends_on"] for p in decision["impact_periods"]] == ["2022-03-01", "2023-03-01"]


def test_approval_opens_what_it_unlocks_and_nothing_else(case):
    decision = call(case, "register_decision", REVIEWER, decision_payload())
    items = {i["code"]: i for i in decision["items"]}
    with pytest.raises(ItemNotOpen, match="SERVE"):
        call(case, "transition_item", OPERATOR, items["ANNOUNCE"]["id"], "submitted")
    serve = items["SERVE"]
    submitted = call(case, "transition_item", OPERATOR, serve["id"], "submitted", serve["version"])
    with pytest.raises(Forbidden):
        call(case, "transition_item", OPERATOR, serve["id"], "approved")
    with pytest.raises(StaleVersion):
        call(case, "transition_item", REVIEWER, serve["id"], "approved", serve["version"])
    call(case, "transition_item", REVIEWER, serve["id"], "approved", submitted["version"])
    after = {i["code"]: i["state"] for i in call(case, "get_decision", REVIEWER, decision["id"])["items"]}
    assert after["SERVE"] == "approved" and after["ANNOUNCE"] == "open"
    assert after["COPY"] == "locked"
    history = call(case, "get_item", REVIEWER, serve["id"])["history"]
    assert [(h["from_state"], h["to_state"]) for h in history] == [
        ("locked", "open"), ("open", "submitted"), ("submitted", "approved")]


def test_unit_scope_is_enforced_by_the_service_itself(case):
    decision = call(case, "register_decision", REVIEWER, decision_payload())
    assert call(case, "get_decision", OPERATOR, decision["id"])["id"] == decision["id"]
    with pytest.raises(NotFound):
        call(case, "get_decision", OTHER_OPERATOR, decision["id"])
    with pytest.raises(NotFound):
        call(case, "get_item", OTHER_OPERATOR, decision["items"][0]["id"])
    assert call(case, "list_decisions", OTHER_OPERATOR, {})["total"] == 0
    assert call(case, "list_decisions", OTHER_OPERATOR, {"unit_id": 2})["total"] == 0
    assert call(case, "list_decisions", OPERATOR, {})["total"] == 1


def test_list_filters_and_pages(case):
    for n in range(1, 6):
        call(case, "register_decision", REVIEWER, decision_payload(n))
    call(case, "register_decision", REVIEWER,
         decision_payload(9, sanctions=[{"kind": "government", "type": "警告"}]))
    page = call(case, "list_decisions", REVIEWER, {"per_page": "2", "page": "2"})
    assert page["total"] == 6 and len(page["items"]) == 2
    assert call(case, "list_decisions", REVIEWER, {"sanction": "警告"})["total"] == 1
    assert call(case, "list_decisions", REVIEWER, {"q": "张三3"})["total"] == 1
    with pytest.raises(ValidationFailed):
        call(case, "list_decisions", REVIEWER, {"per_page": "1000"})


def test_the_list_is_newest_first_and_reads_no_items(case):
    """A summary shows person and sanctions: the page's statements read neither the items
    (nor their history) nor the impact periods, and the order is the indexes' order."""
    for n, day in ((1, "2021-03-01"), (2, "2022-05-01"), (3, "2021-03-01"), (4, "2020-01-10")):
        call(case, "register_decision", REVIEWER, decision_payload(n, decision_date=day))
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(Engine, "before_cursor_execute", seen)
    try:
        page = call(case, "list_decisions", REVIEWER, {})
        searched = call(case, "list_decisions", REVIEWER, {"q": "张三3", "unit_id": "2"})
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert [d["decision_date"] for d in page["items"]] == ["2022-05-01", "2021-03-01", "2021-03-01", "2020-01-10"]
    same_day = [d["id"] for d in page["items"] if d["decision_date"] == "2021-03-01"]
    assert same_day == sorted(same_day, reverse=True) and page["total"] == 4
    assert all(d["person"]["name"] and d["sanctions"] for d in page["items"])
    assert searched["total"] == 1 and searched["items"][0]["person"]["name"] == "张三3"
    assert statements and not [s for s in statements if "execution_item" in s or "impact_period" in s]


def test_a_decision_reads_its_items_without_their_history(case):
    """DecisionOut shows no item's history: reading it is a statement for nothing."""
    registered = call(case, "register_decision", REVIEWER, decision_payload(1))
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(Engine, "before_cursor_execute", seen)
    try:
        decision = call(case, "get_decision", REVIEWER, registered["id"])
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert decision == registered
    assert [i["code"] for i in decision["items"]] and not [s for s in statements if "item_transition" in s]


def test_person_is_deduplicated_and_running_period_stacks(case, platform_config):
    call(case, "register_decision", REVIEWER, decision_payload(
        1, sanctions=[{"kind": "party", "type": "警告"}]))
    second = call(case, "register_decision", REVIEWER, decision_payload(
        1, doc_number="东纪发〔2021〕99号", decision_date="2021-09-01",
        sanctions=[{"kind": "party", "type": "严重警告"}]))
    assert second["impact_periods"][0]["ends_on"] == "2023-09-01"
    assert second["impact_periods"][0]["stacked"] is True
    assert count_rows(platform_config["CASE_DB_URL"], "person")["person"] == 1


def test_refused_registrations_write_nothing(case, platform_config):
    call(case, "register_decision", REVIEWER, decision_payload(1))
    before = count_rows(platform_config["CASE_DB_URL"], *TABLES)
    with pytest.raises(DuplicateDecision):
        call(case, "register_decision", REVIEWER, decision_payload(2, doc_number="东纪发〔2021〕1号"))
    with pytest.raises(ValidationFailed) as err:
        call(case, "register_decision", REVIEWER, decision_payload(
            3, person__political_status="群众"))
    assert "sanctions.0.type" in err.value.fields
    with pytest.raises(Forbidden):
        call(case, "register_decision", OPERATOR, decision_payload(4))
    assert count_rows(platform_config["CASE_DB_URL"], *TABLES) == before


def test_time_gated_item_opens_once_when_its_date_arrives(case, platform_config):
    decision = call(case, "register_decision", REVIEWER, decision_payload())
    by_code = {i["code"]: i for i in decision["items"]}
    for code in ("SERVE", "ANNOUNCE", "COPY", "ARCHIVE"):
        item = call(case, "get_item", REVIEWER, by_code[code]["id"])
        call(case, "transition_item", OPERATOR, item["id"], "submitted")
        call(case, "transition_item", REVIEWER, item["id"], "approved")
    visit = by_code["EDU_VISIT"]
    # Registered in 2021 and run today, so the opening date (2021-06-01) has passed:
    # approval of ARCHIVE already opened the time-gated items that were due.
    assert call(case, "get_item", REVIEWER, visit["id"])["state"] == "open"
    event = {"event_id": "evt-1", "item_id": visit["id"]}
    call(case, "on_due_date_reached", event)
    call(case, "on_due_date_reached", event)        # redelivered: no second transition
    history = call(case, "get_item", REVIEWER, visit["id"])["history"]
    assert [h["to_state"] for h in history] == ["open"]


def test_a_time_gated_item_waits_for_its_date(platform_config, container_factory):
    clock = FixedClock("2021-03-10")
    container = container_factory(CaseService, platform_config)
    container.start()
    get_extension(container, Clock).clock = clock   # the clock every worker now receives
    decision = call(container, "register_decision", REVIEWER, decision_payload())
    by_code = {i["code"]: i for i in decision["items"]}
    for code in ("SERVE", "ANNOUNCE", "COPY", "ARCHIVE"):
        call(container, "transition_item", OPERATOR, by_code[code]["id"], "submitted")
        call(container, "transition_item", REVIEWER, by_code[code]["id"], "approved")
    visit_id = by_code["EDU_VISIT"]["id"]
    assert call(container, "get_item", REVIEWER, visit_id)["state"] == "locked"
    clock.set(date(2021, 6, 1))
    call(container, "on_due_date_reached", {"event_id": "evt-2", "item_id": visit_id})
    assert call(container, "get_item", REVIEWER, visit_id)["state"] == "open"
    assert call(container, "get_item", REVIEWER, by_code["RESTORE"]["id"])["state"] == "locked"


def test_unpublished_outbox_rows_are_relayed(case, platform_config):
    call(case, "register_decision", REVIEWER, decision_payload())
    db = get_extension(case, Database)
    db.mark_published()                      # normally the relay thread does this every second
    with db.Session() as session:
        rows = session.query(OutboxEvent).all()
        assert rows and all(r.published_at is not None for r in rows)
        rows[0].published_at = None          # as if the process died before publishing
        session.commit()
    assert db.relay_once(older_than_seconds=0) == 1
    db.mark_published()
    with db.Session() as session:
        assert session.query(OutboxEvent).filter(OutboxEvent.published_at.is_(None)).count() == 0


def test_a_bad_rule_book_stops_the_service_at_start(platform_config, container_factory, tmp_path):
    bad = tmp_path / "rulebook.yaml"
    bad.write_text("settings: {}\nsanctions: {party: {警告: {}}}\nstacking: {}\nitems: []\n",
                   encoding="utf-8")
    platform_config["RULEBOOK_PATH"] = str(bad)
    platform_config["CASE_DB_URL"]  # migrate now: a failed start would leave it half-done
    container = container_factory(CaseService, platform_config)
    with pytest.raises(RuleBookError, match="sanctions.party.警告"):
        container.start()


def test_two_workers_moving_one_item_at_once_cannot_both_win(case, platform_config):
    """Worker A reads the item, worker B submits it meanwhile; A's write must not overwrite
    B's (a lost update): A gets STALE_VERSION and nothing of A's is written."""
    from sqlalchemy.orm import sessionmaker

    from services.case import execution
    from services.case.models import ExecutionItem
    from services.common.actor import Actor
    from services.common.db import UnitOfWork, make_engine

    decision = call(case, "register_decision", REVIEWER, decision_payload())
    serve = next(i for i in decision["items"] if i["code"] == "SERVE")
    engine = make_engine(platform_config["CASE_DB_URL"])
    Session = sessionmaker(bind=engine, expire_on_commit=False)
    worker_a = UnitOfWork(Session(), lambda rows: None)
    try:
        read_by_a = worker_a.session.get(ExecutionItem, serve["id"])   # A has read it, open
        assert read_by_a.state == "open"
        call(case, "transition_item", OPERATOR, serve["id"], "submitted", serve["version"], "B")
        with pytest.raises(StaleVersion):
            execution.transition_item(worker_a, FixedClock("2021-03-05"), Actor.load(OPERATOR),
                                      serve["id"], "submitted", None, "A")
    finally:
        worker_a.close()
        engine.dispose()
    history = call(case, "get_item", REVIEWER, serve["id"])["history"]
    assert [(h["to_state"], h["reason"]) for h in history][-1] == ("submitted", "B")
    assert [h["to_state"] for h in history].count("submitted") == 1


def test_an_extension_replayed_lands_on_one_date_and_a_finished_item_is_not_extended(case, platform_config):
    """延期 is idempotent: review retries an approval whose own commit failed after case
    moved the date; the second call answers the item as it is and announces nothing."""
    decision = call(case, "register_decision", REVIEWER, decision_payload())
    treatment = next(i for i in decision["items"] if i["code"] == "TREATMENT")
    base = date.fromisoformat(treatment["due_date"])
    new_due = (base + timedelta(days=30)).isoformat()
    first = call(case, "extend_due_date", REVIEWER, treatment["id"], new_due, base.isoformat())
    events = count_rows(platform_config["CASE_DB_URL"], "outbox")
    again = call(case, "extend_due_date", REVIEWER, treatment["id"], new_due, base.isoformat())
    assert first["due_date"] == again["due_date"] == new_due and again["version"] == first["version"]
    assert count_rows(platform_config["CASE_DB_URL"], "outbox") == events       # nothing announced twice
    with pytest.raises(Conflict) as moved:           # asked against a due date that is gone
        call(case, "extend_due_date", REVIEWER, treatment["id"], "2099-01-01", base.isoformat())
    assert moved.value.code == "CONFLICT" and "期限已变更" in moved.value.message
    serve = decision["items"][0]
    call(case, "transition_item", OPERATOR, serve["id"], "submitted")
    call(case, "transition_item", REVIEWER, serve["id"], "approved")
    before = count_rows(platform_config["CASE_DB_URL"], "outbox")
    with pytest.raises(ItemNotOpen):
        call(case, "extend_due_date", REVIEWER, serve["id"], "2021-03-30")
    assert count_rows(platform_config["CASE_DB_URL"], "outbox") == before
