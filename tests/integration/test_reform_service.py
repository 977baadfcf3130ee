"""以案促改 over the bus: case, review, deadline and notify as containers on RabbitMQ, each on its
own database migrated by Alembic.

- a reform case registered in case reaches deadline (every task's countdown, the reform's facts)
  and notify (the unit's notice) through ``reform_registered``; a task's event that overtook it
  waits in deadline's inbox and applies once it came;
- every RPC that reads a reform case or its tasks is scoped: another unit's operator sees nothing
  or NotFound, the unit's operator sees them;
- review's start-up cross-check holds the reform section to evidence.yaml.
"""
import uuid
from types import SimpleNamespace

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_hook
from nameko.testing.utils import get_container, get_extension
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from services.case.service import CaseService
from services.common.clock import Clock, FixedClock
from services.common.errors import NotFound
from services.deadline.service import DeadlineService
from services.notify.service import NotifyService
from services.review.service import ReviewService
from tests.helpers import decision_payload, eventually
from tests.unit.test_library_support import RULEBOOK

REVIEWER = {"user_id": 1, "role": "reviewer", "unit_id": 1}
SYSTEM = {"role": "system"}
UNIT_A = {"user_id": 2, "role": "operator", "unit_id": 2}
OUTSIDERS = ({"user_id": 3, "role": "operator", "unit_id": 3}, {"user_id": 4, "role": "operator", "unit_id": None})
WARNING = {"held_on": "2021-04-06", "scope": "全体干部职工", "attendance": 40, "leaders_present": True,
           "cases": "张三1违规办理低保案"}


@pytest.fixture
def world(platform_config, runner_factory):
    platform_config.update(EVENT_RETRY_BASE_SECONDS=0.05)
    runner = runner_factory(platform_config, CaseService, ReviewService, DeadlineService, NotifyService)
    runner.start()
    clock = FixedClock("2021-04-06")
    for container in runner.containers:
        get_extension(container, Clock).clock = clock
    with ClusterRpcProxy(platform_config) as rpc:
        decision = rpc.case.register_decision(REVIEWER, decision_payload(1, unit_id=2))
        reform = rpc.case.register_reform(REVIEWER, {
            "unit_id": 2, "decision_ids": [decision["id"]], "basis": "纪律检查建议书",
            "doc_number": "东纪建〔2021〕3号", "issued_on": "2021-04-01", "requirements": "完善低保审核制度"})
        tasks = {i["code"]: i["id"] for i in reform["items"]}
        yield SimpleNamespace(rpc=rpc, runner=runner, clock=clock, config=platform_config, decision=decision,
                              reform=reform, tasks=tasks)


def test_a_reform_case_reaches_deadline_and_notify_and_its_tasks_move_like_items(world):
    rpc, tasks = world.rpc, world.tasks
    lights = eventually(lambda: rpc.deadline.lights_for(REVIEWER, list(tasks.values())),
                        lambda found: len(found) == 7)
    assert {v["reform_id"] for v in lights.values()} == {world.reform["id"]}
    assert {v["decision_id"] for v in lights.values()} == {None}
    assert rpc.deadline.reform_lights(REVIEWER, [world.reform["id"]]) == {str(world.reform["id"]): "green"}
    titles = eventually(lambda: [n["title"] for n in rpc.notify.inbox(UNIT_A, {"per_page": 50})["items"]],
                        lambda found: "以案促改任务待办理（东纪建〔2021〕3号）" in found)
    assert "执行事项已开启：警示教育大会" in titles

    report = rpc.review.submit_report(UNIT_A, tasks["RF_WARNING"], {"performed_on": "2021-04-06", "evidence": WARNING})
    assert (report["reform_id"], report["decision_id"], report["doc_number"]) == (world.reform["id"], None,
                                                                                   "东纪建〔2021〕3号")
    rpc.review.approve_report(REVIEWER, report["id"], {"comment": "会议规范"})
    states = {i["code"]: i["state"] for i in rpc.case.get_reform(UNIT_A, world.reform["id"])["items"]}
    assert (states["RF_WARNING"], states["RF_LIFE_MEETING"], states["RF_ANALYSIS"]) == ("approved", "open", "open")
    figures = eventually(lambda: rpc.deadline.reform_statistics(REVIEWER, {})["rows"],
                         lambda rows: rows and rows[0]["reforms"] == 1)
    assert (figures[0]["unit"], figures[0]["open"]) == (2, 1)
    said = rpc.review.latest_reports(REVIEWER, list(tasks.values()))["items"]
    assert [r["item_id"] for r in said] == [tasks["RF_WARNING"]]


def test_every_read_of_a_reform_case_is_scoped_to_its_unit(world):
    rpc, reform_id, task = world.rpc, world.reform["id"], world.tasks["RF_WARNING"]
    eventually(lambda: rpc.deadline.reform_statistics(UNIT_A, {})["rows"], bool)
    rpc.review.submit_report(UNIT_A, task, {"performed_on": "2021-04-06", "evidence": WARNING})
    lists = {
        "case.list_reforms": lambda actor: rpc.case.list_reforms(actor, {})["items"],
        "case.list_reforms(decision_id)": lambda actor: rpc.case.list_reforms(
            actor, {"decision_id": world.decision["id"]})["items"],
        "deadline.reform_lights": lambda actor: rpc.deadline.reform_lights(actor, [reform_id]),
        "deadline.reform_statistics": lambda actor: rpc.deadline.reform_statistics(actor, {})["rows"],
        "deadline.lights_for": lambda actor: rpc.deadline.lights_for(actor, [task]),
        "review.latest_reports": lambda actor: rpc.review.latest_reports(actor, [task])["items"],
    }
    for name, fetch in lists.items():
        assert fetch(UNIT_A), f"{name} shows unit 2's operator nothing: the test proves nothing"
        for outsider in OUTSIDERS:
            assert not fetch(outsider), f"{name} leaks unit 2's reform to {outsider}"
    reads = {"case.get_reform": lambda actor: rpc.case.get_reform(actor, reform_id),
             "case.get_item": lambda actor: rpc.case.get_item(actor, task),
             "review.reports_for_item": lambda actor: rpc.review.reports_for_item(actor, task)}
    for name, read in reads.items():
        assert read(UNIT_A)
        for outsider in OUTSIDERS:
            with pytest.raises(NotFound):
                read(outsider)


def test_a_tasks_event_that_overtook_its_reform_waits_in_deadlines_inbox(world):
    """deadline hears of task 9001 moving before the reform that has it: parked, then applied."""
    deadline = get_container(world.runner, DeadlineService)

    def call(method, payload):
        with entrypoint_hook(deadline, method) as hook:
            return hook(payload)

    def waiting():
        engine = create_engine(world.config["DEADLINE_DB_URL"], poolclass=NullPool)
        with engine.connect() as conn:
            found = conn.scalar(text("SELECT COUNT(*) FROM failed_event WHERE event_id = :e"), {"e": overtaking})
        engine.dispose()
        return found

    item = {"item_id": 9001, "decision_id": None, "reform_id": 77, "unit_id": 2, "code": "RF_WARNING",
            "name": "警示教育大会", "version": 2, "due_date": "2021-05-06", "opens_on": None}
    overtaking = str(uuid.uuid4())
    call("on_item_state_changed", dict(item, event_id=overtaking, state="submitted", version=3))
    assert waiting() == 1
    call("on_reform_registered", {"event_id": str(uuid.uuid4()), "reform_id": 77, "unit_id": 2,
                                  "basis": "通报", "doc_number": "x", "issued_on": "2021-04-01",
                                  "due_date": None, "decision_ids": [], "items": [dict(item, state="open")]})
    applied = eventually(lambda: world.rpc.deadline.lights_for(REVIEWER, [9001]),
                         lambda found: found.get("9001", {}).get("state") == "submitted")
    assert applied["9001"]["reform_id"] == 77
    assert eventually(waiting, lambda n: n == 0) == 0


def test_review_refuses_to_start_on_a_reform_task_it_has_no_checklist_for(platform_config, container_factory,
                                                                            tmp_path):
    from services.review.checklist import ChecklistError

    shipped = RULEBOOK.read_text(encoding="utf-8")
    extra = ("    - code: RF_VISIT\n      name: 回访整改成效\n      order: 8\n      after: [RF_REPORT]\n"
             "      due: {from: deadline, months: 3}\n      legal_basis: [{regulation: S01, article: 36}]\n\n")
    marker = "# The execution items, in order."
    path = tmp_path / "rulebook-with-a-visit.yaml"
    path.write_text(shipped.replace(marker, extra + marker, 1), encoding="utf-8")
    platform_config.update(RULEBOOK_PATH=str(path), STARTUP_WAIT_SECONDS=30)
    container_factory(CaseService, platform_config).start()
    review = container_factory(ReviewService, platform_config)
    with pytest.raises(ChecklistError, match=r"no evidence checklist for the rule book's reform task RF_VISIT \(回访整改成效\)"):
        review.start()
