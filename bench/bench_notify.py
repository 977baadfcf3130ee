"""Events to notices per second through RabbitMQ, and webhook deliveries per second to local
receivers — with and without one dead subscriber among ten (it accepts connections and
never answers, so every attempt waits for the timeout).  The dead one must not lower the
others' rate by more than 10%.

    .venv/bin/python bench/bench_notify.py [--events 1000]

Runs its own notify service (``nameko run``) in a fresh vhost on a fresh SQLite database.
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_registration import make_vhost, start_case  # noqa: E402

LIVE = 9


class Ok(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def receivers(count):
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Ok) for _ in range(count)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return servers


def blackhole():
    """Accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(100)
    held = []
    threading.Thread(target=lambda: [held.append(sock.accept()) for _ in iter(int, 1)], daemon=True).start()
    return sock


def start_notify(workdir, vhost):
    db = f"sqlite:///{workdir}/notify-{uuid.uuid4().hex[:6]}.db"
    env = dict(os.environ, AMQP_URI=f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}", NOTIFY_DB_URL=db,
               NOTIFY_WEBHOOK_ALLOW_PRIVATE="true", NOTIFY_WEBHOOK_POLL_SECONDS="0.05",
               LOG_LEVEL="ERROR", PYTHONWARNINGS="ignore")
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "services.common.migrate", "notify"], env=env,
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    proc = subprocess.Popen([str(ROOT / ".venv/bin/nameko"), "run", "--config", "config.yaml",
                             "services.notify.service:NotifyService"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_ready(env)
    return proc, env, create_engine(db)


def _wait_ready(env, timeout=120):
    """Until notify answers: it asks case for the rule book first, and an event published
    before its queues exist would be lost."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            with rpc(env) as cluster:
                cluster.notify.health()
                return
        except Exception:  # no queue yet, or no answer in time
            time.sleep(0.5)
    raise SystemExit("the notify service did not start")


def rpc(env):
    from nameko.standalone.rpc import ClusterRpcProxy
    return ClusterRpcProxy({"AMQP_URI": env["AMQP_URI"]}, timeout=30)


def publish(env, count, prefix):
    from nameko.standalone.events import event_dispatcher
    dispatch = event_dispatcher({"AMQP_URI": env["AMQP_URI"]})
    for n in range(count):
        dispatch("case", "item_opened", {"event_id": f"{prefix}-{n}", "occurred_at": _now(), "item_id": n,
                                         "decision_id": 1, "unit_id": 3, "code": "ARCHIVE", "name": "归档",
                                         "due_date": "2026-12-01", "partners": ["organization"]})


def _now():
    from datetime import datetime, timezone
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat()


def wait_for(engine, sql, target, timeout=600):
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        with engine.connect() as conn:
            if conn.execute(text(sql)).scalar() >= target:
                return time.perf_counter() - started
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {target}: {sql}")


def delivery_run(workdir, vhost, events, with_dead, tenth_live=False):
    proc, env, engine = start_notify(workdir, vhost)
    live, hole = receivers(LIVE + (1 if tenth_live else 0)), blackhole() if with_dead else None
    try:
        time.sleep(3)
        with rpc(env) as cluster:
            urls = [f"http://127.0.0.1:{s.server_address[1]}/hook" for s in live]
            if hole:
                urls.append(f"http://127.0.0.1:{hole.getsockname()[1]}/hook")
            for url in urls:
                cluster.notify.subscribe({"role": "admin"}, {"unit_id": 3, "url": url, "secret": "x" * 16,
                                                             "events": ["item_opened"]})
        started = time.perf_counter()
        publish(env, events, f"d{with_dead}")
        first_nine = "SELECT COUNT(*) FROM delivery WHERE state = 'delivered' AND subscription_id <= 9"
        elapsed = wait_for(engine, first_nine, events * LIVE)
        return events * LIVE / (time.perf_counter() - started), elapsed
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for server in live:
            server.shutdown()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2,
                        help="runs of each delivery configuration, interleaved; the best counts (shared machine)")
    args = parser.parse_args()
    rabbit, vhost = make_vhost()
    workdir = tempfile.mkdtemp(prefix="bench-notify-")
    # notify checks the rule book's partner roles at start-up: case answers it, for every run.
    case = start_case(dict(os.environ, AMQP_URI=f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}",
                           LOG_LEVEL="ERROR", PYTHONWARNINGS="ignore"), workdir)
    try:
        proc, env, engine = start_notify(workdir, vhost)
        try:
            time.sleep(3)
            started = time.perf_counter()
            publish(env, args.events, "n")
            wait_for(engine, "SELECT COUNT(*) FROM notice", args.events * 2)
            rate = args.events / (time.perf_counter() - started)
            print(f"events to notices: {rate:7.1f} events/s ({args.events} item_opened events, 2 notices each)")
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        runs = {"alone": [], "live": [], "dead": []}
        for _ in range(args.repeat):      # interleaved, so a busy spell on the machine hits all three
            runs["alone"].append(delivery_run(workdir, vhost, args.events // 5, with_dead=False)[0])
            runs["live"].append(delivery_run(workdir, vhost, args.events // 5, with_dead=False, tenth_live=True)[0])
            runs["dead"].append(delivery_run(workdir, vhost, args.events // 5, with_dead=True)[0])
        clean, ten, dirty = (max(runs[k]) for k in ("alone", "live", "dead"))
        print("runs (deliveries/s): " + ", ".join(f"{k} {[round(r) for r in v]}" for k, v in runs.items()))
        print(f"webhook deliveries to {LIVE} live receivers: {clean:7.1f}/s alone, {ten:7.1f}/s beside a live "
              f"10th, {dirty:7.1f}/s beside a dead 10th ({(1 - dirty / clean) * 100:.1f}% lower than alone, "
              f"{(1 - dirty / ten) * 100:.1f}% lower than beside a live one; target: under 10%)")
    finally:
        case.terminate()
        case.wait(timeout=10)
        rabbit.delete_vhost(vhost)


if __name__ == "__main__":
    main()
