"""Impact periods, generated items and due dates, straight from the rule book."""
from dataclasses import replace
from datetime import date

import pytest

from services.case import rules
from services.case.rulebook import load_rulebook
from services.case.rules import Facts, Period, Sanction

BOOK = load_rulebook("services/case/rulebook.yaml")
DECIDED = date(2021, 3, 1)
BASE = ["SERVE", "ANNOUNCE", "COPY", "ARCHIVE"]


def plan(sanctions, decided=DECIDED, status="中共党员", category="公务员", gains=False,
         org=False, letters=False, running=(), book=BOOK):
    sanctions = tuple(sanctions)
    rules.check_sanctions(book, sanctions, status)
    periods = rules.impact_periods(book, decided, sanctions, running)
    facts = Facts(decided, sanctions, status, category, gains, org, letters, periods, book.settings)
    return periods, rules.plan_items(book, facts)


def codes(items):
    return [i.code for i in items]


@pytest.mark.parametrize("kind,type_,months,ends_on", [
    ("party", "警告", None, date(2022, 3, 1)),
    ("party", "严重警告", None, date(2022, 9, 1)),
    ("party", "撤销党内职务", None, date(2023, 3, 1)),
    ("party", "留党察看", 12, date(2022, 3, 1)),
    ("party", "留党察看", 24, date(2023, 3, 1)),
    ("party", "开除党籍", None, None),
    ("government", "警告", None, date(2021, 9, 1)),
    ("government", "记过", None, date(2022, 3, 1)),
    ("government", "记大过", None, date(2022, 9, 1)),
    ("government", "降级", None, date(2023, 3, 1)),
    ("government", "撤职", None, date(2023, 3, 1)),
    ("government", "开除", None, None),
])
def test_impact_period_of_every_sanction_type(kind, type_, months, ends_on):
    periods, _ = plan([Sanction(kind, type_, months)])
    if ends_on is None:
        assert periods == ()
    else:
        (period,) = periods
        assert (period.kind, period.starts_on, period.ends_on) == (kind, DECIDED, ends_on)


@pytest.mark.parametrize("kind,type_,months,expected", [
    ("party", "警告", None, BASE + ["REPORT", "RATING", "EDU_VISIT"]),
    ("party", "严重警告", None, BASE + ["REPORT", "RATING", "EDU_VISIT"]),
    ("party", "撤销党内职务", None, BASE + ["TREATMENT", "REPORT", "RATING", "RATING", "EDU_VISIT"]),
    ("party", "留党察看", 12, BASE + ["TREATMENT", "REPORT", "RATING", "EDU_VISIT", "RESTORE"]),
    ("party", "留党察看", 24, BASE + ["TREATMENT", "REPORT", "RATING", "RATING", "EDU_VISIT", "RESTORE"]),
    ("party", "开除党籍", None, BASE + ["TREATMENT", "REPORT"]),
    ("government", "警告", None, BASE + ["REPORT", "EDU_VISIT"]),
    ("government", "记过", None, BASE + ["TREATMENT", "REPORT", "RATING", "EDU_VISIT"]),
    ("government", "记大过", None, BASE + ["TREATMENT", "REPORT", "RATING", "EDU_VISIT"]),
    ("government", "降级", None, BASE + ["TREATMENT", "REPORT", "RATING", "RATING", "EDU_VISIT"]),
    ("government", "撤职", None, BASE + ["TREATMENT", "REPORT", "RATING", "RATING", "EDU_VISIT"]),
    ("government", "开除", None, BASE + ["TREATMENT", "REPORT"]),
])
def test_items_generated_for_every_sanction_type(kind, type_, months, expected):
    _, items = plan([Sanction(kind, type_, months)])
    assert codes(items) == expected
    assert [i.seq for i in items] == list(range(1, len(items) + 1))


def test_due_dates_and_order_for_a_full_decision():
    _, items = plan([Sanction("party", "留党察看", 12), Sanction("government", "撤职")],
                    gains=True, org=True, letters=True)
    by_code = {i.code: i for i in items if i.code != "RATING"}
    for code in ("SERVE", "ANNOUNCE", "COPY", "ARCHIVE", "TREATMENT", "ORG_HANDLING", "ASSETS", "LETTERS"):
        assert by_code[code].due_date == date(2021, 4, 1), code
    assert by_code["REPORT"].due_date == date(2021, 9, 1)
    assert by_code["REPORT"].after == ("ARCHIVE", "TREATMENT", "ORG_HANDLING", "ASSETS", "LETTERS")
    assert by_code["ANNOUNCE"].after == ("SERVE",)
    assert by_code["TREATMENT"].extension_limit == date(2021, 9, 1)   # 6 months at most
    assert by_code["EDU_VISIT"].opens_on == date(2021, 6, 1)
    assert by_code["EDU_VISIT"].due_date == date(2023, 3, 1)         # end of the longest period
    ratings = [i for i in items if i.code == "RATING"]
    assert [(r.cycle, r.opens_on) for r in ratings] == [(2021, date(2021, 12, 1)), (2022, date(2022, 12, 1))]
    # 2022-01-31 is 除夕: the Spring Festival holiday moves the deadline to the first working day.
    assert ratings[0].due_date == date(2022, 2, 7)
    assert ratings[1].due_date == date(2023, 1, 31)


def test_month_end_counts_calendar_months():
    no_roll = replace(BOOK, settings={**BOOK.settings, "roll_due_to_workday": False})
    _, items = plan([Sanction("government", "警告")], decided=date(2021, 1, 31), book=no_roll)
    assert items[0].due_date == date(2021, 2, 28)
    # With rolling on (the default), Sunday 2021-02-28 moves to Monday 2021-03-01.
    _, items = plan([Sanction("government", "警告")], decided=date(2021, 1, 31))
    assert items[0].due_date == date(2021, 3, 1)


def test_party_period_stacks_on_what_remains():
    running = (Period("party", "警告", DECIDED, date(2022, 3, 1), 12),)
    periods, _ = plan([Sanction("party", "严重警告")], decided=date(2021, 9, 1), running=running)
    assert periods[0].ends_on == date(2023, 9, 1) and periods[0].stacked


def test_expired_period_does_not_stack():
    running = (Period("party", "警告", DECIDED, date(2022, 3, 1), 12),)
    periods, _ = plan([Sanction("party", "警告")], decided=date(2022, 3, 1), running=running)
    assert periods[0].ends_on == date(2023, 3, 1) and not periods[0].stacked


def test_government_stacking_is_capped_at_48_months():
    running = (Period("government", "撤职", DECIDED, date(2025, 3, 1), 24),)
    periods, _ = plan([Sanction("government", "撤职")], decided=date(2021, 5, 1), running=running)
    assert periods[0].ends_on == date(2025, 5, 1)        # 48 months from the new decision


def test_government_stacking_below_the_cap_adds_up():
    running = (Period("government", "记过", DECIDED, date(2022, 3, 1), 12),)
    periods, _ = plan([Sanction("government", "记大过")], decided=date(2021, 9, 1), running=running)
    assert periods[0].ends_on == date(2023, 9, 1)


def test_kinds_do_not_stack_on_each_other():
    running = (Period("party", "撤销党内职务", DECIDED, date(2023, 3, 1), 24),)
    periods, _ = plan([Sanction("government", "警告")], decided=date(2021, 6, 1), running=running)
    assert periods[0].ends_on == date(2021, 12, 1)


# -- the seed platform's own cases --------------------------------------------------------
def test_village_cadre_with_party_warning_and_illicit_gains_gets_assets_item():
    _, items = plan([Sanction("party", "警告")], category="村(社区)干部", gains=True)
    assets = [i for i in items if i.code == "ASSETS"]
    assert len(assets) == 1 and assets[0].partners == ("finance",)
    assert assets[0].due_date == date(2021, 4, 1)


def test_democratic_party_member_dismissed_gets_united_front_copy_and_no_restore():
    _, items = plan([Sanction("government", "开除")], status="民主党派")
    copy = next(i for i in items if i.code == "COPY")
    assert set(copy.partners) == {"organization", "united_front"}
    assert "RESTORE" not in codes(items)


def test_party_member_copy_goes_to_organisation_only():
    _, items = plan([Sanction("party", "警告")])
    assert next(i for i in items if i.code == "COPY").partners == ("organization",)


def test_probation_restore_opens_30_days_before_the_period_ends():
    _, items = plan([Sanction("party", "留党察看", 12)])
    restore = next(i for i in items if i.code == "RESTORE")
    assert restore.opens_on == date(2022, 1, 30)          # period ends 2022-03-01
    assert restore.due_date == date(2022, 4, 1)
    assert restore.time_gated and restore.after == ("ARCHIVE",)


def test_public_institution_lifting_option_is_off_by_default_and_data_driven():
    sanction = [Sanction("government", "记过")]
    _, items = plan(sanction, status="群众", category="事业单位")
    assert "RESTORE" not in codes(items)
    on = replace(BOOK, settings={**BOOK.settings, "public_institution_lifting": True})
    _, items = plan(sanction, status="群众", category="事业单位", book=on)
    restore = next(i for i in items if i.code == "RESTORE")
    assert restore.due_date == date(2022, 4, 1)           # 1 month after 2022-03-01


# -- refusals -------------------------------------------------------------------------------
@pytest.mark.parametrize("sanctions,status,field", [
    ([Sanction("party", "警告")], "群众", "sanctions.0.type"),
    ([Sanction("party", "警告")], "民主党派", "sanctions.0.type"),
    ([Sanction("party", "留党察看")], "中共党员", "sanctions.0.months"),
    ([Sanction("party", "留党察看", 18)], "中共党员", "sanctions.0.months"),
    ([Sanction("government", "警告", 9)], "群众", "sanctions.0.months"),
    ([Sanction("government", "罚款")], "群众", "sanctions.0.type"),
    ([Sanction("government", "警告"), Sanction("government", "记过")], "群众", "sanctions.1.kind"),
])
def test_sanctions_the_law_does_not_allow_are_refused(sanctions, status, field):
    with pytest.raises(rules.RuleViolation) as err:
        rules.check_sanctions(BOOK, sanctions, status)
    assert err.value.field == field


# -- state machine ----------------------------------------------------------------------------
def test_only_the_allowed_transitions_exist():
    allowed = {("locked", "open"), ("open", "submitted"), ("submitted", "approved"),
               ("submitted", "rejected"), ("rejected", "submitted")}
    states = ["locked", "open", "submitted", "approved", "rejected"]
    for a in states:
        for b in states:
            assert rules.may_transition(a, b) == ((a, b) in allowed)


class _Item:
    def __init__(self, code, state, after=(), opens_on=None):
        self.code, self.state, self.after, self.opens_on = code, state, after, opens_on


def test_item_opens_only_after_predecessors_are_approved_and_its_date_has_come():
    archive = _Item("ARCHIVE", "submitted")
    visit = _Item("EDU_VISIT", "locked", ("ARCHIVE",), date(2021, 6, 1))
    items = [archive, visit]
    assert not rules.ready_to_open(visit, items, date(2021, 7, 1))
    archive.state = "approved"
    assert not rules.ready_to_open(visit, items, date(2021, 5, 31))
    assert rules.ready_to_open(visit, items, date(2021, 6, 1))
    visit.state = "open"
    assert not rules.ready_to_open(visit, items, date(2021, 6, 1))
