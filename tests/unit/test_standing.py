"""影响期查询: what a person's periods rule out, per purpose, on the day before and the day after
each period ends — every sanction type of both tables, stacking (第21条, 第15条's 48-month cap)
and 留党察看's restore — straight from the rule book's restrictions."""
import copy
from datetime import date, timedelta

import pytest
import yaml

from services.case import rules, standing
from services.case.rulebook import RuleBookError, load_rulebook, parse_rulebook, rulebook_summary
from services.case.rules import Sanction
from services.case.standing import OPEN_PERMANENT, OPEN_RESTORE, Record

BOOK = load_rulebook("services/case/rulebook.yaml")
RESTRICTIONS = BOOK.restrictions
DECIDED = date(2021, 3, 1)
DAY = timedelta(days=1)
PURPOSES = ("promotion", "rating", "award", "party_rights")

with open("services/case/rulebook.yaml", encoding="utf-8") as handle:
    RAW = yaml.safe_load(handle)


def register(records, decided, *sanctions, restored_on=None):
    """The records after one more decision: its periods stacked on the running ones, as
    case computes them at registration."""
    sanctions = tuple(sanctions)
    running = tuple(r.period for r in records if r.period is not None)
    periods = {(p.kind, p.sanction_type): p for p in rules.impact_periods(BOOK, decided, sanctions, running)}
    return list(records) + [Record(s.kind, s.type, decided, periods.get((s.kind, s.type)), restored_on)
                            for s in sanctions]


def answers(records, on, category="公务员"):
    return {p: standing.answer(RESTRICTIONS, records, category, on, p) for p in PURPOSES}


def ruled_out(records, on, category="公务员"):
    """{purpose: (until, basis)} of the purposes not allowed on ``on``."""
    return {p: (a.until or a.open_ended, (a.basis["regulation"], a.basis["article"]))
            for p, a in answers(records, on, category).items() if not a.allowed}


# -- every sanction type, the day before and the day after its period ends ---------------------
# (kind, type, months, category, period end, {purpose: (until, basis)} the day before the end,
#  and the same the day after)
L01_19, L01_20, L01_21, L01_8 = ("L01", 19), ("L01", 20), ("L01", 21), ("L01", 8)
P01_10, P01_11 = ("P01", 10), ("P01", 11)
CASES = [
    ("party", "警告", None, "公务员", date(2022, 3, 1),
     {"promotion": (date(2022, 3, 1), P01_10), "award": (date(2022, 3, 1), P01_10)}, {}),
    ("party", "严重警告", None, "公务员", date(2022, 9, 1),
     {"promotion": (date(2022, 9, 1), P01_10), "award": (date(2022, 9, 1), P01_10)}, {}),
    ("party", "撤销党内职务", None, "公务员", date(2023, 3, 1),
     {"promotion": (date(2023, 3, 1), P01_11), "award": (date(2023, 3, 1), P01_11)}, {}),
    ("government", "警告", None, "公务员", date(2021, 9, 1),
     {"promotion": (date(2021, 9, 1), L01_19), "award": (date(2021, 9, 1), L01_8),
      "rating": (date(2022, 1, 1), L01_19)},
     # 当年: the year's assessment still may not be 优秀 after the 6 months
     {"rating": (date(2022, 1, 1), L01_19)}),
    ("government", "记过", None, "公务员", date(2022, 3, 1),
     {"promotion": (date(2022, 3, 1), L01_19), "rating": (date(2022, 3, 1), L01_19),
      "award": (date(2022, 3, 1), L01_8)}, {}),
    ("government", "记大过", None, "参照公务员法管理", date(2022, 9, 1),
     {"promotion": (date(2022, 9, 1), L01_19), "rating": (date(2022, 9, 1), L01_19),
      "award": (date(2022, 9, 1), L01_8)}, {}),
    ("government", "降级", None, "事业单位", date(2023, 3, 1),
     {"promotion": (date(2023, 3, 1), L01_20), "rating": (date(2023, 3, 1), ("S02", 7)),
      "award": (date(2023, 3, 1), L01_8)}, {}),
    ("government", "撤职", None, "国有企业", date(2023, 3, 1),
     {"promotion": (date(2023, 3, 1), L01_21), "rating": (date(2023, 3, 1), L01_8),
      "award": (date(2023, 3, 1), L01_8)}, {}),
]


@pytest.mark.parametrize("kind,type_,months,category,ends_on,before,after", CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[3]}" for c in CASES])
def test_each_sanction_the_day_before_and_after_its_period_ends(kind, type_, months, category, ends_on,
                                                                before, after):
    records = register([], DECIDED, Sanction(kind, type_, months))
    assert records[0].period.ends_on == ends_on
    assert ruled_out(records, ends_on - DAY, category) == before
    assert ruled_out(records, ends_on + DAY, category) == after
    assert ruled_out(records, ends_on, category) == after      # ends_on is the first free day
    assert standing.standing(RESTRICTIONS, records, category, ends_on - DAY).in_impact_period
    assert not standing.standing(RESTRICTIONS, records, category, ends_on + DAY).in_impact_period


def test_nothing_holds_before_the_decision():
    records = register([], DECIDED, Sanction("government", "记过"))
    assert ruled_out(records, DECIDED - DAY) == {}
    assert ruled_out(records, DECIDED)["promotion"][0] == date(2022, 3, 1)


@pytest.mark.parametrize("months,ends_on", [(12, date(2022, 3, 1)), (24, date(2023, 3, 1))])
def test_probation_rules_out_party_rights_until_the_restore_not_the_periods_end(months, ends_on):
    """留党察看: no vote, election or candidacy; at expiry rights come back only by decision
    (the restore item); promotion stays barred two years after the restore (第十二条)."""
    records = register([], DECIDED, Sanction("party", "留党察看", months))
    before = answers(records, ends_on - DAY)
    assert not before["party_rights"].allowed
    assert before["party_rights"].until is None and before["party_rights"].open_ended == OPEN_RESTORE
    assert before["party_rights"].not_before == ends_on
    assert before["party_rights"].basis == {"regulation": "P01", "article": 12}
    assert before["promotion"].open_ended == OPEN_RESTORE
    assert before["promotion"].not_before == date(ends_on.year + 2, ends_on.month, ends_on.day)
    assert before["rating"].allowed                           # no rule of the book for 留党察看
    after = answers(records, ends_on + DAY)
    assert not after["party_rights"].allowed and after["party_rights"].open_ended == OPEN_RESTORE
    assert not after["award"].allowed
    view = standing.standing(RESTRICTIONS, records, "公务员", ends_on + DAY)
    assert not view.in_impact_period and view.rights.state == standing.AWAITING_RESTORE
    assert standing.standing(RESTRICTIONS, records, "公务员", ends_on - DAY).rights.state == standing.ON_PROBATION


def test_the_restore_ends_probation_and_starts_the_two_years():
    restored_on = date(2022, 3, 10)
    records = register([], DECIDED, Sanction("party", "留党察看", 12), restored_on=restored_on)
    on_the_eve = answers(records, restored_on - DAY)
    assert not on_the_eve["party_rights"].allowed and on_the_eve["party_rights"].until == restored_on
    after = answers(records, restored_on + DAY)
    assert after["party_rights"].allowed and after["award"].allowed
    assert not after["promotion"].allowed and after["promotion"].until == date(2024, 3, 10)
    assert answers(records, date(2024, 3, 9))["promotion"].until == date(2024, 3, 10)
    assert answers(records, date(2024, 3, 11))["promotion"].allowed
    rights = standing.standing(RESTRICTIONS, records, "公务员", restored_on + DAY).rights
    assert (rights.state, rights.restored_on) == (standing.RESTORED, restored_on)


def test_a_restore_approved_before_expiry_takes_effect_at_expiry():
    records = register([], DECIDED, Sanction("party", "留党察看", 12), restored_on=date(2022, 2, 10))
    assert answers(records, date(2022, 2, 28))["party_rights"].until == date(2022, 3, 1)
    assert answers(records, date(2022, 3, 2))["party_rights"].allowed
    assert answers(records, date(2022, 3, 2))["promotion"].until == date(2024, 3, 1)


def test_expulsion_from_the_party_has_no_period_but_rules_out_for_years_or_for_good():
    records = register([], DECIDED, Sanction("party", "开除党籍"))
    assert records[0].period is None
    five_years = date(2026, 3, 1)
    before, after = answers(records, five_years - DAY), answers(records, five_years + DAY)
    assert before["promotion"].until == five_years and before["promotion"].basis["article"] == 13
    assert after["promotion"].allowed
    for view in (before, after):
        assert view["party_rights"].open_ended == OPEN_PERMANENT and view["party_rights"].until is None
    assert not standing.standing(RESTRICTIONS, records, "公务员", five_years - DAY).in_impact_period


def test_dismissal_rules_out_for_good():
    records = register([], DECIDED, Sanction("government", "开除"))
    for on in (DECIDED, date(2031, 3, 1)):
        view = answers(records, on)
        assert {p for p, a in view.items() if a.open_ended == OPEN_PERMANENT} == {"promotion", "rating", "award"}
        assert view["promotion"].basis == {"regulation": "L01", "article": 26}
        assert view["party_rights"].allowed


# -- stacking ------------------------------------------------------------------------------------
def test_party_stacking_carries_the_restriction_to_the_new_end():
    """第21条: 严重警告 inside a 警告's period runs from what remains of it."""
    records = register([], DECIDED, Sanction("party", "警告"))
    records = register(records, date(2021, 9, 1), Sanction("party", "严重警告"))
    assert records[1].period.stacked and records[1].period.ends_on == date(2023, 9, 1)
    first_end = date(2022, 3, 1)
    view = standing.standing(RESTRICTIONS, records, "公务员", first_end + DAY)
    assert view.in_impact_period and [p.sanction_type for p in view.periods] == ["严重警告"]
    assert ruled_out(records, first_end + DAY)["promotion"] == (date(2023, 9, 1), P01_10)
    assert ruled_out(records, date(2023, 9, 1) - DAY)["promotion"] == (date(2023, 9, 1), P01_10)
    assert ruled_out(records, date(2023, 9, 1) + DAY) == {}


def test_government_stacking_is_capped_at_48_months():
    """第15条: sum of what remains and the new period, at most 48 months from the new decision."""
    records = register([], DECIDED, Sanction("government", "撤职"))
    records = register(records, date(2021, 4, 1), Sanction("government", "降级"))
    records = register(records, date(2021, 5, 1), Sanction("government", "撤职"))
    ends = [r.period.ends_on for r in records]
    assert ends == [date(2023, 3, 1), date(2025, 3, 1), date(2025, 5, 1)]   # the third is capped
    last = date(2025, 5, 1)
    assert ruled_out(records, last - DAY) == {"promotion": (last, L01_19), "rating": (last, L01_19),
                                              "award": (last, L01_8)}
    assert ruled_out(records, last + DAY) == {}
    view = standing.standing(RESTRICTIONS, records, "公务员", date(2024, 1, 1))
    assert view.until == last and [p.sanction_type for p in view.periods] == ["降级", "撤职"]


def test_stacking_after_a_probation_and_its_restore():
    """A 警告 stacked on a 留党察看: the impact period runs on after the restore, and promotion is
    barred until the later of the 警告's end and two years after the restore."""
    restored_on = date(2022, 3, 5)
    records = register([], DECIDED, Sanction("party", "留党察看", 12), restored_on=restored_on)
    records = register(records, date(2021, 9, 1), Sanction("party", "警告"))
    assert records[1].period.ends_on == date(2023, 3, 1)
    view = standing.standing(RESTRICTIONS, records, "公务员", restored_on + DAY)
    assert view.in_impact_period and view.rights.state == standing.RESTORED
    by_purpose = {a.purpose: a for a in view.answers}
    assert by_purpose["party_rights"].allowed
    assert by_purpose["promotion"].until == date(2024, 3, 5)
    assert by_purpose["promotion"].bases == ({"regulation": "P01", "article": 12},
                                             {"regulation": "P01", "article": 10})
    assert by_purpose["award"].until == date(2023, 3, 1)      # the 警告's period


def test_one_decision_with_both_kinds():
    """The common case: 留党察看 12 months and 撤职 together; each table rules out its own."""
    records = register([], DECIDED, Sanction("party", "留党察看", 12), Sanction("government", "撤职"))
    on = date(2022, 6, 1)            # the probation is over (no restore yet), 撤职 runs to 2023-03-01
    view = answers(records, on)
    assert view["promotion"].open_ended == OPEN_RESTORE         # binding: two years after a restore
    assert {"regulation": "L01", "article": 19} in view["promotion"].bases
    assert view["rating"].until == date(2023, 3, 1)
    assert view["party_rights"].open_ended == OPEN_RESTORE


def test_a_person_without_records_is_allowed_everything():
    view = standing.standing(RESTRICTIONS, [], "公务员", DECIDED)
    assert not view.in_impact_period and view.rights is None
    assert all(a.allowed and a.basis is None for a in view.answers)


def test_categories_without_a_promotion_rule_are_not_barred_by_law():
    """政务处分法 第二十二条: 村(社区)干部 lose allowances, the law states no promotion bar."""
    records = register([], DECIDED, Sanction("government", "记过"))
    assert answers(records, date(2021, 6, 1), "村(社区)干部")["promotion"].allowed
    assert not answers(records, date(2021, 6, 1), "村(社区)干部")["award"].allowed


# -- the rule book's restrictions are validated at start-up --------------------------------------
def broken(mutate):
    raw = copy.deepcopy(RAW)
    mutate(raw)
    return raw


def rule(raw, index):
    return raw["restrictions"]["rules"][index]


@pytest.mark.parametrize("mutate,expected", [
    (lambda r: r.pop("restrictions"), "restrictions: must be a mapping"),
    (lambda r: rule(r, 0).__setitem__("purpose", "holiday"), "restrictions.rules[0] holiday: purpose must be"),
    (lambda r: rule(r, 0).__setitem__("sanction", {"government": ["罚款"]}), "unknown sanction government/罚款"),
    (lambda r: rule(r, 0).__setitem__("category", ["公务人员"]), "category ['公务人员'] is not among"),
    (lambda r: rule(r, 0).__setitem__("until", {"from": "tomorrow"}), "rules[0] promotion: until must be"),
    (lambda r: rule(r, 0).__setitem__("source", "X"), "source must be one of"),
    (lambda r: rule(r, 0).__setitem__("legal_basis", []), "legal_basis is required"),
    (lambda r: rule(r, 0).__setitem__("legal_basis", [{"regulation": "L01"}]), "legal_basis entries need"),
    (lambda r: rule(r, 0).pop("rule"), "'rule' (what it rules out) is required"),
    (lambda r: rule(r, 0).__setitem__("colour", "red"), "unknown keys ['colour']"),
    (lambda r: rule(r, 3).__setitem__("until", "period_end"), "government/开除 has no impact period"),
    (lambda r: r["restrictions"].__setitem__("rules", [x for x in r["restrictions"]["rules"]
                                                        if "开除" not in x["sanction"].get("government", [])]),
     "sanction government/开除 is named by no rule"),
    (lambda r: r["restrictions"].__setitem__("partners", ["police"]), "restrictions.partners"),
    (lambda r: r["restrictions"].__setitem__("restore_item", "REVIVE"), "restore_item: 'REVIVE'"),
    (lambda r: r["restrictions"].__setitem__("announce_ended_within_days", 0), "announce_ended_within_days"),
    (lambda r: r["restrictions"]["purposes"].__setitem__("Bad-Id", "x"), "purposes.Bad-Id"),
])
def test_bad_restrictions_are_named(mutate, expected):
    with pytest.raises(RuleBookError) as err:
        parse_rulebook(broken(mutate), source="rb")
    assert expected in str(err.value)


def test_the_summary_serves_the_restrictions_with_their_bases():
    summary = rulebook_summary(BOOK)["restrictions"]
    assert [p["id"] for p in summary["purposes"]] == list(PURPOSES)
    assert summary["partners"] == ["organization", "hr"]
    first = summary["rules"][0]
    assert first["purpose"] == "promotion" and first["legal_basis"][0] == {"regulation": "L01", "article": 19}
    assert first["until"] == {"from": "period_end", "months": 0}
    assert any(r["until"] == "never" for r in summary["rules"])
    assert all(r["legal_basis"] for r in summary["rules"])
