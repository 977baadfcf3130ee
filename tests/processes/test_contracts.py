"""Contracts between processes: each service its own ``nameko run``, as deployed."""
import eventlet
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.e2e.test_review_api import EVIDENCE
from tests.helpers import TODAY, count_rows, decision_payload, eventually


def test_two_submissions_of_one_item_at_once_give_one_report_and_one_409(deployment):
    """Review never imports case's errors: case's StaleVersion must still reach it as a 409
    (it was a bare RemoteError, so a 500), and only one report may be stored."""
    deployed, api = deployment("case", "review", "deadline", "notify")
    api.token("shen"), api.token("min")        # users created once, before the concurrent part
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


def test_countdowns_catch_up_in_step_with_case_after_the_deadline_service_was_down(deployment):
    """With deadline stopped, 200 decisions are registered and their first item submitted;
    when it starts again its queues hold every event, in no particular order across queues
    (a submission before its decision).  Every countdown must end in step with case."""
    deployed, api = deployment("case", "review", "deadline", "notify")
    deployed.stop("deadline")
    body = {"performed_on": TODAY.isoformat(), "evidence": EVIDENCE["SERVE"], "attachments": []}

    def register_and_submit(n):
        decision = api.post("/api/v1/decisions", "shen", json=decision_payload(
            1000 + n, unit_id=api.unit_id, decision_date=TODAY.isoformat())).json()
        reply = api.post(f"/api/v1/items/{decision['items'][0]['id']}/reports", "min", json=body)
        assert reply.status_code == 201, reply.text
        return decision["id"]

    api.token("shen"), api.token("min")
    decisions = list(eventlet.GreenPool(8).imap(register_and_submit, range(200)))
    deployed.start("deadline")

    in_case = {}
    for decision_id in decisions:
        for item in api.get(f"/api/v1/decisions/{decision_id}", "shen").json()["items"]:
            in_case[item["id"]] = item["state"]

    def in_deadline():
        engine = create_engine(api.config["DEADLINE_DB_URL"], poolclass=NullPool)
        with engine.connect() as conn:
            found = dict(conn.execute(text("SELECT item_id, state FROM deadline")).all())
        engine.dispose()
        return found

    seen = eventually(in_deadline, lambda found: found == in_case, timeout=120, interval=1)
    behind = {i: (s, seen.get(i)) for i, s in in_case.items() if seen.get(i) != s}
    assert not behind, f"{len(behind)} of {len(in_case)} countdowns out of step: {list(behind.items())[:5]}"
    assert sum(state == "submitted" for state in in_case.values()) == 200
    print(f"\n200 decisions, {len(in_case)} items: every countdown in step after the restart")
