"""The statistics read model over the bus: case, review and deadline on RabbitMQ and a database,
one fixed clock.  Real events feed deadline's facts (decision_registered with its sanctions and
category, item_approved / item_rejected with their review day, guidance_issued); the cube and
the dashboard read them back; the rebuild replays case's and review's event history and finds
the same figures."""
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.utils import get_extension
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool

from services.case.service import CaseService
from services.common.clock import Clock, FixedClock
from services.common.db import UnitOfWork, make_engine
from services.common.errors import Forbidden, NotFound, ValidationFailed
from services.deadline import projection
from services.deadline.statistics import expand
from services.deadline.service import DeadlineService
from services.review.service import ReviewService
from tests.helpers import decision_payload, eventually

REVIEWER = {"user_id": 1, "role": "reviewer", "unit_id": 1}
SYSTEM = {"role": "system"}
UNIT_2 = {"user_id": 2, "role": "operator", "unit_id": 2}
UNIT_3 = {"user_id": 3, "role": "operator", "unit_id": 3}
PARTNER = {"user_id": 4, "role": "partner", "unit_id": 6}
SERVE = {"served_on": "2021-03-05", "recipients": ["张三1", "东河区民政局"], "receipt_signed": True,
         "unit_seal": True}
MEASURES = "decisions,items,open,overdue,on_time_rate,reviewed,rejected,correction_rate,guidance"


def serve_of(decision):
    return next(i for i in decision["items"] if i["code"] == "SERVE")


@pytest.fixture
def world(platform_config, runner_factory):
    runner = runner_factory(platform_config, CaseService, ReviewService, DeadlineService)
    runner.start()
    clock = FixedClock("2021-03-01")
    for container in runner.containers:
        get_extension(container, Clock).clock = clock
    with ClusterRpcProxy(platform_config) as rpc:
        first = rpc.case.register_decision(REVIEWER, decision_payload(1, unit_id=2))
        second = rpc.case.register_decision(REVIEWER, decision_payload(
            2, unit_id=2, decision_date="2021-02-01", sanctions=[{"kind": "government", "type": "警告"}],
            illicit_gains=None, org_handling=[], letters=[], person__category="事业单位"))
        w = SimpleNamespace(rpc=rpc, clock=clock, first=first, second=second)
        # 送达 of the first: rejected on 6 March, approved on 8 April (its due date is 1 April).
        clock.set("2021-03-06")
        report = rpc.review.submit_report(UNIT_2, serve_of(first)["id"], {"performed_on": "2021-03-05",
                                                                           "evidence": SERVE})
        rpc.review.reject_report(REVIEWER, report["id"], {"problem": "送达部门遗漏", "requirement": "补送达",
                                                          "rectify_by": "2021-03-20"})
        clock.set("2021-04-08")
        report = rpc.review.submit_report(UNIT_2, serve_of(first)["id"], {"performed_on": "2021-04-07",
                                                                           "evidence": SERVE})
        rpc.review.approve_report(REVIEWER, report["id"], {"comment": "齐全"})
        rpc.review.issue_guidance(REVIEWER, {"unit_id": 2, "decision_id": first["id"], "text": "请按期整改"})
        clock.set("2021-04-10")
        eventually(lambda: rpc.deadline.cube(REVIEWER, {"by": "unit", "measures": "reviewed,guidance"}),
                   lambda c: c["totals"] == {"reviewed": 2, "guidance": 1})
        yield w


def test_real_events_feed_the_cube(world):
    answer = expand(world.rpc.deadline.cube(REVIEWER, {"by": "unit", "measures": MEASURES}))
    [row] = answer["rows"]
    assert row["unit"] == 2 and row["decisions"] == 2
    assert row["items"] == len(world.first["items"]) + len(world.second["items"])
    assert (row["reviewed"], row["rejected"], row["correction_rate"]) == (2, 1, 0.5)
    assert row["on_time_rate"] == 0.0          # approved on 8 April, due 1 April
    assert row["guidance"] == 1
    months = expand(world.rpc.deadline.cube(REVIEWER, {"by": "month", "measures": "decisions,reviewed,rejected"}))
    assert [(r["month"], r["month_name"], r["decisions"], r["reviewed"], r["rejected"]) for r in months["rows"]
            if r["decisions"] or r["reviewed"]] == [("2021-02", "2021年2月", 1, 0, 0), ("2021-03", "2021年3月", 1, 1, 1),
                                                      ("2021-04", "2021年4月", 0, 1, 0)]
    kinds = expand(world.rpc.deadline.cube(REVIEWER, {"by": "sanction_type", "measures": "decisions"}))["rows"]
    assert {r["sanction_type_name"]: r["decisions"] for r in kinds} == {"党纪·留党察看": 1, "政务·撤职": 1,
                                                                        "政务·警告": 1}
    people = expand(world.rpc.deadline.cube(REVIEWER, {"by": "category", "measures": "items"}))["rows"]
    assert {r["category"] for r in people} == {"公务员", "事业单位"}


def test_the_dashboard_reads_the_same_facts(world):
    board = world.rpc.deadline.dashboard(REVIEWER, {"months": 3})
    assert board["headline"]["decisions_executing"] == 2
    assert [(m["month"], m["reviewed"], m["rejected"]) for m in board["correction_trend"]] == [
        ("2021-02", 0, 0), ("2021-03", 1, 1), ("2021-04", 1, 0)]
    assert board["headline"]["correction_rate"]["correction_rate"] == 0.0
    assert board["headline"]["correction_rate_last_month"]["correction_rate"] == 1.0
    assert board["rejection_categories"] == [{"problem": "送达部门遗漏", "problem_name": "送达部门遗漏",
                                              "count": 1, "share": 1.0}]


def test_scope_over_the_bus(world):
    assert expand(world.rpc.deadline.cube(UNIT_2, {"by": "unit", "measures": "items"}))["rows"][0]["unit"] == 2
    assert expand(world.rpc.deadline.cube(UNIT_3, {"by": "unit", "measures": "items"}))["rows"] == []
    with pytest.raises(NotFound):
        expand(world.rpc.deadline.cube(UNIT_3, {"by": "unit", "unit_id": 2}))
    with pytest.raises(Forbidden):
        world.rpc.deadline.dashboard(PARTNER, {})
    with pytest.raises(ValidationFailed) as refused:
        expand(world.rpc.deadline.cube(REVIEWER, {"by": "unit,month,code"}))
    assert "by" in refused.value.fields


def test_the_rebuild_from_case_and_reviews_history_finds_the_same_figures(world, platform_config):
    query = {"by": "unit,month", "measures": MEASURES}
    before = expand(world.rpc.deadline.cube(REVIEWER, query))
    engine = make_engine(platform_config["DEADLINE_DB_URL"])
    with engine.begin() as conn:          # a damaged read model
        conn.execute(text("DELETE FROM stat_review"))
        conn.execute(text("UPDATE stat_decision SET category = NULL"))
    assert expand(world.rpc.deadline.cube(REVIEWER, query)) != before
    uow = UnitOfWork(sessionmaker(bind=engine, expire_on_commit=False)(), publish=lambda rows: None)

    def fetch(service, types, after, limit):
        return getattr(world.rpc, service).event_history(SYSTEM, types, after, limit)

    counts = projection.rebuild(uow, fetch, ZoneInfo("Asia/Shanghai"), page_size=2, report=lambda line: None)
    uow.close()
    engine.dispose()
    assert counts == {"case": (2, 2), "review": (3, 3)}
    assert expand(world.rpc.deadline.cube(REVIEWER, query)) == before


def test_event_history_is_for_the_system_only(world):
    with pytest.raises(Forbidden):
        world.rpc.case.event_history(REVIEWER, None, None, 10)
    page = world.rpc.review.event_history(SYSTEM, ["guidance_issued"], None, 10)
    assert [e["event_type"] for e in page["events"]] == ["guidance_issued"] and page["next"] is None


def test_nothing_is_written_by_a_refused_query(world, platform_config):
    def counts():
        engine = create_engine(platform_config["DEADLINE_DB_URL"], poolclass=NullPool)
        with engine.connect() as conn:
            found = {t: conn.scalar(text(f"SELECT COUNT(*) FROM {t}")) for t in (
                "stat_decision", "stat_review", "stat_guidance", "deadline", "outbox", "processed_event",
                "failed_event")}
        engine.dispose()
        return found
    before = counts()
    for actor, query in ((REVIEWER, {"by": "colour"}), (UNIT_3, {"by": "unit", "unit_id": 2}),
                         (PARTNER, {"by": "unit"})):
        with pytest.raises((ValidationFailed, NotFound, Forbidden)):
            expand(world.rpc.deadline.cube(actor, query))
    assert counts() == before
