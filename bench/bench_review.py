"""The review queue and the review figures on PostgreSQL with 10k, 100k and 1M reports
(1% waiting for review, 10% of all with a pre-check finding, 20% of the reviewed rejected),
and the query plan the queue relies on; then (``--rpc N``) N reports submitted and approved
over RPC through real ``nameko run`` case and review services, beside the bare nameko RPC floor.

    .venv/bin/python bench/bench_review.py [--sizes 10000,100000,1000000] [--repeat 20] [--rpc 100]

Rows are generated in the database (generate_series); the queue and the figures run in
process through the service's own code (``records.queue``, ``figures.review_figures``).
A province reviews a few hundred thousand reports a year: 1M is a few years of history.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

from bench.pg import drop_database, fresh_database  # noqa: E402
from bench.bench_registration import make_vhost, nameko_rpc_floor, pct  # noqa: E402
from services.common import migrate  # noqa: E402
from services.common.actor import Actor  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.review.figures import review_figures  # noqa: E402
from services.review.records import queue  # noqa: E402
from tests.helpers import decision_payload  # noqa: E402

REVIEWER = Actor(user_id=1, role="reviewer", unit_id=1)
RPC_REVIEWER, RPC_OPERATOR = REVIEWER.dump(), {"user_id": 2, "role": "operator", "unit_id": 2}
SERVE = {"performed_on": "2021-03-06", "evidence": {
    "served_on": "2021-03-05", "recipients": ["张三", "东河区民政局"], "receipt_signed": True, "unit_seal": True}}
FILL = """
INSERT INTO report (item_id, decision_id, unit_id, code, item_name, person_name, doc_number, due_date,
                    round, performed_on, evidence, attachments, findings, finding_categories, state,
                    version, submitted_by, submitted_at, reviewed_by, reviewed_at, comment,
                    problem_category, requirement, rectify_by)
SELECT n, n / 10, n % 40, 'ANNOUNCE', '宣布', '张三', '东纪发〔2024〕' || n || '号', DATE '2024-02-01',
       1, DATE '2024-01-20', '{}'::json, '[]'::json,
       CASE WHEN n % 10 = 0 THEN '[{"category": "本人不表态", "message": "缺少本人表态"}]' ELSE '[]' END::json,
       CASE WHEN n % 10 = 0 THEN '|本人不表态|' ELSE '' END,
       CASE WHEN n % 97 = 0 THEN 'submitted' WHEN n % 5 = 0 THEN 'rejected' ELSE 'approved' END,
       1, 2, TIMESTAMP '2024-01-01' + (n % 730) * INTERVAL '1 day' + (n % 86400) * INTERVAL '1 second',
       CASE WHEN n % 97 = 0 THEN NULL ELSE 1 END,
       CASE WHEN n % 97 = 0 THEN NULL
            ELSE TIMESTAMP '2024-01-02' + (n % 730) * INTERVAL '1 day' END,
       '', CASE WHEN n % 97 <> 0 AND n % 5 = 0 THEN '本人不表态' END,
       CASE WHEN n % 97 <> 0 AND n % 5 = 0 THEN '补充本人表态' END, NULL
FROM generate_series(1, :n) AS n
"""
LAST_YEAR = {"from": "2025-01-01", "to": "2025-12-31"}   # the rows span 2024-2025
QUEUES = {"oldest 50": {}, "by finding": {"finding": "本人不表态"}, "by unit": {"unit_id": 7}}


def timed(repeat, call):
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs), max(runs), result


def measure(size, repeat):
    name, url = fresh_database("bench_review")
    try:
        migrate.upgrade("review", url)
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text(FILL), {"n": size})
            conn.execute(text("ANALYZE report"))
        with engine.connect() as conn:
            plan = conn.execute(text(
                "EXPLAIN SELECT * FROM report WHERE state = 'submitted' AND finding_categories LIKE "
                "'%|本人不表态|%' ORDER BY submitted_at, id LIMIT 50")).scalars().all()
        session = sessionmaker(bind=engine)()
        rows = {label: timed(repeat, lambda q=q: queue(session, REVIEWER, q)) for label, q in QUEUES.items()}
        figures = timed(max(3, repeat // 5), lambda: review_figures(session, REVIEWER))
        year = timed(max(3, repeat // 5), lambda: review_figures(session, REVIEWER, LAST_YEAR))
        session.close()
        engine.dispose()
        return rows, figures, year, plan
    finally:
        drop_database(name)


def rpc_round_trips(count):
    """Submit (3 calls to case inside) and approve (1 call) over RPC, SQLite, one client."""
    client, vhost = make_vhost()
    workdir = tempfile.mkdtemp(prefix="bench_review_")
    env = dict(os.environ, AMQP_URI=f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}",
               CASE_DB_URL=f"sqlite:///{workdir}/case.db", REVIEW_DB_URL=f"sqlite:///{workdir}/review.db",
               ATTACHMENT_DIR=f"{workdir}/attachments", PYTHONWARNINGS="ignore")
    py, nameko = str(ROOT / ".venv/bin/python"), str(ROOT / ".venv/bin/nameko")
    subprocess.run([py, "-m", "services.common.migrate", "case", "review"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs = [subprocess.Popen([nameko, "run", "--config", "config.yaml", target], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for target in ("services.case.service:CaseService", "services.review.service:ReviewService",
                            "bench.floor:PingService")]
    try:
        with ClusterRpcProxy({"AMQP_URI": env["AMQP_URI"]}, timeout=30) as cluster:
            _wait_for(cluster)
            floor = nameko_rpc_floor(env["AMQP_URI"], count)
            serves = [cluster.case.register_decision(RPC_REVIEWER, decision_payload(n))["items"][0]
                      for n in range(1, count + 1)]
            submits, approvals = [], []
            for serve in serves:
                started = time.perf_counter()
                report = cluster.review.submit_report(RPC_OPERATOR, serve["id"], SERVE)
                submits.append(time.perf_counter() - started)
                started = time.perf_counter()
                cluster.review.approve_report(RPC_REVIEWER, report["id"], {})
                approvals.append(time.perf_counter() - started)
        return floor, submits, approvals
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
        client.delete_vhost(vhost)
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_for(cluster):
    for _ in range(120):
        try:
            cluster.case.health(), cluster.review.health(), cluster.bench_ping.ping(0)
            return
        except Exception:  # not consuming yet: the reply times out or the queue is missing
            time.sleep(0.5)
    raise SystemExit("case and review did not start")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rpc", type=int, default=100, help="reports over RPC (0: skip)")
    args = parser.parse_args()
    if args.rpc:
        floor, submits, approvals = rpc_round_trips(args.rpc)
        print(f"over RPC, SQLite, {args.rpc} reports, one client: nameko floor p50 {pct(floor, .5):.2f} ms; "
              f"submit p50 {pct(submits, .5):.1f} / p99 {pct(submits, .99):.1f} ms; "
              f"approve p50 {pct(approvals, .5):.1f} / p99 {pct(approvals, .99):.1f} ms")
    for n, size in enumerate(int(s) for s in args.sizes.split(",")):
        rows, (fig_p50, fig_max, fig), year, plan = measure(size, args.repeat)
        if n == 0:
            print("query plan of the queue filtered by finding:\n  " + "\n  ".join(plan))
        waiting = rows["oldest 50"][2][1]
        print(f"reports {size:>9,} ({waiting:,} waiting):")
        for label, (p50, worst, (page, total)) in rows.items():
            print(f"  queue {label:<11} p50 {p50:7.2f} ms  max {worst:7.2f} ms  ({total:,} rows, page of {len(page)})")
        print(f"  figures           p50 {fig_p50:7.1f} ms  max {fig_max:7.1f} ms  "
              f"(reviewed {fig['reviewed']:,}, rejected {fig['rejected']:,}, {len(fig['by_month'])} months, "
              f"{len(fig['by_unit'])} units)")
        print(f"  figures, 1 year   p50 {year[0]:7.1f} ms  max {year[1]:7.1f} ms  (reviewed {year[2]['reviewed']:,})")


if __name__ == "__main__":
    main()
