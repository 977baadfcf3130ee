"""People across cases (人员): the search, the person's page, the impact-period check partner
departments ask before promotion, rating and awards (影响期查询), and the daily announcement of
periods that ended (``impact_period_ended``).  Use cases over the session or unit of work; the
rules are :mod:`standing`.

Scope: a person is someone's to see when one of their decisions is (``Actor.scope`` on the
decision's unit); the page lists only those decisions, while the standing counts every period
of the person (where they stand is one fact, whichever unit's case made it).  The check is
asked by the review office, leaders and the partner departments the rule book names
(``restrictions.partners``), about anyone: its answer names the periods and what the purpose
rules out, never a decision, a 文号 or a fact of the case.
"""
from collections import defaultdict
from datetime import timedelta, timezone

from sqlalchemy import func, select, update

from services.common.actor import Actor
from services.common.errors import Forbidden, NotFound, ValidationFailed
from services.common.schemas import load

from . import standing
from .models import Decision, ExecutionItem, ImpactPeriod, ItemTransition, Person, Sanction
from .rules import APPROVED, Period
from .schemas import CHECK_HORIZON_YEARS, CheckQuery, ImpactPeriodEndedEvent, PeopleQuery

PEOPLE_ROLES = ("reviewer", "leader", "admin", "operator")
CHECK_ROLES = ("reviewer", "leader", "partner")
ANNOUNCE_BATCH = 500
KIND_NAMES = {"party": "党纪", "government": "政务"}

PEOPLE_QUERY, CHECK_QUERY, PERIOD_ENDED = PeopleQuery(), CheckQuery(), ImpactPeriodEndedEvent()


def mask(id_number):
    """110105********123X: the region and the last four, enough to tell people apart."""
    text = str(id_number or "")[:32]
    if len(text) < 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


# -- search and the person's page ------------------------------------------------------------
def search_people(session, actor: Actor, book, clock, query):
    """``{items, total}``: people matching a name, a 身份证号 or its last digits, in scope."""
    actor.require(*PEOPLE_ROLES)
    today = clock.today()
    params = load(PEOPLE_QUERY, query)
    visible = actor.scope(select(Decision.person_id), Decision.unit_id)
    stmt = select(Person).where(Person.id.in_(visible))
    q = params["q"]
    if params["match"] == "id_number":
        stmt = stmt.where(Person.id_number == q)
    elif params["match"] == "id_suffix":
        stmt = stmt.where(Person.id_number.endswith(q, autoescape=True))
    else:
        stmt = stmt.where(Person.name.contains(q, autoescape=True))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    people = session.scalars(stmt.order_by(Person.name, Person.id)
                             .offset((params["page"] - 1) * params["per_page"])
                             .limit(params["per_page"])).all()
    ids = [p.id for p in people]
    records = records_of(session, book, clock, ids)
    counts = dict(session.execute(
        actor.scope(select(Decision.person_id, func.count(Decision.id)), Decision.unit_id)
        .where(Decision.person_id.in_(ids)).group_by(Decision.person_id)).all()) if ids else {}
    rows = []
    for person in people:
        periods = standing.covering(records[person.id], today)
        rows.append({"id": person.id, "name": person.name, "id_number": mask(person.id_number),
                     "unit_id": person.unit_id, "post": person.post, "category": person.category,
                     "political_status": person.political_status, "decisions": counts.get(person.id, 0),
                     "in_impact_period": bool(periods),
                     "until": max((p.ends_on for p in periods), default=None)})
    return {"items": rows, "total": total}


def get_person(session, actor: Actor, book, clock, person_id):
    """The person with every decision (in scope), its sanctions and items, every impact period
    with its stacking, and where they stand today."""
    actor.require(*PEOPLE_ROLES)
    today = clock.today()
    person = session.get(Person, person_id) if _is_id(person_id) else None
    decisions = [] if person is None else session.scalars(
        actor.scope(select(Decision).where(Decision.person_id == person.id), Decision.unit_id)
        .order_by(Decision.decision_date, Decision.id)).unique().all()
    if not decisions:
        raise NotFound("人员不存在", {"person_id": [str(person_id)]})
    visible = {d.id: d for d in decisions}
    all_periods = session.scalars(select(ImpactPeriod).where(ImpactPeriod.person_id == person.id)
                                  .order_by(ImpactPeriod.starts_on, ImpactPeriod.id)).all()
    periods = [_period_view(p, all_periods, visible, today) for p in all_periods if p.decision_id in visible]
    records = records_of(session, book, clock, [person.id])[person.id]
    return {
        **{key: getattr(person, key) for key in ("id", "name", "id_number", "gender", "unit_id", "post",
                                                 "political_status", "democratic_party", "category")},
        "decisions": [{"id": d.id, "doc_number": d.doc_number, "decided_by": d.decided_by,
                       "decision_date": d.decision_date, "status": d.status, "unit_id": d.unit_id,
                       "sanctions": d.sanctions, "items": d.items} for d in decisions],
        "impact_periods": periods,
        "standing": standing.standing(book.restrictions, records, person.category, today),
    }


def _period_view(period, all_periods, visible, today):
    """A period with what it was stacked on (the same kind's period of an earlier decision,
    running when this one began, that ends last), if that one is in scope too."""
    stacked_on = None
    if period.stacked:
        running = [q for q in all_periods
                   if q.kind == period.kind and q.id < period.id and q.decision_id != period.decision_id
                   and q.starts_on <= period.starts_on < q.ends_on]
        base = max(running, key=lambda q: q.ends_on, default=None)
        stacked_on = base.id if base is not None and base.decision_id in visible else None
    return {"id": period.id, "decision_id": period.decision_id,
            "doc_number": visible[period.decision_id].doc_number, "kind": period.kind,
            "sanction_type": period.sanction_type, "starts_on": period.starts_on, "ends_on": period.ends_on,
            "months": period.months, "stacked": period.stacked, "stacked_on": stacked_on,
            "ended": period.ends_on <= today, "ended_announced_at": period.ended_announced_at}


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


# -- 影响期查询 -----------------------------------------------------------------------------------
def check_person(session, actor: Actor, book, clock, query):
    """Is the person inside an impact period on ``on``, and what does it rule out for
    ``purpose``?  An unknown 身份证号 is an answer (``known: false``), not an error."""
    actor.require(*CHECK_ROLES)
    restrictions = book.restrictions
    if actor.role == "partner" and actor.partner_role not in restrictions.partners:
        raise Forbidden("当前协作部门无权查询影响期（规则库 restrictions.partners）",
                        {"partner_role": [str(actor.partner_role)]})
    params = load(CHECK_QUERY, query)
    today = clock.today()
    purpose, on = params["purpose"], params["on"] or today
    if purpose not in restrictions.purposes:
        raise ValidationFailed("未知的查询用途", {"purpose": [f"可选：{', '.join(restrictions.purposes)}"]})
    earliest, latest = _shift_years(today, -CHECK_HORIZON_YEARS), _shift_years(today, CHECK_HORIZON_YEARS)
    if not earliest <= on <= latest:
        raise ValidationFailed(f"查询日期应在 {earliest} 至 {latest} 之间",
                               {"on": [f"应在今天前后{CHECK_HORIZON_YEARS}年以内"]})
    person = session.scalar(select(Person).where(Person.id_number == params["id_number"]))
    records = records_of(session, book, clock, [person.id])[person.id] if person is not None else []
    category = person.category if person is not None else None
    periods = standing.covering(records, on)
    return {"id_number": mask(params["id_number"]), "on": on, "purpose": purpose,
            "known": person is not None, "in_impact_period": bool(periods), "periods": periods,
            "restrictions": [standing.answer(restrictions, records, category, on, purpose)]}


def _shift_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:        # 29 February
        return day.replace(year=day.year + years, day=28)


# -- 影响期届满的公告 ------------------------------------------------------------------------------
def announce_ended_periods(uow, book, clock, limit=ANNOUNCE_BATCH):
    """``impact_period_ended`` once for every period whose end has come in the last
    ``announce_ended_within_days``; each period is claimed by a conditional UPDATE in the
    transaction that records its event, so two sweeps at once announce it once."""
    session, today = uow.session, clock.today()
    restrictions = book.restrictions
    since = today - timedelta(days=restrictions.announce_ended_within_days)
    unannounced = ImpactPeriod.ended_announced_at.is_(None)
    due = session.scalars(select(ImpactPeriod).where(unannounced, ImpactPeriod.ends_on <= today,
                                                     ImpactPeriod.ends_on > since)
                          .order_by(ImpactPeriod.ends_on, ImpactPeriod.id).limit(limit)).all()
    announced, records = 0, {}
    for period in due:
        claimed = session.execute(
            update(ImpactPeriod).where(ImpactPeriod.id == period.id, unannounced)
            .values(ended_announced_at=clock.now()).execution_options(synchronize_session=False)).rowcount
        if claimed != 1:
            continue
        if period.person_id not in records:
            records.update(records_of(session, book, clock, [period.person_id]))
        decision = session.get(Decision, period.decision_id)
        uow.emit("impact_period_ended", PERIOD_ENDED.dump(
            _ended_payload(period, decision, records[period.person_id], restrictions, today)))
        announced += 1
    uow.commit()
    return announced


def _ended_payload(period, decision, records, restrictions, today):
    person = period.person
    now = standing.standing(restrictions, records, person.category, today)
    awaiting = now.rights is not None and now.rights.state != standing.RESTORED
    summary = f"仍在影响期内（至 {now.until}）" if now.in_impact_period else "现已不在影响期内"
    if awaiting:
        summary += "；党员权利须经党组织决定恢复"
    return {"period_id": period.id, "person_id": person.id, "decision_id": period.decision_id,
            "unit_id": decision.unit_id, "person_name": person.name, "id_number": person.id_number,
            "id_number_masked": mask(person.id_number), "kind": period.kind,
            "kind_name": KIND_NAMES.get(period.kind, period.kind),
            "sanction_type": period.sanction_type, "starts_on": period.starts_on, "ends_on": period.ends_on,
            "stacked": period.stacked, "in_impact_period": now.in_impact_period,
            "impact_period_until": now.until, "awaiting_restore": awaiting,
            "restrictions": now.answers, "summary": summary, "partners": list(restrictions.partners)}


# -- the records the standing reads ---------------------------------------------------------------
def records_of(session, book, clock, person_ids):
    """``{person_id: [standing.Record]}``: every sanction of every decision of these people, with
    its impact period and the day its decision's restore item was approved."""
    found = defaultdict(list)
    if not person_ids:
        return found
    periods = {(p.decision_id, p.kind, p.sanction_type): p for p in session.scalars(
        select(ImpactPeriod).where(ImpactPeriod.person_id.in_(person_ids)))}
    restored = _restored_on(session, book, clock, person_ids)
    rows = session.execute(
        select(Sanction, Decision.person_id, Decision.decision_date)
        .join(Decision, Decision.id == Sanction.decision_id).where(Decision.person_id.in_(person_ids))
        .order_by(Decision.decision_date, Decision.id, Sanction.id))
    for sanction, person_id, decided_on in rows:
        row = periods.get((sanction.decision_id, sanction.kind, sanction.type))
        period = None if row is None else Period(row.kind, row.sanction_type, row.starts_on, row.ends_on,
                                                 row.months, row.stacked)
        found[person_id].append(standing.Record(sanction.kind, sanction.type, decided_on, period,
                                                restored.get(sanction.decision_id)))
    return found


def _restored_on(session, book, clock, person_ids):
    """``{decision_id: date}``: when each decision's restore item was approved (the platform's day)."""
    rows = session.execute(
        select(ExecutionItem.decision_id, func.max(ItemTransition.at))
        .join(ItemTransition, ItemTransition.item_id == ExecutionItem.id)
        .join(Decision, Decision.id == ExecutionItem.decision_id)
        .where(Decision.person_id.in_(person_ids), ExecutionItem.code == book.restrictions.restore_item,
               ExecutionItem.state == APPROVED, ItemTransition.to_state == APPROVED)
        .group_by(ExecutionItem.decision_id))
    return {decision_id: _day_of(clock, at) for decision_id, at in rows}


def _day_of(clock, at):
    """The platform's date of a stored instant (naive UTC): in CLOCK_TZ, as "today" is; a
    pinned clock's instants are its day."""
    zone = getattr(clock, "zone", None)
    if zone is None:
        return at.date()
    return at.replace(tzinfo=timezone.utc).astimezone(zone).date()
