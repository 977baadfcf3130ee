"""Sweep time with 10k, 100k and 1M open items on PostgreSQL, 1% of them crossing a
threshold today — and the query plan the sweep relies on.

    .venv/bin/python bench/bench_deadline.py [--sizes 10000,100000,1000000] [--crossing 0.01] [--repeat 1]

Rows are generated in the database (generate_series), each with the ``next_check_on`` the
service would have computed: 1% have been idle for 10 days today (a reminder each), the rest
are reminded on later days.  The sweep runs in process through
the same code as the service (``services.deadline.sweep.sweep``), writing its alerts and
outbox rows; publishing is stubbed (the broker is not what is measured here).  On PostgreSQL a
batch of 1000 is two statements: the claim, then one statement writing the countdowns, the alerts
and the outbox rows (sweep._WRITE_BACK).  The largest size is measured again with a tenth of
the crossings, to show the cost follows the crossings, not the table (target: under 1 s at 1M
items with 1% crossing).
"""
import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.pg import drop_database, fresh_database  # noqa: E402

from services.common import migrate  # noqa: E402
from services.common.db import UnitOfWork, make_engine  # noqa: E402
from services.deadline.sweep import sweep  # noqa: E402
from services.deadline.thresholds import Settings  # noqa: E402

TODAY = date(2026, 11, 24)
SETTINGS = Settings(10, 5, 1)
FILL = """
INSERT INTO deadline (item_id, decision_id, unit_id, code, name, state, due_date, target_date,
                      last_activity_on, warned, gate_reached, next_check_on)
SELECT n, n / 12, n % 40, 'SERVE', '送达', 'open', DATE '2026-12-20', DATE '2026-12-20',
       last_activity, false, false, last_activity + 10
FROM (SELECT n, CASE WHEN n % :every = 0 THEN DATE '2026-11-14'          -- idle 10 days today
                     ELSE DATE '2026-11-15' + (n % 9) END AS last_activity  -- reminded later
      FROM generate_series(1, :n) AS n) AS filled
"""


def measure(size, crossing):
    name, url = fresh_database("bench_deadline")
    try:
        migrate.upgrade("deadline", url)
        engine = make_engine(url)
        every = max(1, round(1 / crossing))
        with engine.begin() as conn:
            conn.execute(text(FILL), {"n": size, "every": every})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE deadline"))   # a settled table, as in service
        with engine.connect() as conn:
            plan = conn.execute(text(
                "EXPLAIN SELECT * FROM deadline WHERE next_check_on <= :d ORDER BY next_check_on "
                "LIMIT 1000 FOR UPDATE SKIP LOCKED"), {"d": TODAY}).scalars().all()
            started = time.perf_counter()
            conn.execute(text("SELECT item_id FROM deadline WHERE next_check_on <= :d"), {"d": TODAY}).all()
            query_ms = (time.perf_counter() - started) * 1000
        session = sessionmaker(bind=engine, expire_on_commit=False)()
        uow = UnitOfWork(session, lambda rows: None)
        started = time.perf_counter()
        handled = sweep(uow, SETTINGS, TODAY)
        elapsed = time.perf_counter() - started
        uow.close()
        with engine.connect() as conn:
            raised = conn.execute(text("SELECT count(*) FROM alert")).scalar()
            events = conn.execute(text("SELECT count(*) FROM outbox")).scalar()
            # The floor: the database rewriting the same rows once, in one bare UPDATE (rolled back).
            started = time.perf_counter()
            conn.execute(text("UPDATE deadline SET level = level WHERE item_id IN (SELECT item_id FROM alert)"))
            floor = time.perf_counter() - started
            conn.rollback()
        engine.dispose()
        # One alert and one event per crossing, and as many crossings as were filled.
        assert raised == events == handled == size // every, (raised, events, handled)
        return handled, elapsed, query_ms, plan, floor
    finally:
        drop_database(name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--crossing", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each size (the median is printed)")
    args = parser.parse_args()
    plan = None
    sizes = sorted(int(s) for s in args.sizes.split(","))
    for size, crossing in [(size, args.crossing) for size in sizes] + [(sizes[-1], args.crossing / 10)]:
        runs = [measure(size, crossing) for _ in range(args.repeat)]
        handled, _, query_ms, plan, _ = runs[0]
        elapsed = statistics.median(run[1] for run in runs)
        floor = statistics.median(run[4] for run in runs)
        spread = f" (runs {', '.join(f'{run[1]:.2f}' for run in runs)})" if args.repeat > 1 else ""
        print(f"open items {size:>9,}: {handled:>6,} reminders raised, sweep {elapsed:6.2f} s{spread} "
              f"({elapsed / max(handled, 1) * 1000:.3f} ms per crossing; finding them: {query_ms:6.1f} ms; "
              f"floor, one bare UPDATE of those rows: {floor * 1000:6.1f} ms; load average {os.getloadavg()[0]:.1f})")
    print("query plan of the sweep's claim, at the largest size:\n  " + "\n  ".join(plan))


if __name__ == "__main__":
    main()
