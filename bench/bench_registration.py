"""Decisions registered per second, and p50/p99 latency, through the HTTP gateway at 1, 8
and 32 concurrent clients — beside the floor measured in the same run on the same broker:
a raw AMQP request/reply (kombu) and a bare nameko RPC.

    .venv/bin/python bench/bench_registration.py [--db sqlite|postgresql] [--requests 300]

Starts its own case service, gateway and ping service (``nameko run`` subprocesses) in a
fresh RabbitMQ vhost and fresh databases, so it never touches a running platform.
"""
import argparse
import os
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


def make_databases(kind, workdir):
    if kind == "sqlite":
        return {key: f"sqlite:///{workdir}/{name}.db" for key, name in
                (("CASE_DB_URL", "case"), ("GATEWAY_DB_URL", "gateway"))}
    name = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(PG_ADMIN, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    return {"CASE_DB_URL": url + "?options=-csearch_path%3Dcase",
            "GATEWAY_DB_URL": url + "?options=-csearch_path%3Dgateway", "_pg_db": name, "_pg_url": url}


def start_platform(env, case_instances):
    py = str(ROOT / ".venv/bin/python")
    if "_pg_url" in env:
        engine = create_engine(env["_pg_url"], poolclass=NullPool)
        with engine.begin() as conn:
            conn.execute(text("CREATE SCHEMA IF NOT EXISTS \"case\"; CREATE SCHEMA IF NOT EXISTS gateway"))
        engine.dispose()
    subprocess.run([py, "-m", "services.common.migrate", "case", "gateway"], env=env, check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL)
    subprocess.run([py, "-m", "gateway.seed"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    nameko = str(ROOT / ".venv/bin/nameko")
    procs = [subprocess.Popen([nameko, "run", "--config", "config.yaml", target], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for target in ["services.case.service:CaseService"] * case_instances
             + ["gateway.service:GatewayService", "bench.floor:PingService"]]
    procs.append(subprocess.Popen([py, "bench/floor.py", "echo-server", env["AMQP_URI"]], env=env,
                                  cwd=ROOT, stdout=subprocess.PIPE, text=True))
    procs[-1].stdout.readline()
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


def reviewer_token(base):
    admin = requests.post(base + "/api/v1/auth/login",
                          json={"username": "admin", "password": "admin-2026!"}).json()["token"]
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
    """Snapshot of CPU seconds of case, gateway, broker and this client."""
    *cases, gateway = procs[:-2]
    budget = {"case": sum(cpu_seconds(p.pid) for p in cases), "gateway": cpu_seconds(gateway.pid),
              "client": cpu_seconds(os.getpid())}
    if broker_pid():
        budget["broker"] = cpu_seconds(broker_pid())
    return budget


def where_time_goes(base, case_metrics_port):
    gateway = requests.get(base + "/api/v1/metrics").text
    case = requests.get(f"http://127.0.0.1:{case_metrics_port}/metrics").text
    print(f"where time goes (means over every request): gateway worker "
          f"{mean_seconds(gateway, 'register_decision'):.2f} ms, of which the case worker "
          f"{mean_seconds(case, 'register_decision'):.2f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--case-instances", type=int, default=1,
                        help="case service processes (competing consumers on one queue)")
    args = parser.parse_args()

    rabbit, vhost = make_vhost()
    workdir = tempfile.mkdtemp(prefix="bench-")
    port = 18000 + os.getpid() % 1000
    dbs = make_databases(args.db, workdir)
    env = dict(os.environ, **{k: v for k, v in dbs.items() if not k.startswith("_")},
               AMQP_URI=f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}",
               WEB_SERVER_ADDRESS=f"127.0.0.1:{port}", LOG_LEVEL="WARNING", PYTHONWARNINGS="ignore",
               PLATFORM_SERVICES="[case]", LIBRARY_INDEX_DIR=f"{workdir}/index",
               CASE_METRICS_PORT=str(port + 1))
    if "_pg_url" in dbs:
        env["_pg_url"] = dbs["_pg_url"]
    procs = start_platform(env, args.case_instances)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base)
        token, unit = reviewer_token(base)
        amqp = amqp_roundtrips(env["AMQP_URI"], 1000)
        rpc = nameko_rpc_floor(env["AMQP_URI"], 1000)
        print(f"database: {args.db}; case instances: {args.case_instances}; machine: {os.cpu_count()} cores")
        print(f"floor  raw AMQP request/reply (kombu)   p50 {pct(amqp, .5):6.2f} ms  p99 {pct(amqp, .99):6.2f} ms")
        print(f"floor  bare nameko RPC                  p50 {pct(rpc, .5):6.2f} ms  p99 {pct(rpc, .99):6.2f} ms")
        registrations(base, token, unit, 4, 40, 900000)  # warm-up
        offset = 0
        for clients in (1, 8, 32):
            before = cpu_budget(procs)
            latencies, rate = registrations(base, token, unit, clients, args.requests, offset)
            after = cpu_budget(procs)
            offset += args.requests
            spent = {k: (after[k] - before[k]) / args.requests * 1000 for k in after}
            print(f"gateway POST /decisions  clients {clients:2d}   {rate:6.1f} registrations/s   "
                  f"p50 {pct(latencies, .5):7.2f} ms  p99 {pct(latencies, .99):7.2f} ms   "
                  f"p50 = {pct(latencies, .5) / pct(rpc, .5):4.1f}x nameko floor")
            print("    CPU per registration: " + ", ".join(f"{k} {v:.1f} ms" for k, v in spent.items()))
        where_time_goes(base, port + 1)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
        rabbit.delete_vhost(vhost)
        if "_pg_db" in dbs:
            engine = create_engine(PG_ADMIN, poolclass=NullPool, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{dbs["_pg_db"]}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
