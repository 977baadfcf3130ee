"""Decisions registered per second, and p50/p99 latency, through the HTTP gateway at 1, 8
and 32 concurrent clients — beside the floor measured in the same run on the same broker:
a raw AMQP request/reply (kombu) and a bare nameko RPC.

    .venv/bin/python bench/bench_registration.py [--db sqlite|postgresql] [--requests 300]
        [--clients 1,8,32] [--repeat 3] [--case-instances 2] [--all-services] [--soak 600]

``--repeat``: the floor and every client count again, interleaved, and the medians of the runs,
each beside its own run's floor.  ``--all-services``: review, deadline, notify and library run
too and hear every registration (as in production).  ``--soak S``: then S seconds of
registrations at ``--soak-clients``, each service's RSS sampled every ``--sample-seconds``.
``--profile DIR``: py-spy (the test extra) on case and the gateway during the first client
count, and the share of their request time by part (ORM flush, commit, publishing, SQL …).

Starts its own case service, gateway and ping service (``nameko run`` subprocesses) in a
fresh RabbitMQ vhost and fresh databases, so it never touches a running platform.
"""
import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.floor import amqp_roundtrips  # noqa: E402
from tests.helpers import decision_payload  # noqa: E402

RABBIT_API = "http://guest:guest@127.0.0.1:15672"
PG_ADMIN = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def make_vhost():
    from nameko.testing.rabbit import Client
    client = Client(RABBIT_API)
    vhost = f"bench_{uuid.uuid4().hex[:8]}"
    client.create_vhost(vhost)
    client.set_vhost_permissions(vhost, "guest", ".*", ".*", ".*")
    return client, vhost


def start_case(env, workdir):
    """A case process on a fresh SQLite database, for a benchmark of another service: review,
    deadline, notify and library ask case for the rule book when they start
    (services/common/startup_rpc.py) and wait for it."""
    env = dict(env, CASE_DB_URL=f"sqlite:///{workdir}/case-{uuid.uuid4().hex[:6]}.db")
    subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "services.common.migrate", "case"], env=env,
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return subprocess.Popen([str(ROOT / ".venv/bin/nameko"), "run", "--config", "config.yaml",
                             "services.case.service:CaseService"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


SERVICES = {"case": "services.case.service:CaseService", "review": "services.review.service:ReviewService",
            "deadline": "services.deadline.service:DeadlineService",
            "notify": "services.notify.service:NotifyService", "library": "services.library.service:LibraryService"}
DB_KEYS = {"case": "CASE_DB_URL", "gateway": "GATEWAY_DB_URL", "review": "REVIEW_DB_URL",
           "deadline": "DEADLINE_DB_URL", "notify": "NOTIFY_DB_URL"}


def make_databases(kind, workdir, services=("case", "gateway")):
    """A fresh database per service (SQLite files, or one PostgreSQL database with a schema each)."""
    with_db = [s for s in services if s in DB_KEYS]
    if kind == "sqlite":
        return {DB_KEYS[s]: f"sqlite:///{workdir}/{s}.db" for s in with_db}
    name = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(PG_ADMIN, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    urls = {DB_KEYS[s]: url + f"?options=-csearch_path%3D{s}" for s in with_db}
    return dict(urls, _pg_db=name, _pg_url=url, _schemas=",".join(with_db))


def start_platform(env, case_instances, others=()):
    """Migrated, seeded, and running: case (``case_instances`` processes), the gateway, the ping
    service and the raw AMQP echo server, then ``others`` (review, deadline, notify, library);
    returns ``[(name, process)]`` in that order."""
    py = str(ROOT / ".venv/bin/python")
    if "_pg_url" in env:
        engine = create_engine(env["_pg_url"], poolclass=NullPool)
        with engine.begin() as conn:
            for schema in env.get("_schemas", "case,gateway").split(","):
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        engine.dispose()
    migrated = ["case", "gateway"] + [s for s in others if s in DB_KEYS]
    subprocess.run([py, "-m", "services.common.migrate", *migrated], env=env, check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL)
    subprocess.run([py, "-m", "gateway.seed"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    nameko = str(ROOT / ".venv/bin/nameko")
    targets = ([("case", SERVICES["case"])] * case_instances
               + [("gateway", "gateway.service:GatewayService"), ("ping", "bench.floor:PingService")])
    procs = [(name, subprocess.Popen([nameko, "run", "--config", "config.yaml", target], env=env, cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
             for name, target in targets]
    echo = subprocess.Popen([py, "bench/floor.py", "echo-server", env["AMQP_URI"]], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    echo.stdout.readline()
    procs.append(("echo", echo))
    procs += [(name, subprocess.Popen([nameko, "run", "--config", "config.yaml", SERVICES[name]], env=env,
                                      cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
              for name in others]
    return procs


def wait_ready(base):
    for _ in range(60):
        try:
            if requests.get(base + "/api/v1/health", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise SystemExit("the platform did not become ready")


def bench_secrets():
    """The gateway refuses the demo token secret, and seeding the demo admin password, outside
    demo mode: a benchmark's platform gets its own."""
    return {"TOKEN_SECRET": secrets.token_hex(32), "ADMIN_PASSWORD": "bench-" + secrets.token_hex(8)}


def reviewer_token(base, admin_password=None):
    password = admin_password or os.environ.get("ADMIN_PASSWORD") or "admin-2026!"
    admin = requests.post(base + "/api/v1/auth/login",
                          json={"username": "admin", "password": password}).json()["token"]
    auth = {"Authorization": f"Bearer {admin}"}
    units = requests.get(base + "/api/v1/units", headers=auth).json()["items"]
    review_unit = next(u["id"] for u in units if u["kind"] == "review")
    requests.post(base + "/api/v1/users", headers=auth, json={
        "username": "bench", "password": "bench-pw-123", "name": "bench", "role": "reviewer",
        "unit_id": review_unit})
    token = requests.post(base + "/api/v1/auth/login",
                          json={"username": "bench", "password": "bench-pw-123"}).json()["token"]
    unit = next(u["id"] for u in units if u["kind"] == "responsible")
    return token, unit


def nameko_rpc_floor(amqp_uri, count):
    from nameko.standalone.rpc import ClusterRpcProxy
    latencies = []
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}) as cluster:
        cluster.bench_ping.ping(0)
        for n in range(count):
            start = time.perf_counter()
            cluster.bench_ping.ping(n)
            latencies.append(time.perf_counter() - start)
    return latencies


def registrations(base, token, unit, clients, count, offset):
    def one(n):
        session = sessions[n % clients]
        payload = decision_payload(offset + n, unit_id=unit)
        payload["doc_number"] = f"BENCH-{offset + n}-{uuid.uuid4().hex[:6]}"
        start = time.perf_counter()
        reply = session.post(base + "/api/v1/decisions", json=payload,
                             headers={"Authorization": f"Bearer {token}"})
        elapsed = time.perf_counter() - start
        if reply.status_code != 201:
            raise RuntimeError(reply.text)
        return elapsed

    sessions = [requests.Session() for _ in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = list(pool.map(one, range(count)))
    return latencies, count / (time.perf_counter() - started)


def mean_seconds(metrics_text, entrypoint):
    """Mean of platform_entrypoint_seconds for one entrypoint, from Prometheus text."""
    total = count = 0.0
    for line in metrics_text.splitlines():
        if f'entrypoint="{entrypoint}"' not in line:
            continue
        if line.startswith("platform_entrypoint_seconds_sum"):
            total = float(line.rsplit(" ", 1)[1])
        elif line.startswith("platform_entrypoint_seconds_count"):
            count = float(line.rsplit(" ", 1)[1])
    return total / count * 1000 if count else float("nan")


def cpu_seconds(pid):
    """User + system CPU seconds a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def broker_pid():
    found = subprocess.run(["pgrep", "-f", "beam.smp"], capture_output=True, text=True).stdout.split()
    return int(found[0]) if found else None


def cpu_budget(procs):
    """Snapshot of CPU seconds of each service (case's instances together), the broker (all of
    it: other users of this RabbitMQ count too) and this client."""
    budget = {}
    for name, proc in procs:
        if name not in ("ping", "echo"):
            budget[name] = budget.get(name, 0.0) + cpu_seconds(proc.pid)
    budget["client"] = cpu_seconds(os.getpid())
    if broker_pid():
        budget["broker"] = cpu_seconds(broker_pid())
    return budget


def rss_mb(pid):
    """Resident set size of a process, MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def where_time_goes(base, case_metrics_port):
    gateway = requests.get(base + "/api/v1/metrics").text
    case = requests.get(f"http://127.0.0.1:{case_metrics_port}/metrics").text
    print(f"where time goes (means over every request): gateway worker "
          f"{mean_seconds(gateway, 'register_decision'):.2f} ms, of which the case worker "
          f"{mean_seconds(case, 'register_decision'):.2f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--requests", type=int, default=300, help="registrations per client count and run")
    parser.add_argument("--clients", default="1,8,32", help="client counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs, interleaved (floor, then each client count): medians beside each run's floor")
    parser.add_argument("--case-instances", type=int, default=1,
                        help="case service processes (competing consumers on one queue)")
    parser.add_argument("--all-services", action="store_true",
                        help="also run review, deadline, notify and library, which hear the registrations")
    parser.add_argument("--soak", type=float, default=0,
                        help="then register for this many seconds, sampling each service's RSS")
    parser.add_argument("--soak-clients", type=int, default=4)
    parser.add_argument("--sample-seconds", type=float, default=15)
    parser.add_argument("--profile", metavar="DIR",
                        help="py-spy the case and gateway processes during the first run's first client "
                             "count (raw stacks in DIR) and print where their request time goes")
    args = parser.parse_args()

    others = ("review", "deadline", "notify", "library") if args.all_services else ()
    rabbit, vhost = make_vhost()
    workdir = tempfile.mkdtemp(prefix="bench-")
    port = 18000 + os.getpid() % 1000
    dbs = make_databases(args.db, workdir, ("case", "gateway") + others)
    env = dict(os.environ, **{k: v for k, v in dbs.items() if not k.startswith("_")},
               AMQP_URI=f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}",
               WEB_SERVER_ADDRESS=f"127.0.0.1:{port}", LOG_LEVEL="WARNING", PYTHONWARNINGS="ignore",
               PLATFORM_SERVICES="[" + ", ".join(("case",) + others) + "]", LIBRARY_INDEX_DIR=f"{workdir}/index",
               ATTACHMENT_DIR=f"{workdir}/attachments", CASE_METRICS_PORT=str(port + 1), **bench_secrets())
    for key in ("_pg_url", "_schemas"):
        if key in dbs:
            env[key] = dbs[key]
    procs = start_platform(env, args.case_instances, others)
    services = [(name, proc) for name, proc in procs if name not in ("ping", "echo")]
    base = f"http://127.0.0.1:{port}"
    clients = [int(c) for c in args.clients.split(",") if c]
    try:
        wait_ready(base)
        token, unit = reviewer_token(base, env["ADMIN_PASSWORD"])
        print(f"database: {args.db}; case instances: {args.case_instances}; services: "
              f"{', '.join(dict(services))}; machine: {os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.1f}")
        registrations(base, token, unit, 4, 40, 900000)  # warm-up
        offset, runs = 0, []
        for run in range(args.repeat):
            amqp = amqp_roundtrips(env["AMQP_URI"], 300 if args.repeat > 1 else 1000)
            rpc = nameko_rpc_floor(env["AMQP_URI"], 300 if args.repeat > 1 else 1000)
            print(f"run {run + 1}: floor raw AMQP request/reply p50 {pct(amqp, .5):.2f} ms (p99 {pct(amqp, .99):.2f}); "
                  f"bare nameko RPC p50 {pct(rpc, .5):.2f} ms (p99 {pct(rpc, .99):.2f}); "
                  f"load average {os.getloadavg()[0]:.1f}")
            for count in clients:
                spies = profiled(services, args.profile) if args.profile and run == 0 and count == clients[0] else []
                before = cpu_budget(procs)
                latencies, rate = registrations(base, token, unit, count, args.requests, offset)
                after = cpu_budget(procs)
                offset += args.requests
                spent = {k: (after[k] - before[k]) / args.requests * 1000 for k in after}
                runs.append({"clients": count, "rate": rate, "p50": pct(latencies, .5), "p99": pct(latencies, .99),
                             "floor": pct(rpc, .5), "amqp": pct(amqp, .5), "cpu": spent})
                print(f"  gateway POST /decisions  clients {count:2d}   {rate:6.1f} registrations/s   "
                      f"p50 {pct(latencies, .5):7.2f} ms  p99 {pct(latencies, .99):7.2f} ms   "
                      f"p50 = {pct(latencies, .5) / pct(rpc, .5):4.1f}x this run's nameko floor")
                print("      CPU per registration: " + ", ".join(f"{k} {v:.1f} ms" for k, v in spent.items()))
                if spies:
                    print_profiles(spies)
        if args.repeat > 1:
            print(f"medians of {args.repeat} runs (each beside its own floor):")
            median = statistics.median
            for count in clients:
                mine = [r for r in runs if r["clients"] == count]
                cpu = {k: median(r["cpu"][k] for r in mine) for k in mine[0]["cpu"]}
                print(f"  clients {count:2d}: {median(r['rate'] for r in mine):6.1f}/s, p50 {median(r['p50'] for r in mine):7.2f} ms, "
                      f"p99 {median(r['p99'] for r in mine):7.2f} ms; floor p50 {median(r['floor'] for r in mine):.2f} ms "
                      f"(raw AMQP {median(r['amqp'] for r in mine):.2f}); ratio {median(r['p50'] / r['floor'] for r in mine):.1f}x; "
                      "CPU " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items()) + " ms")
        where_time_goes(base, port + 1)
        if args.soak:
            soak(base, token, unit, services, args, offset)
    finally:
        for _, proc in procs:
            proc.terminate()
        for _, proc in procs:
            proc.wait(timeout=30)
        rabbit.delete_vhost(vhost)
        if "_pg_db" in dbs:
            engine = create_engine(PG_ADMIN, poolclass=NullPool, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{dbs["_pg_db"]}" WITH (FORCE)'))


# What a sample of a service's stack is doing, first match wins (py-spy's raw output: one
# line per distinct stack, frames separated by ";", then the count).
PROFILE_PARTS = [("ORM unit of work (flush)", ("Session.flush",)),
                 ("commit (what flush leaves)", ("Session.commit", "SessionTransaction.commit")),
                 ("RPC request and reply (kombu, amqp)", ("MethodProxy", "Responder.send_response")),
                 ("publishing events (kombu, amqp)", ("Database._publish", "Publisher.publish")),
                 ("marshmallow load and dump", ("marshmallow",)),
                 ("other SQL (queries, connection checkout, pre-ping)", ("sqlalchemy", "psycopg")),
                 ("JSON", ("json",)),
                 ("the rest", ("",))]


def profile_split(path, entry):
    """``{part: share of the samples inside ``entry``}`` and the share of all samples inside it."""
    parts, inside, total = {}, 0, 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        total += int(count)
        if entry not in stack:
            continue
        inside += int(count)
        part = next(name for name, marks in PROFILE_PARTS if any(m in stack for m in marks))
        parts[part] = parts.get(part, 0) + int(count)
    return {k: v / inside for k, v in parts.items()} if inside else {}, inside / max(total, 1)


def profiled(services, folder):
    """py-spy recording each service process (case's first instance, the gateway) until stopped."""
    spies = []
    for name, proc in services:
        if name in ("case", "gateway") and name not in [n for n, _, _ in spies]:
            out = Path(folder) / f"{name}.txt"
            spies.append((name, out, subprocess.Popen(
                [str(ROOT / ".venv/bin/py-spy"), "record", "-r", "200", "-f", "raw", "-o", str(out), "-p",
                 str(proc.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
    time.sleep(1)
    return spies


def print_profiles(spies):
    for name, out, spy in spies:
        spy.send_signal(2)       # SIGINT: py-spy writes its file
        spy.wait(timeout=60)
        parts, busy = profile_split(out, "ServiceContainer._run_worker")
        print(f"  py-spy, {name} ({busy * 100:.0f}% of its samples in workers; {out}): " + ", ".join(
            f"{k} {v * 100:.0f}%" for k, v in sorted(parts.items(), key=lambda kv: -kv[1])))


def soak(base, token, unit, services, args, offset):
    """Registrations at ``--soak-clients`` for ``--soak`` seconds; each service's RSS sampled."""
    names = [f"{name}#{n}" if [s for s, _ in services].count(name) > 1 else name
             for n, (name, _) in enumerate(services)]
    samples, done, started = [], 0, time.perf_counter()
    batch = max(args.soak_clients * 10, 40)
    next_sample = started
    while time.perf_counter() - started < args.soak:
        if time.perf_counter() >= next_sample:
            samples.append((time.perf_counter() - started, done, [rss_mb(p.pid) for _, p in services]))
            next_sample += args.sample_seconds
        registrations(base, token, unit, args.soak_clients, batch, offset + done)
        done += batch
    samples.append((time.perf_counter() - started, done, [rss_mb(p.pid) for _, p in services]))
    print(f"\nRSS (MB) over {samples[-1][0]:.0f} s of registrations at {args.soak_clients} clients "
          f"({done:,} registrations, {done / samples[-1][0]:.1f}/s):")
    print(f"  {'t (s)':>7} {'done':>7} " + " ".join(f"{n:>9}" for n in names))
    step = max(1, len(samples) // 12)
    for t, count, rss in samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else []):
        print(f"  {t:7.0f} {count:7d} " + " ".join(f"{r:9.1f}" for r in rss))
    # Growth after the first minute (allocator and caches warm), by least squares, MB per 1,000 registrations.
    warm = [s for s in samples if s[0] >= 60] or samples
    for n, name in enumerate(names):
        xs, ys = [s[1] for s in warm], [s[2][n] for s in warm]
        slope = _slope(xs, ys) * 1000 if len(xs) > 1 else float("nan")
        print(f"  {name:>9}: {samples[0][2][n]:.1f} MB at the start, {max(ys):.1f} MB at most after the first minute, "
              f"{ys[-1]:.1f} MB at the end; {slope:+.2f} MB per 1,000 registrations after the first minute")


def _slope(xs, ys):
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / var if var else 0.0


if __name__ == "__main__":
    main()
