"""Roles by verb (issue 11): one table says which role may do what; the gateway checks the
verb of every route and the services check it again, so a leader writes nothing, only the
addressed partner answers a notice, and only where the notice asks for an answer."""
import uuid
from datetime import datetime

import pytest
from marshmallow import ValidationError

from gateway.auth import ROUTES
from gateway.models import Base as GatewayBase
from gateway.models import Unit
from gateway import directory
from gateway.service import GatewayService
from services.case.schemas import DecisionIn
from services.common import permissions
from services.common.actor import ROLES, SYSTEM, Actor
from services.common.errors import Forbidden, RuleRefused, ValidationFailed
from services.notify import notices
from services.notify.models import Base as NotifyBase
from services.notify.models import Notice
from tests.fakes import FakeClock, FakeUnitOfWork
from tests.helpers import decision_payload

LEADER = Actor(user_id=5, role="leader", unit_id=1)
ADMIN = Actor(user_id=1, role="admin", unit_id=None)
OPERATOR = Actor(user_id=3, role="operator", unit_id=2)
ORGANIZATION = Actor(user_id=4, role="partner", unit_id=6, partner_role="organization")
FINANCE = Actor(user_id=7, role="partner", unit_id=8, partner_role="finance")


# -- the table ---------------------------------------------------------------------------------
def test_the_table_names_every_role_and_only_known_verbs():
    assert set(permissions.PERMISSIONS) == set(ROLES) | {"system"}
    for role, verbs in permissions.PERMISSIONS.items():
        assert verbs <= set(permissions.VERBS), role
    assert permissions.PERMISSIONS["system"] == frozenset(permissions.VERBS)
    with pytest.raises(KeyError):
        permissions.allowed("admin", "decision.delete")


def test_the_leader_reads_and_writes_nothing_but_their_own_password():
    writes = {v for v in permissions.PERMISSIONS["leader"] if permissions.VERBS[v][0] == permissions.WRITE}
    assert writes == {"account.password"}


@pytest.mark.parametrize("verb,roles", [
    ("notice.ack", ("partner",)),
    ("notice.read", ("reviewer", "operator", "partner")),
    ("decision.register", ("reviewer", "admin")),
    ("report.submit", ("operator",)),
    ("report.review", ("reviewer",)),
    ("user.manage", ("admin",)),
    ("audit.read", ("leader", "admin")),
    ("audit.verify", ("admin",)),
])
def test_who_holds_the_verbs_the_probe_abused(verb, roles):
    assert permissions.roles_with(verb) == roles


def test_every_route_of_the_gateway_names_its_verb_and_every_name_is_a_route():
    def is_api_route(name):
        entrypoints = getattr(getattr(GatewayService, name), "nameko_entrypoints", None) or ()
        return any(getattr(e, "url", "").startswith("/api/") for e in entrypoints)

    routes = {name for name in dir(GatewayService) if is_api_route(name)}
    assert routes - set(ROUTES) == set(), "add these routes to gateway.auth.ROUTES (verb, 中文名)"
    assert {name for name in ROUTES if hasattr(GatewayService, name)} == routes
    for name, route in ROUTES.items():
        assert route.verb is None or route.verb in permissions.VERBS, name
        assert route.action, name
    public = {name for name, route in ROUTES.items() if route.verb is None}
    assert public <= {"login", "health", "prometheus_metrics", "openapi_json", "docs_page", "docs_asset"}


def test_an_actor_is_checked_against_the_table_and_require_still_works():
    LEADER.require("leader")
    assert LEADER.may("stats.read") and not LEADER.may("notice.read")
    with pytest.raises(Forbidden) as refused:
        LEADER.require_permission("notice.ack")
    assert refused.value.fields == {"role": ["leader"], "permission": ["notice.ack"]}
    SYSTEM.require_permission("notice.ack")


# -- notify: who may mark read and answer --------------------------------------------------------
@pytest.fixture
def uow():
    fake = FakeUnitOfWork(NotifyBase.metadata)
    yield fake
    fake.dispose()


def _notice(uow, **fields):
    notice = Notice(event_id=str(uuid.uuid4()), event_type="item_opened", title="请配合办理", body="…",
                    created_at=datetime(2026, 6, 15), **fields)
    uow.session.add(notice)
    uow.session.commit()
    return notice


def test_leaders_and_admins_neither_mark_read_nor_answer(uow):
    review = _notice(uow, kind="review", asks_reply=False)
    partner = _notice(uow, kind="partner", role="organization", asks_reply=True)
    for actor, notice in ((LEADER, review), (ADMIN, partner), (ADMIN, review)):
        with pytest.raises(Forbidden):
            notices.mark_read(uow, FakeClock("2026-06-15"), actor, notice.id)
        with pytest.raises(Forbidden):
            notices.acknowledge(uow, FakeClock("2026-06-15"), actor, notice.id, {"feedback": "代填"})
    uow.session.refresh(partner)
    assert partner.read_at is None and partner.acknowledged_at is None


def test_only_the_addressed_partner_answers_and_only_a_notice_that_asks(uow):
    clock = FakeClock("2026-06-15")
    asks = _notice(uow, kind="partner", role="organization", asks_reply=True)
    reminder = _notice(uow, kind="partner", role="organization", asks_reply=False)
    unit = _notice(uow, kind="unit", unit_id=2, asks_reply=False)
    with pytest.raises(Forbidden):
        notices.acknowledge(uow, clock, OPERATOR, unit.id, {"feedback": "x"})
    with pytest.raises(Exception) as elsewhere:
        notices.acknowledge(uow, clock, FINANCE, asks.id, {"feedback": "x"})
    assert elsewhere.value.status == 404
    with pytest.raises(RuleRefused) as refused:
        notices.acknowledge(uow, clock, ORGANIZATION, reminder.id, {"feedback": "x"})
    assert refused.value.status == 422 and refused.value.code == "NO_REPLY_ASKED"
    assert notices.acknowledge(uow, clock, ORGANIZATION, asks.id, {"feedback": "已知悉"}).feedback == "已知悉"
    assert notices.mark_read(uow, clock, OPERATOR, unit.id).read_at is not None


# -- units of the right kind -------------------------------------------------------------------
@pytest.fixture
def gateway_db():
    fake = FakeUnitOfWork(GatewayBase.metadata)
    fake.session.add_all([Unit(id=1, name="审理室", kind="review"), Unit(id=2, name="民政局", kind="responsible"),
                          Unit(id=6, name="组织部", kind="partner", partner_role="organization")])
    fake.session.commit()
    yield fake
    fake.dispose()


@pytest.mark.parametrize("role,unit_id,ok", [
    ("operator", 2, True), ("operator", 6, False), ("operator", 1, False), ("operator", None, False),
    ("partner", 6, True), ("partner", 2, False), ("reviewer", 1, True), ("reviewer", 2, False),
    ("reviewer", None, False), ("leader", None, True), ("leader", 2, True), ("admin", 6, True),
])
def test_users_belong_to_units_of_their_kind(gateway_db, role, unit_id, ok):
    if ok:
        directory.require_unit_for_role(gateway_db.session, role, unit_id)
    else:
        with pytest.raises(ValidationFailed) as refused:
            directory.require_unit_for_role(gateway_db.session, role, unit_id)
        assert "unit_id" in refused.value.fields


@pytest.mark.parametrize("kind", ["partner", "review"])
def test_case_refuses_a_decision_for_a_person_of_another_kind_of_unit(kind):
    with pytest.raises(ValidationError) as refused:
        DecisionIn().load(decision_payload(person__unit_kind=kind))
    assert "unit_kind" in refused.value.messages["person"]
    loaded = DecisionIn().load(decision_payload(person__unit_kind="responsible"))
    assert "unit_kind" not in loaded["person"]
