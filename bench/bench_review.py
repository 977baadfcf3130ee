"""The review queue and the review figures on PostgreSQL with 10k, 100k and 1M reports
(1% waiting for review, 10% of all with a pre-check finding, 20% of the reviewed rejected),
and the query plan the queue relies on.

    .venv/bin/python bench/bench_review.py [--sizes 10000,100000,1000000] [--repeat 20]

Rows are generated in the database (generate_series); the queue and the figures run in
process through the service's own code (``records.queue``, ``figures.review_figures``).
A province reviews a few hundred thousand reports a year: 1M is a few years of history.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_deadline import drop_database, fresh_database  # noqa: E402
from services.common import migrate  # noqa: E402
from services.common.actor import Actor  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.review.figures import review_figures  # noqa: E402
from services.review.records import queue  # noqa: E402

REVIEWER = Actor(user_id=1, role="reviewer", unit_id=1)
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
    name, url = fresh_database()
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
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
