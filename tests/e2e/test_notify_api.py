"""点对点 through the HTTP API: partner departments receive notices when an item that names
them opens, answer them (回执), and the review office sees the answers on the item."""
import json

import pytest

from tests.helpers import count_rows, decision_payload, eventually
from tests.integration.test_notify_service import Receiver

SERVE = {"served_on": "2021-03-05", "recipients": ["张三1", "东河区民政局"], "receipt_signed": True, "unit_seal": True}
ANNOUNCE = {"announced_on": "2021-03-08", "scope": "全体干部大会", "announcers": ["李四", "王五"],
            "attendance": 30, "statement": "接受处分"}


def walk(api, item_id, evidence):
    report = api.post(f"/api/v1/items/{item_id}/reports", "min",
                      json={"performed_on": "2021-03-10", "evidence": evidence}).json()
    assert api.post(f"/api/v1/reports/{report['id']}/approve", "shen", json={}).status_code == 200


def copy_notices(api, who):
    return [n for n in api.get("/api/v1/notices", who).json()["items"] if n["title"].startswith("请配合办理：抄送")]


def test_copy_for_a_democratic_party_member_reaches_organisation_and_united_front(api):
    decision = api.post("/api/v1/decisions", "shen", json=decision_payload(
        unit_id=api.unit_id, person__political_status="民主党派", person__democratic_party="民盟",
        sanctions=[{"kind": "government", "type": "开除"}])).json()
    ids = {i["code"]: i["id"] for i in decision["items"]}
    walk(api, ids["SERVE"], SERVE)
    walk(api, ids["ANNOUNCE"], ANNOUNCE)
    for who in ("zuzhi", "tongzhan"):
        notices = eventually(lambda: copy_notices(api, who), lambda found: len(found) == 1)
        assert notices[0]["asks_reply"] is True and notices[0]["item_id"] == ids["COPY"]
    assert copy_notices(api, "caizheng") == []
    notice = copy_notices(api, "tongzhan")[0]

    before = count_rows(api.config["NOTIFY_DB_URL"], "notice", "outbox")
    assert api.post(f"/api/v1/notices/{notice['id']}/ack", "caizheng", json={"feedback": "x"}).status_code == 404
    too_long = api.post(f"/api/v1/notices/{notice['id']}/ack", "tongzhan", json={"feedback": "长" * 2001})
    assert too_long.status_code == 400 and "feedback" in too_long.json()["fields"]
    assert count_rows(api.config["NOTIFY_DB_URL"], "notice", "outbox") == before

    assert api.post(f"/api/v1/notices/{notice['id']}/ack", "tongzhan", json={"feedback": "已知悉，已通报民盟区委"}).status_code == 200
    assert api.post(f"/api/v1/notices/{notice['id']}/ack", "tongzhan", json={"feedback": "again"}).status_code == 409
    item = api.get(f"/api/v1/items/{ids['COPY']}", "shen").json()
    answers = {n["role"]: n["feedback"] for n in item["partner_notices"]}
    assert answers == {"organization": None, "united_front": "已知悉，已通报民盟区委"}


def test_operators_get_their_items_and_inbox_puts_unread_first(api):
    api.post("/api/v1/decisions", "shen", json=decision_payload(unit_id=api.unit_id))
    inbox = eventually(lambda: api.get("/api/v1/notices", "min").json(), lambda box: box["total"] >= 2)
    first = inbox["items"][-1]
    assert api.post(f"/api/v1/notices/{first['id']}/read", "min").status_code == 200
    inbox = api.get("/api/v1/notices", "min").json()
    assert inbox["items"][-1]["id"] == first["id"] and inbox["unread"] == inbox["total"] - 1


@pytest.mark.parametrize("body,field", [
    ({"unit_id": 2, "url": "ftp://x.example/hook", "secret": "0123456789abcdef", "events": ["item_opened"]}, "url"),
    ({"unit_id": 2, "url": "http://169.254.169.254/", "secret": "0123456789abcdef", "events": ["item_opened"]}, "url"),
    ({"unit_id": 999, "url": "https://x.example/hook", "secret": "0123456789abcdef", "events": ["item_opened"]}, "unit_id"),
    ({"unit_id": 2, "url": "https://x.example/hook", "secret": "short", "events": ["item_opened"]}, "secret"),
])
def test_bad_subscriptions_are_refused(api, body, field):
    reply = api.post("/api/v1/subscriptions", "admin", json=body)
    assert reply.status_code == 400 and field in reply.json()["fields"], reply.text
    assert api.get("/api/v1/subscriptions", "admin").json()["items"] == []
    assert api.post("/api/v1/subscriptions", "shen", json=body).status_code == 403


def test_a_partner_units_system_receives_its_roles_events_signed_and_reviewers_see_submissions(
        platform_config, platform):
    platform_config.update(NOTIFY_WEBHOOK_ALLOW_PRIVATE=True, NOTIFY_WEBHOOK_POLL_SECONDS=0.1)
    api = platform()
    receiver = Receiver([])
    try:
        reply = api.post("/api/v1/subscriptions", "admin", json={
            "unit_id": api.units["中共东河区委组织部"], "partner_role": "finance", "url": receiver.url,
            "secret": "0123456789abcdef", "events": ["item_opened"]})
        assert reply.status_code == 201, reply.text
        assert (reply.json()["unit_kind"], reply.json()["partner_role"]) == ("partner", "organization")
        decision = api.post("/api/v1/decisions", "shen", json=decision_payload(unit_id=api.unit_id)).json()
        ids = {i["code"]: i["id"] for i in decision["items"]}
        walk(api, ids["SERVE"], SERVE)
        submitted = eventually(lambda: api.get("/api/v1/notices?kind=review", "shen").json()["items"],
                               lambda found: found)
        assert submitted[0]["title"] == "新的上报待审核：送达" and submitted[0]["from"]
        walk(api, ids["ANNOUNCE"], ANNOUNCE)
        eventually(lambda: receiver.received, lambda found: found, timeout=10)
        headers, body = receiver.received[0]
        assert json.loads(body)["item_id"] == ids["COPY"] and headers["X_PLATFORM_SIGNATURE"].startswith("sha256=")
        delivered = api.get("/api/v1/deliveries?status=delivered", "admin").json()["items"]
        assert [d["status"] for d in delivered] == ["delivered"]
        before = count_rows(api.config["NOTIFY_DB_URL"], "notice", "delivery")
        assert api.get("/api/v1/deliveries?status=lost", "admin").status_code == 400
        assert api.post(f"/api/v1/deliveries/{delivered[0]['id']}/redeliver", "shen").status_code == 403
        assert api.post("/api/v1/deliveries/nope/redeliver", "admin").status_code == 404
        other = api.get("/api/v1/notices", "zuzhi").json()["items"][0]
        assert api.post(f"/api/v1/notices/{other['id']}/read", "min").status_code == 404
        assert count_rows(api.config["NOTIFY_DB_URL"], "notice", "delivery") == before
        assert api.get("/api/v1/notices", "zuzhi").json()["items"][0]["read_at"] is None
    finally:
        receiver.close()
