"""The review service in real containers beside the case service: events, gating, claims."""
from datetime import timedelta

import eventlet
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool
from nameko.events import event_handler
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from services.case.service import CaseService
from services.common.clock import utcnow
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.review.exceptions import AlreadyReviewed, ItemNotReportable
from services.review.service import ReviewService
from tests.helpers import TODAY, count_rows, decision_payload

REVIEWER = {"user_id": 1, "role": "reviewer", "unit_id": 1}
OPERATOR = {"user_id": 2, "role": "operator", "unit_id": 2}
SERVE = {"served_on": "2021-03-05", "recipients": ["张三1", "东河区民政局"], "receipt_signed": True, "unit_seal": True}
RECTIFY_BY = (TODAY + timedelta(days=30)).isoformat()   # 整改期限: within two years of today


class Listener:
    name = "review_listener"
    seen = []

    @event_handler("review", "item_submitted")
    def on_submitted(self, payload):
        Listener.seen.append(payload)

    @event_handler("review", "item_rejected")
    def on_rejected(self, payload):
        Listener.seen.append(payload)

    @event_handler("review", "item_approved")
    def on_approved(self, payload):
        Listener.seen.append(payload)

    @event_handler("review", "guidance_issued")
    def on_guidance(self, payload):
        Listener.seen.append(payload)

    @event_handler("review", "extension_approved")
    def on_extension(self, payload):
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
             {"problem": "送达部门遗漏", "requirement": "补送所在单位", "rectify_by": RECTIFY_BY})
    rejected = Listener.seen[-1]
    assert (rejected["problem_category"], rejected["rectify_by"]) == ("送达部门遗漏", RECTIFY_BY)
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


def test_a_claim_is_released_when_case_refuses_and_kept_when_case_already_agrees(services):
    case, review = services["case"], services["review"]
    serve = call(case, "register_decision", REVIEWER, decision_payload())["items"][0]
    report = call(review, "submit_report", OPERATOR, serve["id"], {"performed_on": "2021-03-06", "evidence": SERVE})
    # The item is approved behind review's back: case now refuses a rejection...
    call(case, "transition_item", REVIEWER, serve["id"], "approved")
    with pytest.raises(Conflict):
        call(review, "reject_report", REVIEWER, report["id"],
             {"problem": "其他", "requirement": "x", "rectify_by": RECTIFY_BY})
    # ...and the report is free again, not stuck half-rejected;
    queued = call(review, "queue", REVIEWER, {})
    assert [r["id"] for r in queued["items"]] == [report["id"]]
    # an approval, which the item already holds, is recorded.
    assert call(review, "approve_report", REVIEWER, report["id"], {})["state"] == "approved"
    assert call(review, "queue", REVIEWER, {})["total"] == 0


def test_an_item_submitted_without_a_report_can_be_reported_once(services):
    case, review = services["case"], services["review"]
    serve = call(case, "register_decision", REVIEWER, decision_payload())["items"][0]
    # A submission that died after case moved the item, before review wrote the report:
    call(case, "transition_item", OPERATOR, serve["id"], "submitted")
    report = call(review, "submit_report", OPERATOR, serve["id"], {"performed_on": "2021-03-06", "evidence": SERVE})
    assert (report["round"], call(case, "get_item", REVIEWER, serve["id"])["version"]) == (1, 3)
    with pytest.raises(ItemNotReportable):       # now a report waits: no second one
        call(review, "submit_report", OPERATOR, serve["id"], {"performed_on": "2021-03-06", "evidence": SERVE})
    assert call(review, "approve_report", REVIEWER, report["id"], {})["state"] == "approved"


def test_two_recoveries_of_one_half_finished_submission_store_one_report(services, platform_config):
    """Both requests see the item submitted in case with no report (the recovery path); the
    database's one-live-report constraint lets one store its report, the other gets 409."""
    case, review = services["case"], services["review"]
    outcomes = []
    for n in range(5):
        serve = call(case, "register_decision", REVIEWER, decision_payload(n + 1))["items"][0]
        call(case, "transition_item", OPERATOR, serve["id"], "submitted")

        def submit(_):        # over the broker: two real requests, each its own worker
            with ClusterRpcProxy(platform_config) as rpc:
                try:
                    return rpc.review.submit_report(OPERATOR, serve["id"],
                                                    {"performed_on": "2021-03-06", "evidence": SERVE})["round"]
                except Conflict as exc:
                    return exc.code
        outcomes.append(sorted(map(str, eventlet.GreenPool().imap(submit, range(2)))))
    assert outcomes == [["1", "ITEM_NOT_OPEN"]] * 5
    assert count_rows(platform_config["REVIEW_DB_URL"], "report") == {"report": 5}


def test_the_database_refuses_a_second_live_report_of_an_item(services, platform_config):
    case, review = services["case"], services["review"]
    serve = call(case, "register_decision", REVIEWER, decision_payload())["items"][0]
    report = call(review, "submit_report", OPERATOR, serve["id"], {"performed_on": "2021-03-06", "evidence": SERVE})
    engine = create_engine(platform_config["REVIEW_DB_URL"], poolclass=NullPool)
    twin = ("INSERT INTO report (item_id, decision_id, unit_id, code, item_name, round, performed_on, evidence, "
            "attachments, findings, finding_categories, state, version, submitted_at, comment) "
            "SELECT item_id, decision_id, unit_id, code, item_name, 2, performed_on, evidence, attachments, "
            "findings, finding_categories, :state, 1, submitted_at, '' FROM report WHERE id = :id")
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(text(twin), {"id": report["id"], "state": "submitted"})
    with engine.begin() as conn:          # a closed round beside the live one is history, allowed
        conn.execute(text(twin), {"id": report["id"], "state": "rejected"})
    engine.dispose()


def _abandon_claim(db_url, report_id, seconds_ago, state="approving"):
    """What a reviewer's request leaves when its worker dies between the claim and the verdict."""
    engine = create_engine(db_url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("UPDATE report SET state = :state, version = version + 1, claimed_at = :at "
                          "WHERE id = :id"), {"at": utcnow() - timedelta(seconds=seconds_ago), "id": report_id,
                                             "state": state})
    engine.dispose()


def test_no_new_round_while_the_last_is_still_under_review(services, platform_config):
    case, review = services["case"], services["review"]
    serve = call(case, "register_decision", REVIEWER, decision_payload())["items"][0]
    report = call(review, "submit_report", OPERATOR, serve["id"], {"performed_on": "2021-03-06", "evidence": SERVE})
    # A rejection died after case moved the item back to the unit, before review recorded it:
    call(case, "transition_item", REVIEWER, serve["id"], "rejected")
    _abandon_claim(platform_config["REVIEW_DB_URL"], report["id"], seconds_ago=5, state="rejecting")
    with pytest.raises(ItemNotReportable, match="第1轮"):
        call(review, "submit_report", OPERATOR, serve["id"], {"performed_on": "2021-03-06", "evidence": SERVE})
    # Once the claim is taken over, the rejection is recorded and the unit reports round 2.
    _abandon_claim(platform_config["REVIEW_DB_URL"], report["id"], seconds_ago=600, state="rejecting")
    call(review, "reject_report", REVIEWER, report["id"], {"problem": "其他", "requirement": "x", "rectify_by": RECTIFY_BY})
    again = call(review, "submit_report", OPERATOR, serve["id"], {"performed_on": "2021-03-06", "evidence": SERVE})
    assert again["round"] == 2 and call(case, "get_item", REVIEWER, serve["id"])["state"] == "submitted"


@pytest.mark.parametrize("case_moved", [False, True])
def test_an_abandoned_claim_can_be_taken_over_a_live_one_cannot(services, platform_config, case_moved):
    case, review = services["case"], services["review"]
    serve = call(case, "register_decision", REVIEWER, decision_payload())["items"][0]
    report = call(review, "submit_report", OPERATOR, serve["id"], {"performed_on": "2021-03-06", "evidence": SERVE})
    if case_moved:      # the dead request had already approved the item in case
        call(case, "transition_item", REVIEWER, serve["id"], "approved")
    _abandon_claim(platform_config["REVIEW_DB_URL"], report["id"], seconds_ago=5)
    with pytest.raises(AlreadyReviewed):
        call(review, "approve_report", REVIEWER, report["id"], {})
    _abandon_claim(platform_config["REVIEW_DB_URL"], report["id"], seconds_ago=600)
    assert call(review, "approve_report", REVIEWER, report["id"], {})["state"] == "approved"
    assert call(case, "get_item", REVIEWER, serve["id"])["state"] == "approved"


OTHER_OPERATOR = {"user_id": 3, "role": "operator", "unit_id": 5}


def test_an_approval_opens_the_next_item_and_says_so(services):
    case, review, listener = services["case"], services["review"], services["review_listener"]
    items = call(case, "register_decision", REVIEWER, decision_payload())["items"]
    serve, announce = items[0], next(i for i in items if i["code"] == "ANNOUNCE")
    report = call(review, "submit_report", OPERATOR, serve["id"], {"performed_on": "2021-03-06", "evidence": SERVE})
    with entrypoint_waiter(listener, "on_approved"):
        approved = call(review, "approve_report", REVIEWER, report["id"], {"comment": "齐全"})
    assert approved["review"]["outcome"] == "approved" and approved["review"]["comment"] == "齐全"
    event = Listener.seen[-1]
    assert {k: event[k] for k in ("report_id", "item_id", "decision_id", "unit_id", "code")} == {
        "report_id": report["id"], "item_id": serve["id"], "decision_id": serve["decision_id"],
        "unit_id": 2, "code": "SERVE"}
    assert call(case, "get_item", REVIEWER, announce["id"])["state"] == "open"


def test_a_rectification_round_shows_what_changed_and_stays_in_its_unit(services):
    case, review = services["case"], services["review"]
    serve = call(case, "register_decision", REVIEWER, decision_payload())["items"][0]
    first = call(review, "submit_report", OPERATOR, serve["id"],
                 {"performed_on": "2021-03-06", "evidence": {**SERVE, "recipients": ["东河区民政局"]}})
    assert [f["category"] for f in first["findings"]] == ["送达部门遗漏"]
    call(review, "reject_report", REVIEWER, first["id"],
         {"problem": "送达部门遗漏", "requirement": "补送本人", "rectify_by": RECTIFY_BY})
    second = call(review, "submit_report", OPERATOR, serve["id"], {"performed_on": "2021-03-07", "evidence": SERVE})
    assert (second["round"], second["changes"], second["findings"]) == (2, ["performed_on", "recipients"], [])
    queued = call(review, "queue", REVIEWER, {"unit_id": 2})["items"]
    assert [(r["id"], r["person_name"], r["doc_number"]) for r in queued] == [
        (second["id"], "张三1", "东纪发〔2021〕1号")]
    rounds = call(review, "reports_for_item", OPERATOR, serve["id"])["reports"]
    assert [(r["round"], r["state"], (r["review"] or {}).get("problem")) for r in rounds] == [
        (1, "rejected", "送达部门遗漏"), (2, "submitted", None)]
    with pytest.raises(NotFound):
        call(review, "reports_for_item", OTHER_OPERATOR, serve["id"])


def test_guidance_and_an_approved_extension_are_announced(services, platform_config):
    case, review, listener = services["case"], services["review"], services["review_listener"]
    items = {i["code"]: i for i in call(case, "register_decision", REVIEWER, decision_payload())["items"]}
    with entrypoint_waiter(listener, "on_guidance"):
        call(review, "issue_guidance", REVIEWER, {"unit_id": 2, "item_id": items["SERVE"]["id"], "text": "注意送达范围"})
    assert {k: Listener.seen[-1][k] for k in ("unit_id", "decision_id", "item_id", "text")} == {
        "unit_id": 2, "decision_id": items["SERVE"]["decision_id"], "item_id": items["SERVE"]["id"],
        "text": "注意送达范围"}
    before = count_rows(platform_config["REVIEW_DB_URL"], "guidance", "outbox")
    for wrong in ({"decision_id": items["SERVE"]["decision_id"] + 1}, {"unit_id": 3}):
        with pytest.raises(ValidationFailed):
            call(review, "issue_guidance", REVIEWER, {"unit_id": 2, "item_id": items["SERVE"]["id"], "text": "x", **wrong})
    assert count_rows(platform_config["REVIEW_DB_URL"], "guidance", "outbox") == before
    for code in ("SERVE", "ANNOUNCE", "COPY", "ARCHIVE"):    # straight through case: only TREATMENT matters
        call(case, "transition_item", OPERATOR, items[code]["id"], "submitted")
        call(case, "transition_item", REVIEWER, items[code]["id"], "approved")
    treatment = items["TREATMENT"]
    asked = call(review, "request_extension", OPERATOR, treatment["id"], {"days": 30, "reason": "等待人社审批"})
    with pytest.raises(Conflict):       # one request at a time
        call(review, "request_extension", OPERATOR, treatment["id"], {"days": 10, "reason": "再等等"})
    with entrypoint_waiter(listener, "on_extension"):
        call(review, "approve_extension", REVIEWER, asked["id"])
    event = Listener.seen[-1]
    assert (event["item_id"], event["code"], event["days"], event["new_due_date"]) == (
        treatment["id"], "TREATMENT", 30, "2021-05-01")
    assert call(case, "get_item", REVIEWER, treatment["id"])["due_date"] == "2021-05-01"
    with pytest.raises(AlreadyReviewed):
        call(review, "refuse_extension", REVIEWER, asked["id"])


def test_figures_count_reviews_by_category_unit_and_month(services):
    case, review = services["case"], services["review"]
    for n in (1, 2):
        serve = call(case, "register_decision", REVIEWER, decision_payload(n))["items"][0]
        report = call(review, "submit_report", OPERATOR, serve["id"], {"performed_on": "2021-03-06", "evidence": SERVE})
        if n == 1:
            call(review, "reject_report", REVIEWER, report["id"],
                 {"problem": "三书落实不及时", "requirement": "x", "rectify_by": RECTIFY_BY})
        else:
            call(review, "approve_report", REVIEWER, report["id"], {})
    figures = call(review, "statistics", REVIEWER)
    assert (figures["reviewed"], figures["rejected"]) == (2, 1)
    assert figures["by_category"] == [{"category": "两书落实不及时", "count": 1}]
    assert figures["by_unit"] == [{"unit_id": 2, "reviewed": 2, "rejected": 1, "correction_rate": 0.5}]
    assert [(m["reviewed"], m["rejected"], m["correction_rate"]) for m in figures["by_month"]] == [(2, 1, 0.5)]
    assert call(review, "statistics", REVIEWER, {"from": "2000-01-01", "to": "2000-12-31"})["reviewed"] == 0
    assert call(review, "statistics", REVIEWER, {"unit_id": 2, "from": "2000-01-01"})["reviewed"] == 2
    with pytest.raises(ValidationFailed) as err:
        call(review, "statistics", REVIEWER, {"from": "2021-02-01", "to": "2021-01-01"})
    assert "to" in err.value.fields
    with pytest.raises(Forbidden):
        call(review, "statistics", OPERATOR)
