"""点对点 through the HTTP API: partner departments receive notices when an item that names
them opens, answer them (回执), and the review office sees the answers on the item."""
import pytest

from tests.helpers import count_rows, decision_payload, eventually

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
