"""The contract fuzzed (issue 11): schemathesis over the platform's own OpenAPI description.

The whole platform runs (gateway, case, review, deadline, notify, library) with one decision
registered and one report waiting, so lists and pages answer with data.  For every operation
of ``GET /api/v1/openapi.json`` schemathesis generates requests, valid (positive) and
invalid (negative), bounded and reproducible (``derandomize``: the same examples on every
run), sent as the admin and as an operator of a responsible unit.  Each response must not be
a 5xx (``not_a_server_error``) and must match the description (``response_schema_conformance``:
its status is documented and its JSON body fits the schema).  The counts are printed: operations
fuzzed, requests sent, 5xx seen (must be 0).

No request leaves the machine: webhook addresses resolve to loopback here (so the guard refuses
every subscription), no SMTP is configured.
"""
import socket
import time
from collections import Counter

import pytest
import schemathesis
from nameko.constants import WEB_SERVER_CONFIG_KEY
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from services.library.service import LibraryService
from services.notify import webhooks
from tests.helpers import TODAY, decision_payload

EXAMPLES = {("admin", GenerationMode.POSITIVE): 8, ("admin", GenerationMode.NEGATIVE): 5,
            ("min", GenerationMode.POSITIVE): 4, ("min", GenerationMode.NEGATIVE): 3}
KNOWN_EXAMPLES = 2         # per user, on the records that exist
BUDGET_SECONDS = 150       # for one backend; the run stops fuzzing (and says so) past it
CHECKS = [not_a_server_error, response_schema_conformance]
SERVE_EVIDENCE = {"served_on": "2021-03-05", "recipients": ["张三1", "东河区民政局"],
                  "receipt_signed": True, "unit_seal": True}


def loopback(host, port, *args, **kwargs):
    """Every name is this machine: the webhook guard refuses it, nothing is ever sent out."""
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port or 80))]


@pytest.fixture
def fuzzed(platform, monkeypatch):
    monkeypatch.setattr(webhooks.check_url, "__defaults__", (False, loopback))
    api = platform(LibraryService)
    decision = api.post("/api/v1/decisions", "shen", json=decision_payload(1, unit_id=api.unit_id)).json()
    serve = next(i["id"] for i in decision["items"] if i["code"] == "SERVE")
    reply = api.post(f"/api/v1/items/{serve}/reports", "min", json={
        "performed_on": TODAY.isoformat(), "evidence": SERVE_EVIDENCE, "attachments": []})
    assert reply.status_code == 201, reply.text
    api.user("victim", "leader")     # PATCH /users/{id} acts on this one, never on who fuzzes
    victim = next(u["id"] for u in api.get("/api/v1/users", "admin").json()["items"] if u["username"] == "victim")
    template = api.get("/api/v1/templates", "shen").json()["items"][0]["id"]
    # Path parameters naming records that exist, for a pass that reaches their pages (200s to
    # hold against the response schemas), besides the generated ids that mostly find nothing.
    known = {"decision_id": decision["id"], "item_id": serve, "report_id": reply.json()["id"],
             "regulation_id": "L01", "number": "1", "template_id": template, "user_id": victim,
             "name": "swagger-ui.css"}
    return api, known


class Tally:
    def __init__(self):
        self.requests = 0
        self.statuses = Counter()
        self.server_errors = []
        self.failures = {}
        self.operations = set()

    def record(self, case, response, who):
        self.requests += 1
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.server_errors.append(f"{who}: {case.method} {case.formatted_path} → {response.status_code}")


def test_every_operation_fuzzed_without_a_5xx_and_as_described(fuzzed, request):
    api, known = fuzzed
    base = "http://" + api.config[WEB_SERVER_CONFIG_KEY]
    description = api.http.get("/api/v1/openapi.json").json()
    schema = schemathesis.openapi.from_dict(description)
    tally = Tally()
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    skipped = []
    if api.http.get("/").status_code == 503:     # the web client is not built on this machine
        operations = [op for op in operations if op.label != "GET /"]
        skipped.append("GET / (网页端 not built: 503 by design)")
    for operation in operations:
        names = {parameter.name for parameter in operation.path_parameters}
        passes = list(EXAMPLES.items())
        if names and names <= set(known):
            passes += [(("admin", "known"), KNOWN_EXAMPLES), (("min", "known"), KNOWN_EXAMPLES)]
        for (who, mode), examples in passes:
            if time.monotonic() - started > BUDGET_SECONDS:
                break
            fuzz(api, operation, who, mode, examples, base, known, tally)
        tally.operations.add(operation.label)
    elapsed = time.monotonic() - started
    report = (f"contract fuzz [{api.config.get('CASE_DB_URL', '')[:10]}]: {len(tally.operations)} of "
              f"{len(operations)} operations fuzzed, {tally.requests} requests sent in {elapsed:.0f} s, "
              f"{len(tally.server_errors)} 5xx seen; statuses {dict(sorted(tally.statuses.items()))}"
              + (f"; skipped {', '.join(skipped)}" if skipped else ""))
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n" + report)
    problems = tally.server_errors + [f"{key}:\n{text}" for key, text in tally.failures.items()]
    assert problems == [], "\n\n".join(problems)
    assert len(tally.operations) == len(operations), f"fuzzing stopped past {BUDGET_SECONDS} s: {report}"


def fuzz(api, operation, who, mode, examples, base, known, tally):
    names = {parameter.name for parameter in operation.path_parameters}
    if mode == "known":
        fixed, mode = {name: known[name] for name in names}, GenerationMode.POSITIVE
    else:    # PATCH /users/{id} acts on the victim only, never on who fuzzes
        fixed = {"user_id": known["user_id"]} if "user_id" in names else None
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)
    revokes = operation.path == "/api/v1/auth/logout"

    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        # Logging out revokes the token it is sent with: a fresh login's token, not the fuzzer's.
        token = login(api, who) if revokes else api.token(who)
        headers = {"Authorization": f"Bearer {token}"}
        response = case.call(base_url=base, headers=headers, timeout=30)
        tally.record(case, response, who)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        run()
    except Unsatisfiable:      # nothing to make invalid: an operation without parameters or body
        pass
    except (Exception, BaseExceptionGroup) as exc:   # a failed check: go on, report every one
        tally.failures[f"{who} {getattr(mode, 'value', mode)} {operation.label}"] = str(exc)[:2000]


def login(api, who):
    from tests.e2e.conftest import _password
    reply = api.http.post("/api/v1/auth/login", json={"username": who, "password": _password(who)})
    return reply.json()["token"]
