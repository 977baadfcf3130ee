"""Contracts between processes: each service its own ``nameko run``, as deployed."""
import eventlet

from tests.e2e.test_review_api import EVIDENCE
from tests.helpers import TODAY, count_rows, decision_payload


def test_two_submissions_of_one_item_at_once_give_one_report_and_one_409(deployment):
    """Review never imports case's errors: case's StaleVersion must still reach it as a 409
    (it was a bare RemoteError, so a 500), and only one report may be stored."""
    deployed, api = deployment("case", "review", "deadline", "notify")
    outcomes = []
    for n in range(6):
        decision = api.post("/api/v1/decisions", "shen", json=decision_payload(
            n + 1, unit_id=api.unit_id, decision_date=TODAY.isoformat())).json()
        serve = decision["items"][0]
        body = {"performed_on": TODAY.isoformat(), "evidence": EVIDENCE["SERVE"], "attachments": []}
        pool = eventlet.GreenPool()
        replies = list(pool.imap(lambda _: api.post(f"/api/v1/items/{serve['id']}/reports", "min", json=body),
                                 range(2)))
        outcomes.append(sorted(r.status_code for r in replies))
        loser = [r for r in replies if r.status_code != 201]
        assert [r.json()["error"] for r in loser] in (["STALE_VERSION"], ["ITEM_NOT_OPEN"]), loser[0].text
        item = api.get(f"/api/v1/items/{serve['id']}", "min").json()
        assert item["state"] == "submitted" and len(item["reports"]) == 1
    assert outcomes == [[201, 409]] * 6
    assert count_rows(api.config["REVIEW_DB_URL"], "report") == {"report": 6}
    assert "Traceback" not in deployed.log("gateway")
