"""以案促改 in case, without a broker: the rule book's reform section (data), the tasks it plans,
registering a reform case (and every refusal changing nothing), and the tasks walked through the
same state machine as a decision's items until the reform case completes."""
import copy
from datetime import date

import pytest
import yaml
from sqlalchemy import func, select

from services.case import execution, reforms, rules
from services.case.exceptions import DuplicateReform, ItemNotOpen
from services.case.models import Base as CaseBase
from services.case.models import Decision, ExecutionItem, Reform, reform_decision
from services.case.rulebook import RuleBookError, load_rulebook, parse_rulebook, rulebook_summary
from services.case.schemas import ItemEvent, ItemOut, ReformOut
from services.common.actor import Actor
from services.common.errors import Forbidden, NotFound, ValidationFailed
from tests.fakes import FakeClock, FakeUnitOfWork
from tests.helpers import decision_payload

RULEBOOK = "services/case/rulebook.yaml"
BOOK = load_rulebook(RULEBOOK)
with open(RULEBOOK, encoding="utf-8") as handle:
    RAW = yaml.safe_load(handle)

REVIEWER = Actor(user_id=1, role="reviewer", unit_id=1)
OPERATOR = Actor(user_id=2, role="operator", unit_id=2)
OTHER_OPERATOR = Actor(user_id=3, role="operator", unit_id=4)
TASKS = ["RF_WARNING", "RF_LIFE_MEETING", "RF_ANALYSIS", "RF_PLAN", "RF_IMPLEMENT", "RF_RULES", "RF_REPORT"]


def reform_payload(decision_ids, **overrides):
    payload = {"unit_id": 2, "decision_ids": decision_ids, "basis": "纪律检查建议书",
               "doc_number": "东纪建〔2021〕3号", "issued_on": "2021-04-01",
               "requirements": "针对低保审核把关不严问题，开展警示教育，完善审核制度。", "due_date": None}
    payload.update(overrides)
    return payload


@pytest.fixture
def uow():
    fake = FakeUnitOfWork(CaseBase.metadata)
    yield fake
    fake.dispose()


@pytest.fixture
def clock():
    return FakeClock("2021-04-06")


@pytest.fixture
def decision(uow, clock):
    return execution.register_decision(uow, BOOK, FakeClock("2021-03-02"), REVIEWER, decision_payload(1))


def counts(uow):
    session = uow.committed()
    return {model: session.scalar(select(func.count()).select_from(model))
            for model in (Reform, reform_decision, ExecutionItem)}


# -- the rule book's reform section ---------------------------------------------------------------
def test_the_shipped_reform_section_names_every_task_in_order_with_its_legal_basis():
    tasks = BOOK.reforms.tasks
    assert [t.code for t in tasks] == TASKS
    assert [t.name for t in tasks] == ["警示教育大会", "专题民主生活会", "剖析原因查找风险点", "制定整改方案",
                                       "整改落实", "建章立制", "整改情况报告"]
    assert [t.order for t in tasks] == list(range(1, 8))
    assert all(t.legal_basis for t in tasks)
    assert [b.name for b in BOOK.reforms.bases] == ["纪律检查建议书", "监察建议书", "通报", "其他"]
    assert BOOK.reforms.basis("监察建议书").decisions == "none"
    summary = rulebook_summary(BOOK)["reforms"]
    assert [t["code"] for t in summary["tasks"]] == TASKS
    assert {"regulation": "S01", "article": 205} in summary["legal_basis"]


def broken(mutate):
    raw = copy.deepcopy(RAW)
    mutate(raw)
    return raw


def task(raw, code):
    return next(t for t in raw["reforms"]["tasks"] if t["code"] == code)


@pytest.mark.parametrize("mutate,expected", [
    (lambda r: r.pop("reforms"), "reforms: must be a mapping"),
    (lambda r: task(r, "RF_PLAN").__setitem__("after", ["RF_REPORT"]),
     "reforms.tasks RF_PLAN: after names ['RF_REPORT'], which is not a task of lower order"),
    (lambda r: task(r, "RF_PLAN").__setitem__("due", {"from": "decision_date", "months": 1}),
     "reforms.tasks[3] RF_PLAN: due.from must be one of ('issued_on', 'deadline')"),
    (lambda r: task(r, "RF_PLAN").__setitem__("code", "SERVE"), "code is an execution item's too"),
    (lambda r: task(r, "RF_RULES").__setitem__("legal_basis", []), "reforms.tasks[5] RF_RULES: legal_basis is required"),
    (lambda r: task(r, "RF_RULES").__setitem__("order", 1), "two tasks have the same order"),
    (lambda r: r["reforms"]["bases"].append({"name": "口头", "decisions": "maybe"}), "reforms.bases[4]"),
    (lambda r: r["reforms"]["settings"].__setitem__("default_deadline_months", 0),
     "reforms.settings.default_deadline_months"),
])
def test_a_bad_reform_entry_stops_case_naming_it(mutate, expected):
    with pytest.raises(RuleBookError) as err:
        parse_rulebook(broken(mutate), source="rb")
    assert expected in str(err.value)


# -- planning the tasks ----------------------------------------------------------------------------
def plan(issued_on, due_date=None, party_group=True):
    return {p.code: p for p in rules.plan_reform_tasks(
        BOOK, rules.ReformFacts(issued_on=issued_on, due_date=due_date, party_group=party_group))}


def test_without_a_deadline_tasks_are_due_from_the_issue_date_and_three_months():
    tasks = plan(date(2021, 4, 1))
    assert [(p.seq, p.code) for p in tasks.values()] == list(enumerate(TASKS, start=1))
    assert tasks["RF_WARNING"].due_date == date(2021, 5, 6)         # 1 May is 劳动节: the next working day
    assert tasks["RF_LIFE_MEETING"].due_date == date(2021, 6, 1)     # two months
    assert tasks["RF_PLAN"].due_date == date(2021, 5, 6)
    assert tasks["RF_IMPLEMENT"].due_date == tasks["RF_RULES"].due_date == date(2021, 7, 1)   # three months
    assert tasks["RF_REPORT"].due_date == date(2021, 7, 8)           # five working days after
    assert tasks["RF_WARNING"].extension_limit == date(2021, 7, 1)   # never past the reform's deadline
    assert tasks["RF_IMPLEMENT"].extension_limit is None
    assert tasks["RF_REPORT"].after == ("RF_LIFE_MEETING", "RF_IMPLEMENT", "RF_RULES")
    assert tasks["RF_LIFE_MEETING"].name == "专题民主生活会"


def test_the_suggestions_own_deadline_bounds_every_task():
    tasks = plan(date(2021, 4, 1), due_date=date(2021, 5, 20), party_group=False)
    assert tasks["RF_IMPLEMENT"].due_date == tasks["RF_RULES"].due_date == date(2021, 5, 20)
    assert tasks["RF_REPORT"].due_date == date(2021, 5, 20)          # "in any case by the deadline it sets"
    assert tasks["RF_LIFE_MEETING"].due_date == date(2021, 5, 20)    # two months would be later
    assert tasks["RF_WARNING"].due_date == date(2021, 5, 6)
    assert tasks["RF_LIFE_MEETING"].name == "专题组织生活会"           # a unit without a 党组


# -- registering -----------------------------------------------------------------------------------
def test_a_reform_case_from_a_decision_gets_its_tasks_and_announces_them(uow, clock, decision):
    reform = reforms.register_reform(uow, BOOK, clock, REVIEWER, reform_payload([decision.id]))

    assert [d.id for d in reform.decisions] == [decision.id]
    assert [i.code for i in reform.items] == TASKS
    assert all(i.reform_id == reform.id and i.decision_id is None and i.unit_id == 2 for i in reform.items)
    assert [i.code for i in reform.items if i.state == "open"] == ["RF_WARNING"]
    assert reform.status == "executing"
    registered, = uow.events_of("reform_registered")
    assert (registered["reform_id"], registered["unit_id"], registered["decision_ids"]) == (reform.id, 2, [decision.id])
    assert [(i["code"], i["reform_id"], i["decision_id"]) for i in registered["items"]] == [
        (code, reform.id, None) for code in TASKS]
    opened = [e for e in uow.events_of("item_opened") if e.get("reform_id") == reform.id]
    assert [(e["code"], e["name"], e["decision_id"]) for e in opened] == [("RF_WARNING", "警示教育大会", None)]
    # The decision's own items are untouched.
    assert {i.decision_id for i in uow.committed().scalars(select(ExecutionItem).where(
        ExecutionItem.reform_id.is_(None)))} == {decision.id}

    out = ReformOut().dump(reform)
    assert set(ItemOut().fields) <= set(out["items"][0]) and out["items"][0]["reform_id"] == reform.id
    assert out["decisions"][0]["doc_number"] == decision.doc_number
    assert (out["tasks_total"], out["tasks_approved"]) == (7, 0)


def test_a_supervision_suggestion_about_the_unit_itself_names_no_decision(uow, clock):
    reform = reforms.register_reform(uow, BOOK, clock, REVIEWER, reform_payload(
        [], basis="监察建议书", doc_number="东监建〔2021〕1号", due_date="2021-06-30"))
    assert reform.decisions == [] and len(reform.items) == 7
    assert max(i.due_date for i in reform.items) == date(2021, 6, 30)


@pytest.mark.parametrize("change,field", [
    (lambda d: {"decision_ids": [d.id + 100]}, "decision_ids.0"),                    # does not exist
    (lambda d: {"unit_id": 4}, "decision_ids.0"),                                     # another unit's decision
    (lambda d: {"decision_ids": []}, "decision_ids"),                                 # a 建议书 names its case
    (lambda d: {"basis": "监察建议书"}, "decision_ids"),                              # … a 监察建议 none
    (lambda d: {"issued_on": "2021-04-07"}, "issued_on"),                             # in the future
    (lambda d: {"due_date": "2021-03-31"}, "due_date"),                               # before the issue date
    (lambda d: {"basis": None}, "basis"),
    (lambda d: {"basis": "口头通知"}, "basis"),
    (lambda d: {"requirements": ""}, "requirements"),
    (lambda d: {"requirements": None}, "requirements"),
    (lambda d: {"doc_number": ""}, "doc_number"),
    (lambda d: {"unit_id": "二"}, "unit_id"),
])
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(uow, clock, decision, change, field):
    before, events = counts(uow), list(uow.events)
    payload = reform_payload([decision.id])
    payload.update(change(decision))
    payload = {k: v for k, v in payload.items() if v is not None or k == "due_date"}
    with pytest.raises(ValidationFailed) as refused:
        reforms.register_reform(uow, BOOK, clock, REVIEWER, payload)
    assert field in refused.value.fields, refused.value.fields
    assert counts(uow) == before and uow.events == events


def test_an_operator_may_not_register_and_a_doc_number_is_registered_once(uow, clock, decision):
    with pytest.raises(Forbidden):
        reforms.register_reform(uow, BOOK, clock, OPERATOR, reform_payload([decision.id]))
    assert counts(uow)[Reform] == 0
    first = reforms.register_reform(uow, BOOK, clock, REVIEWER, reform_payload([decision.id]), request_id="r-1")
    again = reforms.register_reform(uow, BOOK, clock, REVIEWER, reform_payload([decision.id]), request_id="r-1")
    assert again.id == first.id                                     # the same request, answered
    with pytest.raises(DuplicateReform) as refused:
        reforms.register_reform(uow, BOOK, clock, REVIEWER, reform_payload([decision.id]), request_id="r-2")
    assert refused.value.status == 409 and "doc_number" in refused.value.fields
    assert counts(uow)[Reform] == 1 and len(uow.events_of("reform_registered")) == 1


def test_reading_is_scoped_to_the_unit(uow, clock, decision):
    reform = reforms.register_reform(uow, BOOK, clock, REVIEWER, reform_payload([decision.id]))
    assert reforms.get_reform(uow.session, OPERATOR, reform.id).id == reform.id
    with pytest.raises(NotFound):
        reforms.get_reform(uow.session, OTHER_OPERATOR, reform.id)
    with pytest.raises(NotFound):
        execution.get_item(uow.session, OTHER_OPERATOR, reform.items[0].id)
    assert reforms.list_reforms(uow.session, OTHER_OPERATOR, {})[1] == 0
    assert [r.id for r in reforms.list_reforms(uow.session, OPERATOR, {"decision_id": decision.id})[0]] == [reform.id]
    assert reforms.list_reforms(uow.session, REVIEWER, {"status": "completed"})[1] == 0
    with pytest.raises(ValidationFailed):
        reforms.list_reforms(uow.session, REVIEWER, {"status": "done"})


# -- the tasks are items ---------------------------------------------------------------------------
def test_tasks_open_in_order_and_the_last_approval_completes_the_reform(uow, clock, decision):
    reform = reforms.register_reform(uow, BOOK, clock, REVIEWER, reform_payload([decision.id]))
    ids = {i.code: i.id for i in reform.items}
    with pytest.raises(ItemNotOpen):
        execution.transition_item(uow, clock, OPERATOR, ids["RF_PLAN"], "submitted")

    def approve(code):
        execution.transition_item(uow, clock, OPERATOR, ids[code], "submitted", reason="上报")
        execution.transition_item(uow, clock, REVIEWER, ids[code], "approved", reason="审核通过")

    def states():
        return {i.code: i.state for i in reforms.get_reform(uow.session, REVIEWER, reform.id).items}

    approve("RF_WARNING")
    assert {c for c, s in states().items() if s == "open"} == {"RF_LIFE_MEETING", "RF_ANALYSIS"}
    approve("RF_ANALYSIS")
    approve("RF_PLAN")
    assert {c for c, s in states().items() if s == "open"} == {"RF_LIFE_MEETING", "RF_IMPLEMENT", "RF_RULES"}
    for code in ("RF_LIFE_MEETING", "RF_IMPLEMENT", "RF_RULES"):
        approve(code)
    assert states()["RF_REPORT"] == "open" and not uow.events_of("reform_completed")
    approve("RF_REPORT")
    assert reforms.get_reform(uow.session, REVIEWER, reform.id).status == "completed"
    assert uow.events_of("reform_completed") == [
        dict(uow.events_of("reform_completed")[0], reform_id=reform.id, unit_id=2)]
    assert not uow.events_of("decision_completed")
    assert uow.committed().get(Decision, decision.id).status == "executing"
    changed = [e for e in uow.events_of("item_state_changed") if e["item_id"] in ids.values()]
    assert changed and all(e["reform_id"] == reform.id and e["decision_id"] is None for e in changed)


def test_every_item_event_says_which_owner_its_item_has():
    assert {"decision_id", "reform_id", "name", "version"} <= set(ItemEvent().fields)
    assert {"decision_id", "reform_id"} <= set(ItemOut().fields)
