"""Rows per second of the batch import (批量导入, POST /api/v1/imports) for a 10,000-row workbook,
dry run, commit and the same file again (every row skipped) — beside the floor measured in the
same run on the same broker: a raw AMQP request/reply (kombu) and a bare nameko RPC.

    .venv/bin/python bench/bench_import.py [--db sqlite|postgresql] [--rows 10000] [--alone]

Starts its own case service, gateway, ping service and (unless ``--alone``) the deadline and
notify services that hear the import's events, as ``nameko run`` subprocesses in a fresh
RabbitMQ vhost and fresh databases, so it never touches a running platform.  The rows are a
district's historic records (tests/workbooks.many): of every ten, six fully executed, three with
their first four items done, one never started.  With the listeners running it also reports
when deadline has every decision's countdowns (the events' tail), and the CPU each process spent
per row, so the figure can be held against the machine's two cores.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_registration import (PG_ADMIN, broker_pid, cpu_seconds, make_vhost, nameko_rpc_floor,  # noqa: E402
                                      pct, reviewer_token, wait_ready)
from bench.floor import amqp_roundtrips  # noqa: E402
from gateway.routes.imports import CHUNK_ROWS  # noqa: E402
from tests.workbooks import XLSX, many, vocabulary, workbook  # noqa: E402

SERVICES = {"case": "services.case.service:CaseService", "gateway": "gateway.service:GatewayService",
            "deadline": "services.deadline.service:DeadlineService",
            "notify": "services.notify.service:NotifyService", "ping": "bench.floor:PingService"}
TARGET_SECONDS = 60


def make_databases(kind, workdir, services):
    if kind == "sqlite":
        return {f"{s.upper()}_DB_URL": f"sqlite:///{workdir}/{s}.db" for s in services}
    name = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(PG_ADMIN, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        for service in services:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{service}"'))
    engine.dispose()
    urls = {f"{s.upper()}_DB_URL": f"{url}?options=-csearch_path%3D{s}" for s in services}
    return dict(urls, _pg_db=name)


def start(env, names, workdir):
    py = str(ROOT / ".venv/bin/python")
    migrated = [n for n in names if n not in ("ping",)]
    subprocess.run([py, "-m", "services.common.migrate", *migrated], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    subprocess.run([py, "-m", "gateway.seed"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    nameko = str(ROOT / ".venv/bin/nameko")
    procs = {}
    for name in names:
        # The gateway's log says how long reading the workbook and writing its rows took.
        log = open(f"{workdir}/{name}.log", "w") if name == "gateway" else subprocess.DEVNULL
        procs[name] = subprocess.Popen([nameko, "run", "--config", "config.yaml", SERVICES[name]], cwd=ROOT,
                                       env=dict(env, LOG_LEVEL="INFO") if name == "gateway" else env,
                                       stdout=subprocess.DEVNULL, stderr=log)
    echo = subprocess.Popen([py, "bench/floor.py", "echo-server", env["AMQP_URI"]], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    echo.stdout.readline()
    return procs, echo


def cpu(procs, pg_db=None):
    spent = {name: cpu_seconds(p.pid) for name, p in procs.items() if name != "ping"}
    if broker_pid():
        spent["broker"] = cpu_seconds(broker_pid())
    if pg_db:
        spent["postgres"] = sum(cpu_seconds(pid) for pid in postgres_backends(pg_db))
    spent["client"] = cpu_seconds(os.getpid())
    return spent


def postgres_backends(database):
    """The server processes of the benchmark's database (pooled connections live on)."""
    engine = create_engine(PG_ADMIN, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            pids = conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"),
                                {"d": database}).all()
    finally:
        engine.dispose()
    return [pid for pid in pids if Path(f"/proc/{pid}/stat").exists()]


def post(base, token, content, dry_run):
    started = time.perf_counter()
    reply = requests.post(f"{base}/api/v1/imports", params={"dry_run": str(dry_run).lower(), "filename": "bench.xlsx"},
                          data=content, headers={"Authorization": f"Bearer {token}", "Content-Type": XLSX},
                          timeout=900)
    elapsed = time.perf_counter() - started
    if reply.status_code not in (200, 201):
        raise SystemExit(f"import refused: {reply.status_code} {reply.text[:500]}")
    return reply.json(), elapsed


def countdowns(url):
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT COUNT(*) FROM stat_decision"))
    except Exception:
        return 0
    finally:
        engine.dispose()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--alone", action="store_true", help="without deadline and notify listening")
    args = parser.parse_args()

    names = ["case", "gateway", "ping"] + ([] if args.alone else ["deadline", "notify"])
    rabbit, vhost = make_vhost()
    workdir = tempfile.mkdtemp(prefix="bench-import-")
    port = 19000 + os.getpid() % 1000
    dbs = make_databases(args.db, workdir, [n for n in names if n != "ping"])
    env = dict(os.environ, **{k: v for k, v in dbs.items() if not k.startswith("_")},
               AMQP_URI=f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}", WEB_SERVER_ADDRESS=f"127.0.0.1:{port}",
               LOG_LEVEL="WARNING", PYTHONWARNINGS="ignore", PLATFORM_SERVICES="[case]", PLATFORM_DEMO="1",
               LIBRARY_INDEX_DIR=f"{workdir}/index")
    procs, echo = start(env, names, workdir)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base)
        token, _ = reviewer_token(base)
        listed = requests.get(f"{base}/api/v1/units", headers={"Authorization": f"Bearer {token}"}).json()["items"]
        units = {u["name"]: u["id"] for u in listed}
        amqp = amqp_roundtrips(env["AMQP_URI"], 1000)
        rpc = nameko_rpc_floor(env["AMQP_URI"], 1000)
        print(f"database: {args.db}; listeners: {'none' if args.alone else 'deadline, notify'}; "
              f"machine: {os.cpu_count()} cores")
        print(f"floor  raw AMQP request/reply (kombu)   p50 {pct(amqp, .5):6.2f} ms  p99 {pct(amqp, .99):6.2f} ms")
        print(f"floor  bare nameko RPC                  p50 {pct(rpc, .5):6.2f} ms  p99 {pct(rpc, .99):6.2f} ms")
        responsible = [u["name"] for u in listed if u["kind"] == "responsible"]
        made = time.perf_counter()
        rows, progress = many(args.rows, responsible)
        content = workbook(vocabulary(units), rows, progress)
        print(f"workbook: {args.rows} decisions, {len(progress)} progress rows, {len(content) / 1048576:.1f} MB "
              f"(written in {time.perf_counter() - made:.1f} s)")
        floor_ms = pct(rpc, .5)
        for label, dry_run in (("dry run", True), ("commit", False), ("again (all skipped)", False)):
            before = cpu(procs, dbs.get("_pg_db"))
            result, elapsed = post(base, token, content, dry_run)
            after = cpu(procs, dbs.get("_pg_db"))
            per_row = {k: (after[k] - before.get(k, 0)) / args.rows * 1000 for k in after}
            calls = -(-args.rows // CHUNK_ROWS) + 2
            print(f"{label:20s} {elapsed:6.1f} s  {args.rows / elapsed:7.0f} rows/s  created {result['created']:5d}  "
                  f"skipped {result['skipped']:5d}  errors {result['errors_total']}   "
                  f"{'within' if elapsed < TARGET_SECONDS else 'OVER'} {TARGET_SECONDS} s; "
                  f"{calls} RPC calls, their floor {calls * floor_ms / 1000:.2f} s")
            print("    CPU per row: " + ", ".join(f"{k} {v:.2f} ms" for k, v in per_row.items()))
            said = [line for line in Path(f"{workdir}/gateway.log").read_text().splitlines()
                    if f"import {result['id']}:" in line]
            if said:
                print("    gateway: " + json.loads(said[-1][said[-1].index("{"):]).get("message", said[-1]) if "{" in said[-1] else said[-1])
        if not args.alone:
            started = time.perf_counter()
            while countdowns(dbs["DEADLINE_DB_URL"]) < args.rows and time.perf_counter() - started < 900:
                time.sleep(2)
            print(f"deadline had every decision's countdowns {time.perf_counter() - started:.0f} s after the "
                  f"import answered ({countdowns(dbs['DEADLINE_DB_URL'])} decisions)")
    finally:
        for proc in (*procs.values(), echo):
            proc.terminate()
        for proc in (*procs.values(), echo):
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:   # a listener still busy with the events' tail
                proc.kill()
                proc.wait()
        rabbit.delete_vhost(vhost)
        if "_pg_db" in dbs:
            engine = create_engine(PG_ADMIN, poolclass=NullPool, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{dbs["_pg_db"]}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
