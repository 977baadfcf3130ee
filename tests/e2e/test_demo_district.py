"""The demo district (issue 15): ``make run`` loads its records through the batch import.

scripts/district_records.xlsx is what scripts/district_records.py writes (the same bytes again),
in the seed's proportions: 107 people, 208 records since 2018, and three rows with deliberate
mistakes.  scripts/demo_data.py imports it (the refused rows named), then walks its decisions,
reviews and reform cases as before; a second run loads nothing.  Services run on 2026-12-01,
the day after the workbook's records end.
"""
import importlib.util
import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.helpers import count_rows

ROOT = Path(__file__).resolve().parents[2]
WORKBOOK = ROOT / "scripts" / "district_records.xlsx"


def script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_workbook_is_the_generators_and_in_the_seeds_proportions():
    generator = script("district_records")
    assert generator.build() == WORKBOOK.read_bytes(), "scripts/district_records.xlsx is stale: run the script"
    book = load_workbook(io.BytesIO(WORKBOOK.read_bytes()), read_only=True)
    rows = [r for r in book["处分决定"].iter_rows(min_row=2, values_only=True) if any(r)]
    header = [c.value for c in next(book["处分决定"].iter_rows(max_row=1))]
    notes = [r[header.index("备注")] for r in rows]
    valid = [r for r, note in zip(rows, notes) if not note]
    assert len(rows) == 211 and len(valid) == 208 and sum(1 for n in notes if n and n.startswith("示范")) == 3
    assert len({r[header.index("身份证号")] for r in valid}) == 107
    days = [r[header.index("决定日期")].date() for r in valid]
    assert min(days) >= date(2018, 1, 1) and max(days) <= generator.AS_OF
    assert {"东纪发〔2026〕31号", "东纪发〔2026〕35号", "东纪发〔2025〕88号"} <= {r[header.index("文号")] for r in valid}
    book.close()


@pytest.fixture
def district(platform, web_config_port):
    api = platform()
    api.base = f"http://127.0.0.1:{web_config_port}"       # demo_data calls requests itself
    return api


@pytest.mark.today("2026-12-01")
def test_demo_data_loads_the_district_through_the_import_then_walks_it(district):
    demo, api = script("demo_data"), district
    for username, name, role, unit in demo.USERS:
        api.post("/api/v1/users", "admin", json={"username": username, "password": demo.DEMO_PASSWORD, "name": name,
                                                 "role": role, "unit_id": api.units[unit]})
    reviewer = demo.login(api.base, "shen", demo.DEMO_PASSWORD)
    result = demo.import_records(api.base, reviewer)
    assert (result["rows"], result["created"], result["skipped"], result["invalid"]) == (211, 208, 0, 3)
    assert {(e["sheet"], e["column"]) for e in result["errors"]} == {
        ("处分决定", "身份证号"), ("处分决定", "所在单位"), ("处分决定", None), ("执行进度", "办结日期")}
    case = count_rows(api.config["CASE_DB_URL"], "person", "decision")
    assert case == {"person": 107, "decision": 208}
    listed = api.http.get("/api/v1/decisions", headers=reviewer, params={"per_page": 200}).json()
    assert listed["total"] == 208
    completed = api.http.get("/api/v1/decisions", headers=reviewer, params={"status": "completed"}).json()["total"]
    assert 150 < completed < 208                       # most done, some still executing
    # The walk-through, the review plan and the reform cases, as make run does them.
    demo.walk_some_items(api.base, reviewer)
    operators = {api.units[unit]: demo.login(api.base, username, demo.DEMO_PASSWORD)
                 for unit, username in demo.OPERATORS.items()}
    made = demo.review_history(api.base, reviewer, operators, {i: n for n, i in api.units.items()})
    assert made == sum(reviews for _, reviews, _ in demo.REVIEW_PLAN)
    assert demo.reform_cases(api.base, reviewer, operators, api.units, date(2026, 12, 1)) == 2
    # Loading again registers nothing.
    again = demo.import_records(api.base, reviewer)
    assert (again["created"], again["skipped"], again["invalid"]) == (0, 208, 3)
    assert count_rows(api.config["CASE_DB_URL"], "decision")["decision"] == 208
