"""Alerts, forecast and lights through the HTTP API."""
from datetime import timedelta

import pytest

from tests.helpers import TODAY, decision_payload, eventually


def test_an_old_unserved_decision_shows_red_and_is_forecast_overdue(api):
    decision = api.post("/api/v1/decisions", "shen", json=decision_payload(unit_id=api.unit_id)).json()
    serve_id = decision["items"][0]["id"]
    listed = eventually(lambda: api.get("/api/v1/decisions", "min").json()["items"][0],
                        lambda d: d.get("light") == "red")
    assert listed["light"] == "red"
    forecast = api.get("/api/v1/deadlines/forecast", "min",
                       params={"as_of": TODAY.isoformat(), "decision_id": decision["id"]}).json()
    assert [r["item_id"] for r in forecast["overdue"]] == [serve_id]
    item = api.get(f"/api/v1/items/{serve_id}", "min").json()
    assert item["light"] == "red" and item["days_left"] < 0


def test_recent_decision_is_green_and_alerts_are_scoped(api):
    recent = (TODAY - timedelta(days=2)).isoformat()
    decision = api.post("/api/v1/decisions", "shen", json=decision_payload(
        unit_id=api.unit_id, decision_date=recent)).json()
    detail = eventually(lambda: api.get(f"/api/v1/decisions/{decision['id']}", "min").json(),
                        lambda d: d["light"] is not None)
    assert detail["light"] == "green"
    assert api.get("/api/v1/alerts", "jiao").json() == {"items": [], "total": 0}
    reply = api.get("/api/v1/alerts", "min", params={"level": "purple"})
    assert reply.status_code == 400 and "level" in reply.json()["fields"]


@pytest.mark.parametrize("params,status,field", [
    ({"as_of": "tomorrow"}, 400, "as_of"),
    ({}, 400, "as_of"),
    ({"as_of": (TODAY + timedelta(days=4000)).isoformat()}, 400, "as_of"),
])
def test_bad_forecasts_are_refused(api, params, status, field):
    reply = api.get("/api/v1/deadlines/forecast", "min", params=params)
    assert reply.status_code == status and field in reply.json()["fields"]


def test_forecast_for_another_units_decision_is_not_found(api):
    decision = api.post("/api/v1/decisions", "shen", json=decision_payload(unit_id=api.unit_id)).json()
    params = {"as_of": TODAY.isoformat(), "decision_id": decision["id"]}
    seen = eventually(lambda: api.get("/api/v1/deadlines/forecast", "min", params=params).status_code,
                      lambda status: status == 200)
    assert seen == 200                   # the deadline service knows the decision by now
    reply = api.get("/api/v1/deadlines/forecast", "jiao", params=params)
    assert reply.status_code == 404
