"""The OpenAPI description (gateway/openapi.py) against the gateway's routes.

Every ``http(...)`` entrypoint of ``GatewayService`` is an operation of the description and
every operation is a route; every route is *described* (an entry of ``gateway.openapi.
OPERATIONS``: what it takes and answers); the page at /api/v1/docs and its assets come from
the gateway itself.
"""
import json
import re

import pytest
from marshmallow import Schema
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway.entrypoints import API, http, json_response
from gateway.openapi import OPERATIONS, build_spec, http_routes, openapi_path
from gateway.routes.docs import ASSETS, PAGE, DocsRoutes
from gateway.service import GatewayService
from services.common.schemas import MAX_ID

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def spec():
    return build_spec(GatewayService)


def operations(spec):
    return {(method.upper(), path): operation for path, item in spec["paths"].items()
            for method, operation in item.items() if method in METHODS}


def test_every_route_is_in_the_description(spec):
    described = operations(spec)
    missing = [str(route) for route in http_routes() if (route.method, route.path) not in described]
    assert missing == [], f"routes not in the description: {missing}"


def test_every_operation_of_the_description_is_a_route(spec):
    routes = {(route.method, route.path) for route in http_routes()}
    extra = [f"{method} {path}" for method, path in operations(spec) if (method, path) not in routes]
    assert extra == [], f"operations that are no route: {extra}"


def test_every_route_is_described():
    undescribed = [str(route) for route in http_routes() if route.name not in OPERATIONS]
    assert undescribed == [], (
        "these routes have no entry in gateway/openapi.py OPERATIONS (say what each takes and "
        "answers: Op(summary, tag, response schema, body=…, query=…, roles=…)): " + "; ".join(undescribed))


def test_every_description_is_of_a_route():
    names = {route.name for route in http_routes()}
    stale = sorted(set(OPERATIONS) - names)
    assert stale == [], f"gateway/openapi.py OPERATIONS describes methods that are no route: {stale}"


def test_every_schema_a_description_names_exists(spec):
    import gateway.schemas as gw
    named = [(name, value) for name, op in OPERATIONS.items()
             for value in (op.body, op.query, op.response) if isinstance(value, str) and "/" not in value]
    missing = [f"{name}: {value}" for name, value in named if not isinstance(getattr(gw, value, None), type)]
    assert missing == [], f"schemas named by OPERATIONS but not in gateway/schemas.py: {missing}"


def test_a_new_route_is_picked_up_and_flagged_until_described():
    class Extra:
        @http("DELETE", API + "/things/<int:thing_id>")
        def drop_thing(self, request, thing_id):
            return json_response({})

    class Service(Extra, GatewayService):
        pass

    spec = build_spec(Service)
    operation = spec["paths"]["/api/v1/things/{thing_id}"]["delete"]
    assert operation["x-undescribed"] is True and operation["operationId"] == "drop_thing"
    assert spec["paths"]["/api/v1/things/{thing_id}"]["parameters"][0]["name"] == "thing_id"
    assert "drop_thing" in {r.name for r in http_routes(Service)}


def test_path_parameters_follow_the_converters(spec):
    for route in http_routes():
        path, parameters = openapi_path(route.url)
        assert set(re.findall(r"{(\w+)}", path)) == {p["name"] for p in parameters}
        for parameter in parameters:
            if f"<int:{parameter['name']}>" in route.url:
                assert parameter["schema"]["maximum"] == MAX_ID
    subject = spec["paths"]["/api/v1/stats/{subject}"]["parameters"][0]["schema"]
    assert subject["enum"] == ["decisions", "items"]


def test_who_needs_a_token_and_what_errors_look_like(spec):
    public = {"login", "health", "prometheus_metrics", "web_page", "web_static", "openapi_json", "docs_page",
              "docs_asset"}
    for (method, path), operation in operations(spec).items():
        if operation.get("x-undescribed"):
            continue
        assert ("security" not in operation) == (operation["operationId"] in public), (method, path)
        assert operation["responses"]["default"] == {"$ref": "#/components/responses/Error"}
        if "security" in operation:
            assert operation["responses"]["401"] == {"$ref": "#/components/responses/E401"}
    error = spec["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["error", "message"] and "fields" in error["properties"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_bodies_and_queries_come_from_the_schemas_the_code_loads_with(spec):
    decisions = spec["paths"]["/api/v1/decisions"]
    body = decisions["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/DecisionIn"}
    schemas = spec["components"]["schemas"]
    assert schemas["DecisionIn"]["additionalProperties"] is False          # unknown fields are a 400
    assert schemas["DecisionIn"]["properties"]["org_handling"]["maxItems"] == 20
    assert schemas["IllicitGainsIn"]["properties"]["amount"]["type"] == "string"
    assert {p["name"] for p in decisions["get"]["parameters"]} >= {"unit_id", "status", "q", "page", "per_page"}
    assert "additionalProperties" not in schemas["DecisionView"]            # a response may carry more
    assert schemas["DecisionView"]["properties"]["doc_number"]["nullable"] is True
    upload = spec["paths"]["/api/v1/attachments"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"] == {"$ref": "#/components/schemas/UploadIn"}


def test_the_description_is_json_and_every_reference_resolves(spec):
    text = json.dumps(spec, ensure_ascii=False)
    for ref in set(re.findall(r'"\$ref": "#/components/(\w+)/(\w+)"', text)):
        assert ref[1] in spec["components"][ref[0]], ref
    assert spec["openapi"] == "3.0.3"


def request(path):
    return Request(EnvironBuilder(path=path).get_environ())


def test_the_docs_page_and_its_assets_are_served_by_the_gateway():
    routes = DocsRoutes()
    page = routes.docs_page(request(API + "/docs"))
    assert page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', PAGE)
    assert assets and all(a.startswith(API + "/docs/assets/") for a in assets)   # no CDN
    for asset in assets:
        reply = routes.docs_asset(request(asset), asset.rsplit("/", 1)[1])
        assert reply.status_code == 200 and reply.get_data(), asset
    assert len(routes.docs_asset(request("x"), "swagger-ui-bundle.js").get_data()) > 100_000
    with pytest.raises(Exception) as refused:
        routes.docs_asset(request("x"), "../../../etc/passwd")
    assert getattr(refused.value, "status", None) == 404
    assert set(ASSETS) >= {"swagger-ui.css", "swagger-ui-bundle.js"}


def test_openapi_json_is_the_description():
    reply = GatewayService.openapi_json(GatewayService(), request(API + "/openapi.json"))
    assert json.loads(reply.get_data(as_text=True))["paths"].keys() == build_spec(GatewayService)["paths"].keys()


def test_schemas_of_the_description_are_marshmallow_schemas():
    for name, op in OPERATIONS.items():
        for value in (op.body, op.query):
            assert value is None or isinstance(value, str) or issubclass(value, Schema), name


def test_every_operation_is_under_a_declared_tag(spec):
    declared = [tag["name"] for tag in spec["tags"]]
    used = {operation["tags"][0] for operation in operations(spec).values()}
    assert used <= set(declared), used - set(declared)
