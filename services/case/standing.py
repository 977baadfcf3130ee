"""Where a person stands (影响期查询): from their sanctions and impact periods and the rule
book's restrictions, the answer per purpose (晋升职务职级, 考核等次, 评先评优, 党员权利):
allowed or not, until when, and the article that says so.  Plain Python over plain values;
no nameko, no SQL.

Dates follow the periods': a period is ``[starts_on, ends_on)``, ``ends_on`` the day it has
run out (期满之日), and an ``until`` is the same kind of date, the first day the purpose is
allowed again.  A restriction counted from a restore (留党察看: ``until: restored``) stays open
until the restore item is approved; it then runs to the restore, or to the period's end if the
restore was approved before it (rights come back at expiry, 纪律处分条例 第十二条).
"""
from dataclasses import dataclass
from datetime import date

from services.common.calendar import add_months

from .rulebook import Restrictions, RestrictionRule
from .rules import Period

OPEN_RESTORE = "restore"        # held until a restore decision (留党察看), date not known yet
OPEN_PERMANENT = "permanent"    # held for good (开除, 开除党籍's party rights)

ON_PROBATION, AWAITING_RESTORE, RESTORED = "on_probation", "awaiting_restore", "restored"


@dataclass(frozen=True)
class Record:
    """One sanction of one decision, as the standing sees it."""
    kind: str
    type: str
    decided_on: date
    period: Period | None = None       # its impact period; None when it has none (开除, 开除党籍)
    restored_on: date | None = None    # the day its decision's restore item was approved


@dataclass(frozen=True)
class Hold:
    """A restriction that holds on the day asked."""
    rule: RestrictionRule
    record: Record
    until: date | None
    open_ended: str | None
    not_before: date | None

    @property
    def weight(self):
        """Which of several holds binds: for good, then a pending restore, then the latest date."""
        if self.open_ended == OPEN_PERMANENT:
            return (2, date.max)
        if self.open_ended == OPEN_RESTORE:
            return (1, self.not_before or date.min)
        return (0, self.until)


@dataclass(frozen=True)
class Answer:
    """The answer for one purpose: ``allowed``; if not, until when (``until``, or
    ``open_ended`` with the earliest date it could end, ``not_before``), what it rules out
    (``rule``), how firm its source is (``source``) and the article (``basis``, the binding
    rule's first; ``bases`` every article of the rules that hold)."""
    purpose: str
    name: str
    allowed: bool
    until: date | None = None
    open_ended: str | None = None
    not_before: date | None = None
    rule: str | None = None
    source: str | None = None
    basis: dict | None = None
    bases: tuple = ()


@dataclass(frozen=True)
class Rights:
    """Rights waiting for a restore (留党察看): on probation, awaiting the restore, or restored."""
    state: str
    sanction_type: str
    period_ends_on: date | None
    restored_on: date | None


@dataclass(frozen=True)
class Standing:
    on: date
    in_impact_period: bool
    until: date | None          # the latest end of the periods that cover ``on``
    periods: tuple              # the periods that cover ``on``
    answers: tuple              # one Answer per purpose, in the rule book's order
    rights: Rights | None       # the latest sanction whose rights wait for a restore, if any


def covering(records, on):
    """The impact periods that cover ``on``, in the records' order."""
    return tuple(r.period for r in records
                 if r.period is not None and r.period.starts_on <= on < r.period.ends_on)


def holds(restrictions: Restrictions, records, category, on, purpose):
    """Every restriction of ``purpose`` that holds on ``on`` for a person of ``category``."""
    found = []
    for record in records:
        if record.decided_on > on:
            continue
        for rule in restrictions.rules:
            if rule.purpose != purpose or not rule.applies(record.kind, record.type, category):
                continue
            until, open_ended, not_before = _end(rule, record)
            if until is None or on < until:
                found.append(Hold(rule, record, until, open_ended, not_before))
    return found


def answer(restrictions: Restrictions, records, category, on, purpose):
    """The answer for one purpose on one day (``purpose`` must be one of the rule book's)."""
    name = restrictions.purposes[purpose]
    found = holds(restrictions, records, category, on, purpose)
    if not found:
        return Answer(purpose, name, True)
    found.sort(key=lambda hold: hold.weight, reverse=True)
    binding = found[0]
    bases = []
    for hold in found:
        for ref in hold.rule.legal_basis:
            if ref not in bases:
                bases.append(dict(ref))
    return Answer(purpose, name, False, until=binding.until, open_ended=binding.open_ended,
                  not_before=binding.not_before, rule=binding.rule.rule, source=binding.rule.source,
                  basis=dict(binding.rule.legal_basis[0]), bases=tuple(bases))


def standing(restrictions: Restrictions, records, category, on):
    """The person's whole standing on ``on``: periods, every purpose's answer, rights."""
    periods = covering(records, on)
    return Standing(
        on=on, in_impact_period=bool(periods),
        until=max((p.ends_on for p in periods), default=None), periods=periods,
        answers=tuple(answer(restrictions, records, category, on, purpose)
                      for purpose in restrictions.purposes),
        rights=rights(restrictions, records, on))


def rights(restrictions: Restrictions, records, on):
    """The rights of the latest sanction (decided by ``on``) that some rule holds until a
    restore (``until: restored``): None if the person has none."""
    waiting = {s for rule in restrictions.rules if rule.until.anchor == "restored" for s in rule.sanctions}
    mine = [r for r in records if (r.kind, r.type) in waiting and r.decided_on <= on]
    if not mine:
        return None
    record = max(mine, key=lambda r: (r.decided_on, r.period.ends_on if r.period else date.min))
    ends_on = record.period.ends_on if record.period else None
    restored = restored_from(record)
    if restored is not None and restored <= on:
        state = RESTORED
    elif ends_on is not None and on < ends_on:
        state = ON_PROBATION
    else:
        state = AWAITING_RESTORE
    return Rights(state, record.type, ends_on, restored if state == RESTORED else None)


def restored_from(record):
    """The day rights come back: the restore's approval, but never before the period's end."""
    if record.restored_on is None:
        return None
    if record.period is not None:
        return max(record.restored_on, record.period.ends_on)
    return record.restored_on


def _end(rule, record):
    """``(until, open_ended, not_before)`` of ``rule`` for ``record``."""
    anchor, months = rule.until.anchor, rule.until.months
    if anchor is None:
        return None, OPEN_PERMANENT, None
    if anchor == "restored":
        restored = restored_from(record)
        if restored is None:
            earliest = record.period.ends_on if record.period is not None else None
            return None, OPEN_RESTORE, add_months(earliest, months) if earliest else None
        return add_months(restored, months), None, None
    if anchor == "period_end":
        base = record.period.ends_on      # the rule book allows it only for sanctions with a period
    elif anchor == "decision_date":
        base = record.decided_on
    else:                                 # year_after_decision: 1 January after the decision's year
        base = date(record.decided_on.year + 1, 1, 1)
    return add_months(base, months), None, None
