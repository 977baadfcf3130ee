"""The statistics read model and the cube over it, on a fake unit of work (no broker).

Events are applied as deadline's handlers apply them (projection.py); the figures are read
back with statistics.cube / statistics.dashboard on a pinned day."""
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from services.case.rulebook import load_rulebook, rulebook_summary
from services.common.actor import Actor
from services.common.errors import Forbidden, NotFound, ValidationFailed
from services.common.inbox import NotYetApplicable
from services.deadline import projection, statistics, tracking
from services.deadline.models import Base, Deadline, StatDecision, StatReform, StatReview
from services.deadline.statistics import Vocabulary
from services.deadline.thresholds import Settings
from tests.fakes import FakeUnitOfWork

TODAY = date(2026, 6, 15)
ZONE = ZoneInfo("Asia/Shanghai")
SETTINGS = Settings(reminder_idle_days=10, warning_days_before_due=5, overdue_repeat_days=1)
BOOK = Vocabulary.from_rulebook(rulebook_summary(load_rulebook("services/case/rulebook.yaml")))
REVIEWER = Actor(1, "reviewer", 1)
LEADER = Actor(2, "leader", 1)
OPERATOR = Actor(3, "operator", 2)
PARTNER = Actor(4, "partner", 6)

_ids = iter(range(1, 10 ** 6))


def registered(decision_id, unit_id, decision_date, items, sanctions, category="公务员"):
    """A decision_registered payload: ``items`` [(item_id, code, name, state, due_date)]."""
    return {"event_id": f"e{next(_ids)}", "event_type": "decision_registered", "decision_id": decision_id,
            "unit_id": unit_id, "decision_date": decision_date, "category": category,
            "sanctions": [{"kind": k, "type": t} for k, t in sanctions],
            "items": [{"item_id": i, "unit_id": unit_id, "code": c, "name": n, "state": s, "version": 1,
                       "due_date": d, "opens_on": None} for i, c, n, s, d in items]}


def review(report_id, item_id, unit_id, reviewed_at, problem=None):
    return {"event_id": f"e{next(_ids)}", "report_id": report_id, "item_id": item_id, "unit_id": unit_id,
            "reviewed_at": reviewed_at, "problem_category": problem, "rectify_by": "2026-07-01",
            "item_version": 3}


def register(uow, payload):
    """As deadline's handler of decision_registered: the countdowns, then the facts."""
    projection.on_decision_registered(uow, SETTINGS, TODAY, payload)


@pytest.fixture
def uow():
    uow = FakeUnitOfWork(Base.metadata)
    yield uow
    uow.dispose()


@pytest.fixture
def district(uow):
    """Two units, three decisions, their items in every state, reviews in May and June."""
    register(uow, registered(
        1, 2, "2026-04-01", [(11, "SERVE", "送达", "approved", "2026-05-06"),
                             (12, "ANNOUNCE", "宣布", "open", "2026-06-10"),     # red: past due
                             (13, "COPY", "抄送", "locked", "2026-06-18")],
        [("party", "留党察看"), ("government", "撤职")]))
    register(uow, registered(
        2, 2, "2026-05-20", [(21, "SERVE", "送达", "approved", "2026-06-05"),
                             (22, "ANNOUNCE", "宣布", "open", "2026-06-18")],     # yellow: 3 days left
        [("government", "警告")], category="事业单位"))
    register(uow, registered(
        3, 3, "2026-06-01", [(31, "SERVE", "送达", "submitted", "2026-07-01")], [("party", "警告")]))
    uow.commit()
    # SERVE of decision 1: rejected in May, then approved late (after 6 May); decision 2's on time.
    rejected = review(101, 11, 2, "2026-05-04T02:00:00", "送达部门遗漏")
    tracking.state_changed(uow, SETTINGS, date(2026, 5, 4), 11, "rejected", rejected["rectify_by"], 3)
    projection.review_recorded(uow, rejected, "rejected", ZONE)
    projection.review_recorded(uow, review(102, 11, 2, "2026-05-08T03:00:00"), "approved", ZONE)
    tracking.state_changed(uow, SETTINGS, date(2026, 5, 8), 11, "approved", None, 4)   # case's event
    projection.review_recorded(uow, review(103, 21, 2, "2026-06-02T01:00:00"), "approved", ZONE)
    # A review at 23:30 UTC on 31 May is 1 June in Beijing.
    projection.review_recorded(uow, review(104, 12, 2, "2026-05-31T23:30:00", "本人不表态") | {}, "rejected", ZONE)
    projection.guidance_issued(uow, {"event_id": "g1", "guidance_id": 1, "unit_id": 2, "decision_id": 1,
                                     "item_id": None, "issued_at": "2026-06-03T02:00:00"}, ZONE)
    uow.commit()
    return uow


def cube(uow, actor=REVIEWER, kinds=None, **query):
    return statistics.expand(statistics.cube(uow.session, SETTINGS, BOOK, actor, TODAY, query, kinds))


def test_the_projection_copies_a_decisions_facts_onto_its_items_and_reviews(district):
    row = district.session.get(Deadline, 11)
    assert (row.category, row.party_type, row.government_type, row.approved_on) == (
        "公务员", "留党察看", "撤职", date(2026, 5, 8))
    assert district.session.get(StatDecision, 2).government_type == "警告"
    late = district.session.get(StatReview, 104)
    assert (late.reviewed_on, late.outcome, late.problem) == (date(2026, 6, 1), "rejected", "本人不表态")


def test_applying_an_event_twice_changes_nothing(district):
    before = district.session.scalar(select(func.count()).select_from(StatReview))
    projection.review_recorded(district, review(103, 21, 2, "2026-06-02T01:00:00"), "approved", ZONE)
    projection.decision_registered(district, registered(2, 2, "2026-05-20", [], [("government", "警告")],
                                                        category="事业单位"))
    district.commit()
    assert district.session.scalar(select(func.count()).select_from(StatReview)) == before
    assert cube(district, by="unit", measures="decisions,reviewed")["totals"] == {"decisions": 3, "reviewed": 4}


def test_a_review_of_an_item_not_known_yet_waits():
    uow = FakeUnitOfWork(Base.metadata)
    with pytest.raises(NotYetApplicable):
        projection.review_recorded(uow, review(1, 999, 2, "2026-06-01T00:00:00"), "approved", ZONE)
    with pytest.raises(NotYetApplicable):
        projection.decision_completed(uow, {"decision_id": 5})
    with pytest.raises(NotYetApplicable):     # before its countdowns
        projection.decision_registered(uow, registered(7, 2, "2026-06-01", [(71, "SERVE", "送达", "open",
                                                                              "2026-07-01")], []))
    uow.dispose()


def test_cube_by_unit_counts_every_measure(district):
    answer = cube(district, by="unit")
    by_unit = {row["unit"]: row for row in answer["rows"]}
    two = by_unit[2]
    assert (two["decisions"], two["items"], two["open"], two["overdue"]) == (2, 5, 2, 1)
    # approved: item 11 two days late, item 21 on time.
    assert (two["on_time_rate"], two["avg_delay_days"]) == (0.5, 2.0)
    assert (two["reviewed"], two["rejected"], two["correction_rate"]) == (4, 2, 0.5)
    assert two["guidance"] == 1
    assert two["reforms"] == 0 and answer["not_applicable"] == []
    assert by_unit[3]["open"] == 1 and by_unit[3]["on_time_rate"] is None
    assert answer["totals"]["items"] == 6 and answer["totals"]["decisions"] == 3
    assert answer["labels"]["measures"]["correction_rate"] == "纠错率"


def test_months_are_the_facts_own_dates_with_chinese_labels(district):
    rows = cube(district, by="month", measures="decisions,reviewed,rejected,correction_rate")["rows"]
    assert [(r["month"], r["month_name"]) for r in rows] == [
        ("2026-04", "2026年4月"), ("2026-05", "2026年5月"), ("2026-06", "2026年6月")]
    may, june = rows[1], rows[2]
    assert (may["decisions"], may["reviewed"], may["rejected"], may["correction_rate"]) == (1, 2, 1, 0.5)
    assert (june["decisions"], june["reviewed"], june["rejected"]) == (1, 2, 1)
    quarters = cube(district, by="quarter", measures="decisions")["rows"]
    assert [(r["quarter"], r["quarter_name"], r["decisions"]) for r in quarters] == [("2026-Q2", "2026年第2季度", 3)]


def test_code_by_sanction_type_counts_an_item_under_each_of_its_decisions_sanctions(district):
    answer = cube(district, by="code,sanction_type", measures="items,open")
    cells = {(r["code"], r["sanction_type"]): r for r in answer["rows"]}
    assert cells[("SERVE", "party:留党察看")]["items"] == 1
    assert cells[("SERVE", "government:撤职")]["items"] == 1
    assert cells[("SERVE", "party:警告")]["items"] == 1
    assert cells[("SERVE", "government:警告")]["code_name"] == "送达"
    assert cells[("SERVE", "government:警告")]["sanction_type_name"] == "政务·警告"
    assert answer["totals"]["items"] == 6      # each item once, though it shows under two types
    assert [r["code"] for r in answer["rows"]][:1] == ["SERVE"]      # the rule book's order


def test_lights_of_items_and_of_decisions(district):
    items = {r["light"]: r["items"] for r in cube(district, by="light", measures="items")["rows"]}
    assert items == {"red": 1, "yellow": 1, "green": 3, None: 1}   # green: two approved, one submitted
    rows = cube(district, by="light", measures="decisions")["rows"]
    assert {r["light"]: r["decisions"] for r in rows} == {"red": 1, "yellow": 1, "green": 1}
    assert [r["light_name"] for r in rows] == ["红灯", "黄灯", "绿灯"]


def test_a_dimension_a_fact_lacks_leaves_its_measures_null(district):
    answer = cube(district, by="code", measures="items,decisions,guidance")
    assert set(answer["not_applicable"]) == {"decisions", "guidance"}
    assert all(r["decisions"] is None and r["guidance"] is None for r in answer["rows"])
    assert answer["totals"]["items"] == 6


def test_unit_kind_folds_units_by_the_directorys_kinds(district):
    answer = cube(district, by="unit_kind", measures="items", kinds={"2": "responsible", "3": "review"})
    assert [(r["unit_kind"], r["unit_kind_name"], r["items"]) for r in answer["rows"]] == [
        ("review", "案件审理室", 1), ("responsible", "主体责任部门", 5)]


def test_filters_narrow_every_fact_by_its_own_date(district):
    answer = cube(district, by="unit", measures="decisions,items,reviewed", **{"from": "2026-06-01", "to": "2026-06-30"})
    assert answer["totals"] == {"decisions": 1, "items": 4, "reviewed": 2}
    assert cube(district, by="unit", measures="decisions", sanction="警告")["totals"]["decisions"] == 2
    assert cube(district, by="unit", measures="decisions", sanction="party:警告")["totals"]["decisions"] == 1
    assert cube(district, by="unit", measures="decisions", sanction="government")["totals"]["decisions"] == 2
    answer = cube(district, by="unit", measures="items,guidance", category="事业单位")
    assert answer["totals"]["items"] == 2 and answer["not_applicable"] == ["guidance"]
    assert answer["filters"]["category"] == "事业单位"


def test_an_operator_sees_only_their_unit_and_another_is_404(district):
    rows = cube(district, actor=OPERATOR, by="unit", measures="items")["rows"]
    assert [r["unit"] for r in rows] == [2]
    assert cube(district, actor=OPERATOR, by="unit", unit_id="2")["totals"]["items"] == 5
    with pytest.raises(NotFound) as refused:
        cube(district, actor=OPERATOR, by="unit", unit_id="3")
    assert "unit_id" in refused.value.fields


def test_a_partner_is_refused(district):
    with pytest.raises(Forbidden):
        cube(district, actor=PARTNER, by="unit")
    with pytest.raises(Forbidden):
        statistics.dashboard(district.session, SETTINGS, BOOK, PARTNER, TODAY, {})


@pytest.mark.parametrize("query, field", [
    ({"by": "colour"}, "by"),
    ({"by": "unit,month,code"}, "by"),
    ({"by": "unit,unit"}, "by"),
    ({}, "by"),
    ({"by": "unit", "measures": "items,speed"}, "measures"),
    ({"by": "unit", "from": "2026-06-30", "to": "2026-06-01"}, "from"),
    ({"by": "unit", "from": "2010-01-01", "to": "2026-06-01"}, "to"),
    ({"by": "unit", "from": "2015-01-01"}, "from"),
    ({"by": "unit", "from": "2026-13-01"}, "from"),
    ({"by": "unit", "sanction": "罚款"}, "sanction"),
    ({"by": "unit", "category": "学生"}, "category"),
    ({"by": "unit", "unit_id": "x"}, "unit_id"),
    ({"by": "unit", "colour": "red"}, "colour"),
])
def test_bad_input_is_400_naming_the_parameter(district, query, field):
    with pytest.raises(ValidationFailed) as refused:
        statistics.cube(district.session, SETTINGS, BOOK, REVIEWER, TODAY, query)
    assert field in refused.value.fields, refused.value.fields


def test_ten_years_exactly_is_allowed(district):
    assert cube(district, by="year", **{"from": "2016-06-15", "to": "2026-06-15"})["rows"]


def test_dashboard_headline_trend_ranking_and_categories(district):
    board = statistics.dashboard(district.session, SETTINGS, BOOK, LEADER, TODAY, {"months": "6"})
    head = board["headline"]
    assert (head["decisions_executing"], head["items_open"], head["items_overdue"]) == (3, 3, 1)
    assert head["on_time_rate"] == 0.5
    assert head["correction_rate"] == {"month": "2026-06", "month_name": "2026年6月", "reviewed": 2,
                                       "rejected": 1, "correction_rate": 0.5}
    assert head["correction_rate_last_month"]["month"] == "2026-05"
    assert head["correction_rate_change"] == 0.0
    assert [m["month"] for m in board["correction_trend"]] == [
        "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert board["correction_trend"][0] == {"month": "2026-01", "month_name": "2026年1月", "reviewed": 0,
                                            "rejected": 0, "correction_rate": None}
    assert [(u["unit"], u["light"], u["red"], u["yellow"]) for u in board["lights_by_unit"]] == [
        (2, "red", 1, 1), (3, None, 0, 0)]
    assert [(u["rank"], u["unit"], u["on_time_rate"]) for u in board["units_by_on_time_rate"]] == [(1, 2, 0.5)]
    assert [(c["problem"], c["count"], c["share"]) for c in board["rejection_categories"]] == [
        ("本人不表态", 1, 0.5), ("送达部门遗漏", 1, 0.5)]


def test_a_completed_decision_is_no_longer_executing(district):
    projection.decision_completed(district, {"decision_id": 3})
    district.commit()
    board = statistics.dashboard(district.session, SETTINGS, BOOK, REVIEWER, TODAY, {})
    assert board["headline"]["decisions_executing"] == 2


def test_the_rebuild_empties_the_facts_and_applies_the_history_again(district):
    history = {"case": [registered(1, 2, "2026-04-01", [], [("party", "留党察看"), ("government", "撤职")])
                        | {"event_type": "decision_registered"},
                        {"event_type": "decision_completed", "decision_id": 1, "event_id": "c1"}],
               "review": [review(102, 11, 2, "2026-05-08T03:00:00") | {"event_type": "item_approved"},
                          review(9, 999, 2, "2026-05-08T03:00:00") | {"event_type": "item_approved"}]}

    def fetch(service, types, after, limit):
        events = history[service]
        start = int(after or 0)
        page = events[start:start + limit]
        return {"events": page, "next": str(start + limit) if start + limit < len(events) else None}

    counts = projection.rebuild(district, fetch, ZONE, page_size=1, report=lambda line: None)
    assert counts == {"case": (2, 2), "review": (2, 1)}    # item 999 has no countdown: skipped
    answer = cube(district, by="unit", measures="decisions,reviewed,on_time_rate")
    assert answer["totals"] == {"decisions": 1, "reviewed": 1, "on_time_rate": 0.0}
    assert district.session.get(StatDecision, 1).completed is True
    assert district.session.get(Deadline, 21).party_type is None    # decision 2 was not in the history


def test_reform_cases_count_in_reforms_and_their_tasks_are_not_items(district):
    district.session.add_all([
        StatReform(reform_id=1, unit_id=2, basis="监察建议", issued_on=date(2026, 5, 20), completed=False),
        StatReform(reform_id=2, unit_id=2, basis="监察建议", issued_on=date(2026, 6, 2), completed=False),
        Deadline(item_id=901, decision_id=None, reform_id=1, unit_id=2, code="WARNING_MEETING", name="警示教育大会",
                 state="open", due_date=date(2026, 6, 1), target_date=date(2026, 6, 1),
                 last_activity_on=date(2026, 5, 20), warned=False, gate_reached=False)])
    district.commit()
    answer = cube(district, by="unit,month", measures="reforms,items")
    cells = {(r["unit"], r["month"]): r for r in answer["rows"]}
    assert cells[(2, "2026-05")]["reforms"] == 1 and cells[(2, "2026-06")]["reforms"] == 1
    assert answer["totals"] == {"reforms": 2, "items": 6}
    assert cube(district, by="code", measures="reforms")["not_applicable"] == ["reforms"]
    board = statistics.dashboard(district.session, SETTINGS, BOOK, LEADER, TODAY, {})
    assert board["headline"]["items_overdue"] == 1      # the overdue reform task is not an item
