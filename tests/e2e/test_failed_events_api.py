"""The admin sees the events a service could not apply (dead letters) and replays them."""
import uuid

from nameko.standalone.events import event_dispatcher

from tests.helpers import eventually


def test_a_dead_letter_is_listed_for_the_admin_and_replayed(platform, platform_config):
    platform_config["EVENT_RETRY_ATTEMPTS"] = 1           # the first failure is final here
    api = platform()
    broken = {"event_id": str(uuid.uuid4()), "event_type": "item_due_date_changed",
              "item_id": 4242, "due_date": "not-a-date", "version": 9}
    event_dispatcher(platform_config)("case", "item_due_date_changed", broken)
    listed = eventually(lambda: api.get("/api/v1/failed-events", "admin").json(),
                        lambda body: body["total"] == 1)
    [letter] = listed["items"]
    assert (letter["service"], letter["event_id"], letter["handler"], letter["state"]) == (
        "deadline", broken["event_id"], "on_due_date_changed", "dead")
    assert listed["unavailable"] == []
    reply = api.post("/api/v1/failed-events/replay", "admin", json={
        "service": "deadline", "event_id": broken["event_id"], "handler": "on_due_date_changed"})
    assert reply.status_code == 200 and reply.json()["applied"] is False     # still unknown item
    assert api.get("/api/v1/failed-events", "admin").json()["items"][0]["attempts"] == 2


def test_failed_events_are_the_admins_and_bad_asks_are_refused(api):
    assert api.get("/api/v1/failed-events", "shen").status_code == 403
    assert api.get("/api/v1/failed-events", "admin", params={"state": "lost"}).status_code == 400
    for body, field in (({"service": "gateway", "event_id": "x", "handler": "h"}, "service"),
                        ({"service": "deadline"}, "event_id")):
        reply = api.post("/api/v1/failed-events/replay", "admin", json=body)
        assert reply.status_code == 400 and field in reply.json()["fields"]
    missing = api.post("/api/v1/failed-events/replay", "admin",
                       json={"service": "notify", "event_id": "nope", "handler": "on_item_opened"})
    assert missing.status_code == 404
