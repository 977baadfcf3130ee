"""Helpers shared by integration and e2e tests: sample decisions, row counts, the test day."""
import os
from datetime import date

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from services.case.identity import check_character

RESPONSIBLE = "东河区民政局"   # the demo district's responsible unit most tests act in

# "Today" for every service a test starts (CLOCK_TODAY), never the machine's date: a test
# that read the real date went red on 2026-12-01.  ``TEST_TODAY`` runs the suite on another
# day (a December, a 31st, a leap day) to show no test depends on which day it runs;
# a test that needs a particular day says so with ``@pytest.mark.today("YYYY-MM-DD")``.
TODAY = date.fromisoformat(os.environ.get("TEST_TODAY") or "2026-06-15")


def id_number(seed: int) -> str:
    """A valid 身份证号 (GB 11643) that differs per seed."""
    body = f"11010519{80 + seed // 1000 % 20:02d}{seed % 12 + 1:02d}{seed % 28 + 1:02d}{seed % 1000:03d}"
    return body + check_character(body)


def decision_payload(n=1, unit_id=2, **overrides):
    payload = {
        "person": {"name": f"张三{n}", "id_number": id_number(n), "gender": "男", "unit_id": unit_id,
                   "post": "科员", "political_status": "中共党员", "democratic_party": None,
                   "category": "公务员"},
        "doc_number": f"东纪发〔2021〕{n}号", "decided_by": "东河区纪委监委",
        "decision_date": "2021-03-01",
        "sanctions": [{"kind": "party", "type": "留党察看", "months": 12},
                      {"kind": "government", "type": "撤职"}],
        "illicit_gains": {"amount": "12000.00", "disposition": "收缴"},
        "org_handling": ["免职"], "letters": ["纪检监察建议书"], "facts": "违规办理低保……",
    }
    for key, value in overrides.items():
        if key.startswith("person__"):
            payload["person"][key[len("person__"):]] = value
        else:
            payload[key] = value
    return payload


def count_rows(db_url, *tables):
    """Row counts of ``tables`` in a service's database (to prove nothing was written)."""
    engine = create_engine(db_url, poolclass=NullPool)
    with engine.connect() as conn:
        counts = {t: conn.scalar(text(f"SELECT COUNT(*) FROM {t}")) for t in tables}
    engine.dispose()
    return counts


def eventually(fetch, accept, timeout=10.0, interval=0.05):
    """``fetch()`` until ``accept(value)`` holds (events are handled asynchronously)."""
    import time
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if accept(value) or time.monotonic() > deadline:
            return value
        time.sleep(interval)
