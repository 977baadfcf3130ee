"""What a fault leaves for the next attempt, without a broker: a registration run again with
its request id answers the decision it created; a race on the person is not a duplicate
文号; a silent service is a 503 that names it."""
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from gateway.entrypoints import error_response
from services.case import execution
from services.case.exceptions import DuplicateDecision
from services.case.models import Base as CaseBase
from services.case.models import Decision, Person
from services.case.rulebook import load_rulebook
from services.common.actor import Actor
from services.common.errors import Unavailable, ValidationFailed
from services.common.rpc import ServiceUnavailable
from tests.fakes import FakeClock, FakeUnitOfWork
from tests.helpers import decision_payload

ROOT = Path(__file__).resolve().parents[2]
BOOK = load_rulebook(ROOT / "services/case/rulebook.yaml")
REVIEWER = Actor(user_id=1, role="reviewer", unit_id=1)
CLOCK = FakeClock("2021-03-02")


@pytest.fixture
def uow():
    fake = FakeUnitOfWork(CaseBase.metadata)
    yield fake
    fake.dispose()


def decisions(uow):
    return uow.session.scalar(select(func.count()).select_from(Decision))


def test_the_same_request_again_answers_its_decision_and_another_request_is_a_409(uow):
    first = execution.register_decision(uow, BOOK, CLOCK, REVIEWER, decision_payload(1), "req-1")
    events = len(uow.events)

    again = execution.register_decision(uow, BOOK, CLOCK, REVIEWER, decision_payload(1), "req-1")

    assert again.id == first.id and decisions(uow) == 1
    assert len(uow.events) == events                     # nothing announced twice
    with pytest.raises(DuplicateDecision):
        execution.register_decision(uow, BOOK, CLOCK, REVIEWER, decision_payload(1), "req-2")
    with pytest.raises(DuplicateDecision):                # no key: as before, a duplicate
        execution.register_decision(uow, BOOK, CLOCK, REVIEWER, decision_payload(1))
    with pytest.raises(ValidationFailed):
        execution.register_decision(uow, BOOK, CLOCK, REVIEWER, decision_payload(2), "x" * 65)


def test_a_person_created_meanwhile_by_another_registration_is_not_a_duplicate_doc_number(uow, monkeypatch):
    """Two registrations of one new person at once: both find no such person, the other
    commits first, and this one's insert fails on person.id_number.  That used to answer
    409 文号重复; now it registers again, beside the person the other created."""
    real_upsert = execution._upsert_person
    calls = []

    def upsert_losing_the_race(session, data, people=None):
        calls.append(data["id_number"])
        if len(calls) == 1:   # the other registration commits this person in between
            real_register(uow, BOOK, CLOCK, REVIEWER, decision_payload(2), "other-req")
            return Person(**data)   # what this one decided before the other committed
        return real_upsert(session, data, people)

    real_register = execution.register_decision
    monkeypatch.setattr(execution, "_upsert_person", upsert_losing_the_race)
    payload = decision_payload(3, person__id_number=decision_payload(2)["person"]["id_number"])
    decision = execution.register_decision(uow, BOOK, CLOCK, REVIEWER, payload, "req-3")

    assert len(calls) >= 3      # the other's, the lost attempt, the one that succeeded
    assert decision.doc_number == payload["doc_number"] and decisions(uow) == 2
    people = uow.session.scalars(select(Person)).all()
    assert len(people) == 1 and {d.person_id for d in uow.session.scalars(select(Decision))} == {people[0].id}


def test_a_constraint_neither_the_doc_number_nor_the_person_explains_is_not_called_a_duplicate(uow, monkeypatch):
    def broken(*args, **kwargs):
        raise IntegrityError("INSERT INTO sanction", {}, Exception("CHECK constraint failed"))

    monkeypatch.setattr(execution, "_register", broken)
    with pytest.raises(IntegrityError):
        execution.register_decision(uow, BOOK, CLOCK, REVIEWER, decision_payload(4), "req-4")


def test_a_silent_service_is_a_503_naming_it_and_the_name_survives_a_relay():
    direct = error_response(ServiceUnavailable.of("case"))
    assert direct.status_code == 503
    body = direct.get_json()
    assert body["error"] == "SERVICE_UNAVAILABLE" and body["service"] == "case"
    assert "服务" in body["message"] and "暂时不可用" in body["message"] and "fields" not in body

    # review timed out on case; the gateway receives review's error rebuilt as Unavailable
    wire = ServiceUnavailable.of("case")
    rebuilt = Unavailable(*wire.args)
    relayed = ServiceUnavailable.relayed(rebuilt, "review")
    assert relayed.service == "case" and error_response(relayed).get_json()["service"] == "case"
    assert ServiceUnavailable.relayed(Unavailable("别的"), "review").service == "review"


def test_every_rpc_a_service_makes_is_bounded():
    """A route mixin or a service that declares a plain RpcProxy would wait forever again
    (library's did, until 2026-12-01)."""
    import inspect

    from nameko.rpc import RpcProxy

    from gateway.service import GatewayService
    from services.case.service import CaseService
    from services.common.rpc import TimedRpcProxy
    from services.deadline.service import DeadlineService
    from services.library.service import LibraryService
    from services.notify.service import NotifyService
    from services.review.service import ReviewService

    callers = 0
    for service in (GatewayService, ReviewService, LibraryService, CaseService, DeadlineService, NotifyService):
        proxies = {name: dep for name, dep in inspect.getmembers(service) if isinstance(dep, RpcProxy)}
        untimed = [name for name, dep in proxies.items() if not isinstance(dep, TimedRpcProxy)]
        callers += bool(proxies)
        assert not untimed, f"{service.__name__}: {untimed} wait with no timeout"
    assert callers >= 3
