"""Unit scope over the bus: every RPC that lists or reads a unit's rows gives an operator of
another unit (or of no unit) nothing, while the unit's own operator gets them.

One platform (case, review, deadline, notify) on one fixed clock; unit 2 gets two decisions:
the first's 送达 is reported (a report, a guidance opinion), the second's is walked on to
抄送 — open with a partner notice asking for a receipt — and left overdue by a sweep.
"""
from types import SimpleNamespace

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.utils import get_extension

from services.case.service import CaseService
from services.common.clock import Clock, FixedClock
from services.common.errors import Forbidden, NotFound
from services.deadline.service import DeadlineService
from services.notify.service import NotifyService
from services.review.service import ReviewService
from tests.helpers import decision_payload, eventually

REVIEWER = {"user_id": 1, "role": "reviewer", "unit_id": 1}
SYSTEM = {"role": "system"}
UNIT_A = {"user_id": 2, "role": "operator", "unit_id": 2}
OUTSIDERS = {"operator_of_unit_3": {"user_id": 3, "role": "operator", "unit_id": 3},
             "operator_of_no_unit": {"user_id": 4, "role": "operator", "unit_id": None}}
SERVE = {"served_on": "2021-03-05", "recipients": ["张三1", "东河区民政局"], "receipt_signed": True, "unit_seal": True}


def item(decision, code):
    return next(i for i in decision["items"] if i["code"] == code)


@pytest.fixture
def world(platform_config, runner_factory):
    runner = runner_factory(platform_config, CaseService, ReviewService, DeadlineService, NotifyService)
    runner.start()
    clock = FixedClock("2021-03-01")
    for container in runner.containers:
        get_extension(container, Clock).clock = clock
    with ClusterRpcProxy(platform_config) as rpc:
        first = rpc.case.register_decision(REVIEWER, decision_payload(1, unit_id=2))
        second = rpc.case.register_decision(REVIEWER, decision_payload(2, unit_id=2))
        for code in ("SERVE", "ANNOUNCE"):         # the second decision moves on to 抄送
            rpc.case.transition_item(UNIT_A, item(second, code)["id"], "submitted")
            rpc.case.transition_item(REVIEWER, item(second, code)["id"], "approved")
        w = SimpleNamespace(rpc=rpc, first=first["id"], second=second["id"], serve=item(first, "SERVE")["id"],
                            copy=item(second, "COPY")["id"])
        eventually(lambda: rpc.deadline.lights_for(REVIEWER, [w.serve, w.copy]),
                   lambda lights: {v["state"] for v in lights.values()} == {"open"} and len(lights) == 2)
        clock.set("2021-05-01")
        rpc.deadline.sweep(SYSTEM)                 # 抄送 is overdue
        w.report = rpc.review.submit_report(UNIT_A, w.serve, {"performed_on": "2021-03-06", "evidence": SERVE})
        rpc.review.issue_guidance(REVIEWER, {"unit_id": 2, "decision_id": w.first, "text": "请按期整改"})
        assert eventually(lambda: rpc.notify.inbox(UNIT_A, {"event_type": "guidance_issued"})["total"], bool)
        assert eventually(lambda: rpc.notify.notices_for_item(REVIEWER, w.copy), bool)
        yield w


# Each scoped RPC: what it returns of the unit's rows (empty when none is visible).
LISTS = {
    "case.list_decisions": lambda w, actor: w.rpc.case.list_decisions(actor, {})["items"],
    "case.list_decisions(unit_id=2)": lambda w, actor: w.rpc.case.list_decisions(actor, {"unit_id": 2})["items"],
    "case.statistics(decisions,unit)": lambda w, actor: w.rpc.case.statistics(actor, "decisions", "unit")["rows"],
    "case.statistics(decisions,sanction)":
        lambda w, actor: w.rpc.case.statistics(actor, "decisions", "sanction")["rows"],
    "case.statistics(items,state)": lambda w, actor: w.rpc.case.statistics(actor, "items", "state")["rows"],
    "deadline.alerts": lambda w, actor: w.rpc.deadline.alerts(actor)["items"],
    "deadline.forecast": lambda w, actor: [row for level in ("reminder", "warning", "overdue")
                                           for row in w.rpc.deadline.forecast(actor, "2021-12-31")[level]],
    "deadline.lights_for": lambda w, actor: w.rpc.deadline.lights_for(actor, [w.serve, w.copy]),
    "deadline.decision_lights": lambda w, actor: w.rpc.deadline.decision_lights(actor, [w.first, w.second]),
    "deadline.unit_lights": lambda w, actor: w.rpc.deadline.unit_lights(actor),
    "review.list_guidance": lambda w, actor: w.rpc.review.list_guidance(actor)["items"],
    "review.list_guidance(unit_id=2)": lambda w, actor: w.rpc.review.list_guidance(actor, 2, w.first)["items"],
    "notify.inbox": lambda w, actor: w.rpc.notify.inbox(actor)["items"],
    "notify.notices_for_item": lambda w, actor: w.rpc.notify.notices_for_item(actor, w.copy),
}
# Each scoped RPC that reads one record: another unit's is NotFound.
READS = {
    "case.get_decision": lambda w, actor: w.rpc.case.get_decision(actor, w.first),
    "case.get_item": lambda w, actor: w.rpc.case.get_item(actor, w.serve),
    "deadline.forecast(decision_id)": lambda w, actor: w.rpc.deadline.forecast(actor, "2021-12-31", w.second),
    "review.reports_for_item": lambda w, actor: w.rpc.review.reports_for_item(actor, w.serve)["reports"],
}


@pytest.mark.parametrize("rpc", LISTS)
def test_a_listing_shows_the_units_rows_to_its_operator_and_nothing_to_others(world, rpc):
    fetch = LISTS[rpc]
    assert fetch(world, UNIT_A), f"{rpc} shows unit 2's operator nothing: the test proves nothing"
    for who, outsider in OUTSIDERS.items():
        assert not fetch(world, outsider), f"{rpc} leaks unit 2's rows to {who}"


@pytest.mark.parametrize("rpc", READS)
def test_a_record_is_read_by_its_units_operator_and_not_found_by_others(world, rpc):
    read = READS[rpc]
    assert read(world, UNIT_A)
    for outsider in OUTSIDERS.values():
        with pytest.raises(NotFound):
            read(world, outsider)


def test_the_review_queue_is_the_review_offices_alone(world):
    assert [r["id"] for r in world.rpc.review.queue(REVIEWER, {})["items"]] == [world.report["id"]]
    for operator in (UNIT_A, *OUTSIDERS.values()):
        with pytest.raises(Forbidden):
            world.rpc.review.queue(operator, {})
