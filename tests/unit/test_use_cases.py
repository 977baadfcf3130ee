"""The use cases on a fake unit of work and fake collaborators: no broker, no container.

register (case), submit / approve / reject and extensions (review), the sweep (deadline):
each is called as its nameko adapter calls it, ``(uow, collaborators, clock, actor, ...)``,
and judged by what a user would see: the items, the stored rows, the events, the refusals.
"""
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from services.case import execution
from services.case.exceptions import DuplicateDecision, StaleVersion
from services.case.models import Base as CaseBase
from services.case.models import Decision, ExecutionItem
from services.case.rulebook import load_rulebook
from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden, ValidationFailed
from services.deadline import sweep, tracking
from services.deadline.models import Alert
from services.deadline.models import Base as DeadlineBase
from services.deadline.thresholds import Settings
from services.review import extensions, reporting
from services.review.checklist import load_checklist
from services.review.exceptions import AlreadyReviewed, ExtensionBeyondLimit, ItemNotReportable
from services.review.models import Base as ReviewBase
from services.review.models import Extension, Report
from tests.fakes import FakeCase, FakeClock, FakeUnitOfWork
from tests.helpers import decision_payload

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "services/case/rulebook.yaml"
BOOK = load_rulebook(RULEBOOK)                               # as CaseService builds it
CHECKLIST = load_checklist()                                 # as ReviewService builds it
SETTINGS = Settings.from_rulebook(yaml.safe_load(RULEBOOK.read_text(encoding="utf-8"))["settings"])

REVIEWER = Actor(user_id=1, role="reviewer", unit_id=1)
OPERATOR = Actor(user_id=2, role="operator", unit_id=2)
SERVE = {"served_on": "2021-03-05", "recipients": ["张三1", "东河区民政局"],
         "receipt_signed": True, "unit_seal": True}


def count(uow, model, *where):
    """Rows as committed: what a use case flushed but did not commit does not count."""
    return uow.committed().scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def case_uow():
    uow = FakeUnitOfWork(CaseBase.metadata)
    yield uow
    uow.dispose()


@pytest.fixture
def review_uow():
    uow = FakeUnitOfWork(ReviewBase.metadata)
    yield uow
    uow.dispose()


@pytest.fixture
def deadline_uow():
    uow = FakeUnitOfWork(DeadlineBase.metadata)
    yield uow
    uow.dispose()


@pytest.fixture
def clock():
    return FakeClock("2021-03-08")


@pytest.fixture
def case(clock):
    """A decision of 2021-03-01 with SERVE open, ANNOUNCE waiting for it, TREATMENT extendable."""
    fake = FakeCase(clock)
    fake.add_decision(decision_id=1, unit_id=OPERATOR.unit_id, decision_date="2021-03-01")
    fake.add_item(item_id=1, code="SERVE", name="送达", state="open", due_date="2021-04-01")
    fake.add_item(item_id=2, code="ANNOUNCE", name="宣布", state="locked", due_date="2021-04-01",
                  after=["SERVE"])
    fake.add_item(item_id=5, code="TREATMENT", name="调整待遇", state="open", due_date="2021-04-01",
                  extension_limit="2021-09-01")
    return fake


def submitted(review_uow, case, clock, item_id=1):
    """A report waiting for review (SERVE submitted), through the use case itself."""
    return reporting.submit(review_uow, case, clock, CHECKLIST, OPERATOR, item_id,
                            {"performed_on": "2021-03-06", "evidence": SERVE})


# -- case: registering a decision ---------------------------------------------------------
def test_registration_creates_the_rule_books_items_with_due_dates_and_announces_once(case_uow):
    decision = execution.register_decision(case_uow, BOOK, FakeClock("2021-03-02"), REVIEWER,
                                           decision_payload())

    items = {(i.code, i.cycle or 0): i for i in decision.items}
    assert [i.code for i in decision.items] == [
        "SERVE", "ANNOUNCE", "COPY", "ARCHIVE", "TREATMENT", "ORG_HANDLING", "ASSETS", "LETTERS",
        "REPORT", "RATING", "RATING", "EDU_VISIT", "RESTORE"]
    # Only the first item opens; the rest wait for their predecessors (and their dates).
    assert [i.code for i in decision.items if i.state == "open"] == ["SERVE"]
    assert items["SERVE", 0].due_date == date(2021, 4, 1)             # one month after the decision
    assert items["REPORT", 0].due_date == date(2021, 9, 1)            # six months
    assert items["TREATMENT", 0].extension_limit == date(2021, 9, 1)  # 延期 at most to six months
    assert items["EDU_VISIT", 0].opens_on == date(2021, 6, 1)         # time-gated: three months
    assert count(case_uow, ExecutionItem) == 13

    # One transaction, one decision_registered carrying every item as it now is.
    assert case_uow.commits == 1
    [announced] = case_uow.events_of("decision_registered")
    assert announced["decision_id"] == decision.id
    assert [(i["item_id"], i["state"], i["due_date"]) for i in announced["items"]] == [
        (i.id, i.state, i.due_date.isoformat()) for i in decision.items]
    assert case_uow.events_of("item_opened")[0]["code"] == "SERVE"


def test_registering_the_same_doc_number_twice_is_refused_and_announces_nothing(case_uow):
    clock = FakeClock("2021-03-02")
    execution.register_decision(case_uow, BOOK, clock, REVIEWER, decision_payload(1))
    events_before = list(case_uow.events)

    with pytest.raises(DuplicateDecision) as refused:
        execution.register_decision(case_uow, BOOK, clock, REVIEWER,
                                    decision_payload(2, doc_number=decision_payload(1)["doc_number"]))

    assert refused.value.status == 409 and "doc_number" in refused.value.fields
    assert count(case_uow, Decision) == 1
    assert case_uow.events == events_before


def test_a_decision_dated_in_the_future_is_refused_naming_the_date(case_uow):
    with pytest.raises(ValidationFailed) as refused:
        execution.register_decision(case_uow, BOOK, FakeClock("2021-02-28"), REVIEWER, decision_payload())

    assert "decision_date" in refused.value.fields
    assert count(case_uow, Decision) == 0 and case_uow.events == []


def test_an_operator_may_not_register_a_decision(case_uow):
    with pytest.raises(Forbidden):
        execution.register_decision(case_uow, BOOK, FakeClock("2021-03-02"), OPERATOR, decision_payload())
    assert count(case_uow, Decision) == 0 and case_uow.events == []


# -- review: submitting a report ----------------------------------------------------------
def test_submit_moves_the_item_in_case_stores_one_report_and_announces_it(review_uow, case, clock):
    report = submitted(review_uow, case, clock)

    assert case.state_of(1) == "submitted"
    [move] = case.items[1]["history"]
    assert (move["to_state"], move["actor_role"], move["actor_user_id"]) == ("submitted", "operator", 2)
    assert count(review_uow, Report, Report.item_id == 1) == 1
    assert (report["state"], report["round"], report["findings"]) == ("submitted", 1, [])
    [announced] = review_uow.events_of("item_submitted")
    assert review_uow.event_types() == ["item_submitted"]
    assert (announced["report_id"], announced["item_id"], announced["round"]) == (report["id"], 1, 1)


def test_submit_on_a_locked_item_is_refused_and_nothing_is_stored_or_announced(review_uow, case, clock):
    with pytest.raises(ItemNotReportable) as refused:
        reporting.submit(review_uow, case, clock, CHECKLIST, OPERATOR, 2,
                         {"performed_on": "2021-03-06", "evidence": {"scope": "全体干部职工大会"}})

    assert refused.value.code == "ITEM_NOT_OPEN" and refused.value.status == 409
    assert "送达" in refused.value.message            # names what must be approved first
    assert case.state_of(2) == "locked" and case.calls_to("transition_item") == []
    assert count(review_uow, Report) == 0
    assert review_uow.events == []


def test_a_second_submission_while_the_first_waits_is_refused(review_uow, case, clock):
    submitted(review_uow, case, clock)

    with pytest.raises(ItemNotReportable):
        submitted(review_uow, case, clock)

    assert count(review_uow, Report, Report.item_id == 1) == 1
    assert review_uow.event_types() == ["item_submitted"]
    assert len(case.calls_to("transition_item")) == 1


def test_submit_with_a_performed_on_date_in_the_future_is_refused(review_uow, case, clock):
    with pytest.raises(ValidationFailed) as refused:
        reporting.submit(review_uow, case, clock, CHECKLIST, OPERATOR, 1,
                         {"performed_on": "2021-03-09", "evidence": SERVE})

    assert "performed_on" in refused.value.fields
    assert case.state_of(1) == "open" and count(review_uow, Report) == 0 and review_uow.events == []


# -- review: approving and rejecting ------------------------------------------------------
def test_approve_moves_the_item_and_announces_the_approval(review_uow, case, clock):
    report = submitted(review_uow, case, clock)

    reporting.approve(review_uow, case, clock, REVIEWER, report["id"], {"comment": "材料齐全"})

    assert case.state_of(1) == "approved"
    assert case.state_of(2) == "open"               # what the approval unlocks, in case
    [approved] = review_uow.events_of("item_approved")
    assert (approved["report_id"], approved["item_id"]) == (report["id"], 1)
    stored = review_uow.committed().get(Report, report["id"])
    assert (stored.state, stored.reviewed_by, stored.comment) == ("approved", 1, "材料齐全")


def test_a_second_approval_is_already_reviewed_and_changes_nothing(review_uow, case, clock):
    report = submitted(review_uow, case, clock)
    reporting.approve(review_uow, case, clock, REVIEWER, report["id"], {})
    events, moves = list(review_uow.events), len(case.calls_to("transition_item"))

    with pytest.raises(AlreadyReviewed) as refused:
        reporting.approve(review_uow, case, clock, REVIEWER, report["id"], {})

    assert refused.value.status == 409
    assert review_uow.events == events
    assert len(case.calls_to("transition_item")) == moves
    assert case.state_of(1) == "approved"


def test_reject_with_a_past_rectify_by_is_refused_naming_it_and_changes_nothing(review_uow, case, clock):
    report = submitted(review_uow, case, clock)
    events = list(review_uow.events)

    with pytest.raises(ValidationFailed) as refused:
        reporting.reject(review_uow, case, clock, CHECKLIST, REVIEWER, report["id"],
                         {"problem": "证明材料不全", "requirement": "补充回执", "rectify_by": "2021-03-07"})

    assert "rectify_by" in refused.value.fields
    assert case.state_of(1) == "submitted"
    assert review_uow.events == events
    stored = review_uow.committed().get(Report, report["id"])
    assert (stored.state, stored.version, stored.rectify_by) == ("submitted", report["version"], None)


def test_reject_sends_the_item_back_with_a_problem_and_a_date(review_uow, case, clock):
    report = submitted(review_uow, case, clock)

    reporting.reject(review_uow, case, clock, CHECKLIST, REVIEWER, report["id"],
                     {"problem": "材料不全", "requirement": "补充回执", "rectify_by": "2021-03-20"})

    assert case.state_of(1) == "rejected"
    [rejected] = review_uow.events_of("item_rejected")
    # An alias is stored as the category it stands for.
    assert (rejected["problem_category"], rejected["rectify_by"]) == ("证明材料不全", "2021-03-20")


def test_a_review_case_refuses_releases_the_report_for_another_try(review_uow, case, clock):
    report = submitted(review_uow, case, clock)
    case.fail_next["transition_item"] = StaleVersion("事项已被他人同时更新", {"version": ["已被他人更新"]})
    events = list(review_uow.events)

    with pytest.raises(Conflict):
        reporting.approve(review_uow, case, clock, REVIEWER, report["id"], {})

    assert review_uow.events == events
    assert review_uow.committed().get(Report, report["id"]).state == "submitted"
    reporting.approve(review_uow, case, clock, REVIEWER, report["id"], {})   # the retry succeeds
    assert case.state_of(1) == "approved"


# -- review: extensions -------------------------------------------------------------------
def test_approving_an_extension_moves_the_due_date_in_case(review_uow, case, clock):
    asked = extensions.request(review_uow, case, clock, OPERATOR, 5, {"days": 30, "reason": "人事审批未完成"})

    extensions.approve(review_uow, case, clock, REVIEWER, asked.id)

    [(actor, item_id, new_due, *_)] = case.calls_to("extend_due_date")
    assert (actor, item_id, new_due) == (REVIEWER.dump(), 5, "2021-05-01")
    assert case.items[5]["due_date"] == "2021-05-01"
    [approved] = review_uow.events_of("extension_approved")
    assert (approved["item_id"], approved["new_due_date"]) == (5, "2021-05-01")
    assert review_uow.committed().get(Extension, asked.id).state == "approved"


def test_an_extension_is_approved_once(review_uow, case, clock):
    asked = extensions.request(review_uow, case, clock, OPERATOR, 5, {"days": 30, "reason": "人事审批未完成"})
    extensions.approve(review_uow, case, clock, REVIEWER, asked.id)

    with pytest.raises(Conflict):
        extensions.approve(review_uow, case, clock, REVIEWER, asked.id)

    assert len(case.calls_to("extend_due_date")) == 1
    assert case.items[5]["due_date"] == "2021-05-01"
    assert len(review_uow.events_of("extension_approved")) == 1


def test_an_approval_retried_after_our_commit_failed_extends_only_once(review_uow, case, clock):
    asked = extensions.request(review_uow, case, clock, OPERATOR, 5, {"days": 30, "reason": "人事审批未完成"})
    review_uow.fail_next_commit = RuntimeError("database connection lost")
    with pytest.raises(RuntimeError):
        extensions.approve(review_uow, case, clock, REVIEWER, asked.id)   # case moved the date
    assert review_uow.committed().get(Extension, asked.id).state == "requested"

    extensions.approve(review_uow, case, clock, REVIEWER, asked.id)      # the reviewer tries again

    assert case.items[5]["due_date"] == "2021-05-01"                     # not 05-31
    assert [e["new_due_date"] for e in review_uow.events_of("extension_approved")] == ["2021-05-01"]
    assert review_uow.committed().get(Extension, asked.id).state == "approved"


def test_an_extension_past_the_legal_limit_is_refused_before_case_is_asked(review_uow, case, clock):
    with pytest.raises(ExtensionBeyondLimit) as refused:
        extensions.request(review_uow, case, clock, OPERATOR, 5, {"days": 200, "reason": "人事审批未完成"})

    assert refused.value.status == 422 and "2021-09-01" in refused.value.message
    assert count(review_uow, Extension) == 0
    assert case.calls_to("extend_due_date") == [] and case.items[5]["due_date"] == "2021-04-01"


def test_an_extension_case_refuses_stays_pending_and_announces_nothing(review_uow, case, clock):
    asked = extensions.request(review_uow, case, clock, OPERATOR, 5, {"days": 30, "reason": "人事审批未完成"})
    case.fail_next["extend_due_date"] = StaleVersion("事项已被他人同时更新", {"version": ["已被他人更新"]})

    with pytest.raises(StaleVersion):
        extensions.approve(review_uow, case, clock, REVIEWER, asked.id)

    assert review_uow.events_of("extension_approved") == []
    assert review_uow.committed().get(Extension, asked.id).state == "requested"


# -- deadline: the sweep ------------------------------------------------------------------
DAY0 = date(2021, 3, 1)


def tracked(uow, state="open", due_in_days=90):
    """One item counted down from DAY0 (as decision_registered leaves it)."""
    tracking.decision_registered(uow, SETTINGS, DAY0, {"decision_id": 1, "items": [{
        "item_id": 1, "unit_id": 2, "code": "SERVE", "name": "送达", "state": state,
        "due_date": (DAY0 + timedelta(days=due_in_days)).isoformat(), "opens_on": None}]})
    uow.commit()


def reminders(uow):
    return uow.events_of("deadline_reminder")


def test_the_sweep_reminds_an_item_idle_for_ten_days_exactly_once(deadline_uow):
    assert SETTINGS.reminder_idle_days == 10            # the rule book's 提醒 threshold
    tracked(deadline_uow)

    sweep.sweep(deadline_uow, SETTINGS, DAY0 + timedelta(days=9))
    assert reminders(deadline_uow) == []                # nine idle days: not yet

    sweep.sweep(deadline_uow, SETTINGS, DAY0 + timedelta(days=10))
    [reminder] = reminders(deadline_uow)
    assert (reminder["item_id"], reminder["level"], reminder["as_of"]) == (1, "reminder", "2021-03-11")
    assert count(deadline_uow, Alert, Alert.level == "reminder") == 1

    sweep.sweep(deadline_uow, SETTINGS, DAY0 + timedelta(days=10))   # the next run, same day
    sweep.sweep(deadline_uow, SETTINGS, DAY0 + timedelta(days=11))   # and the day after
    assert len(reminders(deadline_uow)) == 1
    assert count(deadline_uow, Alert, Alert.level == "reminder") == 1


def test_the_sweep_does_not_remind_an_item_acted_on(deadline_uow):
    tracked(deadline_uow)
    tracking.state_changed(deadline_uow, SETTINGS, DAY0 + timedelta(days=5), 1, "submitted")
    deadline_uow.commit()

    sweep.sweep(deadline_uow, SETTINGS, DAY0 + timedelta(days=20))

    assert reminders(deadline_uow) == [] and count(deadline_uow, Alert) == 0


def test_the_sweep_marks_an_item_overdue_the_day_after_its_due_date(deadline_uow):
    tracked(deadline_uow, due_in_days=30)

    sweep.sweep(deadline_uow, SETTINGS, DAY0 + timedelta(days=30))
    assert deadline_uow.events_of("deadline_overdue") == []
    sweep.sweep(deadline_uow, SETTINGS, DAY0 + timedelta(days=31))

    [overdue] = deadline_uow.events_of("deadline_overdue")
    assert (overdue["item_id"], overdue["days_left"]) == (1, -1)
