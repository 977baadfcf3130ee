"""以案促改 tasks through review, deadline and library, without a broker: they are items, so the
same use cases report, pre-check, review, extend, count down, remind, light, count and fill them;
the only difference is the owner (``reform_id`` instead of ``decision_id``) every event names."""
import base64
import io
from dataclasses import replace
from datetime import date, timedelta

import pytest
from docx import Document
from sqlalchemy import func, select

from services.case.rulebook import load_rulebook, rulebook_summary
from services.common.actor import Actor
from services.deadline import projection, reform_figures, sweep, tracking
from services.deadline.models import Base as DeadlineBase
from services.deadline.models import Deadline, StatReform, StatReview
from services.deadline.thresholds import Settings
from services.library import basis
from services.review import extensions, records, reporting
from services.review.checklist import ChecklistError, check_covers, load_checklist, reportable
from services.review.checks import ReportFacts, precheck
from services.review.exceptions import ItemNotReportable
from services.review.models import Base as ReviewBase
from services.review.models import Report
from services.common.errors import ValidationFailed
from tests.fakes import FakeCase, FakeClock, FakeUnitOfWork
from tests.unit.test_library_support import shared_library

BOOK = rulebook_summary(load_rulebook("services/case/rulebook.yaml"))
CHECKLIST = load_checklist()
SETTINGS = Settings.from_rulebook(BOOK["settings"])
REVIEWER = Actor(user_id=1, role="reviewer", unit_id=1)
OPERATOR = Actor(user_id=2, role="operator", unit_id=2)
WARNING = {"held_on": "2021-04-10", "scope": "全体干部职工", "attendance": 60, "leaders_present": True,
           "cases": "张三违规办理低保案"}
PLAN = {"adopted_on": "2021-04-20", "document_number": "东民发〔2021〕8号",
        "measures": ["修订低保审核制度，2021年5月底前完成", "建立复核台账，6月30日前完成"]}


# -- pre-checks (智能预审) -----------------------------------------------------------------------
def facts(code, evidence):
    return ReportFacts(code=code, evidence=evidence, performed_on=date(2021, 4, 10), due_date=date(2021, 5, 6),
                       partners=(), person_name="", political_status="", category="", sanctions=(),
                       illicit_amount=None)


def categories(code, evidence):
    return [f["category"] for f in precheck(facts(code, evidence), CHECKLIST)]


@pytest.mark.parametrize("code,evidence,expected", [
    ("RF_WARNING", WARNING, []),
    ("RF_WARNING", {**WARNING, "leaders_present": False}, ["领导班子未到会"]),     # a meeting without the leading group
    ("RF_WARNING", {**WARNING, "attendance": 1}, ["领导班子未到会"]),
    ("RF_LIFE_MEETING", {"leaders_present": False, "criticism": "…"}, ["领导班子未到会"]),
    ("RF_LIFE_MEETING", {"leaders_present": True, "criticism": "逐一对照检查"}, []),
    ("RF_PLAN", PLAN, []),
    ("RF_PLAN", {**PLAN, "measures": ["修订低保审核制度", "建立复核台账，6月30日前完成"]}, ["整改措施无完成时限"]),
    ("RF_PLAN", {**PLAN, "measures": []}, ["未列明整改措施"]),                     # a plan with no measure
    ("RF_REPORT", {"measures": [], "summary": "已整改"}, ["未列明整改措施"]),       # a report with no measures listed
    ("RF_REPORT", {"measures": ["已修订低保审核制度"], "summary": "已整改"}, []),
])
def test_reform_pre_checks_warn_under_listed_categories(code, evidence, expected):
    found = categories(code, evidence)
    assert found == expected
    assert set(found) <= set(CHECKLIST.problem_categories)


def test_the_start_up_cross_check_requires_a_checklist_for_every_reform_task():
    check_covers(CHECKLIST, reportable(BOOK))
    without = replace(CHECKLIST, schemas={k: v for k, v in CHECKLIST.schemas.items() if k != "RF_RULES"})
    with pytest.raises(ChecklistError, match=r"no evidence checklist for the rule book's reform task RF_RULES \(建章立制\)"):
        check_covers(without, reportable(BOOK))


def test_the_library_checks_the_reform_sections_legal_bases():
    where = [w for w, _ in basis.references_in(BOOK) if w.startswith("reforms")]
    assert "reforms.legal_basis[2]" in where and "reforms.tasks[6] RF_REPORT legal_basis[0]" in where


# -- reporting and reviewing a task (review) ---------------------------------------------------
@pytest.fixture
def review_uow():
    uow = FakeUnitOfWork(ReviewBase.metadata)
    yield uow
    uow.dispose()


@pytest.fixture
def clock():
    return FakeClock("2021-04-12")


@pytest.fixture
def case(clock):
    fake = FakeCase(clock)
    fake.add_reform(reform_id=9, unit_id=OPERATOR.unit_id, issued_on="2021-04-01")
    fake.add_task(9, item_id=21, code="RF_WARNING", name="警示教育大会", state="open", due_date="2021-05-06",
                  extension_limit="2021-07-01")
    fake.add_task(9, item_id=22, code="RF_ANALYSIS", name="剖析原因查找风险点", state="locked",
                  due_date="2021-05-06", after=["RF_WARNING"])
    return fake


def report(uow, case, clock, item_id=21, evidence=WARNING, performed_on="2021-04-10"):
    return reporting.submit(uow, case, clock, CHECKLIST, OPERATOR, item_id,
                            {"performed_on": performed_on, "evidence": evidence})


def test_a_task_is_reported_rejected_and_approved_as_an_item(review_uow, case, clock):
    first = report(review_uow, case, clock, evidence={**WARNING, "leaders_present": False})
    assert [f["category"] for f in first["findings"]] == ["领导班子未到会"]
    stored = review_uow.committed().get(Report, first["id"])
    assert (stored.reform_id, stored.decision_id, stored.doc_number, stored.person_name) == (9, None, "东纪建〔2021〕9号", None)
    submitted, = review_uow.events_of("item_submitted")
    assert (submitted["reform_id"], submitted["decision_id"], submitted["name"]) == (9, None, "警示教育大会")

    reporting.reject(review_uow, case, clock, CHECKLIST, REVIEWER, first["id"], {
        "problem": "领导班子未到会", "requirement": "领导班子成员到会后重新召开", "rectify_by": "2021-04-30"})
    assert case.state_of(21) == "rejected" and review_uow.events_of("item_rejected")[0]["reform_id"] == 9
    second = report(review_uow, case, clock)
    assert (second["round"], second["changes"], second["findings"]) == (2, ["leaders_present"], [])
    reporting.approve(review_uow, case, clock, REVIEWER, second["id"], {"comment": "会议规范"})
    assert case.state_of(21) == "approved" and case.state_of(22) == "open"      # the next task opened
    assert review_uow.events_of("item_approved")[0]["reform_id"] == 9


def test_a_locked_task_refuses_a_report_naming_what_it_waits_for(review_uow, case, clock):
    with pytest.raises(ItemNotReportable) as refused:
        report(review_uow, case, clock, item_id=22, evidence={"completed_on": "2021-04-10", "causes": "x",
                                                                "risks": ["y"]})
    assert refused.value.status == 409 and "警示教育大会（RF_WARNING）" in refused.value.message
    assert review_uow.committed().scalar(select(func.count()).select_from(Report)) == 0


def test_a_task_is_not_done_before_its_reform_was_issued(review_uow, case, clock):
    with pytest.raises(ValidationFailed) as refused:
        report(review_uow, case, clock, performed_on="2021-03-31")
    assert "以案促改下发日期" in refused.value.message and "performed_on" in refused.value.fields


def test_an_extension_of_a_task_names_its_reform(review_uow, case, clock):
    extension = extensions.request(review_uow, case, clock, OPERATOR, 21, {"days": 20, "reason": "会议推迟"})
    assert (extension.reform_id, extension.decision_id) == (9, None)
    extensions.approve(review_uow, case, clock, REVIEWER, extension.id)
    approved, = review_uow.events_of("extension_approved")
    assert (approved["reform_id"], approved["decision_id"], approved["new_due_date"]) == (9, None, "2021-05-26")


def test_latest_reports_label_the_evidence_for_the_filled_report(review_uow, case, clock):
    report(review_uow, case, clock)
    said, = records.latest_reports(review_uow.session, CHECKLIST, REVIEWER, [21, 22])
    assert said["item_id"] == 21 and said["state"] == "submitted"
    assert {"key": "leaders_present", "label": "单位领导班子成员到会", "text": "是"} in said["evidence"]
    assert records.latest_reports(review_uow.session, CHECKLIST, Actor(5, "operator", 4), [21]) == []


# -- countdowns, reminders, lights and the statistics (deadline) --------------------------------
@pytest.fixture
def deadline_uow():
    uow = FakeUnitOfWork(DeadlineBase.metadata)
    yield uow
    uow.dispose()


DAY0 = date(2021, 4, 1)
REGISTERED = {"event_id": "e-reform", "reform_id": 9, "unit_id": 2, "basis": "纪律检查建议书",
              "doc_number": "东纪建〔2021〕9号", "issued_on": "2021-04-01", "due_date": None, "decision_ids": [5],
              "items": [
                  {"item_id": 21, "decision_id": None, "reform_id": 9, "unit_id": 2, "code": "RF_WARNING",
                   "name": "警示教育大会", "state": "open", "version": 2, "opens_on": None, "due_date": "2021-05-06"},
                  {"item_id": 22, "decision_id": None, "reform_id": 9, "unit_id": 2, "code": "RF_ANALYSIS",
                   "name": "剖析原因查找风险点", "state": "locked", "version": 1, "opens_on": None,
                   "due_date": "2021-05-06"}]}


def test_tasks_count_down_remind_turn_red_and_light_their_reform(deadline_uow):
    projection.on_reform_registered(deadline_uow, SETTINGS, DAY0, REGISTERED)
    deadline_uow.commit()
    row = deadline_uow.session.get(Deadline, 21)
    assert (row.reform_id, row.decision_id, row.state) == (9, None, "open")
    assert deadline_uow.session.get(StatReform, 9).issued_on == DAY0

    sweep.sweep(deadline_uow, SETTINGS, DAY0 + timedelta(days=10))                 # ten idle days
    reminder, = deadline_uow.events_of("deadline_reminder")
    assert (reminder["item_id"], reminder["reform_id"], reminder["decision_id"], reminder["name"]) == (
        21, 9, None, "警示教育大会")
    sweep.sweep(deadline_uow, SETTINGS, date(2021, 5, 7))                           # past its due date
    overdue, = deadline_uow.events_of("deadline_overdue")
    assert (overdue["item_id"], overdue["reform_id"]) == (21, 9)
    today = date(2021, 5, 7)
    assert sweep.reform_lights(deadline_uow.session, SETTINGS, REVIEWER, today, [9]) == {9: "red"}
    assert sweep.lights_for(deadline_uow.session, SETTINGS, OPERATOR, today, [21])[21]["reform_id"] == 9
    assert sweep.reform_lights(deadline_uow.session, SETTINGS, Actor(5, "operator", 4), today, [9]) == {}

    figures = reform_figures.reform_figures(deadline_uow.session, SETTINGS, REVIEWER, today)
    assert figures["rows"] == [{"unit": 2, "unit_name": None, "reforms": 1, "open": 1, "completed": 0,
                                "on_time": 0, "overdue": 1, "rejected": 0, "rejections": 0, "on_time_rate": None}]


def test_a_tasks_reviews_and_its_reforms_completion_are_counted(deadline_uow):
    projection.on_reform_registered(deadline_uow, SETTINGS, DAY0, REGISTERED)
    zone = __import__("zoneinfo").ZoneInfo("Asia/Shanghai")
    rejected = {"report_id": 1, "item_id": 21, "reform_id": 9, "decision_id": None, "unit_id": 2, "code": "RF_WARNING",
                "problem_category": "领导班子未到会", "reviewed_at": "2021-04-12T02:00:00"}
    projection.review_recorded(deadline_uow, rejected, "rejected", zone)
    projection.review_recorded(deadline_uow, dict(rejected, report_id=2, reviewed_at="2021-04-20T02:00:00"),
                               "approved", zone)
    for item_id in (21, 22):
        tracking.state_changed(deadline_uow, SETTINGS, date(2021, 4, 20), item_id, "approved", version=9)
    deadline_uow.session.get(Deadline, 22).approved_on = date(2021, 4, 25)
    projection.reform_completed(deadline_uow, {"reform_id": 9, "unit_id": 2})
    deadline_uow.commit()
    review = deadline_uow.session.get(StatReview, 1)
    assert (review.reform_id, review.decision_id, review.category, review.outcome) == (9, None, None, "rejected")
    totals = reform_figures.reform_figures(deadline_uow.session, SETTINGS, REVIEWER, date(2021, 6, 1))["totals"]
    assert totals == {"reforms": 1, "open": 0, "completed": 1, "on_time": 1, "overdue": 0, "rejected": 1,
                      "rejections": 1, "on_time_rate": 1.0}
    with pytest.raises(ValidationFailed):
        reform_figures.reform_figures(deadline_uow.session, SETTINGS, REVIEWER, DAY0, {"from": "2021-05-01",
                                                                                    "to": "2021-04-01"})


def test_an_event_of_a_task_before_its_reform_waits(deadline_uow):
    from services.common.inbox import NotYetApplicable
    with pytest.raises(NotYetApplicable):
        tracking.state_changed(deadline_uow, SETTINGS, DAY0, 21, "submitted", version=3)


# -- the 以案促改整改报告 filled from the reform case (library) ----------------------------------------
REFORM = {"id": 9, "unit_id": 3, "basis": "纪律检查建议书", "doc_number": "东纪建〔2021〕9号",
          "issued_on": "2021-04-01", "due_date": "2021-06-30", "status": "executing",
          "requirements": "针对低保审核把关不严问题，完善审核制度。",
          "decisions": [{"id": 7, "doc_number": "东纪发〔2021〕12号", "decided_by": "东河区纪委监委",
                         "decision_date": "2021-03-01", "person": {"id": 5, "name": "张三", "post": "科员"},
                         "sanctions": [{"kind": "party", "type": "留党察看", "months": 12}]}],
          "items": [{"id": 21, "seq": 1, "code": "RF_WARNING", "name": "警示教育大会", "state": "approved",
                     "due_date": "2021-05-06", "legal_basis": [{"regulation": "S01", "article": 20}]},
                    {"id": 22, "seq": 2, "code": "RF_ANALYSIS", "name": "剖析原因查找风险点", "state": "open",
                     "due_date": "2021-05-06", "legal_basis": []}]}


def test_the_reform_report_is_filled_with_the_case_its_tasks_and_what_each_report_said(tmp_path_factory):
    library = shared_library(str(tmp_path_factory.getbasetemp()))
    template = library.template("reform_report")
    assert template.subject == "reform"
    said = [{"item_id": 21, "performed_on": "2021-04-10", "state": "approved", "rejections": 1,
             "evidence": [{"key": "scope", "label": "参会范围", "text": "全体干部职工"}]}]
    out = library.render_reform(template, REFORM, date(2021, 5, 10), {"3": "东河区民政局"}, said)
    assert out["filename"] == "以案促改整改报告-东纪建〔2021〕9号.docx"
    doc = Document(io.BytesIO(base64.b64decode(out["content_base64"])))
    text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    for expected in ("东河区民政局", "纪律检查建议书（东纪建〔2021〕9号）", "东河区纪委监委：", "二〇二一年四月一日",
                     "张三（东纪发〔2021〕12号，留党察看一年（党纪处分））", "针对低保审核把关不严问题",
                     "要求于二〇二一年六月三十日前整改到位", "共2项整改任务，已审核通过1项",
                     "警示教育大会", "已审核通过（经1次驳回整改）", "参会范围：全体干部职工", "尚未上报"):
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text
