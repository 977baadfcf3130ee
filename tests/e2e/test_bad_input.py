"""Bad input through the HTTP API (issue 11): each malformed request the probe sent is refused
with a clear error in the contract's shape, never a 500, and changes nothing.

One case per finding: what was a 500 (deeply nested JSON, integers past 64 bits in an id, a
webhook port over 65535, NUL in text or in ``?q=`` on PostgreSQL, 13 integer digits of money),
what was stored (decision dates of year 1 and 1900, ``rectify_by`` 9999-12-31, amounts rounded,
10,000 ``org_handling`` entries, control and bidi characters in names and 文号, look-alike unit
names, ``ADMIN`` beside ``admin``), unknown routes answered in HTML, and the carrier-grade NAT
range passing the webhook guard.  Every case counts the rows of every table a request could
write, before and after; the cases share one platform (``module_api``), so each also starts
from what the cases before it left, which must be nothing.
"""
from datetime import timedelta

import pytest

from tests.e2e.shared_platform import module_api, module_platform  # noqa: F401  (fixtures)
from tests.helpers import TODAY, count_rows, decision_payload

TABLES = {
    "CASE_DB_URL": ("person", "decision", "sanction", "impact_period", "execution_item", "item_transition",
                    "outbox"),
    "REVIEW_DB_URL": ("report", "guidance", "extension", "attachment", "outbox"),
    "NOTIFY_DB_URL": ("subscription",),
    "GATEWAY_DB_URL": ("unit", "user_account"),
}
BIG = 2 ** 64                     # past any 64-bit id
SERVE_EVIDENCE = {"served_on": "2021-03-05", "recipients": ["张三1", "东河区民政局"],
                  "receipt_signed": True, "unit_seal": True}
HOOK = {"url": "https://partner.example.org/hook", "secret": "0123456789abcdef", "events": ["item_opened"]}


def decision(**overrides):
    return lambda ctx: decision_payload(9, unit_id=ctx["unit"], **overrides)


def person(**overrides):
    return decision(**{f"person__{k}": v for k, v in overrides.items()})


def nested(depth):
    return '{"person": ' + "[" * depth + "]" * depth + "}"


def report_body(**overrides):
    return lambda ctx: {"performed_on": TODAY.isoformat(), "evidence": SERVE_EVIDENCE, "attachments": [],
                        **overrides}


def rejection(**overrides):
    return lambda ctx: {"problem": "证明材料不全", "requirement": "补充送达回证",
                        "rectify_by": (TODAY + timedelta(days=7)).isoformat(), **overrides}


def subscription(**overrides):
    return lambda ctx: {"unit_id": ctx["unit"], **HOOK, **overrides}


class Case:
    def __init__(self, label, who, method, path, body=None, status=400, error="VALIDATION_FAILED", field=None,
                 message=None, raw=False):
        self.label, self.who, self.method, self.path, self.body = label, who, method, path, body
        self.status, self.error, self.field, self.message, self.raw = status, error, field, message, raw


CASES = [
    # -- were a 500 ------------------------------------------------------------------------
    Case("JSON nested 30 deep", "shen", "POST", "/api/v1/decisions", nested(30), raw=True, field="_body",
         message="嵌套超过20层"),
    Case("JSON nested 100000 deep (the parser's recursion error)", "shen", "POST", "/api/v1/decisions",
         nested(100000), raw=True, field="_body", message="嵌套超过20层"),
    Case("body unit id past 64 bits", "shen", "POST", "/api/v1/decisions", person(unit_id=BIG),
         field="person.unit_id", message="数值超出64位整数范围"),
    Case("guidance unit id past 64 bits", "shen", "POST", "/api/v1/guidance",
         lambda ctx: {"unit_id": BIG, "text": "请按期送达"}, field="unit_id"),
    Case("guidance decision id past the ids of 64 bits", "shen", "POST", "/api/v1/guidance",
         lambda ctx: {"unit_id": ctx["unit"], "decision_id": 2 ** 63, "text": "请按期送达"}, field="decision_id"),
    Case("subscription unit id past 64 bits", "admin", "POST", "/api/v1/subscriptions",
         lambda ctx: {**HOOK, "unit_id": -BIG}, field="unit_id"),
    Case("decision id past 64 bits in the path", "shen", "GET", f"/api/v1/decisions/{BIG}", status=404,
         error="NOT_FOUND"),
    Case("item id of 30 digits in the path", "min", "POST", "/api/v1/items/" + "9" * 30 + "/reports",
         report_body(), status=404, error="NOT_FOUND"),
    Case("notice id past 64 bits in the path", "zuzhi", "POST", f"/api/v1/notices/{BIG}/ack",
         lambda ctx: {"feedback": "收到"}, status=404, error="NOT_FOUND"),
    Case("report id past 64 bits in the path", "shen", "POST", f"/api/v1/reports/{BIG}/reject", rejection(),
         status=404, error="NOT_FOUND"),
    Case("query id past 64 bits", "shen", "GET", f"/api/v1/decisions?unit_id={BIG}", field="unit_id",
         message="数值超出64位整数范围"),
    Case("guidance query id past 64 bits", "shen", "GET", f"/api/v1/guidance?decision_id={BIG}",
         field="decision_id"),
    Case("webhook port over 65535", "admin", "POST", "/api/v1/subscriptions",
         subscription(url="https://partner.example.org:70000/hook"), field="url", message="端口"),
    Case("NUL in a person's name", "shen", "POST", "/api/v1/decisions", person(name="张\x00三"),
         field="person.name", message="U+0000"),
    Case("NUL in the facts", "shen", "POST", "/api/v1/decisions", decision(facts="违规\x00办理"), field="facts",
         message="U+0000"),
    Case("NUL in a key of the body", "shen", "POST", "/api/v1/decisions",
         lambda ctx: {**decision_payload(9, unit_id=ctx["unit"]), "x\x00": 1}, field="x\x00"),
    Case("NUL in ?q= of the decisions", "shen", "GET", "/api/v1/decisions?q=%00", field="q", message="U+0000"),
    Case("NUL in ?q= of the library", "min", "GET", "/api/v1/library/search?q=%E5%A4%84%00", field="q"),
    Case("NUL in ?path= of the audit", "admin", "GET", "/api/v1/audit?path=/api%00", field="path"),
    Case("NUL in a guidance text", "shen", "POST", "/api/v1/guidance",
         lambda ctx: {"unit_id": ctx["unit"], "text": "请\x00送达"}, field="text"),
    Case("NUL in an acknowledgement", "zuzhi", "POST", "/api/v1/notices/1/ack",
         lambda ctx: {"feedback": "收\x00到"}, field="feedback"),
    Case("a lone surrogate in a name", "shen", "POST", "/api/v1/decisions",
         lambda ctx: '{"person": {"name": "\\ud800"}}', raw=True, field="person.name", message="U+D800"),
    Case("13 integer digits of money", "shen", "POST", "/api/v1/decisions",
         decision(illicit_gains={"amount": "1234567890123.00", "disposition": "收缴"}),
         field="illicit_gains.amount", message="整数部分最多12位"),
    # -- were stored -----------------------------------------------------------------------
    Case("decision date 0001-01-01", "shen", "POST", "/api/v1/decisions", decision(decision_date="0001-01-01"),
         field="decision_date", message="1978-01-01"),
    Case("decision date 1900-01-01", "shen", "POST", "/api/v1/decisions", decision(decision_date="1900-01-01"),
         field="decision_date", message="1978-01-01"),
    Case("decision date tomorrow", "shen", "POST", "/api/v1/decisions",
         decision(decision_date=(TODAY + timedelta(days=1)).isoformat()), field="decision_date"),
    Case("rectify_by 9999-12-31", "shen", "POST", "/api/v1/reports/{report}/reject",
         rejection(rectify_by="9999-12-31"), field="rectify_by"),
    Case("rectify_by a day past two years", "shen", "POST", "/api/v1/reports/{report}/reject",
         rejection(rectify_by=(TODAY.replace(year=TODAY.year + 2) + timedelta(days=1)).isoformat()),
         field="rectify_by", message="两年"),
    Case("rectify_by yesterday", "shen", "POST", "/api/v1/reports/{report}/reject",
         rejection(rectify_by=(TODAY - timedelta(days=1)).isoformat()), field="rectify_by"),
    Case("performed_on year 1", "min", "POST", "/api/v1/items/{item}/reports",
         report_body(performed_on="0001-01-01"), field="performed_on"),
    Case("forecast as of 9999-12-31", "shen", "GET", "/api/v1/deadlines/forecast?as_of=9999-12-31",
         field="as_of", message="2099-12-31"),
    Case("amount of three decimals (was rounded)", "shen", "POST", "/api/v1/decisions",
         decision(illicit_gains={"amount": "12.345", "disposition": "收缴"}),
         field="illicit_gains.amount", message="两位小数"),
    Case("amount of three decimals as a JSON number", "shen", "POST", "/api/v1/decisions",
         decision(illicit_gains={"amount": 12.345, "disposition": "收缴"}), field="illicit_gains.amount"),
    Case("21 attachments to a report", "min", "POST", "/api/v1/items/{item}/reports",
         report_body(attachments=["x" * 36] * 21), field="attachments", message="最多20项"),
    Case("10,000 org_handling entries", "shen", "POST", "/api/v1/decisions", decision(org_handling=["免职"] * 10000),
         field="org_handling", message="最多20项"),
    Case("21 letters", "shen", "POST", "/api/v1/decisions", decision(letters=["纪检监察建议书"] * 21),
         field="letters", message="最多20项"),
    Case("51 recipients of a service", "min", "POST", "/api/v1/items/{item}/reports",
         report_body(evidence={**SERVE_EVIDENCE, "recipients": ["东河区民政局"] * 51}),
         field="evidence.recipients", message="1至50项"),
    Case("51 events of a subscription", "admin", "POST", "/api/v1/subscriptions",
         subscription(events=["item_opened"] * 51), field="events", message="1至50项"),
    Case("ESC in a person's name", "shen", "POST", "/api/v1/decisions", person(name="张三\x1b[2J"),
         field="person.name", message="姓名含有不允许的控制字符 U+001B"),
    Case("RLO in a 文号", "shen", "POST", "/api/v1/decisions", decision(doc_number="东纪发〔2021〕\u202e21号"),
         field="doc_number", message="文号含有不允许的双向文本控制字符 U+202E"),
    Case("zero-width space in a 文号", "shen", "POST", "/api/v1/decisions",
         decision(doc_number="东纪发〔2021〕\u200b9号"), field="doc_number", message="U+200B"),
    Case("RLO in a unit name", "admin", "POST", "/api/v1/units", lambda ctx: {"name": "东河区\u202e局",
                                                                            "kind": "responsible"},
         field="name", message="U+202E"),
    Case("look-alike unit name: a trailing space", "admin", "POST", "/api/v1/units",
         lambda ctx: {"name": "东河区民政局 ", "kind": "responsible"}, status=409, error="CONFLICT", field="name"),
    Case("look-alike unit name: full-width space inside", "admin", "POST", "/api/v1/units",
         lambda ctx: {"name": "\u3000东河区民政局", "kind": "responsible"}, status=409, error="CONFLICT",
         field="name"),
    Case("look-alike unit name: a zero-width space", "admin", "POST", "/api/v1/units",
         lambda ctx: {"name": "东河区\u200b民政局", "kind": "responsible"}, field="name",
         message="单位名称含有不允许的不可见字符 U+200B"),
    Case("user ADMIN beside admin", "admin", "POST", "/api/v1/users",
         lambda ctx: {"username": "ADMIN", "password": "another-pw-123", "name": "管理员", "role": "admin"},
         status=409, error="CONFLICT", field="username"),
    Case("user Ａｄｍｉｎ (full-width) beside admin", "admin", "POST", "/api/v1/users",
         lambda ctx: {"username": "Ａｄｍｉｎ", "password": "another-pw-123", "name": "管理员", "role": "admin"},
         status=409, error="CONFLICT", field="username"),
    Case("a user's name with ESC", "admin", "POST", "/api/v1/users",
         lambda ctx: {"username": "wang", "password": "another-pw-123", "name": "王\x1b五", "role": "leader"},
         field="name"),
    Case("webhook to the carrier-grade NAT range", "admin", "POST", "/api/v1/subscriptions",
         subscription(url="http://100.64.0.1/hook"), field="url", message="100.64.0.0/10"),
    Case("webhook to 100.127.255.254", "admin", "POST", "/api/v1/subscriptions",
         subscription(url="http://100.127.255.254:8443/hook"), field="url", message="100.64.0.0/10"),
    # -- routes ------------------------------------------------------------------------------
    Case("unknown API route", "shen", "GET", "/api/v1/nowhere", status=404, error="NOT_FOUND"),
    Case("unknown route outside the API", None, "GET", "/wp-login.php", status=404, error="NOT_FOUND"),
    Case("wrong method on a known route", "shen", "DELETE", "/api/v1/decisions", status=405,
         error="METHOD_NOT_ALLOWED"),
    Case("POST to a read-only route", "shen", "POST", "/api/v1/alerts", lambda ctx: {}, status=405,
         error="METHOD_NOT_ALLOWED"),
]


@pytest.fixture(scope="module")
def api(module_api):
    return module_api


@pytest.fixture(scope="module")
def context(api):
    """What the cases act on: an open 送达 item (of decision 1), a report waiting for review
    (on the 送达 item of decision 2)."""
    ctx = {"unit": api.unit_id}
    items = []
    for n in (1, 2):
        reply = api.post("/api/v1/decisions", "shen", json=decision_payload(n, unit_id=api.unit_id))
        assert reply.status_code == 201, reply.text
        items.append(next(i["id"] for i in reply.json()["items"] if i["code"] == "SERVE"))
    ctx["item"] = items[0]
    reply = api.post(f"/api/v1/items/{items[1]}/reports", "min", json=report_body()(ctx))
    assert reply.status_code == 201, reply.text
    ctx["report"] = reply.json()["id"]
    for who in ("admin", "shen", "min", "zuzhi"):
        api.token(who)
    return ctx


def rows(api):
    return {key: count_rows(api.config[key], *tables) for key, tables in TABLES.items()}


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_bad_input_is_refused_clearly_and_changes_nothing(api, context, case):
    headers = api.headers(case.who) if case.who else {}
    body = case.body(context) if callable(case.body) else case.body
    before = rows(api)
    if case.raw:
        reply = api.http.request(case.method, case.path, data=body.encode("utf-8"),
                                 headers={**headers, "Content-Type": "application/json"})
    else:
        reply = api.http.request(case.method, case.path.format(**context), json=body, headers=headers)
    assert reply.status_code == case.status, reply.text[:500]
    assert reply.headers["Content-Type"].startswith("application/json"), reply.headers
    answer = reply.json()
    assert answer["error"] == case.error and answer["message"], answer
    if case.field:
        assert case.field in answer.get("fields", {}), answer
    if case.message:
        problems = answer.get("fields", {}).get(case.field, []) if case.field else [answer["message"]]
        assert any(case.message in problem for problem in problems), answer
    if case.status == 405:
        assert reply.headers["Allow"]
    assert rows(api) == before
