"""Reads at national scale on PostgreSQL: 1M decisions with 10M execution items — decision
detail, a filtered paged list, the review queue and the alerts — in process and over RPC,
each beside the bare nameko RPC floor measured in the same run (target: p50 within 3x).

    .venv/bin/python bench/bench_reads.py [--decisions 1000000] [--rounds 25] [--keep] [--reuse DB]
                                          [--compare-indexes]

1. Fill.  One fresh database with a schema per service (case, review, deadline), each migrated
   to head, filled in the database itself (INSERT … SELECT over generate_series: no rows cross
   the wire), each table's secondary indexes dropped before and built after from their own
   definitions, foreign keys not checked while filling; then VACUUM ANALYZE.  Per decision: a
   person, one or two sanctions, an impact period, ten execution items (10M) with a transition
   each (10M); a report per item reported (about 8.5M, about 100k waiting for review); a
   countdown per item (10M), about 1.3M of them open, some reminded, warned or overdue.  300
   units over three years; 70% of the decisions completed.  The fill's time is printed (target:
   about 10 minutes).  ``--keep`` keeps the database, ``--reuse DB`` measures one kept before.
2. In process: each read through the service's own code (``execution.get_decision`` and
   ``list_decisions`` with the RPC's dumps, ``records.queue``, ``sweep.alerts``) on a fresh
   session per call, in interleaved rounds with random decisions, units and pages.
3. Over RPC: case, review and deadline as ``nameko run`` processes on that database in a fresh
   vhost, with the ping service of bench/floor.py; the same reads, interleaved with a bare
   ping each round (the floor), p50 and p90.
4. The plans: EXPLAIN (ANALYZE, BUFFERS) of every statement the list, the queue and the alerts
   send, as sent.
5. ``--compare-indexes``: case's reads without and with the list's indexes (migration
   e7a3b9c1d4f2), in alternating blocks: dropped and built again between blocks, and there at
   the end.
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pg import PG_ADMIN, drop_database, fresh_database  # noqa: E402

from bench.bench_registration import make_vhost, pct  # noqa: E402
from services.common import migrate  # noqa: E402
from services.common.actor import Actor  # noqa: E402
from services.common.db import make_engine  # noqa: E402

TODAY = date(2026, 6, 30)
UNITS = 300
SERVICES = ("case", "review", "deadline")
REVIEWER = Actor(user_id=1, role="reviewer", unit_id=1)
CODES = ["SERVE", "ANNOUNCE", "COPY", "ARCHIVE", "TREATMENT", "ORG_HANDLING", "ASSETS", "LETTERS", "REPORT",
         "EDU_VISIT"]
NAMES = ["送达", "宣布", "抄送", "归档", "调整待遇", "组织处理", "涉案财物收缴退赔", "落实“三书”", "执行情况报告", "教育回访"]
CODE_ARRAY = "ARRAY[" + ",".join(f"'{c}'" for c in CODES) + "]"
NAME_ARRAY = "ARRAY[" + ",".join(f"'{c}'" for c in NAMES) + "]"

# One item (decision n, seq s): its state, shared by case's item, review's report and deadline's
# countdown.  Decisions with n % 10 < 7 are completed (every item approved); of the others, items
# 1-4 are approved, 5-6 open (submitted for one decision in twenty, rejected for another), 7-8
# open, 9-10 locked until 2027.
STATE = """CASE WHEN n % 10 < 7 OR s <= 4 THEN 'approved'
               WHEN s <= 6 THEN CASE n % 20 WHEN 7 THEN 'submitted' WHEN 8 THEN 'rejected' ELSE 'open' END
               WHEN s <= 8 THEN 'open' ELSE 'locked' END"""
DECIDED = "(DATE '2023-07-01' + (n % 1095))"
# Items still to do are due around today (about one in nine overdue); done ones within the year.
DUE = f"""CASE WHEN n % 10 < 7 OR s <= 4 THEN {DECIDED} + 10 * s
               ELSE DATE '{TODAY}' + ((n * 7 + s * 13) % 90) - 10 END"""
ITEMS = "FROM generate_series(1, :d) AS n, generate_series(1, 10) AS s"

FILL = {
    ("case", "person"): """
INSERT INTO person (id, id_number, name, gender, unit_id, post, political_status, democratic_party, category)
SELECT n, '110105' || lpad(n::text, 12, '0'), '张' || (n % 997) || '号', CASE WHEN n % 3 = 0 THEN '女' ELSE '男' END,
       (n + n / 300) % 300 + 1, '科员', '中共党员', NULL,
       (ARRAY['公务员', '参公人员', '事业单位人员', '国企管理人员'])[n % 4 + 1]
FROM generate_series(1, :d) AS n""",
    ("case", "decision"): f"""
INSERT INTO decision (id, person_id, unit_id, doc_number, decided_by, decision_date, illicit_amount,
                      illicit_disposition, org_handling, letters, facts, status, registered_by, created_at)
SELECT n, n, (n + n / 300) % 300 + 1, '东纪发〔' || (2023 + n % 3) || '〕' || n || '号', '东河区纪委监委', {DECIDED},
       CASE WHEN n % 5 = 0 THEN 12000.00 END, CASE WHEN n % 5 = 0 THEN '收缴' END, '["免职"]', '["纪检监察建议书"]',
       '违规办理低保，造成不良影响。', CASE WHEN n % 10 < 7 THEN 'completed' ELSE 'executing' END, 1,
       {DECIDED} + TIME '09:30'
FROM generate_series(1, :d) AS n""",
    ("case", "sanction"): """
INSERT INTO sanction (id, decision_id, kind, type, months)
SELECT 2 * n - 1, n, 'party', (ARRAY['警告', '严重警告', '撤销党内职务', '留党察看', '开除党籍'])[n % 5 + 1],
       (ARRAY[12, 18, 24, 12, 0])[n % 5 + 1] FROM generate_series(1, :d) AS n
UNION ALL
SELECT 2 * n, n, 'government', (ARRAY['警告', '记过', '记大过', '降级', '撤职'])[n % 5 + 1],
       (ARRAY[6, 12, 18, 24, 24])[n % 5 + 1] FROM generate_series(2, :d, 2) AS n""",
    ("case", "impact_period"): f"""
INSERT INTO impact_period (id, decision_id, person_id, kind, sanction_type, starts_on, ends_on, months, stacked,
                           ended_announced_at)
SELECT n, n, n, 'party', '警告', {DECIDED}, {DECIDED} + 365, 12, false,
       CASE WHEN {DECIDED} + 365 <= DATE '{TODAY}' THEN ({DECIDED} + 365)::timestamp END
FROM generate_series(1, :d) AS n""",
    ("case", "execution_item"): f"""
INSERT INTO execution_item (id, decision_id, reform_id, unit_id, code, name, seq, state, version, after, opens_on,
                            due_date, extension_limit, cycle, legal_basis, partners, opened_at)
SELECT (n - 1) * 10 + s, n, NULL, (n + n / 300) % 300 + 1, ({CODE_ARRAY})[s], ({NAME_ARRAY})[s], s, {STATE}, 2,
       CAST(CASE WHEN s > 1 THEN '["SERVE"]' ELSE '[]' END AS json),
       CASE WHEN {STATE} = 'locked' THEN DATE '2027-01-01' END,
       {DUE}, {DUE} + 90, NULL, '[{{"regulation": "P01", "article": 12}}]', '["organization"]',
       CASE WHEN {STATE} <> 'locked' THEN {DECIDED} + TIME '10:00' END
{ITEMS}""",
    ("case", "item_transition"): f"""
INSERT INTO item_transition (id, item_id, from_state, to_state, actor_user_id, actor_role, reason, at)
SELECT (n - 1) * 10 + s, (n - 1) * 10 + s, 'locked', 'open', NULL, 'system', '', {DECIDED} + TIME '10:00'
{ITEMS}""",
    ("review", "report"): f"""
INSERT INTO report (id, item_id, decision_id, reform_id, unit_id, code, item_name, person_name, doc_number,
                    due_date, round, performed_on, evidence, attachments, findings, finding_categories, state,
                    version, submitted_by, submitted_at, reviewed_by, reviewed_at, comment, problem_category,
                    requirement, rectify_by)
SELECT id, id, n, NULL, (n + n / 300) % 300 + 1, code, name, '张' || (n % 997) || '号', '东纪发〔' || (2023 + n % 3) || '〕' || n || '号',
       due, 1, due - 3, '{{"recipients": ["张三", "东河区民政局"], "receipt_signed": true}}', '[]',
       CAST(CASE WHEN finding THEN '[{{"category": "本人不表态", "message": "缺少本人表态"}}]' ELSE '[]' END
            AS json),
       CASE WHEN finding THEN '|本人不表态|' ELSE '' END, state, 1, 2,
       (due - 2) + TIME '15:00' + (id % 3600) * INTERVAL '1 second',
       CASE WHEN state <> 'submitted' THEN 1 END, CASE WHEN state <> 'submitted' THEN (due - 1) + TIME '11:00' END,
       '', CASE WHEN state = 'rejected' THEN '本人不表态' END, CASE WHEN state = 'rejected' THEN '补充本人表态' END,
       CASE WHEN state = 'rejected' THEN DATE '{TODAY}' + 20 END
FROM (SELECT n, (n - 1) * 10 + s AS id, ({CODE_ARRAY})[s] AS code, ({NAME_ARRAY})[s] AS name,
             {STATE} AS state, {DUE} AS due, (n / 20 + s) % 10 = 0 AS finding {ITEMS}) AS item
WHERE state IN ('approved', 'submitted', 'rejected')""",
    ("deadline", "deadline"): f"""
INSERT INTO deadline (item_id, decision_id, reform_id, unit_id, code, name, state, item_version, due_date,
                      target_date, opens_on, last_activity_on, level, reminded_on, warned, overdue_on, gate_reached,
                      next_check_on, category, party_type, government_type, approved_on, due_month)
SELECT id, n, NULL, (n + n / 300) % 300 + 1, code, name, state, 2, due, due,
       CASE WHEN state = 'locked' THEN DATE '2027-01-01' END, last_activity,
       CASE WHEN NOT active THEN NULL WHEN due < DATE '{TODAY}' THEN 'overdue'
            WHEN due <= DATE '{TODAY}' + 5 THEN 'warning' WHEN id % 7 = 0 THEN 'reminder' END,
       CASE WHEN active AND id % 7 = 0 THEN last_activity + 10 END,
       active AND due <= DATE '{TODAY}' + 5 AND due >= DATE '{TODAY}',
       CASE WHEN active AND due < DATE '{TODAY}' THEN DATE '{TODAY}' END, false,
       CASE WHEN active THEN DATE '{TODAY}' + 1 + id % 9 WHEN state = 'locked' THEN DATE '2027-01-01' END,
       (ARRAY['公务员', '参公人员', '事业单位人员', '国企管理人员'])[n % 4 + 1],
       (ARRAY['警告', '严重警告', '撤销党内职务', '留党察看', '开除党籍'])[n % 5 + 1],
       CASE WHEN n % 2 = 0 THEN (ARRAY['警告', '记过', '记大过', '降级', '撤职'])[n % 5 + 1] END,
       CASE WHEN state = 'approved' THEN due - 1 END,
       EXTRACT(YEAR FROM due)::int * 100 + EXTRACT(MONTH FROM due)::int
FROM (SELECT n, (n - 1) * 10 + s AS id, ({CODE_ARRAY})[s] AS code, ({NAME_ARRAY})[s] AS name, {STATE} AS state,
             {STATE} IN ('open', 'rejected') AS active, {DUE} AS due,
             LEAST(DATE '{TODAY}' - 1 - (n + s) % 12, {DUE}) AS last_activity {ITEMS}) AS item""",
}
SEQUENCES = {"case": ("person", "decision", "sanction", "impact_period", "execution_item", "item_transition"),
             "review": ("report",)}

# The list's indexes as case's migration e7a3b9c1d4f2 builds them (--compare-indexes).
LIST_INDEXES = {
    "case": ["CREATE INDEX IF NOT EXISTS ix_decision_date_id ON decision (decision_date DESC, id DESC)",
             "CREATE INDEX IF NOT EXISTS ix_decision_unit_date_id ON decision (unit_id, decision_date DESC, id DESC)"],
}


def schema_url(base, service):
    return f"{base}?options=-csearch_path%3D{service}"


# -- fill ---------------------------------------------------------------------------------------
def fill(base, decisions):
    engine = create_engine(base, poolclass=NullPool)
    with engine.begin() as conn:
        for service in SERVICES:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{service}"'))
    engine.dispose()
    for service in SERVICES:
        migrate.upgrade(service, schema_url(base, service))
    engine = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    timings = {}
    with engine.connect() as conn:
        conn.execute(text("SET session_replication_role = replica"))   # no foreign-key checks while filling
        conn.execute(text("SET synchronous_commit = off"))
        conn.execute(text("SET maintenance_work_mem = '256MB'"))
        for (service, table), statement in FILL.items():
            conn.execute(text(f'SET search_path = "{service}"'))
            started = time.perf_counter()
            indexes = conn.execute(text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = :s AND tablename = :t AND "
                "indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = CAST(:q AS regclass))"),
                {"s": service, "t": table, "q": f'"{service}".{table}'}).all()
            for name, _ in indexes:
                conn.execute(text(f'DROP INDEX "{service}"."{name}"'))
            rows = conn.execute(text(statement), {"d": decisions}).rowcount
            for _, definition in indexes:
                conn.execute(text(definition))
            timings[f"{service}.{table}"] = (rows, time.perf_counter() - started)
            print(f"  filled {service}.{table:<16} {rows:>11,} rows in {timings[f'{service}.{table}'][1]:6.1f} s",
                  flush=True)
        for service, tables in SEQUENCES.items():
            conn.execute(text(f'SET search_path = "{service}"'))
            for table in tables:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
        started = time.perf_counter()
        conn.execute(text("VACUUM ANALYZE"))
        timings["vacuum analyze"] = (0, time.perf_counter() - started)
    engine.dispose()
    return timings


# -- the reads ------------------------------------------------------------------------------------
def reads(decisions, rng):
    """{label: (service, work(session), call(cluster))}: each picks its own random decision,
    unit or page; ``work`` is the service's own code with the RPC's dump."""
    from services.case import execution
    from services.case.rulebook import load_rulebook, rulebook_summary
    from services.case.schemas import DecisionOut, DecisionSummaryOut
    from services.deadline import sweep
    from services.deadline.thresholds import Settings
    from services.review import records

    detail_out, summaries_out = DecisionOut(), DecisionSummaryOut(many=True)
    settings = Settings.from_rulebook(rulebook_summary(load_rulebook(ROOT / "services/case/rulebook.yaml"))["settings"])
    reviewer = REVIEWER.dump()

    def unit():
        return rng.randrange(1, UNITS + 1)

    def operator():
        return Actor(user_id=2, role="operator", unit_id=unit())

    def decision():
        return rng.randrange(1, decisions + 1)

    def by_unit():
        return {"unit_id": unit(), "status": "executing", "page": rng.randrange(1, 6), "per_page": 20}

    def by_sanction():
        return {"sanction": "留党察看", "page": rng.randrange(1, 6), "per_page": 20}

    def listed(session, query):
        page, total = execution.list_decisions(session, REVIEWER, query)
        return {"items": summaries_out.dump(page), "total": total}

    def queue(session, query):
        page, total = records.queue(session, REVIEWER, query)
        return {"items": page, "total": total}

    def queue_of_unit():
        return {"unit_id": unit(), "per_page": 50}

    finding = {"finding": "本人不表态", "per_page": 50}
    return {
        "decision detail": ("case", lambda s: detail_out.dump(execution.get_decision(s, REVIEWER, decision())),
                            lambda c: c.case.get_decision(reviewer, decision())),
        "list: a unit's executing, pages 1-5": ("case", lambda s: listed(s, by_unit()),
                                                lambda c: c.case.list_decisions(reviewer, by_unit())),
        "list: sanction 留党察看, pages 1-5": ("case", lambda s: listed(s, by_sanction()),
                                           lambda c: c.case.list_decisions(reviewer, by_sanction())),
        "list: all, page 1": ("case", lambda s: listed(s, {}), lambda c: c.case.list_decisions(reviewer, {})),
        "review queue: oldest 50": ("review", lambda s: queue(s, {"per_page": 50}),
                                    lambda c: c.review.queue(reviewer, {"per_page": 50})),
        "review queue: a unit's": ("review", lambda s: queue(s, queue_of_unit()),
                                   lambda c: c.review.queue(reviewer, queue_of_unit())),
        "review queue: by finding": ("review", lambda s: queue(s, finding),
                                     lambda c: c.review.queue(reviewer, finding)),
        "alerts: a unit's (operator)": ("deadline", lambda s: _alerts(sweep.alerts(s, settings, operator(), TODAY)),
                                        lambda c: c.deadline.alerts(operator().dump())),
        "alerts: overdue, national (reviewer)": (
            "deadline", lambda s: _alerts(sweep.alerts(s, settings, REVIEWER, TODAY, "overdue")),
            lambda c: c.deadline.alerts(reviewer, "overdue")),
    }


def _alerts(rows):
    return {"items": rows, "total": len(rows)}


def in_process(base, jobs):
    """Each job on a fresh session of its service's engine (as a worker gets one)."""
    makers = {s: sessionmaker(bind=make_engine(schema_url(base, s))) for s in SERVICES}

    def bound(service, work):
        def run():
            with makers[service]() as session:
                return work(session)
        return run
    return {label: bound(service, work) for label, (service, work, _) in jobs.items()}


def interleaved(jobs, rounds, floor=None):
    """Each job once per round, in a shuffled order; seconds per job (and the floor's)."""
    times = {label: [] for label in jobs}
    if floor:
        times["floor"] = []
    order = list(times)
    for _ in range(rounds):
        random.shuffle(order)
        for label in order:
            job = floor if label == "floor" else jobs[label]
            started = time.perf_counter()
            job()
            times[label].append(time.perf_counter() - started)
    return times


def plans(base, jobs):
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT each job sends, as sent."""
    found = {}
    for label, (service, work, _) in jobs.items():
        engine = make_engine(schema_url(base, service))
        captured = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            captured.append(cursor.mogrify(statement, parameters).decode())

        event.listen(engine, "before_cursor_execute", capture)
        try:
            with sessionmaker(bind=engine)() as session:
                work(session)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            found[label] = []
            for statement in captured:
                if statement.lstrip().upper().startswith("SELECT"):
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement)
                    found[label].append((statement, [row[0] for row in cursor.fetchall()]))
        finally:
            raw.close()
        engine.dispose()
    return found


# -- over RPC ----------------------------------------------------------------------------------------
def start_services(base, vhost, workdir):
    env = dict(os.environ, AMQP_URI=f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}",
               CASE_DB_URL=schema_url(base, "case"), REVIEW_DB_URL=schema_url(base, "review"),
               DEADLINE_DB_URL=schema_url(base, "deadline"), CLOCK_TODAY=TODAY.isoformat(),
               ATTACHMENT_DIR=f"{workdir}/attachments", LOG_LEVEL="WARNING", PYTHONWARNINGS="ignore")
    nameko = str(ROOT / ".venv/bin/nameko")
    targets = ("services.case.service:CaseService", "services.review.service:ReviewService",
               "services.deadline.service:DeadlineService", "bench.floor:PingService")
    return env, [subprocess.Popen([nameko, "run", "--config", "config.yaml", t], env=env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for t in targets]


def wait_ready(cluster, timeout=180):
    started = time.time()
    while time.time() - started < timeout:
        try:
            cluster.case.health(), cluster.review.health(), cluster.deadline.health(), cluster.bench_ping.ping(0)
            return
        except Exception:  # not consuming yet
            time.sleep(0.5)
    raise SystemExit("case, review and deadline did not start")


def report(title, times, floor=None):
    print(title)
    for label, values in times.items():
        if label == "floor":
            continue
        p50 = pct(values, .5)
        ratio = f"   {p50 / floor:5.1f}x the floor" if floor else ""
        print(f"  {label:<40} p50 {p50:8.2f} ms  p90 {pct(values, .9):8.2f} ms{ratio}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    parser.add_argument("--reuse", help="a database kept by --keep: no fill")
    parser.add_argument("--compare-indexes", action="store_true", help="also without the list's indexes")
    parser.add_argument("--no-rpc", action="store_true")
    parser.add_argument("--no-plans", action="store_true")
    args = parser.parse_args()
    if args.reuse:
        name, base = args.reuse, PG_ADMIN.rsplit("/", 1)[0] + "/" + args.reuse
    else:
        name, base = fresh_database("bench_reads")
    try:
        if not args.reuse:
            print(f"filling {name}: {args.decisions:,} decisions, {args.decisions * 10:,} items", flush=True)
            started = time.perf_counter()
            fill(base, args.decisions)
            print(f"fill: {time.perf_counter() - started:.0f} s in all (target: about 600 s)", flush=True)
        decisions = args.decisions
        if args.reuse:
            for service in SERVICES:       # the migrations added since the fill
                migrate.upgrade(service, schema_url(base, service))
            engine = create_engine(schema_url(base, "case"), poolclass=NullPool)
            with engine.connect() as conn:
                decisions = conn.execute(text("SELECT max(id) FROM decision")).scalar()
            engine.dispose()
        jobs = reads(decisions, random.Random(18))
        local = in_process(base, jobs)
        answers = {label: job() for label, job in local.items()}     # warm: plans cached, pages read once
        print("answers (rows on the page / total): " + "; ".join(
            f"{label} {len(a['items']) if 'items' in a else 1}/{a.get('total', 1):,}" for label, a in answers.items()))
        report(f"in process, {args.rounds} interleaved rounds:", interleaved(local, args.rounds))
        if not args.no_rpc:
            rpc_side(jobs, args.rounds, base)
        if not args.no_plans:
            for label, found in plans(base, {k: v for k, v in jobs.items() if k != "decision detail"}).items():
                print(f"\nplan: {label}")
                for statement, lines in found:
                    print("  " + " ".join(statement.split())[:400])
                    print("    " + "\n    ".join(lines))
        if args.compare_indexes:
            compare_indexes(base, jobs, args.rounds)
    finally:
        if args.keep or args.reuse:
            print(f"database kept: {name}")
        else:
            drop_database(name)


def compare_indexes(base, jobs, rounds, blocks=6):
    """The case reads without and with the list's indexes, in alternating blocks (each index
    built, or dropped, between blocks), so a busy spell of the machine hits both."""
    engine = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    case_jobs = {label: job for label, job in jobs.items() if job[0] == "case"}
    times = {False: {}, True: {}}

    def indexes(build):
        with engine.connect() as conn:
            for service, statements in LIST_INDEXES.items():
                conn.execute(text(f'SET search_path = "{service}"'))
                for statement in statements:
                    conn.execute(text(statement if build else f"DROP INDEX IF EXISTS {statement.split()[5]}"))
                # Without them, the unit's plain index they replaced is back, as before the migration.
                conn.execute(text("DROP INDEX IF EXISTS ix_decision_unit_id" if build
                                  else "CREATE INDEX IF NOT EXISTS ix_decision_unit_id ON decision (unit_id)"))
                conn.execute(text("ANALYZE decision"))
    for block in range(blocks):
        with_them = block % 2 == 1
        indexes(with_them)
        local = in_process(base, case_jobs)
        for job in local.values():
            job()
        for label, values in interleaved(local, max(1, rounds // blocks * 2)).items():
            times[with_them].setdefault(label, []).extend(values)
    indexes(True)
    engine.dispose()
    print("in process, without / with the list's indexes (" + "; ".join(s for ss in LIST_INDEXES.values() for s in ss)
          + "), alternating blocks:")
    for label in case_jobs:
        print(f"  {label:<40} p50 {pct(times[False][label], .5):8.2f} ms  /  {pct(times[True][label], .5):8.2f} ms")


def rpc_side(jobs, rounds, base):
    from nameko.standalone.rpc import ClusterRpcProxy

    from bench.bench_registration import nameko_rpc_floor
    client, vhost = make_vhost()
    workdir = tempfile.mkdtemp(prefix="bench-reads-")
    env, procs = start_services(base, vhost, workdir)
    try:
        with ClusterRpcProxy({"AMQP_URI": env["AMQP_URI"]}, timeout=120) as cluster:
            wait_ready(cluster)
            remote = {label: (lambda call=call: call(cluster)) for label, (_, _, call) in jobs.items()}
            for job in remote.values():
                job()
            floor_block = nameko_rpc_floor(env["AMQP_URI"], 300)
            times = interleaved(remote, rounds, floor=lambda: cluster.bench_ping.ping(0))
            floor = pct(times["floor"], .5)
            print(f"floor: bare nameko RPC p50 {floor:.2f} ms interleaved with the reads "
                  f"({pct(floor_block, .5):.2f} ms in a block of 300 before them)")
            report(f"over RPC (nameko run case, review, deadline), {rounds} interleaved rounds:", times, floor)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
        client.delete_vhost(vhost)


if __name__ == "__main__":
    main()
