"""The review service in real containers beside the case service: events, gating, claims."""
import pytest
from nameko.events import event_handler
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from services.case.service import CaseService
from services.common.errors import Conflict
from services.review.exceptions import AlreadyReviewed
from services.review.service import ReviewService
from tests.helpers import count_rows, decision_payload

REVIEWER = {"user_id": 1, "role": "reviewer", "unit_id": 1}
OPERATOR = {"user_id": 2, "role": "operator", "unit_id": 2}
SERVE = {"served_on": "2021-03-05", "recipients": ["张三1", "东河区民政局"], "receipt_signed": True, "unit_seal": True}


class Listener:
    name = "review_listener"
    seen = []

    @event_handler("review", "item_submitted")
    def on_submitted(self, payload):
        Listener.seen.append(payload)

    @event_handler("review", "item_rejected")
    def on_rejected(self, payload):
        Listener.seen.append(payload)


@pytest.fixture
def services(platform_config, container_factory):
    started = {}
    for cls in (CaseService, ReviewService, Listener):
        started[cls.name] = container_factory(cls, platform_config)
        started[cls.name].start()
    Listener.seen.clear()
    return started


def call(container, method, *args):
    with entrypoint_hook(container, method) as hook:
        return hook(*args)


def test_submit_and_reject_publish_what_listeners_need(services):
    case, review, listener = services["case"], services["review"], services["review_listener"]
    serve = call(case, "register_decision", REVIEWER, decision_payload())["items"][0]
    with entrypoint_waiter(listener, "on_submitted"):
        report = call(review, "submit_report", OPERATOR, serve["id"],
                      {"performed_on": "2021-03-06", "evidence": SERVE})
    submitted = Listener.seen[-1]
    assert (submitted["item_id"], submitted["unit_id"], submitted["code"], submitted["round"]) == (
        serve["id"], 2, "SERVE", 1)
    with entrypoint_waiter(listener, "on_rejected"):
        call(review, "reject_report", REVIEWER, report["id"],
             {"problem": "送达部门遗漏", "requirement": "补送所在单位", "rectify_by": "2099-01-01"})
    rejected = Listener.seen[-1]
    assert (rejected["problem_category"], rejected["rectify_by"]) == ("送达部门遗漏", "2099-01-01")
    assert call(case, "get_item", REVIEWER, serve["id"])["state"] == "rejected"
    with pytest.raises(AlreadyReviewed):
        call(review, "approve_report", REVIEWER, report["id"], {})


def test_when_case_refuses_nothing_is_written_in_review(services, platform_config):
    case, review = services["case"], services["review"]
    items = call(case, "register_decision", REVIEWER, decision_payload())["items"]
    announce = next(i for i in items if i["code"] == "ANNOUNCE")
    before = count_rows(platform_config["REVIEW_DB_URL"], "report", "outbox")
    with pytest.raises(Conflict, match="SERVE"):
        call(review, "submit_report", OPERATOR, announce["id"],
             {"performed_on": "2021-03-06", "evidence": {}})
    assert count_rows(platform_config["REVIEW_DB_URL"], "report", "outbox") == before


def test_a_claim_is_released_when_case_refuses_the_approval(services):
    case, review = services["case"], services["review"]
    serve = call(case, "register_decision", REVIEWER, decision_payload())["items"][0]
    report = call(review, "submit_report", OPERATOR, serve["id"], {"performed_on": "2021-03-06", "evidence": SERVE})
    # The item is approved behind review's back: case now refuses review's approval...
    call(case, "transition_item", REVIEWER, serve["id"], "approved")
    with pytest.raises(Conflict):
        call(review, "approve_report", REVIEWER, report["id"], {})
    # ...and the report is free again, not stuck half-approved.
    queued = call(review, "queue", REVIEWER, {})
    assert [r["id"] for r in queued["items"]] == [report["id"]]
