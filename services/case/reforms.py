"""Reform cases (以案促改): the use cases over the unit of work (``uow.session``, ``uow.emit``).

A reform case is registered by the review office for a unit, on a 纪律检查建议书, 监察建议书,
通报 or other basis, arising from one or more of the unit's decisions (none for a 监察建议
about the unit itself: the rule book's bases say which).  Its tasks are execution items
(``ExecutionItem.reform_id``) planned from the rule book's reform section
(``rules.plan_reform_tasks``); from then on they are opened, reported, reviewed, extended and
counted down by the same code as a decision's items (``execution.open_ready_items``,
``execution.transition_item`` …), and every item event says which owner an item has
(``decision_id`` or ``reform_id``).
"""
import logging

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from services.common.actor import Actor
from services.common.errors import NotFound, ValidationFailed
from services.common.schemas import load

from . import rules
from .exceptions import DuplicateReform
from .execution import _checked_request_id, _item_row, open_ready_items
from .models import Decision, Reform, reform_decision
from .schemas import ReformIn, ReformListQuery, ReformRegisteredEvent

log = logging.getLogger(__name__)
REFORM_IN, REFORM_LIST_QUERY, REFORM_REGISTERED = ReformIn(), ReformListQuery(), ReformRegisteredEvent()


def register_reform(uow, book, clock, actor: Actor, payload, request_id=None):
    """登记以案促改: validate, plan the tasks from the rule book, open the first ones, announce
    ``reform_registered`` (with every task) in the same transaction.

    ``request_id`` is the request's idempotency key, as for a decision: the same request again
    answers the reform case it created; another request with that 文号 is a 409."""
    actor.require_permission("reform.register")
    data = load(REFORM_IN, payload)
    session = uow.session
    basis = _checked(book, clock, data)
    decisions = _decisions(session, data, basis)
    request_id = _checked_request_id(request_id)
    registered = _registered(session, data["doc_number"], request_id)
    if registered is not None:
        return registered
    reform = Reform(unit_id=data["unit_id"], basis=basis.name, doc_number=data["doc_number"],
                    issued_on=data["issued_on"], requirements=data["requirements"], due_date=data["due_date"],
                    party_group=data["party_group"], status="executing", registered_by=actor.user_id,
                    created_at=clock.now(), request_id=request_id)
    reform.decisions = decisions
    facts = rules.ReformFacts(issued_on=data["issued_on"], due_date=data["due_date"],
                              party_group=data["party_group"], settings=book.settings)
    reform.items = [_item_row(plan, data["unit_id"]) for plan in rules.plan_reform_tasks(book, facts)]
    session.add(reform)
    try:
        session.flush()
    except IntegrityError:
        uow.rollback()
        answered = _registered(session, data["doc_number"], request_id)   # a concurrent twin won
        if answered is not None:
            return answered
        raise
    open_ready_items(uow, clock, reform, actor)
    # After opening, as decision_registered: it carries every task's state as it now is.
    uow.emit("reform_registered", REFORM_REGISTERED.dump(reform))
    uow.commit()
    return reform


def _checked(book, clock, data):
    """The rule book's basis for ``data['basis']``; 400 naming the field for a basis it does not
    know, an issue date in the future, or a deadline before the issue date."""
    basis = book.reforms.basis(data["basis"])
    if basis is None:
        names = "、".join(b.name for b in book.reforms.bases)
        raise ValidationFailed("以案促改的依据不在规定范围内", {"basis": [f"须为以下之一：{names}"]})
    if data["issued_on"] > clock.today():
        raise ValidationFailed("下发日期不能晚于今天", {"issued_on": ["不能是将来的日期"]})
    if data["due_date"] is not None and data["due_date"] < data["issued_on"]:
        raise ValidationFailed("整改期限不能早于下发日期",
                               {"due_date": [f"不能早于下发日期 {data['issued_on']}"]})
    return basis


def _decisions(session, data, basis):
    """The decisions named, each existing and of the unit; as many as the basis asks for."""
    ids = data["decision_ids"]
    if basis.decisions == "none" and ids:
        raise ValidationFailed(f"依据{basis.name}的以案促改针对单位本身，不关联处分决定",
                               {"decision_ids": [f"{basis.name}不关联处分决定"]})
    if basis.decisions == "required" and not ids:
        raise ValidationFailed("请选择以案促改所依据的处分决定", {"decision_ids": ["至少关联一项该单位的处分决定"]})
    found = {d.id: d for d in session.scalars(select(Decision).where(Decision.id.in_(ids)))} if ids else {}
    problems = {}
    for index, decision_id in enumerate(ids):
        decision = found.get(decision_id)
        if decision is None:
            problems[f"decision_ids.{index}"] = [f"处分决定 {decision_id} 不存在"]
        elif decision.unit_id != data["unit_id"]:
            problems[f"decision_ids.{index}"] = [f"处分决定 {decision.doc_number} 不属于该单位"]
    if problems:
        raise ValidationFailed("所关联的处分决定有误", problems)
    return [found[i] for i in ids]


def _registered(session, doc_number, request_id):
    """The reform case this request already registered, or None if the 文号 is free; a 文号
    registered by another request is a 409."""
    reform = session.scalar(select(Reform).where(Reform.doc_number == doc_number))
    if reform is None:
        return None
    if request_id is not None and reform.request_id == request_id:
        log.warning("reform registration %s of %s came again; answering reform %s", request_id,
                    doc_number, reform.id)
        return reform
    raise DuplicateReform("该文号的以案促改已登记", {"doc_number": ["文号重复"]})


# -- reading, always within the actor's scope ---------------------------------------------
def get_reform(session, actor: Actor, reform_id):
    actor.require_permission("reform.read")
    reform = session.get(Reform, reform_id) if isinstance(reform_id, int) and not isinstance(reform_id, bool) else None
    if reform is None or not actor.may_see_unit(reform.unit_id):
        raise NotFound("以案促改不存在", {"reform_id": [str(reform_id)]})
    return reform


def list_reforms(session, actor: Actor, query):
    """``(page, total)``: newest issue date first; by unit, status, a decision it arises from, or
    文号 / 整改要求 text."""
    actor.require_permission("reform.read")
    params = load(REFORM_LIST_QUERY, query or {})
    stmt = actor.scope(select(Reform), Reform.unit_id)
    if params["unit_id"] is not None:
        stmt = stmt.where(Reform.unit_id == params["unit_id"])
    if params["status"]:
        stmt = stmt.where(Reform.status == params["status"])
    if params["decision_id"] is not None:
        stmt = stmt.where(Reform.id.in_(select(reform_decision.c.reform_id)
                                        .where(reform_decision.c.decision_id == params["decision_id"])))
    if params["q"]:
        like = f"%{params['q']}%"
        stmt = stmt.where(or_(Reform.doc_number.like(like), Reform.requirements.like(like)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = session.scalars(stmt.order_by(Reform.issued_on.desc(), Reform.id.desc())
                           .offset((params["page"] - 1) * params["per_page"])
                           .limit(params["per_page"])).all()
    return page, total
