"""Execution rules: impact periods (影响期), the items a decision generates (执行事项), the tasks
a reform case generates (以案促改任务) and the item state machine.  Plain Python over plain
values; no nameko, no SQL.
"""
from dataclasses import dataclass, field
from datetime import date

from services.common.calendar import shift

from .rulebook import RuleBook


class RuleViolation(ValueError):
    """A domain rule refuses the input; ``field`` names what is wrong."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Sanction:
    kind: str                 # party 党纪 | government 政务
    type: str                 # 警告, 留党察看, 撤职 …
    months: int | None = None  # only where the decision chooses (留党察看 12/24)


@dataclass(frozen=True)
class Period:
    """影响期 [starts_on, ends_on): ends_on is the day the period has run out (期满)."""
    kind: str
    sanction_type: str
    starts_on: date
    ends_on: date
    months: int
    stacked: bool = False


@dataclass(frozen=True)
class Facts:
    """What the rule book's conditions look at."""
    decision_date: date
    sanctions: tuple
    political_status: str
    category: str
    illicit_gains: bool
    org_handling: bool
    letters: bool
    periods: tuple
    settings: dict = field(default_factory=dict)

    @property
    def impact_period(self):
        return bool(self.periods)

    @property
    def year_end_in_period(self):
        return bool(self.periods) and bool(year_ends(latest_period(self.periods)))


@dataclass(frozen=True)
class ItemPlan:
    code: str
    name: str
    seq: int
    after: tuple
    opens_on: date | None       # None: opens as soon as `after` is approved
    due_date: date
    extension_limit: date | None
    legal_basis: tuple
    partners: tuple
    cycle: int | None = None    # the assessment year of a RATING item
    time_gated: bool = False


# -- sanctions and impact periods ---------------------------------------------------
def check_sanctions(book: RuleBook, sanctions, political_status):
    """Refuse what the law does not allow; raises RuleViolation naming the field."""
    seen = {}
    for index, s in enumerate(sanctions):
        where = f"sanctions.{index}"
        rule = book.sanction(s.kind, s.type)
        if rule is None:
            raise RuleViolation(f"{where}.type", f"未知的处分种类：{s.kind}/{s.type}")
        if s.kind in seen:
            raise RuleViolation(f"{where}.kind", f"同一决定只能给予一种{_kind_zh(s.kind)}处分")
        seen[s.kind] = s
        allowed = (book.eligibility.get(s.kind) or {}).get("political_status")
        if allowed and political_status not in allowed:
            raise RuleViolation(f"{where}.type",
                                f"{political_status}不能给予{_kind_zh(s.kind)}处分（{s.type}）")
        _check_months(rule, s, where)


def _check_months(rule, s, where):
    if rule.months_choices:
        if s.months not in rule.months_choices:
            choices = "或".join(str(m) for m in rule.months_choices)
            raise RuleViolation(f"{where}.months", f"{s.type}须写明期限：{choices}个月")
    elif s.months is not None and s.months != rule.months:
        raise RuleViolation(f"{where}.months", f"{s.type}的影响期由规定确定为{rule.months}个月")


def impact_periods(book: RuleBook, decision_date: date, sanctions, running=()):
    """Periods this decision starts, stacked on the person's periods still running.

    ``running``: Period values of earlier decisions.  Party (第21条): the new period is
    added to what remains of the old.  Government (第15条): the same, capped at
    ``government_stack_cap_months`` from the new decision.
    """
    periods = []
    for s in sanctions:
        rule = book.sanction(s.kind, s.type)
        months = s.months if rule.months_choices else rule.months
        if not months:
            continue
        ends_on, stacked = shift(decision_date, months=months), False
        live = [p.ends_on for p in running if p.kind == s.kind and p.ends_on > decision_date]
        if live:
            ends_on, stacked = shift(max(live), months=months), True
            if book.stacking.get(s.kind) == "add_remaining_capped":
                cap = shift(decision_date, months=book.settings["government_stack_cap_months"])
                ends_on = min(ends_on, cap)
        periods.append(Period(s.kind, s.type, decision_date, ends_on, months, stacked))
    return tuple(periods)


def latest_period(periods):
    return max(periods, key=lambda p: p.ends_on) if periods else None


def year_ends(period):
    """Assessment years whose 31 December falls inside the period (年度考核)."""
    if period is None:
        return []
    return [y for y in range(period.starts_on.year, period.ends_on.year + 1)
            if period.starts_on <= date(y, 12, 31) < period.ends_on]


# -- item planning ------------------------------------------------------------------
def plan_items(book: RuleBook, facts: Facts):
    """Every execution item the decision requires, in rule-book order, with its dates."""
    plans = []
    for rule in book.items:
        if rule.when(facts):
            plans.extend(_plans_for(book, rule, facts))
    present = {p.code for p in plans}
    return [ItemPlan(**{**p.__dict__, "seq": n, "after": tuple(c for c in p.after if c in present)})
            for n, p in enumerate(plans, start=1)]


def _plans_for(book, rule, facts):
    period = _period_for(rule, facts.periods)
    roll = bool(book.settings.get("roll_due_to_workday"))
    partners = tuple(role for role, when in rule.partners if when(facts))
    common = dict(code=rule.code, name=rule.name, seq=0, after=rule.after,
                  legal_basis=rule.legal_basis, partners=partners, time_gated=rule.time_gated)
    if rule.each_year_end:
        month, day = rule.each_year_end
        for year in year_ends(period):
            anchors = _anchors(facts, period, year)
            yield ItemPlan(
                **{**common, "name": f"{rule.name}（{year}年度）"},
                opens_on=max(date(year, month, day), facts.decision_date),
                due_date=_resolve(rule.due, anchors, roll),
                extension_limit=_resolve(rule.extension_max, anchors, roll),
                cycle=year)
        return
    anchors = _anchors(facts, period, None)
    yield ItemPlan(**common,
                   opens_on=_resolve(rule.opens, anchors, False),
                   due_date=_resolve(rule.due, anchors, roll),
                   extension_limit=_resolve(rule.extension_max, anchors, roll))


def _period_for(rule, periods):
    for choice in rule.periods:
        if choice == "latest" and periods:
            return latest_period(periods)
        found = [p for p in periods if p.kind == choice]
        if found:
            return found[0]
    return None


def _anchors(facts, period, year):
    return {"decision_date": facts.decision_date,
            "period_end": period.ends_on if period else None,
            "year_end": date(year, 12, 31) if year else None}


def _resolve(offset, anchors, roll):
    if offset is None:
        return None
    anchor = anchors[offset.anchor]
    if anchor is None:
        # The rule book promised a period this decision does not have.
        raise RuleViolation("sanctions", f"规则需要影响期（{offset.anchor}），但该决定没有影响期")
    return shift(anchor, months=offset.months, days=offset.days,
                 workdays=offset.workdays, roll_to_workday=roll)


# -- reform tasks (以案促改) -------------------------------------------------------------
@dataclass(frozen=True)
class ReformFacts:
    """What a reform case's task dates are counted from."""
    issued_on: date
    due_date: date | None        # the deadline the suggestion sets, if it sets one
    party_group: bool = True     # the unit has a 党组（党委）: 专题民主生活会, else 组织生活会
    settings: dict = field(default_factory=dict)


def reform_deadline(book: RuleBook, facts: ReformFacts):
    """The reform's deadline: the suggestion's own, else issued_on + default_deadline_months."""
    if facts.due_date is not None:
        return facts.due_date
    months = book.reforms.settings["default_deadline_months"]
    return shift(facts.issued_on, months=months, roll_to_workday=bool(book.settings.get("roll_due_to_workday")))


def plan_reform_tasks(book: RuleBook, facts: ReformFacts):
    """Every task of the rule book's reform section, in order, with its dates: each due date
    from the issue date or the deadline, and never past the suggestion's own deadline when it
    sets one (``cap_at_suggestion_deadline``)."""
    reforms = book.reforms
    roll = bool(book.settings.get("roll_due_to_workday"))
    anchors = {"issued_on": facts.issued_on, "deadline": reform_deadline(book, facts)}
    cap = facts.due_date if reforms.settings.get("cap_at_suggestion_deadline") else None

    def capped(day):
        return min(day, cap) if day is not None and cap is not None else day

    plans = []
    for seq, rule in enumerate(reforms.tasks, start=1):
        due = capped(_resolve(rule.due, anchors, roll))
        limit = capped(_resolve(rule.extension_max, anchors, roll))
        plans.append(ItemPlan(
            code=rule.code, name=rule.name_for(facts.party_group), seq=seq, after=tuple(rule.after),
            opens_on=None, due_date=due, extension_limit=limit if limit and limit > due else None,
            legal_basis=rule.legal_basis, partners=()))
    return plans


def _kind_zh(kind):
    return {"party": "党纪", "government": "政务"}.get(kind, kind)


# -- item state machine --------------------------------------------------------------
LOCKED, OPEN, SUBMITTED, APPROVED, REJECTED = "locked", "open", "submitted", "approved", "rejected"
TRANSITIONS = {
    (LOCKED, OPEN),          # predecessors approved (and its date reached, if time-gated)
    (OPEN, SUBMITTED),       # 上报
    (SUBMITTED, APPROVED),   # 审核通过
    (SUBMITTED, REJECTED),   # 驳回
    (REJECTED, SUBMITTED),   # 整改后重新上报
}


def may_transition(from_state, to_state):
    return (from_state, to_state) in TRANSITIONS


def ready_to_open(item, items, today):
    """A locked item opens when every item it awaits is approved and its date has come.

    ``item``/``items``: objects with code, state, after, opens_on.
    """
    if item.state != LOCKED:
        return False
    awaited = set(item.after)
    if any(other.code in awaited and other.state != APPROVED for other in items):
        return False
    return item.opens_on is None or item.opens_on <= today


def all_approved(items):
    return bool(items) and all(item.state == APPROVED for item in items)
