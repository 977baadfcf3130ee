"""The case service layer: use cases over the unit of work (``uow.session``, ``uow.emit``).

The nameko adapter calls these; they apply ``rules`` to the models and record events.
"""
import logging
from contextlib import contextmanager

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from services.common.actor import Actor
from services.common.errors import Conflict, NotFound, RuleRefused, ValidationFailed
from services.common.schemas import load

from . import rules
from .exceptions import DuplicateDecision, ItemNotOpen, StaleVersion
from .models import Decision, ExecutionItem, ImpactPeriod, ItemTransition, Person, Reform, Sanction
from .schemas import DecisionIn, DecisionRegisteredEvent, DueDateIn, ItemEvent, ListQuery

log = logging.getLogger(__name__)

# Schema instances are built once: marshmallow deep-copies declared fields per instance.
DECISION_IN, LIST_QUERY, DUE_DATE_IN = DecisionIn(), ListQuery(), DueDateIn()
DECISION_REGISTERED, ITEM_EVENT = DecisionRegisteredEvent(), ItemEvent()


# -- registering a decision ---------------------------------------------------------------
REGISTER_ATTEMPTS = 3
REQUEST_ID_MAX = 64


def register_decision(uow, book, clock, actor: Actor, payload, request_id=None):
    """登记处分决定: validate, compute impact periods, generate items, open the first.

    ``request_id`` is the registering request's idempotency key (the gateway's
    ``Idempotency-Key``): the same request again (redelivered after case died, or retried
    by its client) answers the decision it created; another request with that 文号 is a 409.
    A unique constraint that fails at commit is told apart: the 文号 (the answer above), or
    the person, whom a concurrent registration created first (registered again, finding them).
    """
    actor.require("reviewer", "admin")
    data, sanctions = checked_registration(book, clock, payload)
    request_id = _checked_request_id(request_id)
    session = uow.session
    for _ in range(REGISTER_ATTEMPTS):
        registered = _registered(session, data["doc_number"], request_id)
        if registered is not None:
            return registered
        try:
            return _register(uow, book, clock, actor, data, sanctions, request_id)
        except IntegrityError:
            uow.rollback()
            if _doc_number_taken(session, data["doc_number"]):
                continue  # a concurrent registration of this 文号 won: the next pass answers it
            if _person_exists(session, data["person"]["id_number"]):
                continue  # a concurrent registration created this person: register beside it
            raise         # a constraint neither explains: a defect, not the caller's conflict
    raise Conflict("登记冲突，请重试", {"doc_number": ["并发登记冲突"]})


def checked_registration(book, clock, payload):
    """A registration's payload loaded and checked (DecisionIn, a decision date not in the
    future, the sanctions the rule book allows the person): ``(data, sanctions)``, else
    ValidationFailed naming the field.  The batch import checks each row with this too
    (imports.py), so a row is refused exactly when ``POST /decisions`` would refuse it."""
    data = load(DECISION_IN, payload)
    if data["decision_date"] > clock.today():
        raise ValidationFailed("处分决定日期不能晚于今天", {"decision_date": ["不能是将来的日期"]})
    sanctions = tuple(rules.Sanction(s["kind"], s["type"], s["months"]) for s in data["sanctions"])
    try:
        rules.check_sanctions(book, sanctions, data["person"]["political_status"])
    except rules.RuleViolation as err:
        raise ValidationFailed(err.message, {err.field: [err.message]})
    return data, sanctions


def _checked_request_id(request_id):
    if request_id is None or request_id == "":
        return None
    if not isinstance(request_id, str) or len(request_id) > REQUEST_ID_MAX:
        raise ValidationFailed("请求标识无效", {"request_id": [f"应为不超过{REQUEST_ID_MAX}个字符的字符串"]})
    return request_id


def _registered(session, doc_number, request_id):
    """The decision this request already registered, or None if the 文号 is free;
    a 文号 registered by another request is a 409."""
    decision = session.scalar(select(Decision).where(Decision.doc_number == doc_number))
    if decision is None:
        return None
    if request_id is not None and decision.request_id == request_id:
        # Redelivered after case died (or retried by its client): answered, not run again.
        log.warning("registration %s of %s came again; answering decision %s", request_id,
                    doc_number, decision.id)
        return decision
    raise DuplicateDecision("该文号的处分决定已登记", {"doc_number": ["文号重复"]})


def _doc_number_taken(session, doc_number):
    return session.scalar(select(Decision.id).where(Decision.doc_number == doc_number)) is not None


def _person_exists(session, id_number):
    return session.scalar(select(Person.id).where(Person.id_number == id_number)) is not None


def _register(uow, book, clock, actor, data, sanctions, request_id):
    session = uow.session
    decision = build_decision(session, book, clock, actor, data, sanctions, request_id)
    session.add(decision)
    session.flush()  # one flush: the whole aggregate, inserted in batches
    announce_registration(uow, clock, actor, decision)
    uow.commit()
    return decision


def build_decision(session, book, clock, actor, data, sanctions, request_id, people=None):
    """The decision a registration writes, not yet in the session: its person (found by 身份证号,
    the decision's particulars winning, or new), the impact periods stacked on the person's
    running ones, the rule book's items with their dates.  The batch import builds every row
    with this too (imports.py).  Nothing is added to the session: a RuleViolation (a date rule
    the decision cannot meet) leaves at most a known person's particulars changed.  ``people``:
    {身份证号: Person or None} already looked up (a batch looks its people up at once)."""
    person = _upsert_person(session, data["person"], people)
    running = _running_periods(session, person, data["decision_date"])
    periods = rules.impact_periods(book, data["decision_date"], sanctions, running)
    decision = _new_decision(clock, actor, data, person)
    decision.request_id = request_id
    decision.sanctions = [Sanction(kind=s.kind, type=s.type, months=s.months) for s in sanctions]
    decision.periods = [_period_row(p, person) for p in periods]
    decision.items = [_item_row(plan, person.unit_id)
                      for plan in rules.plan_items(book, _facts(book, data, sanctions, periods))]
    return decision


def announce_registration(uow, clock, actor, decision):
    """A decision just flushed: open what is ready, and say it was registered."""
    open_ready_items(uow, clock, decision, actor)
    # After opening: listeners of other events may see this one first, so it carries
    # every item's state as it now is.
    uow.emit("decision_registered", DECISION_REGISTERED.dump(decision))


def _upsert_person(session, data, people=None):
    """People are deduplicated by 身份证号; the latest decision's particulars win."""
    if people is not None and data["id_number"] in people:
        person = people[data["id_number"]]
    else:
        person = session.scalar(select(Person).where(Person.id_number == data["id_number"]))
    if person is None:
        return Person(**data)
    for key, value in data.items():
        setattr(person, key, value)
    return person


def _running_periods(session, person, on):
    if person.id is None:  # a new person has no earlier periods
        return ()
    rows = session.scalars(select(ImpactPeriod).where(ImpactPeriod.person_id == person.id,
                                                      ImpactPeriod.ends_on > on))
    return tuple(rules.Period(p.kind, p.sanction_type, p.starts_on, p.ends_on, p.months) for p in rows)


def _facts(book, data, sanctions, periods):
    return rules.Facts(
        decision_date=data["decision_date"], sanctions=sanctions,
        political_status=data["person"]["political_status"], category=data["person"]["category"],
        illicit_gains=data["illicit_gains"] is not None, org_handling=bool(data["org_handling"]),
        letters=bool(data["letters"]), periods=periods, settings=book.settings)


def _new_decision(clock, actor, data, person):
    gains = data["illicit_gains"] or {}
    return Decision(
        person=person, unit_id=person.unit_id, doc_number=data["doc_number"],
        decided_by=data["decided_by"], decision_date=data["decision_date"],
        illicit_amount=gains.get("amount"), illicit_disposition=gains.get("disposition"),
        org_handling=data["org_handling"], letters=data["letters"], facts=data["facts"],
        registered_by=actor.user_id, created_at=clock.now())


def _period_row(period, person):
    return ImpactPeriod(person=person, kind=period.kind, sanction_type=period.sanction_type,
                        starts_on=period.starts_on, ends_on=period.ends_on, months=period.months,
                        stacked=period.stacked)


def _item_row(plan, unit_id):
    return ExecutionItem(
        unit_id=unit_id, code=plan.code, name=plan.name, seq=plan.seq, state=rules.LOCKED,
        version=1, after=list(plan.after), opens_on=plan.opens_on, due_date=plan.due_date,
        extension_limit=plan.extension_limit, cycle=plan.cycle,
        legal_basis=[dict(ref) for ref in plan.legal_basis], partners=list(plan.partners))


# -- item state --------------------------------------------------------------------------
def open_ready_items(uow, clock, owner, actor):
    """Open every locked item of ``owner`` (a decision or a reform case) whose predecessors are
    approved and whose date has come."""
    opened = []
    for item in owner.items:
        if rules.ready_to_open(item, owner.items, clock.today()):
            item.opened_at = clock.now()
            registered = "以案促改登记" if isinstance(owner, Reform) else "决定登记"
            _move(uow, clock, item, rules.OPEN, actor, "前序事项已审核通过" if item.after else registered)
            uow.emit("item_opened", ITEM_EVENT.dump(item))
            opened.append(item)
    return opened


# Who may move an item into a state; the review service calls with the user's actor.
_MAY_MOVE_TO = {rules.SUBMITTED: ("operator", "system"),
                rules.APPROVED: ("reviewer", "system"),
                rules.REJECTED: ("reviewer", "system")}


def transition_item(uow, clock, actor: Actor, item_id, to_state, expected_version=None, reason=""):
    """Move an item along the state machine; approval opens what it unlocks."""
    item = get_item(uow.session, actor, item_id)
    if to_state not in _MAY_MOVE_TO:
        raise ValidationFailed("不能直接设置该状态", {"to_state": [f"不允许：{to_state}"]})
    actor.require(*_MAY_MOVE_TO[to_state], "admin")
    if expected_version is not None and expected_version != item.version:
        raise StaleVersion("事项已被他人更新，请刷新后重试",
                           {"version": [f"当前版本 {item.version}"]})
    if not rules.may_transition(item.state, to_state):
        raise ItemNotOpen(_blocked_message(item), {"state": [item.state]})
    with no_lost_update(uow):
        _move(uow, clock, item, to_state, actor, reason)
        if to_state == rules.APPROVED:
            owner = item.owner          # the decision, or the reform case of a task
            open_ready_items(uow, clock, owner, actor)
            if rules.all_approved(owner.items):
                owner.status = "completed"
                uow.emit(*completed_event(owner))
        uow.commit()
    return item


def completed_event(owner):
    """Every item approved: ``decision_completed``, or ``reform_completed`` for a reform case."""
    if isinstance(owner, Reform):
        return "reform_completed", {"reform_id": owner.id, "unit_id": owner.unit_id}
    return "decision_completed", {"decision_id": owner.id, "unit_id": owner.unit_id}


@contextmanager
def no_lost_update(uow):
    """An item another worker moved since we read it: nothing is written, 409 to retry."""
    try:
        yield
    except StaleDataError:
        uow.rollback()
        raise StaleVersion("事项已被他人同时更新，请刷新后重试", {"version": ["已被他人更新"]}) from None


def _blocked_message(item):
    if item.state == rules.LOCKED:
        waiting = ", ".join(item.after) or "开启日期"
        return f"事项“{item.name}”尚未开启，须先审核通过：{waiting}"
    return f"事项“{item.name}”当前状态为 {item.state}，不能进行此操作"


def _move(uow, clock, item, to_state, actor, reason):
    from_state = item.state
    item.state = to_state
    item.version += 1
    # Linking through ``item=`` queues the row without loading the item's whole history.
    uow.session.add(ItemTransition(item=item, from_state=from_state, to_state=to_state,
                                   actor_user_id=actor.user_id, actor_role=actor.role,
                                   reason=reason or "", at=clock.now()))
    uow.emit("item_state_changed", dict(ITEM_EVENT.dump(item), from_state=from_state))


def extend_due_date(uow, clock, actor: Actor, item_id, new_due_date, from_due_date=None):
    """延期: move an item's due date, never past the latest date its rule allows.

    Idempotent: an item already due on ``new_due_date`` is answered as it is (a retried
    approval); ``from_due_date`` is the date the extension was asked against, and an item
    whose due date has moved since is refused rather than extended from elsewhere."""
    actor.require("reviewer", "system", "admin")
    item = get_item(uow.session, actor, item_id)
    new_due = load(DUE_DATE_IN, {"due_date": new_due_date})["due_date"]
    if item.due_date == new_due:
        return item
    if item.state == rules.APPROVED:
        raise ItemNotOpen(f"事项“{item.name}”已审核通过，无需延期", {"state": [item.state]})
    if from_due_date is not None and load(DUE_DATE_IN, {"due_date": from_due_date})["due_date"] != item.due_date:
        raise Conflict(f"事项期限已变更为 {item.due_date}，与延期申请时的期限 {from_due_date} 不符",
                       {"due_date": [f"当前期限 {item.due_date}"]})
    if item.extension_limit is None or new_due > item.extension_limit:
        raise RuleRefused(f"期限不能晚于法定最长期限 {item.extension_limit or item.due_date}",
                          {"due_date": [f"最迟 {item.extension_limit or item.due_date}"]})
    if new_due <= item.due_date:
        raise ValidationFailed("延期后的期限应晚于原期限", {"due_date": [f"原期限 {item.due_date}"]})
    previous, item.due_date = item.due_date, new_due
    item.version += 1
    uow.emit("item_due_date_changed", dict(ITEM_EVENT.dump(item), previous_due_date=previous.isoformat()))
    with no_lost_update(uow):
        uow.commit()
    return item


def open_due_items(uow, clock, actor, item_ids=None):
    """Open time-gated items whose date has come (deadline_due_date_reached, or a sweep)."""
    query = select(ExecutionItem).where(ExecutionItem.state == rules.LOCKED,
                                        ExecutionItem.opens_on <= clock.today())
    if item_ids is not None:
        query = query.where(ExecutionItem.id.in_(item_ids))
    with no_lost_update(uow):
        owners = {item.owner for item in uow.session.scalars(query)}
        opened = [item for owner in owners for item in open_ready_items(uow, clock, owner, actor)]
        uow.commit()
    return opened


# -- reading, always within the actor's scope ---------------------------------------------
# A decision as DecisionOut shows it: its items without their history (GET /items/{id} has it).
DECISION_LOADS = (selectinload(Decision.items).lazyload(ExecutionItem.history),)


def get_decision(session, actor: Actor, decision_id):
    decision = (session.get(Decision, decision_id, options=DECISION_LOADS)
                if isinstance(decision_id, int) else None)
    if decision is None or not actor.may_see_unit(decision.unit_id):
        raise NotFound("处分决定不存在", {"decision_id": [str(decision_id)]})
    return decision


def get_item(session, actor: Actor, item_id):
    item = session.get(ExecutionItem, item_id) if isinstance(item_id, int) else None
    if item is None or not actor.may_see_unit(item.unit_id):
        raise NotFound("执行事项不存在", {"item_id": [str(item_id)]})
    return item


def list_decisions(session, actor: Actor, query, with_items=False):
    """A page of the decisions the filters select, newest first, and how many there are.
    A summary shows the person and the sanctions only, so the page loads no impact periods, and
    no items (with their history) unless ``with_items`` (the export writes the items' progress);
    the count joins the person only when searching by name."""
    params = load(LIST_QUERY, query or {})
    conditions = _list_conditions(params)
    searched = select(Decision)
    if params["q"]:
        like = f"%{params['q']}%"
        searched = searched.join(Person).where(or_(Person.name.like(like), Decision.doc_number.like(like)))
    matches = actor.scope(searched.where(*conditions), Decision.unit_id)
    total = session.scalar(select(func.count()).select_from(matches.with_only_columns(Decision.id).subquery()))
    # The order is the indexes' (ix_decision_date_id, ix_decision_unit_date_id): a page is read
    # off an index instead of sorting every match.
    stmt = matches.order_by(Decision.decision_date.desc(), Decision.id.desc()).options(lazyload(Decision.periods))
    if not with_items:
        stmt = stmt.options(lazyload(Decision.items))
    page = session.scalars(stmt.offset((params["page"] - 1) * params["per_page"])
                           .limit(params["per_page"])).unique().all()
    return page, total


def _list_conditions(params):
    conditions = []
    if params["unit_id"] is not None:
        conditions.append(Decision.unit_id == params["unit_id"])
    if params["status"]:
        conditions.append(Decision.status == params["status"])
    if params["sanction"]:
        conditions.append(Decision.sanctions.any(Sanction.type == params["sanction"]))
    return conditions


