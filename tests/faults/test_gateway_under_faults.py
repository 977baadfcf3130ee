"""The gateway while a service is away, under supervisord on the shared broker (a vhost of
the test's own, whose queues the management API lists): a silent case is a 503 naming it
within the RPC timeout and holds no worker for longer, so /me, /health and the library go
on answering; /health asks over one reply queue, however often it is called; registrations
whose request case ran again after it was killed answer their decision, never 409."""
import time
from urllib.parse import urlparse

import eventlet
import pytest
import requests

from tests.faults.load import rows
from tests.helpers import TODAY, decision_payload

RPC_TIMEOUT = 8          # longer than case takes to start again under supervisord
MARGIN = 2.5


@pytest.fixture
def first_backend_only(request, db_backend):
    """What this file proves does not depend on the database: it runs on the first backend."""
    first = request.config.getoption("--db").split(",")[0].strip()
    if db_backend != first:
        pytest.skip(f"independent of the database; runs on {first}")


def timed(call):
    started = time.monotonic()
    reply = call()
    return reply, time.monotonic() - started


def test_a_service_away_costs_a_503_naming_it_and_nothing_else(first_backend_only, supervised,
                                                              rabbit_manager, rabbit_config):
    deployed, api = supervised(RPC_TIMEOUT_SECONDS=RPC_TIMEOUT)
    vhost = urlparse(rabbit_config["AMQP_URI"]).path.lstrip("/")
    shen, min_ = api.headers("shen"), api.headers("min")
    base = deployed.base

    # /health: every service answers, with the working-day calendar's status passed through;
    # 100 calls, unauthenticated, leave the broker's queues as they were.
    health = requests.get(base + "/api/v1/health").json()
    assert health["status"] == "ok" and health["calendar"], health
    assert {entry["year"] for entry in health["calendar"]} == {TODAY.year, TODAY.year + 1}
    queues_before = sorted(q["name"] for q in rabbit_manager.get_queues(vhost))
    replies = list(eventlet.GreenPool(10).imap(lambda _: requests.get(base + "/api/v1/health"), range(100)))
    assert [r.status_code for r in replies] == [200] * 100
    queues_after = sorted(q["name"] for q in rabbit_manager.get_queues(vhost))
    assert queues_after == queues_before, set(queues_after) ^ set(queues_before)

    # case killed mid-request, three times, while registrations without a key go on: a
    # request whose first run committed is redelivered to the new case, which answers the
    # decision it finds with that request's id (the gateway waits longer than case's restart).
    answers, kills = [], []

    def register(n):
        payload = decision_payload(500 + n, unit_id=api.unit_id, decision_date=TODAY.isoformat())
        reply = requests.post(base + "/api/v1/decisions", json=payload, headers=shen, timeout=60)
        answers.append((payload["doc_number"], reply.status_code, reply.text))

    def keep_registering(worker):
        n = worker
        while len(kills) < 3:
            register(n)
            n += 8

    pool = eventlet.GreenPool(8)
    for worker in range(8):
        pool.spawn(keep_registering, worker)
    for _ in range(3):
        served = sum(status == 201 for _, status, _ in answers)
        while sum(status == 201 for _, status, _ in answers) < served + 8:   # case is serving
            eventlet.sleep(0.05)
        deployed.kill("case")
        kills.append(time.monotonic())
    pool.waitall()
    conflicts = [text for _, status, text in answers if status == 409]
    assert not conflicts, f"{len(conflicts)} first-time registrations answered 409: {conflicts[0]}"
    created = {doc for doc, status, _ in answers if status == 201}
    stored = dict(rows(api.config["CASE_DB_URL"], "SELECT doc_number, COUNT(*) FROM decision GROUP BY doc_number"))
    assert all(stored.get(doc) == 1 for doc in created) and max(stored.values()) == 1
    unavailable = [text for _, status, text in answers if status == 503]
    assert all('"service": "case"' in text for text in unavailable)
    assert len(created) + len(unavailable) == len(answers), {status for _, status, _ in answers}
    replayed = deployed.log("case").count("came again; answering decision")

    # case stopped: 12 requests that need it, abandoned by their clients, do not hold the
    # gateway's 10 workers past the timeout; each answer that needs case is a 503 naming it.
    deployed.stop("case")
    abandoned_at = time.monotonic()
    for n in range(12):
        eventlet.spawn(lambda n=n: _abandoned(base, shen, decision_payload(900 + n, unit_id=api.unit_id)))
    eventlet.sleep(0.5)
    me, waited = timed(lambda: requests.get(base + "/api/v1/me", headers=min_, timeout=30))
    assert me.status_code == 200 and waited <= RPC_TIMEOUT + MARGIN, (me.status_code, waited)
    library, waited = timed(lambda: requests.get(base + "/api/v1/library/search", params={"q": "处分"},
                                                 headers=min_, timeout=30))
    assert library.status_code == 200 and waited <= RPC_TIMEOUT + MARGIN, (library.status_code, waited)
    degraded, waited = timed(lambda: requests.get(base + "/api/v1/health", timeout=30))
    assert degraded.status_code == 503 and waited <= RPC_TIMEOUT + MARGIN
    assert degraded.json()["services"]["case"].startswith("unavailable") and degraded.json()["calendar"]
    refused, waited = timed(lambda: requests.get(base + "/api/v1/decisions", headers=shen, timeout=30))
    body = refused.json()
    assert refused.status_code == 503 and waited <= RPC_TIMEOUT + MARGIN, (refused.status_code, waited)
    assert body["error"] == "SERVICE_UNAVAILABLE" and body["service"] == "case"
    assert "服务" in body["message"] and "暂时不可用" in body["message"]

    # Nobody waits for those 12 any more: their messages expire from case's queue with the
    # timeout, so case, back, does not register them.
    eventlet.sleep(max(0.0, abandoned_at + RPC_TIMEOUT + 1 - time.monotonic()))
    deployed.start("case")
    deployed.wait_healthy()
    late = [doc for doc, in rows(api.config["CASE_DB_URL"], "SELECT doc_number FROM decision")
            if doc in {decision_payload(900 + n)["doc_number"] for n in range(12)}]
    assert not late, f"requests abandoned while case was down ran when it came back: {late}"
    print(f"\n/health ×100: {len(queues_after)} queues before and after; {len(answers)} registrations "
          f"across 3 kills of case: {len(created)} created ({replayed} of them answered by a redelivered "
          f"request), {len(unavailable)} 503, 0 409; "
          f"with case stopped: /me, library, /health answered within {RPC_TIMEOUT + MARGIN} s; "
          f"the 12 abandoned registrations expired unrun")


def _abandoned(base, headers, payload):
    try:
        requests.post(base + "/api/v1/decisions", json=payload, headers=headers, timeout=0.5)
    except requests.RequestException:
        pass
