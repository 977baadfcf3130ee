"""The gateway's routes with mocked RPC proxies: no broker, no web server.

``worker_factory`` gives a GatewayService whose RPC proxies (case, review, deadline,
library, notify) are MagicMocks, with a stub for authentication and a fake unit of work
over the gateway's own tables.  A route method is called with a werkzeug request and judged
by the mapping: request → RPC call (actor first), RPC result → JSON and status.  Errors are
raised by routes and mapped in one place, ``JsonHttpEntrypoint.response_from_exception``,
which is tested directly.  (A real container is not used: nameko's ``replace_dependencies``
leaves a replaced RpcProxy's reply listener in the container, which then needs RabbitMQ.)
"""
import json
from unittest.mock import MagicMock, call

import pytest
from nameko import exceptions as nameko_exceptions
from nameko.testing.services import worker_factory
from werkzeug.test import EnvironBuilder

from gateway.entrypoints import JsonHttpEntrypoint
from gateway.models import Base as GatewayBase
from gateway.models import Unit
from gateway.service import GatewayService
from services.case.exceptions import StaleVersion
from services.common.errors import Forbidden, NotFound, ValidationFailed
from tests.fakes import FakeUnitOfWork

REVIEWER = {"user_id": 1, "role": "reviewer", "unit_id": 1, "partner_role": None}
OPERATOR = {"user_id": 2, "role": "operator", "unit_id": 2, "partner_role": None}


class StubAuth:
    """The caller is ``user``; refuses roles outside those a route names, as the real Auth."""

    def __init__(self, user):
        self.user = user
        self.roles_asked = []

    def actor(self, request, *roles):
        self.roles_asked.append(roles)
        if roles and self.user["role"] not in roles:
            raise Forbidden("当前角色无权执行此操作", {"role": [self.user["role"]]})
        return dict(self.user)


@pytest.fixture
def gateway_db():
    uow = FakeUnitOfWork(GatewayBase.metadata)
    uow.session.add_all([Unit(id=1, name="东河区纪委监委案件审理室", kind="review"),
                         Unit(id=2, name="东河区民政局", kind="responsible")])
    uow.session.commit()
    yield uow
    uow.dispose()


@pytest.fixture
def as_user(gateway_db):
    """``as_user(OPERATOR)``: a gateway worker for that caller, every RPC proxy a MagicMock."""
    def make(user):
        return worker_factory(GatewayService, auth=StubAuth(user), db=gateway_db)
    return make


def request(method, path, body=None, query=None, data=None):
    return EnvironBuilder(method=method, path=path, json=body, query_string=query, data=data).get_request()


def body_of(response):
    return json.loads(response.get_data(as_text=True))


def mapped(exc):
    """What the gateway's HTTP entrypoint answers for ``exc`` raised behind a route."""
    response = JsonHttpEntrypoint("GET", "/api/v1/anything").response_from_exception(exc)
    return response.status_code, body_of(response)


# -- request → RPC, RPC result → response -------------------------------------------------
def test_registering_a_decision_hands_the_body_to_case_with_the_actor_first(as_user):
    gateway = as_user(REVIEWER)
    payload = {"person": {"name": "张三", "unit_id": 2}, "doc_number": "东纪发〔2021〕1号"}
    gateway.case.register_decision.return_value = {"id": 7, "doc_number": "东纪发〔2021〕1号", "items": []}

    response = gateway.register_decision(request("POST", "/api/v1/decisions", payload))

    assert response.status_code == 201
    assert body_of(response) == {"id": 7, "doc_number": "东纪发〔2021〕1号", "items": []}
    (actor, body, request_id), _ = gateway.case.register_decision.call_args
    told = {**payload, "person": {**payload["person"], "unit_kind": "responsible"}}  # the directory's kind
    assert (actor, body) == (REVIEWER, told) and len(request_id) == 32  # a key made per request
    assert gateway.auth.roles_asked == [("reviewer", "admin")]


def test_a_registration_passes_the_clients_idempotency_key_to_case_and_refuses_a_bad_one(as_user):
    gateway = as_user(REVIEWER)
    payload = {"person": {"name": "张三", "unit_id": 2}, "doc_number": "东纪发〔2021〕1号"}
    gateway.case.register_decision.return_value = {"id": 7, "items": []}
    retried = EnvironBuilder(method="POST", path="/api/v1/decisions", json=payload,
                             headers={"Idempotency-Key": "client-7f3a:1"}).get_request()

    assert gateway.register_decision(retried).status_code == 201
    told = {**payload, "person": {**payload["person"], "unit_kind": "responsible"}}
    assert gateway.case.register_decision.call_args == call(REVIEWER, told, "client-7f3a:1")

    bad = EnvironBuilder(method="POST", path="/api/v1/decisions", json=payload,
                         headers={"Idempotency-Key": "x" * 65}).get_request()
    with pytest.raises(ValidationFailed) as refused:
        gateway.register_decision(bad)
    assert "Idempotency-Key" in refused.value.fields and gateway.case.register_decision.call_count == 1


def test_a_decision_for_an_unknown_unit_is_refused_before_case_is_asked(as_user):
    gateway = as_user(REVIEWER)

    with pytest.raises(ValidationFailed) as refused:
        gateway.register_decision(request("POST", "/api/v1/decisions", {"person": {"unit_id": 99}}))

    assert "person.unit_id" in refused.value.fields
    assert gateway.case.register_decision.call_count == 0
    assert mapped(refused.value)[0] == 400


def test_a_decision_page_carries_each_items_light_and_the_worst_as_its_own(as_user):
    gateway = as_user(REVIEWER)
    gateway.case.get_decision.return_value = {"id": 3, "items": [{"id": 11}, {"id": 12}]}
    # Over RPC the lights arrive keyed by strings (JSON object keys).
    gateway.deadline.lights_for.return_value = {
        "11": {"light": "green", "level": None, "days_left": 20, "due_date": "2021-04-01"},
        "12": {"light": "red", "level": "overdue", "days_left": -2, "due_date": "2021-03-20"}}

    decision = body_of(gateway.get_decision(request("GET", "/api/v1/decisions/3"), 3))

    assert gateway.case.get_decision.call_args == call(REVIEWER, 3)
    assert gateway.deadline.lights_for.call_args == call(REVIEWER, [11, 12])
    assert [(i["light"], i["alert_level"], i["days_left"]) for i in decision["items"]] == [
        ("green", None, 20), ("red", "overdue", -2)]
    assert decision["items"][1]["countdown_to"] == "2021-03-20"
    assert decision["light"] == "red"


def test_the_decision_list_passes_the_query_and_adds_each_decisions_light(as_user):
    gateway = as_user(REVIEWER)
    gateway.case.list_decisions.return_value = {"items": [{"id": 1}, {"id": 2}], "total": 2}
    gateway.deadline.decision_lights.return_value = {"1": "yellow", "2": "green"}

    page = body_of(gateway.list_decisions(request("GET", "/api/v1/decisions", query={"q": "张三", "page": "2"})))

    assert gateway.case.list_decisions.call_args == call(REVIEWER, {"q": "张三", "page": "2"})
    assert gateway.deadline.decision_lights.call_args == call(REVIEWER, [1, 2])
    assert [(d["id"], d["light"]) for d in page["items"]] == [(1, "yellow"), (2, "green")]
    assert page["total"] == 2


def test_an_operator_submits_a_report_on_an_item(as_user):
    gateway = as_user(OPERATOR)
    payload = {"performed_on": "2021-03-06", "evidence": {"served_on": "2021-03-05"}}
    gateway.review.submit_report.return_value = {"id": 5, "item_id": 12, "state": "submitted", "round": 1}

    response = gateway.submit_report(request("POST", "/api/v1/items/12/reports", payload), 12)

    assert response.status_code == 201
    assert body_of(response)["state"] == "submitted"
    assert gateway.review.submit_report.call_args == call(OPERATOR, 12, payload)


def test_a_reviewer_may_not_submit_a_report(as_user):
    gateway = as_user(REVIEWER)

    with pytest.raises(Forbidden) as refused:
        gateway.submit_report(request("POST", "/api/v1/items/12/reports", {"performed_on": "2021-03-06"}), 12)

    assert gateway.review.submit_report.call_count == 0
    assert mapped(refused.value) == (403, {"error": "FORBIDDEN", "message": "当前角色无权执行此操作",
                                           "fields": {"role": ["reviewer"]}})


def test_review_verdicts_reach_review_with_the_report_and_the_body(as_user):
    gateway = as_user(REVIEWER)
    verdict = {"problem": "证明材料不全", "requirement": "补充回执", "rectify_by": "2021-03-20"}
    gateway.review.reject_report.return_value = {"id": 5, "state": "rejected"}
    gateway.review.approve_extension.return_value = {"id": 8, "state": "approved", "new_due_date": "2021-05-01"}

    rejected = gateway.reject_report(request("POST", "/api/v1/reports/5/reject", verdict), 5)
    extended = gateway.approve_extension(request("POST", "/api/v1/extensions/8/approve"), 8)

    assert gateway.review.reject_report.call_args == call(REVIEWER, 5, verdict)
    assert (rejected.status_code, body_of(rejected)["state"]) == (200, "rejected")
    assert gateway.review.approve_extension.call_args == call(REVIEWER, 8)
    assert body_of(extended)["new_due_date"] == "2021-05-01"
    assert gateway.auth.roles_asked == [("reviewer",), ("reviewer",)]


def test_alerts_pass_the_level_asked_for_or_none(as_user):
    gateway = as_user(OPERATOR)
    gateway.deadline.alerts.return_value = {"items": [], "total": 0}

    gateway.alerts(request("GET", "/api/v1/alerts", query={"level": "overdue"}))
    gateway.alerts(request("GET", "/api/v1/alerts", query={"level": ""}))

    assert gateway.deadline.alerts.call_args_list == [call(OPERATOR, "overdue"), call(OPERATOR, None)]


def test_unit_lights_answer_with_string_keys(as_user):
    gateway = as_user(REVIEWER)
    gateway.deadline.unit_lights.return_value = {2: "red", 3: "green"}

    assert body_of(gateway.unit_lights(request("GET", "/api/v1/lights/units"))) == {"2": "red", "3": "green"}


# -- errors: raised behind a route, mapped in one place -----------------------------------
def test_a_not_found_from_a_service_is_a_404_in_the_error_shape(as_user):
    gateway = as_user(OPERATOR)
    gateway.case.get_item.side_effect = NotFound("执行事项不存在", {"item_id": ["99"]})

    with pytest.raises(NotFound) as raised:
        gateway.get_item(request("GET", "/api/v1/items/99"), 99)

    assert mapped(raised.value) == (404, {"error": "NOT_FOUND", "message": "执行事项不存在",
                                          "fields": {"item_id": ["99"]}})
    assert gateway.review.reports_for_item.call_count == 0


def test_an_error_that_crossed_rpc_keeps_its_code_and_status():
    # As the gateway's RPC proxy rebuilds what case raised: serialised, then deserialised.
    arrived = nameko_exceptions.deserialize(nameko_exceptions.serialize(
        StaleVersion("事项已被他人更新，请刷新后重试", {"version": ["当前版本 3"]})))

    assert mapped(arrived) == (409, {"error": "STALE_VERSION", "message": "事项已被他人更新，请刷新后重试",
                                     "fields": {"version": ["当前版本 3"]}})


def test_an_unexpected_error_is_a_500_that_reveals_nothing():
    status, body = mapped(KeyError("secret_column"))

    assert (status, body["error"]) == (500, "INTERNAL")
    assert "secret_column" not in json.dumps(body, ensure_ascii=False)


def test_a_body_that_is_not_a_json_object_is_a_400_naming_the_body(as_user):
    gateway = as_user(OPERATOR)

    for data in ("{not json", "[1, 2]"):
        with pytest.raises(ValidationFailed) as refused:
            gateway.submit_report(request("POST", "/api/v1/items/12/reports", data=data), 12)
        assert mapped(refused.value)[0] == 400 and "_body" in refused.value.fields
    assert gateway.review.submit_report.call_count == 0


def test_a_body_over_the_limit_is_refused_before_a_worker_is_spawned():
    entrypoint = JsonHttpEntrypoint("POST", "/api/v1/decisions")
    entrypoint.container = MagicMock(config={"MAX_BODY_BYTES": 64})

    response = entrypoint.handle_request(request("POST", "/api/v1/decisions", {"facts": "x" * 100}))

    assert response.status_code == 400 and body_of(response)["error"] == "VALIDATION_FAILED"
    assert entrypoint.container.spawn_worker.call_count == 0
