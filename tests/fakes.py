"""Fakes for unit-testing the use cases without a broker (the cosmicpython discipline).

- :class:`FakeUnitOfWork` is what a use case sees as ``uow``: the interface of
  ``services.common.db.UnitOfWork`` (``session``, ``emit``, ``emit_many``, ``first_time``,
  ``commit``, ``rollback``, ``close``) over an in-memory SQLite session holding the service's
  own tables and the common outbox / processed-event tables.  Events are "published" into
  :attr:`FakeUnitOfWork.events` only when committed, as the real outbox publishes after commit.
- :class:`FakeCase` is the case service's RPC proxy as the review service sees it: items,
  decisions and reform cases (以案促改, whose tasks are items) as the JSON-ready dicts case returns, a state machine that refuses what case refuses
  with the same typed errors, and a log of calls.
- ``FakeClock`` is :class:`services.common.clock.FixedClock`.
"""
import copy
import uuid
from datetime import date

from sqlalchemy import create_engine, event, insert
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool

from services.case import rules
from services.case.exceptions import ItemNotOpen, StaleVersion
from services.common.actor import Actor
from services.common.clock import FixedClock, utcnow
from services.common.errors import Conflict, NotFound, RuleRefused, ValidationFailed
from services.common.models import CommonBase, OutboxEvent, ProcessedEvent

FakeClock = FixedClock


# -- the unit of work --------------------------------------------------------------------------
class FakeUnitOfWork:
    """``FakeUnitOfWork(services.review.models.Base.metadata)``: one in-memory database."""

    def __init__(self, *metadatas):
        self.engine = create_engine("sqlite://", poolclass=StaticPool,
                                    connect_args={"check_same_thread": False})

        @event.listens_for(self.engine, "connect")
        def _foreign_keys(dbapi_conn, _record):
            dbapi_conn.execute("PRAGMA foreign_keys=ON")

        for metadata in (CommonBase.metadata, *metadatas):
            metadata.create_all(self.engine)
        # As the real Database: objects stay readable after a commit.
        self.Session = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.session = self.Session()
        self.events = []       # (event_type, payload) published, i.e. committed, in order
        self._pending = []     # emitted in the open transaction
        self.commits = 0
        self.rollbacks = 0
        self.fail_next_commit = None   # an exception the next commit raises (a lost database)

    # -- UnitOfWork's interface ----------------------------------------------------------------
    def emit(self, event_type, payload):
        row = _outbox_row(event_type, payload)
        self.session.add(OutboxEvent(**row))
        self._pending.append((event_type, row["payload"]))
        return row["id"]

    def emit_many(self, events):
        rows = [_outbox_row(event_type, payload) for event_type, payload in events]
        if rows:
            self.session.execute(insert(OutboxEvent), rows)
            self._pending.extend((row["event_type"], row["payload"]) for row in rows)
        return [row["id"] for row in rows]

    def first_time(self, event_id, handler):
        if not event_id:
            return True
        if self.session.get(ProcessedEvent, (event_id, handler)) is not None:
            return False
        self.session.add(ProcessedEvent(event_id=event_id, handler=handler, seen_at=utcnow()))
        return True

    def commit(self):
        failure, self.fail_next_commit = self.fail_next_commit, None
        if failure is not None:
            raise failure
        self.session.commit()
        self.commits += 1
        pending, self._pending = self._pending, []
        self.events.extend(pending)

    def rollback(self):
        self.session.rollback()
        self.rollbacks += 1
        self._pending = []

    def close(self):
        self.session.rollback()
        self.session.close()

    # -- for assertions ------------------------------------------------------------------------
    def event_types(self):
        return [event_type for event_type, _ in self.events]

    def events_of(self, event_type):
        return [payload for kind, payload in self.events if kind == event_type]

    def committed(self):
        """The session as the next worker finds the database: what this one left uncommitted
        is rolled back, as the real ``Database`` does at worker teardown."""
        self.session.rollback()
        self._pending = []
        return self.session

    def dispose(self):
        self.close()
        self.engine.dispose()


def _outbox_row(event_type, payload):
    event_id = str(uuid.uuid4())
    now = utcnow()
    body = dict(payload, event_id=event_id, event_type=event_type, occurred_at=now.isoformat())
    return {"id": event_id, "event_type": event_type, "payload": body, "created_at": now}


# -- the case service, as review calls it ------------------------------------------------------
# Who may move an item into a state (as services.case.execution enforces it).
_MAY_MOVE_TO = {rules.SUBMITTED: ("operator", "system", "admin"),
                rules.APPROVED: ("reviewer", "system", "admin"),
                rules.REJECTED: ("reviewer", "system", "admin")}

SAMPLE_PERSON = {"id": 1, "name": "张三1", "id_number": "110105198001011234", "gender": "男",
                 "unit_id": 2, "post": "科员", "political_status": "中共党员",
                 "democratic_party": None, "category": "公务员"}


class FakeCase:
    """An in-memory case service: ``get_item``, ``get_decision``, ``transition_item``,
    ``extend_due_date`` with case's signatures (actor dict first), return shapes and errors.

    ``calls`` logs every call as ``(method, args)``; ``fail_next[method] = exc`` makes the
    next call of ``method`` raise ``exc`` (a case outage or a refusal) without changing anything.
    """

    def __init__(self, clock):
        self.clock = clock
        self.decisions = {}
        self.reforms = {}
        self.items = {}
        self.calls = []
        self.fail_next = {}
        self._next_item_id = 1

    # -- arranging -----------------------------------------------------------------------------
    def add_decision(self, decision_id=1, unit_id=2, decision_date="2021-03-01",
                     doc_number=None, person=None, sanctions=None, illicit_gains=None):
        self.decisions[decision_id] = {
            "id": decision_id, "unit_id": unit_id, "doc_number": doc_number or f"东纪发〔2021〕{decision_id}号",
            "decided_by": "东河区纪委监委", "decision_date": decision_date, "status": "executing",
            "person": dict(SAMPLE_PERSON, unit_id=unit_id, **(person or {})),
            "sanctions": sanctions or [{"kind": "party", "type": "留党察看", "months": 12},
                                       {"kind": "government", "type": "撤职", "months": None}],
            "illicit_gains": illicit_gains, "org_handling": [], "letters": [], "facts": "",
            "impact_periods": []}
        return self.decisions[decision_id]

    def add_item(self, decision_id=1, code="SERVE", name="送达", state="open", due_date="2021-04-01",
                 after=(), extension_limit=None, opens_on=None, partners=(), item_id=None):
        decision = self.decisions.get(decision_id) or self.add_decision(decision_id)
        item_id = item_id or self._next_item_id
        self._next_item_id = max(self._next_item_id, item_id) + 1
        self.items[item_id] = {
            "id": item_id, "decision_id": decision_id, "reform_id": None, "unit_id": decision["unit_id"], "code": code,
            "name": name, "seq": len(self._items_of(decision_id)) + 1, "state": state, "version": 1,
            "after": list(after), "opens_on": opens_on, "due_date": due_date,
            "extension_limit": extension_limit, "cycle": None, "legal_basis": [],
            "partners": list(partners), "history": []}
        return self.items[item_id]

    def add_reform(self, reform_id=1, unit_id=2, issued_on="2021-04-01", doc_number=None, decision_ids=()):
        """A reform case (以案促改) as case answers it; its tasks are added with :meth:`add_task`."""
        self.reforms[reform_id] = {
            "id": reform_id, "unit_id": unit_id, "basis": "纪律检查建议书",
            "doc_number": doc_number or f"东纪建〔2021〕{reform_id}号", "issued_on": issued_on, "due_date": None,
            "requirements": "开展警示教育，完善制度。", "party_group": True, "status": "executing",
            "decision_ids": list(decision_ids), "decisions": []}
        return self.reforms[reform_id]

    def add_task(self, reform_id=1, code="RF_WARNING", name="警示教育大会", state="open", due_date="2021-05-06",
                 after=(), extension_limit=None, item_id=None):
        """A reform task: an item whose owner is the reform case (``reform_id``, no decision)."""
        reform = self.reforms.get(reform_id) or self.add_reform(reform_id)
        item_id = item_id or self._next_item_id
        self._next_item_id = max(self._next_item_id, item_id) + 1
        self.items[item_id] = {
            "id": item_id, "decision_id": None, "reform_id": reform_id, "unit_id": reform["unit_id"],
            "code": code, "name": name, "seq": len(self._tasks_of(reform_id)) + 1, "state": state, "version": 1,
            "after": list(after), "opens_on": None, "due_date": due_date, "extension_limit": extension_limit,
            "cycle": None, "legal_basis": [], "partners": [], "history": []}
        return self.items[item_id]

    # -- the RPC surface -----------------------------------------------------------------------
    def get_reform(self, actor, reform_id):
        self._called("get_reform", actor, reform_id)
        actor = Actor.load(actor)
        reform = self.reforms.get(reform_id)
        if reform is None or not actor.may_see_unit(reform["unit_id"]):
            raise NotFound("以案促改不存在", {"reform_id": [str(reform_id)]})
        return copy.deepcopy(dict(reform, items=self._tasks_of(reform_id)))

    def get_item(self, actor, item_id):
        self._called("get_item", actor, item_id)
        return copy.deepcopy(self._visible_item(Actor.load(actor), item_id))

    def get_decision(self, actor, decision_id):
        self._called("get_decision", actor, decision_id)
        actor = Actor.load(actor)
        decision = self.decisions.get(decision_id)
        if decision is None or not actor.may_see_unit(decision["unit_id"]):
            raise NotFound("处分决定不存在", {"decision_id": [str(decision_id)]})
        return copy.deepcopy(dict(decision, items=self._items_of(decision_id)))

    def transition_item(self, actor, item_id, to_state, expected_version=None, reason=""):
        self._called("transition_item", actor, item_id, to_state, expected_version, reason)
        actor = Actor.load(actor)
        item = self._visible_item(actor, item_id)
        if to_state not in _MAY_MOVE_TO:
            raise ValidationFailed("不能直接设置该状态", {"to_state": [f"不允许：{to_state}"]})
        actor.require(*_MAY_MOVE_TO[to_state])
        if expected_version is not None and expected_version != item["version"]:
            raise StaleVersion("事项已被他人更新，请刷新后重试", {"version": [f"当前版本 {item['version']}"]})
        if not rules.may_transition(item["state"], to_state):
            raise ItemNotOpen(f"事项“{item['name']}”当前状态为 {item['state']}，不能进行此操作",
                              {"state": [item["state"]]})
        self._move(item, to_state, actor, reason)
        if to_state == rules.APPROVED:
            self._open_ready(item, actor)
        return copy.deepcopy(_without_history(item))

    def extend_due_date(self, actor, item_id, new_due_date, from_due_date=None):
        """Idempotent as case's: already due on ``new_due_date`` is success; an item whose due
        date moved since ``from_due_date`` is a Conflict."""
        self._called("extend_due_date", actor, item_id, new_due_date, from_due_date)
        actor = Actor.load(actor)
        actor.require("reviewer", "system", "admin")
        item = self._visible_item(actor, item_id)
        new_due = date.fromisoformat(new_due_date)
        if item["due_date"] == new_due.isoformat():
            return copy.deepcopy(_without_history(item))
        if from_due_date is not None and date.fromisoformat(from_due_date).isoformat() != item["due_date"]:
            raise Conflict(f"事项期限已变更为 {item['due_date']}，与延期申请时的期限 {from_due_date} 不符",
                           {"due_date": [f"当前期限 {item['due_date']}"]})
        limit = item["extension_limit"]
        if limit is None or new_due > date.fromisoformat(limit):
            raise RuleRefused(f"期限不能晚于法定最长期限 {limit or item['due_date']}",
                              {"due_date": [f"最迟 {limit or item['due_date']}"]})
        if new_due <= date.fromisoformat(item["due_date"]):
            raise ValidationFailed("延期后的期限应晚于原期限", {"due_date": [f"原期限 {item['due_date']}"]})
        item["due_date"], item["version"] = new_due.isoformat(), item["version"] + 1
        return copy.deepcopy(_without_history(item))

    # -- for assertions ------------------------------------------------------------------------
    def state_of(self, item_id):
        return self.items[item_id]["state"]

    def calls_to(self, method):
        return [args for name, args in self.calls if name == method]

    # -- inside --------------------------------------------------------------------------------
    def _called(self, method, *args):
        self.calls.append((method, args))
        failure = self.fail_next.pop(method, None)
        if failure is not None:
            raise failure

    def _visible_item(self, actor, item_id):
        item = self.items.get(item_id) if isinstance(item_id, int) else None
        if item is None or not actor.may_see_unit(item["unit_id"]):
            raise NotFound("执行事项不存在", {"item_id": [str(item_id)]})
        return item

    def _items_of(self, decision_id):
        return [_without_history(i) for i in self.items.values()
                if i["decision_id"] == decision_id and i.get("reform_id") is None]

    def _tasks_of(self, reform_id):
        return [_without_history(i) for i in self.items.values() if i.get("reform_id") == reform_id]

    def _move(self, item, to_state, actor, reason):
        item["history"].append({"from_state": item["state"], "to_state": to_state,
                                "actor_user_id": actor.user_id, "actor_role": actor.role,
                                "reason": reason or "", "at": self.clock.now().isoformat()})
        item["state"], item["version"] = to_state, item["version"] + 1

    def _open_ready(self, approved_item, actor):
        """Open what the approval unlocks among the item's siblings (same decision or reform case)."""
        owner = ("reform_id", approved_item["reform_id"]) if approved_item.get("reform_id") is not None \
            else ("decision_id", approved_item["decision_id"])
        siblings = [i for i in self.items.values() if i.get(owner[0]) == owner[1]]
        approved = {i["code"] for i in siblings if i["state"] == rules.APPROVED}
        present = {i["code"] for i in siblings}
        for item in siblings:
            waiting = set(item["after"]) & present
            gate = item["opens_on"] is None or date.fromisoformat(item["opens_on"]) <= self.clock.today()
            if item["state"] == rules.LOCKED and waiting <= approved and gate:
                self._move(item, rules.OPEN, actor, "前序事项已审核通过")


def _without_history(item):
    return {key: value for key, value in item.items() if key != "history"}
