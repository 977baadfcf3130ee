"""The statistics at national scale: the cube and the dashboard over 1M items of 100k decisions in
300 units over three years, and how many events a second the projection applies through RabbitMQ.

    .venv/bin/python bench/bench_stats.py [--decisions 100000] [--runs 15] [--events 1000]

1. A fresh PostgreSQL database, migrated (deadline's tables), filled in the database itself
   (INSERT … SELECT over generate_series) straight into the projection's tables: 100k
   decisions (stat_decision), ten items each (the countdown rows with their statistics columns,
   in every state: approved on time or late, submitted, rejected, open, locked), a review per
   approval and about one rejection in seven (stat_review), 8k guidance opinions; VACUUM ANALYZE.
2. In process, through the service's own code (services.deadline.statistics): the cube by
   unit × month and by code × sanction type (every measure), and the dashboard — p50 and p90
   of ``--runs`` runs — beside the floor measured on the same table in the same run (a bare
   ``SELECT count(*)`` and a one-column ``GROUP BY unit_id``), and the plans they rely on
   (EXPLAIN ANALYZE of each statement, captured as the code sends it).
3. The same three answered over RPC by a deadline service running as its own process
   (``nameko run``) on that database, beside the bare nameko RPC floor (bench/floor.py).
4. Events: ``--events`` decisions (decision_registered with ten items), then ten approvals, a
   rejection and a completion each, and guidance opinions, published to a fresh vhost and
   applied by that deadline process; events per second per phase, the deadline process's CPU
   per event, and the same events applied in process with no broker (inbox.apply on a unit of
   work), which says how much is the database and the projection and how much the bus.
"""
import argparse
import os
import subprocess
import sys
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.orm import sessionmaker

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pg import drop_database, fresh_database  # noqa: E402

from nameko.rpc import rpc  # noqa: E402

from services.case.rulebook import load_rulebook, rulebook_summary  # noqa: E402
from services.common import inbox, migrate  # noqa: E402
from services.common.actor import Actor  # noqa: E402
from services.common.db import UnitOfWork, make_engine  # noqa: E402
from services.deadline import projection, statistics  # noqa: E402
from services.deadline.statistics import Vocabulary  # noqa: E402
from services.deadline.thresholds import Settings  # noqa: E402

RABBIT_API = "http://guest:guest@127.0.0.1:15672"
TODAY = date(2026, 6, 30)
SETTINGS = Settings(10, 5, 1)
SUMMARY = rulebook_summary(load_rulebook(ROOT / "services/case/rulebook.yaml"))
BOOK = Vocabulary.from_rulebook(SUMMARY)
LEADER = Actor(1, "leader", 1)
CODES = ["SERVE", "ANNOUNCE", "COPY", "ARCHIVE", "TREATMENT", "ORG_HANDLING", "ASSETS", "LETTERS", "REPORT",
         "EDU_VISIT"]
NAMES = ["送达", "宣布", "抄送", "归档", "调整待遇", "组织处理", "涉案财物收缴退赔", "落实“三书”", "执行情况报告", "教育回访"]
QUERIES = {"cube unit × month": {"by": "unit,month"}, "cube code × sanction_type": {"by": "code,sanction_type"}}

FILL = [
    ("stat_decision", """
INSERT INTO stat_decision (decision_id, unit_id, decision_date, decision_month, category, party_type, government_type,
                           completed)
SELECT n, n % :units + 1, day, EXTRACT(YEAR FROM day) * 100 + EXTRACT(MONTH FROM day),
       (ARRAY['公务员','参照公务员法管理','事业单位','国有企业','村(社区)干部','其他'])[n % 6 + 1],
       CASE WHEN n % 4 = 0 THEN NULL
            ELSE (ARRAY['警告','严重警告','撤销党内职务','留党察看','开除党籍'])[n / 4 % 5 + 1] END,
       CASE WHEN n % 4 = 0 OR n % 3 = 0
            THEN (ARRAY['警告','记过','记大过','降级','撤职','开除'])[n / 7 % 6 + 1] END,
       false
FROM (SELECT n, DATE '2023-07-01' + ((n - 1) * 1095 / (:decisions - 1))::int AS day
      FROM generate_series(1, :decisions) AS n) AS days"""),
    ("deadline", """
INSERT INTO deadline (item_id, decision_id, unit_id, code, name, state, item_version, due_date, target_date,
                      last_activity_on, warned, gate_reached, category, party_type, government_type, approved_on,
                      due_month)
SELECT item_id, decision_id, unit_id, code, name, state, 1, due, CASE WHEN state = 'rejected' THEN due + 20 ELSE due END,
       LEAST(due, DATE :today), false, false, category, party_type, government_type,
       CASE WHEN state = 'approved' THEN due + (h * 3 % 25) - 15 END,
       EXTRACT(YEAR FROM due) * 100 + EXTRACT(MONTH FROM due)
FROM (SELECT d.decision_id * 10 + k AS item_id, d.decision_id, d.unit_id, d.category, d.party_type,
             d.government_type, (:codes)[k + 1] AS code, (:names)[k + 1] AS name,
             d.decision_date + 30 + k * 15 AS due, (d.decision_id * 7 + k * 13) % 100 AS h,
             CASE WHEN d.decision_date + 30 + k * 15 < DATE :today - 90 AND (d.decision_id * 7 + k * 13) % 100 < 95
                       THEN 'approved'
                  WHEN (d.decision_id * 7 + k * 13) % 100 < 55 THEN 'approved'
                  WHEN (d.decision_id * 7 + k * 13) % 100 < 65 THEN 'submitted'
                  WHEN (d.decision_id * 7 + k * 13) % 100 < 70 THEN 'rejected'
                  WHEN (d.decision_id * 7 + k * 13) % 100 < 88 THEN 'open'
                  ELSE 'locked' END AS state
      FROM stat_decision d CROSS JOIN generate_series(0, 9) AS k) AS items"""),
    ("stat_review approvals", """
INSERT INTO stat_review (report_id, item_id, decision_id, unit_id, code, reviewed_on, review_month, outcome,
                         problem, category, party_type, government_type)
SELECT item_id * 2, item_id, decision_id, unit_id, code, approved_on,
       EXTRACT(YEAR FROM approved_on) * 100 + EXTRACT(MONTH FROM approved_on), 'approved', NULL, category,
       party_type, government_type
FROM deadline WHERE approved_on IS NOT NULL"""),
    ("stat_review rejections", """
INSERT INTO stat_review (report_id, item_id, decision_id, unit_id, code, reviewed_on, review_month, outcome,
                         problem, category, party_type, government_type)
SELECT item_id * 2 + 1, item_id, decision_id, unit_id, code, day, EXTRACT(YEAR FROM day) * 100 + EXTRACT(MONTH FROM day),
       'rejected',
       (ARRAY['以送达代替宣布','送达部门遗漏','本人不表态','投档不及时','执行不报告','年度考核运用不规范',
              '两书落实不及时','违纪所得未退缴','证明材料不全'])[item_id % 9 + 1],
       category, party_type, government_type
FROM (SELECT *, COALESCE(approved_on - 10, due_date - 5) AS day FROM deadline
      WHERE state = 'rejected' OR (approved_on IS NOT NULL AND item_id % 7 = 0)) AS rejected"""),
    ("stat_guidance", """
INSERT INTO stat_guidance (guidance_id, unit_id, decision_id, item_id, issued_on, issued_month)
SELECT g, g % :units + 1, g * 12, NULL, day, EXTRACT(YEAR FROM day) * 100 + EXTRACT(MONTH FROM day)
FROM (SELECT g, DATE '2023-07-01' + (g * 1095 / 8000) AS day FROM generate_series(1, 8000) AS g) AS days"""),
    ("completed decisions", """
UPDATE stat_decision SET completed = true
WHERE decision_id NOT IN (SELECT decision_id FROM deadline WHERE state <> 'approved')"""),
]


def fill(engine, decisions, units):
    params = {"decisions": decisions, "units": units, "today": TODAY.isoformat(), "codes": CODES, "names": NAMES}
    for label, sql in FILL:
        started = time.perf_counter()
        with engine.begin() as conn:
            count = conn.execute(text(sql), params).rowcount
        print(f"  filled {label:<24} {count:>10,} rows in {time.perf_counter() - started:5.1f} s", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        started = time.perf_counter()
        conn.execute(text("VACUUM ANALYZE"))
        print(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s", flush=True)


def p(latencies, q):
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def timed(work, runs):
    work()                                 # warm: the plan cache and the buffers
    latencies = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        latencies.append(time.perf_counter() - started)
    return latencies


def in_process(engine, runs):
    session = sessionmaker(bind=engine)()
    jobs = {label: (lambda q=q: statistics.cube(session, SETTINGS, BOOK, LEADER, TODAY, q))
            for label, q in QUERIES.items()}
    jobs["dashboard (12 months)"] = lambda: statistics.dashboard(session, SETTINGS, BOOK, LEADER, TODAY, {})
    figures = {label: timed(job, runs) for label, job in jobs.items()}
    with engine.connect() as conn:
        floor = {"SELECT count(*) FROM deadline": timed(
                     lambda: conn.execute(text("SELECT count(*) FROM deadline")).scalar(), runs),
                 "SELECT unit_id, count(*) FROM deadline GROUP BY unit_id": timed(
                     lambda: conn.execute(text("SELECT unit_id, count(*) FROM deadline GROUP BY unit_id")).all(), runs)}
    sizes = {label: len(answer["data"]) if "data" in answer else None
             for label, answer in ((label, job()) for label, job in jobs.items())}
    session.close()
    return figures, floor, sizes, jobs


def plans(engine, jobs):
    """EXPLAIN ANALYZE of every statement each job sends, as sent."""
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        captured.append(cursor.mogrify(statement, parameters).decode())

    found = {}
    for label, job in jobs.items():
        captured.clear()
        event.listen(engine, "before_cursor_execute", capture)
        try:
            job()
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        statements = [s for s in captured if s.lstrip().upper().startswith("SELECT")]
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            found[label] = []
            for statement in statements:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
                found[label].append([row[0] for row in cursor.fetchall()])
        finally:
            raw.close()
    return found


# -- the services as processes ---------------------------------------------------------------------
class RulebookCase:
    """Stands in for case at deadline's start-up: the rule book, nothing else."""
    name = "case"

    @rpc
    def rulebook_summary(self, actor):
        return SUMMARY


def make_vhost():
    from nameko.testing.rabbit import Client
    client = Client(RABBIT_API)
    vhost = f"bench_{uuid.uuid4().hex[:8]}"
    client.create_vhost(vhost)
    client.set_vhost_permissions(vhost, "guest", ".*", ".*", ".*")
    return client, vhost


def start_services(db_url, vhost):
    env = dict(os.environ, AMQP_URI=f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}", DEADLINE_DB_URL=db_url,
               CLOCK_TODAY=TODAY.isoformat(), PYTHONWARNINGS="ignore", LOG_LEVEL="ERROR")
    nameko = str(ROOT / ".venv/bin/nameko")
    procs = {target: subprocess.Popen([nameko, "run", "--config", "config.yaml", target], env=env, cwd=ROOT,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for target in ("bench.bench_stats:RulebookCase", "services.deadline.service:DeadlineService",
                            "bench.floor:PingService")}
    return env, procs


def wait_ready(amqp_uri, timeout=90):
    from nameko.standalone.rpc import ClusterRpcProxy
    started = time.time()
    while time.time() - started < timeout:
        try:
            with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=5) as cluster:
                cluster.deadline.health()
                cluster.bench_ping.ping(0)
                return
        except Exception:
            time.sleep(0.5)
    raise SystemExit("the deadline service did not start")


def over_rpc(amqp_uri, runs):
    from nameko.standalone.rpc import ClusterRpcProxy
    actor = LEADER.dump()
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=60) as cluster:
        jobs = {label: (lambda q=q: cluster.deadline.cube(actor, q)) for label, q in QUERIES.items()}
        jobs["dashboard (12 months)"] = lambda: cluster.deadline.dashboard(actor, {})
        figures = {label: timed(job, runs) for label, job in jobs.items()}
        floor = timed(lambda: cluster.bench_ping.ping(1), max(runs, 50))
    return figures, floor


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- events ------------------------------------------------------------------------------------------
def now():
    return datetime.now(timezone.utc).replace(tzinfo=None).isoformat()


def decision_events(first, count):
    for n in range(first, first + count):
        yield "case", "decision_registered", {
            "event_id": f"bench-reg-{n}", "event_type": "decision_registered", "occurred_at": now(),
            "decision_id": n, "unit_id": n % 300 + 1, "decision_date": "2026-06-01", "category": "公务员",
            "sanctions": [{"kind": "party", "type": "警告"}, {"kind": "government", "type": "记过"}],
            "items": [{"item_id": n * 10 + k, "decision_id": n, "unit_id": n % 300 + 1, "code": CODES[k],
                       "name": NAMES[k], "state": "open" if k == 0 else "locked", "version": 1,
                       "due_date": "2026-07-01", "opens_on": None} for k in range(10)]}


def outcome_events(first, count):
    for n in range(first, first + count):
        unit = n % 300 + 1
        for k in range(10):
            yield "review", "item_approved", {
                "event_id": f"bench-ok-{n}-{k}", "event_type": "item_approved", "occurred_at": now(),
                "report_id": n * 20 + k, "item_id": n * 10 + k, "decision_id": n, "unit_id": unit,
                "code": CODES[k], "name": NAMES[k], "reviewed_at": "2026-06-20T02:00:00", "item_version": 3}
        yield "review", "item_rejected", {
            "event_id": f"bench-no-{n}", "event_type": "item_rejected", "occurred_at": now(),
            "report_id": n * 20 + 19, "item_id": n * 10 + 1, "decision_id": n, "unit_id": unit, "code": CODES[1],
            "name": NAMES[1], "reviewed_at": "2026-06-18T02:00:00", "problem_category": "本人不表态",
            "rectify_by": "2026-07-10", "item_version": 2}
        yield "case", "decision_completed", {"event_id": f"bench-done-{n}", "event_type": "decision_completed",
                                              "occurred_at": now(), "decision_id": n, "unit_id": unit}
        if n % 5 == 0:
            yield "review", "guidance_issued", {
                "event_id": f"bench-g-{n}", "event_type": "guidance_issued", "occurred_at": now(),
                "guidance_id": n, "unit_id": unit, "decision_id": n, "item_id": None, "text": "请按期整改",
                "issued_at": "2026-06-21T02:00:00"}


def publish(amqp_uri, events):
    from nameko.standalone.events import event_dispatcher
    dispatch = event_dispatcher({"AMQP_URI": amqp_uri})
    count = 0
    for source, event_type, payload in events:
        dispatch(source, event_type, payload)
        count += 1
    return count


def processed(engine, prefix):
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM processed_event WHERE event_id LIKE :p"),
                            {"p": prefix + "%"}).scalar()


def wait_applied(engine, prefix, target, timeout=300):
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if processed(engine, prefix) >= target:
            return
        time.sleep(0.05)
    raise SystemExit(f"only {processed(engine, prefix)} of {target} handler applications of {prefix}")


def through_rabbitmq(engine, amqp_uri, deadline_pid, first, count):
    """Phase 1: decisions; phase 2: their outcomes.  Events per second from the first publish
    to the last application, and the deadline process's CPU seconds meanwhile."""
    phases = []
    for label, events, applications in (
            ("decision_registered (10 items each)", list(decision_events(first, count)), count),
            ("approvals, rejections, completions, guidance", list(outcome_events(first, count)), None)):
        # A rejection is heard by two handlers (its countdown, its review): count applications.
        expected = applications or sum(2 if e[1] == "item_rejected" else 1 for e in events)
        prefix = "bench-reg-" if applications else "bench-"
        already = processed(engine, prefix) if not applications else 0
        cpu, started = cpu_seconds(deadline_pid), time.perf_counter()
        published = publish(amqp_uri, events)
        published_in = time.perf_counter() - started
        wait_applied(engine, prefix, already + expected)
        elapsed = time.perf_counter() - started
        phases.append((label, published, expected, published_in, elapsed, cpu_seconds(deadline_pid) - cpu))
    return phases


def without_broker(engine, first, count):
    """The same events through the same handlers' code (inbox.apply), no broker, one at a time."""
    from zoneinfo import ZoneInfo
    zone = ZoneInfo("Asia/Shanghai")
    uow = UnitOfWork(sessionmaker(bind=engine, expire_on_commit=False)(), lambda rows: None)
    work = {
        "decision_registered": lambda p: ("on_decision_registered", "registered",
                                          lambda: projection.on_decision_registered(uow, SETTINGS, TODAY, p)),
        "item_approved": lambda p: ("on_item_approved", "stat_approved",
                                    lambda: projection.review_recorded(uow, p, "approved", zone)),
        "item_rejected": lambda p: ("on_rejection_counted", "stat_rejected",
                                    lambda: projection.review_recorded(uow, p, "rejected", zone)),
        "decision_completed": lambda p: ("on_decision_completed", "stat_completed",
                                         lambda: projection.decision_completed(uow, p)),
        "guidance_issued": lambda p: ("on_guidance_issued", "stat_guidance",
                                      lambda: projection.guidance_issued(uow, p, zone)),
    }
    statements, commit_time = [0], [0.0]
    event.listen(engine, "before_cursor_execute", lambda *args: statements.__setitem__(0, statements[0] + 1))
    commit = uow.commit

    def timed_commit():
        started = time.perf_counter()
        commit()
        commit_time[0] += time.perf_counter() - started
    uow.commit = timed_commit
    results = []
    for label, events in (("decision_registered", list(decision_events(first, count))),
                          ("outcomes", list(outcome_events(first, count)))):
        statements[0], commit_time[0] = 0, 0.0
        started = time.perf_counter()
        for _, event_type, payload in events:
            handler, mark, job = work[event_type](payload)
            inbox.apply(uow, handler, f"deadline.{mark}", payload, job)
        results.append((label, len(events), time.perf_counter() - started, statements[0], commit_time[0]))
    uow.close()
    return results


def commit_floor(engine, count=300):
    """One row and a commit, ``count`` times in a row: the floor of one transaction per event."""
    prefix = uuid.uuid4().hex[:8]
    with engine.connect() as conn:
        started = time.perf_counter()
        for n in range(count):
            conn.execute(text("INSERT INTO processed_event (event_id, handler, seen_at) VALUES (:e, 'floor', now())"),
                         {"e": f"floor-{prefix}-{n}"})
            conn.commit()
        return (time.perf_counter() - started) / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--events", type=int, default=1000, help="decisions whose events are published")
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    args = parser.parse_args()
    began = time.perf_counter()
    name, url = fresh_database("bench_stats")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (the machine is shared: compare each "
          f"figure with the floor of its own run)")
    print(f"database {name}: {args.decisions:,} decisions, {args.decisions * 10:,} items, {args.units} units, "
          f"3 years (2023-07-01 … 2026-06-30), today {TODAY}", flush=True)
    rabbit = vhost = None
    procs = {}
    try:
        migrate.upgrade("deadline", url)
        engine = make_engine(url)
        fill(engine, args.decisions, args.units)
        with engine.connect() as conn:
            counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                      for t in ("stat_decision", "deadline", "stat_review", "stat_guidance")}
        print("  rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))

        figures, floor, sizes, jobs = in_process(engine, args.runs)
        print(f"\nin process (services.deadline.statistics), PostgreSQL, p50 / p90 of {args.runs} runs:")
        for label, latencies in figures.items():
            rows = f", {sizes[label]:,} rows" if sizes[label] is not None else ""
            print(f"  {label:<28} p50 {p(latencies, .5):7.1f} ms   p90 {p(latencies, .9):7.1f} ms{rows}")
        print("  floor on the same table, same run:")
        for label, latencies in floor.items():
            print(f"    {label:<56} p50 {p(latencies, .5):7.1f} ms")

        print("\nquery plans (EXPLAIN (ANALYZE, BUFFERS) of each statement as the code sends it):")
        for label, statements in plans(engine, jobs).items():
            print(f"-- {label}: {len(statements)} statements")
            for lines in statements:
                print("   " + "\n   ".join(lines) + "\n")

        rabbit, vhost = make_vhost()
        env, procs = start_services(url, vhost)
        wait_ready(env["AMQP_URI"])
        rpc_figures, rpc_floor = over_rpc(env["AMQP_URI"], args.runs)
        print(f"\nover RPC (deadline as its own nameko process), p50 / p90 of {args.runs} runs:")
        for label, latencies in rpc_figures.items():
            print(f"  {label:<28} p50 {p(latencies, .5):7.1f} ms   p90 {p(latencies, .9):7.1f} ms")
        print(f"  floor: a bare nameko RPC (bench.floor.PingService)   p50 {p(rpc_floor, .5):7.2f} ms")

        first = args.decisions + 1
        phases = through_rabbitmq(engine, env["AMQP_URI"], procs["services.deadline.service:DeadlineService"].pid,
                                  first, args.events)
        print(f"\nevents through RabbitMQ into the projection (deadline process, max_workers "
              f"{os.environ.get('MAX_WORKERS', 10)}, PostgreSQL at {counts['deadline']:,} items):")
        total_events = total_time = 0
        for label, published, applied, published_in, elapsed, cpu in phases:
            total_events, total_time = total_events + published, total_time + elapsed
            print(f"  {label:<46} {published:>6,} events ({applied:,} handler runs) in {elapsed:5.1f} s: "
                  f"{published / elapsed:6.0f} events/s; published in {published_in:4.1f} s "
                  f"({published / published_in:5.0f}/s); deadline CPU {cpu:5.1f} s = "
                  f"{cpu / applied * 1000:4.2f} ms per handler run ({cpu / elapsed:4.0%} of a core)")
        print(f"  all together: {total_events:,} events in {total_time:.1f} s = {total_events / total_time:.0f} events/s "
              f"(target 1,000/s)")
        for target, proc in procs.items():
            proc.terminate()
        for proc in procs.values():
            proc.wait(timeout=15)
        procs = {}
        results = without_broker(engine, first + args.events, args.events)
        print("  the same events in process, no broker (inbox.apply: mark, facts, commit), one at a time:")
        for label, count, elapsed, statements, committing in results:
            print(f"    {label:<24} {count:>6,} events in {elapsed:5.1f} s: {count / elapsed:6.0f} events/s "
                  f"({elapsed / count * 1000:.2f} ms each: {statements / count:.1f} statements, commit "
                  f"{committing / count * 1000:.2f} ms, the rest {(elapsed - committing) / count * 1000:.2f} ms)")
        floor_commit = commit_floor(engine)
        print(f"  floor: one INSERT and COMMIT, in a row: {floor_commit * 1000:.2f} ms "
              f"({1 / floor_commit:.0f} transactions/s on one connection)")
        engine.dispose()
    finally:
        for proc in procs.values():
            proc.terminate()
        if rabbit is not None:
            rabbit.delete_vhost(vhost)
        if not args.keep:
            drop_database(name)
        print(f"load average {os.getloadavg()[0]:.1f}")
        print(f"\nbench_stats took {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
