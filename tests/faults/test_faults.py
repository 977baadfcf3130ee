"""Faults survived, under load, as deployed (each service its own process under supervisord):
kill -9 of each service and of the gateway, a database table held locked, a restart of the
RabbitMQ node the platform runs on.  Afterwards every acknowledged request exists exactly
once, every event was handled, and no client waited past the RPC timeout (+ a margin)."""
import subprocess
import sys
import time

import eventlet

from scripts.broker_liveness import established_to
from tests.faults.load import Client, database_lock, eventually, rows, run_load
from tests.processes.harness import ROOT

RPC_TIMEOUT = 4          # RPC_TIMEOUT_SECONDS for this deployment
MARGIN = 2.5             # the gateway's own work around the wait, on a loaded 2-core machine
LOCK_SECONDS = 6         # longer than the RPC timeout: requests answer 503 and are retried
KILLED = ("case", "review", "deadline", "notify", "gateway")
DBS = {"case": "CASE_DB_URL", "review": "REVIEW_DB_URL", "deadline": "DEADLINE_DB_URL",
       "notify": "NOTIFY_DB_URL"}


def test_acknowledged_requests_survive_kills_a_lock_and_a_broker_restart(rabbit_node, supervised, db_backend):
    deployed, api = supervised(rabbit_node.amqp_uri, RPC_TIMEOUT_SECONDS=RPC_TIMEOUT)
    urls = {name: api.config[key] for name, key in DBS.items()}
    client = Client(deployed.base, {user: api.token(user) for user in ("shen", "min")},
                    attempt_limit=RPC_TIMEOUT + MARGIN)
    faults, finished, marks = [], [], {}

    def progressed(by, what, timeout=90):
        """The load goes on: ``by`` more operations acknowledged after a fault."""
        target, deadline = client.requests + by, time.monotonic() + timeout
        while client.requests < target:
            assert time.monotonic() < deadline, f"no progress after {what}: {client.statuses}"
            eventlet.sleep(0.2)

    def inject():
        try:
            progressed(6, "the start")
            for name in KILLED:
                old, new = deployed.kill(name)          # kill -9; supervisord starts another
                faults.append(f"kill -9 {name} (pid {old} → {new})")
                if name in ("deadline", "notify"):      # the load needs neither: events wait
                    eventlet.sleep(1)
                else:
                    progressed(4, f"killing {name}")
            with database_lock(urls["case"], "decision"):
                faults.append(f"lock case.decision {LOCK_SECONDS} s")
                eventlet.sleep(LOCK_SECONDS)
            progressed(4, "the lock")
            marks["broker"] = (deployed.folder / "supervisord.out").stat().st_size
            rabbit_node.restart(down_seconds=2)
            faults.append("RabbitMQ node restart")
            progressed(6, "the broker restart", timeout=120)
        finally:
            finished.append(True)

    injector = eventlet.spawn(inject)
    try:
        registered, submitted = run_load(client, api.unit_id, until=lambda: bool(finished))
        injector.wait()
    except AssertionError as exc:   # say what the gateway saw behind the answer
        behind = [line for line in deployed.log("gateway").splitlines() if "error" in line.lower()]
        raise AssertionError(f"{exc}\ngateway: {behind[-4:]}\nfaults so far: {faults}") from None

    # Every acknowledged request exists exactly once.
    decisions = dict(rows(urls["case"], "SELECT doc_number, COUNT(*) FROM decision GROUP BY doc_number"))
    assert decisions == {doc: 1 for doc in registered}, "a registration missing or stored twice"
    reports = dict(rows(urls["review"], "SELECT item_id, COUNT(*) FROM report GROUP BY item_id"))
    assert reports == {item: 1 for item in submitted}, "a submission missing or stored twice"
    ids = [d["id"] for d in registered.values()]

    checked = {}

    def events_handled():
        in_case = dict(rows(urls["case"], "SELECT id, state FROM execution_item"))
        in_deadline = dict(rows(urls["deadline"], "SELECT item_id, state FROM deadline"))
        behind = {i: (s, in_deadline.get(i)) for i, s in in_case.items() if in_deadline.get(i) != s}
        told = dict(rows(urls["notify"], "SELECT decision_id, COUNT(*) FROM notice WHERE event_type "
                                         "LIKE '%decision_registered' GROUP BY decision_id"))
        asked = dict(rows(urls["notify"], "SELECT item_id, COUNT(*) FROM notice WHERE event_type "
                                          "LIKE '%item_submitted' GROUP BY item_id"))
        dead = {name: rows(url, "SELECT event_type, handler, last_error FROM failed_event WHERE state = 'dead'")
                for name, url in urls.items() if name != "review"}
        checked.update(countdowns=len(in_case), registration_notices=len(told), submission_notices=len(asked))
        problems = []
        if behind:
            problems.append(f"{len(behind)} of {len(in_case)} countdowns out of step: {list(behind.items())[:3]}")
        if told != {i: 1 for i in ids}:
            problems.append(f"registration notices: {len(told)} decisions told, want {len(ids)} once each")
        if asked != {i: 1 for i in submitted}:
            problems.append(f"submission notices: {len(asked)} items, want {len(submitted)} once each")
        problems += [f"dead letters in {name}: {found[:3]}" for name, found in dead.items() if found]
        return problems

    problems = eventually(events_handled, timeout=120)
    assert not problems, problems

    # Every service is back on the broker it lost (reconnected, or restarted by supervisord),
    # as the Kubernetes liveness probe checks it: this process holds an AMQP connection.
    for name in KILLED:
        assert established_to(deployed.pid(name), rabbit_node.port), f"{name} has no broker connection"
    probe = [sys.executable, str(ROOT / "scripts/broker_liveness.py"), "--amqp-uri", rabbit_node.amqp_uri, "--pid"]
    assert subprocess.run(probe + [str(deployed.pid("case"))], capture_output=True).returncode == 0
    assert subprocess.run(probe + [str(deployed.supervisord.pid)], capture_output=True).returncode == 1
    with open(deployed.folder / "supervisord.out", encoding="utf-8", errors="replace") as out:
        out.seek(marks["broker"])
        exited = sorted({line.split("exited: ")[1].split()[0] for line in out if "exited: " in line})
    reconnected = [name for name in KILLED + ("library",) if name not in exited]
    slowest = max(client.attempts)
    served = sum(n for status, n in client.statuses.items() if status in (200, 201, 409))
    fivexx = {status: n for status, n in client.statuses.items() if isinstance(status, int) and status >= 500}
    assert 500 not in fivexx, f"{fivexx[500]} answers were 500 (a fault must be a 503 naming the service)"
    assert slowest <= RPC_TIMEOUT + MARGIN, f"a client waited {slowest:.1f} s (RPC timeout {RPC_TIMEOUT} s)"
    events = checked["countdowns"] + checked["registration_notices"] + checked["submission_notices"]
    print(f"\n[{db_backend}] requests: {client.requests} acknowledged ({len(client.attempts)} attempts, "
          f"{served} answered); faults injected: {len(faults)} ({'; '.join(faults)}); "
          f"events checked: {events} ({checked}); 5xx seen: {sum(fivexx.values())} {fivexx}; "
          f"connection errors: {client.statuses['connection error']}; slowest attempt {slowest:.1f} s; "
          f"after the broker restart: reconnected {reconnected}, exited and restarted by supervisord {exited}")
