"""People across cases and the impact-period check through the HTTP API: partner departments
ask before a promotion, a rating or an award, every check is audited (who asked about whom),
every refusal changes nothing, and the end of a period reaches partner systems by webhook.
Dates are counted back from the platform's day, so the tests hold on any TEST_TODAY."""
import json
from datetime import timedelta

from nameko.standalone.rpc import ClusterRpcProxy

from services.common.calendar import add_months
from tests.helpers import TODAY, count_rows, decision_payload, eventually, id_number
from tests.integration.test_notify_service import Receiver

CASE_TABLES = ("person", "decision", "sanction", "impact_period", "execution_item", "item_transition", "outbox")
DAY = timedelta(days=1)
SYSTEM = {"user_id": None, "role": "system", "unit_id": None}
HR_UNIT = "东河区人力资源和社会保障局"


def register(api, n, sanctions, decided, **overrides):
    reply = api.post("/api/v1/decisions", "shen", json=decision_payload(
        n, unit_id=api.unit_id, sanctions=sanctions, decision_date=decided.isoformat(), illicit_gains=None,
        org_handling=[], letters=[], **overrides))
    assert reply.status_code == 201, reply.text
    return reply.json()


def check(api, who, n, on, purpose):
    return api.get("/api/v1/people/check", who, params={"id_number": id_number(n), "on": on.isoformat(),
                                                        "purpose": purpose})


def people_of(api):
    api.user("renshe", "partner", HR_UNIT)
    api.user("lingdao", "leader")
    return api


def test_partners_ask_before_promotion_rating_and_award_on_the_day_before_and_after(api):
    people_of(api)
    decided = add_months(TODAY, -14)
    decision = register(api, 1, [{"kind": "government", "type": "记过"}], decided)
    ends = decision["impact_periods"][0]["ends_on"]
    end = add_months(decided, 12)
    assert ends == end.isoformat()
    before = check(api, "zuzhi", 1, end - DAY, "promotion")
    assert before.status_code == 200, before.text
    body = before.json()
    assert body["known"] and body["in_impact_period"] and body["purpose"] == "promotion"
    assert body["id_number"] == id_number(1)[:6] + "********" + id_number(1)[-4:]
    (answer,) = body["restrictions"]
    assert (answer["allowed"], answer["until"], answer["basis"]) == (False, ends, {"regulation": "L01",
                                                                                   "article": 19})
    assert answer["source"] == "F" and answer["rule"].startswith("政务处分期内不得晋升")
    rating = check(api, "renshe", 1, end - DAY, "rating").json()["restrictions"][0]
    assert not rating["allowed"] and rating["until"] == ends
    award = check(api, "lingdao", 1, end - DAY, "award").json()["restrictions"][0]
    assert not award["allowed"] and award["source"] == "P"
    for purpose in ("promotion", "rating", "award", "party_rights"):
        after = check(api, "shen", 1, end + DAY, purpose).json()
        assert not after["in_impact_period"] and after["restrictions"][0]["allowed"], purpose
    # No facts of the case, no decision, no name in any answer.
    assert not {"decision_id", "doc_number", "facts", "name"} & set(body)
    assert "东纪发" not in before.text and "张三" not in before.text and id_number(1) not in before.text


def test_probation_waits_for_the_restore(api):
    people_of(api)
    decided = add_months(TODAY, -13)
    register(api, 2, [{"kind": "party", "type": "留党察看", "months": 12}], decided)
    end = add_months(decided, 12)
    eve = check(api, "zuzhi", 2, end - DAY, "party_rights").json()
    assert eve["in_impact_period"] and eve["restrictions"][0]["open_ended"] == "restore"
    after = check(api, "zuzhi", 2, end + DAY, "party_rights").json()
    assert not after["in_impact_period"]
    assert after["restrictions"][0] | {"rule": None} == {
        "purpose": "party_rights", "name": "党员权利", "allowed": False, "until": None, "open_ended": "restore",
        "not_before": end.isoformat(), "rule": None, "source": "F",
        "basis": {"regulation": "P01", "article": 12}, "bases": [{"regulation": "P01", "article": 12}]}


def test_every_check_is_audited_with_whom_it_asked_about(api):
    people_of(api)
    register(api, 1, [{"kind": "government", "type": "记过"}], add_months(TODAY, -3))
    assert check(api, "zuzhi", 1, TODAY, "promotion").status_code == 200
    assert check(api, "caizheng", 1, TODAY, "promotion").status_code == 403
    trail = api.get("/api/v1/audit", "admin", params={"path": "/api/v1/people/check"}).json()["items"]
    by_user = {row["username"]: row for row in trail}
    masked = id_number(1)[:6] + "********" + id_number(1)[-4:]
    asked = by_user["zuzhi"]
    assert asked["status"] == 200 and asked["action"] == "影响期查询"
    assert asked["target"] == f"影响期查询：身份证号 {masked}，晋升职务职级，{TODAY.isoformat()}"
    refused = by_user["caizheng"]
    assert refused["status"] == 403 and masked in refused["target"] and "promotion" in refused["target"]
    # The 身份证号 asked about is personal data: the trail keeps it masked, in the path too.
    assert [row["path"] for row in trail if id_number(1) in row["path"] or masked not in row["path"]] == []


BAD_CHECKS = [
    ("malformed 身份证号", "zuzhi", {"id_number": "15020219800101123X"}, 400, "id_number"),
    ("unknown purpose", "zuzhi", {"purpose": "holiday"}, 400, "purpose"),
    ("a date over 10 years ahead", "zuzhi", {"on": "far"}, 400, "on"),
    ("a date that is no date", "shen", {"on": "2024-13-01"}, 400, "on"),
    ("an operator", "min", {}, 403, "role"),
    ("an admin", "admin", {}, 403, "role"),
    ("a partner of another role", "caizheng", {}, 403, "partner_role"),
]


def test_bad_checks_are_refused_and_change_nothing(api):
    people_of(api)
    register(api, 1, [{"kind": "government", "type": "记过"}], add_months(TODAY, -3))
    before = count_rows(api.config["CASE_DB_URL"], *CASE_TABLES)
    for what, who, change, status, field in BAD_CHECKS:
        params = {"id_number": id_number(1), "on": TODAY.isoformat(), "purpose": "promotion", **change}
        if params["on"] == "far":
            params["on"] = (TODAY + timedelta(days=3653 + 2)).isoformat()
        reply = api.get("/api/v1/people/check", who, params=params)
        assert reply.status_code == status, (what, reply.text)
        assert field in reply.json()["fields"], (what, reply.json())
    assert count_rows(api.config["CASE_DB_URL"], *CASE_TABLES) == before


def test_a_person_the_platform_does_not_know_is_an_answer(api):
    reply = check(api, "zuzhi", 99, TODAY, "award")
    assert reply.status_code == 200
    body = reply.json()
    assert (body["known"], body["in_impact_period"], body["periods"]) == (False, False, [])
    assert body["restrictions"][0]["allowed"] is True


def test_people_search_and_page_within_scope(api):
    people_of(api)
    first = register(api, 1, [{"kind": "party", "type": "警告"}], add_months(TODAY, -8))
    register(api, 1, [{"kind": "party", "type": "严重警告"}], add_months(TODAY, -2),
             doc_number="东纪发〔2026〕7号")
    found = api.get("/api/v1/people", "shen", params={"q": "张三1"}).json()
    assert found["total"] == 1 and found["items"][0]["decisions"] == 2 and found["items"][0]["in_impact_period"]
    assert "*" in found["items"][0]["id_number"]
    assert api.get("/api/v1/people", "min", params={"q": id_number(1)[-4:]}).json()["total"] == 1
    assert api.get("/api/v1/people", "jiao", params={"q": "张三1"}).json() == {"items": [], "total": 0}
    person_id = first["person"]["id"]
    page = api.get(f"/api/v1/people/{person_id}", "min")
    assert page.status_code == 200, page.text
    person = page.json()
    assert len(person["decisions"]) == 2 and person["decisions"][0]["items"][0]["code"] == "SERVE"
    stacked = next(p for p in person["impact_periods"] if p["sanction_type"] == "严重警告")
    assert stacked["stacked"] and stacked["stacked_on"] == next(
        p["id"] for p in person["impact_periods"] if p["sanction_type"] == "警告")
    assert person["standing"]["in_impact_period"] and person["standing"]["until"] == stacked["ends_on"]
    for who, status in (("jiao", 404), ("zuzhi", 403), ("lingdao", 200)):
        assert api.get(f"/api/v1/people/{person_id}", who).status_code == status, who
    assert api.get("/api/v1/people", "zuzhi", params={"q": "张三"}).status_code == 403
    reply = api.get("/api/v1/people", "shen", params={"q": "12"})
    assert reply.status_code == 400 and "q" in reply.json()["fields"]
    assert api.get("/api/v1/people/999999", "shen").status_code == 404


def test_the_end_of_a_period_reaches_partner_systems_by_webhook(platform_config, platform):
    platform_config.update(NOTIFY_WEBHOOK_ALLOW_PRIVATE=True, NOTIFY_WEBHOOK_POLL_SECONDS=0.1)
    api = platform()
    receiver = Receiver([])
    try:
        reply = api.post("/api/v1/subscriptions", "admin", json={
            "unit_id": api.units["中共东河区委组织部"], "url": receiver.url, "secret": "0123456789abcdef",
            "events": ["impact_period_ended"]})
        assert reply.status_code == 201, reply.text
        decided = add_months(TODAY, -6) - 2 * DAY                    # a 6-month 警告 that ended 2 days ago
        register(api, 3, [{"kind": "government", "type": "警告"}], decided)
        with ClusterRpcProxy(platform_config) as rpc:
            assert rpc.case.announce_ended_periods(SYSTEM) == {"announced": 1}
            assert rpc.case.announce_ended_periods(SYSTEM) == {"announced": 0}
        eventually(lambda: receiver.received, lambda found: found, timeout=10)
        headers, body = receiver.received[0]
        event = json.loads(body)
        assert headers["X_PLATFORM_EVENT"] == "impact_period_ended"
        assert (event["id_number"], event["sanction_type"], event["in_impact_period"]) == (id_number(3), "警告",
                                                                                           False)
        assert "facts" not in event and "doc_number" not in event
        notice = eventually(lambda: [n for n in api.get("/api/v1/notices", "zuzhi").json()["items"]
                                     if n["event_type"] == "impact_period_ended"], lambda found: found)
        assert notice[0]["title"].startswith("影响期届满：张三3")
        assert "现已不在影响期内" in notice[0]["body"]
        assert any(n["event_type"] == "impact_period_ended" for n in api.get("/api/v1/notices", "min").json()["items"])
        assert not any(n["event_type"] == "impact_period_ended"
                       for n in api.get("/api/v1/notices", "caizheng").json()["items"])
    finally:
        receiver.close()
