"""GET /api/v1/stats/cube and /stats/dashboard through HTTP, the whole platform running.

- every key of the cube has its Chinese name (units from the gateway's directory, items and
  sanctions from the rule book, months), with totals, as JSON and as an Excel workbook;
- bad input is a 400 naming the parameter, another unit a 404 for an operator, a partner 403,
  and none of them changes anything;
- the seed's headline: the district's demo data (scripts/demo_data.py: its decisions and its
  review plan) walked month by month on the services' clock, and the dashboard reads the
  correction rate falling from 25% to 10% in half a year.
"""
import importlib.util
import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from nameko.testing.utils import get_extension
from sqlalchemy.orm import Session

from gateway.seed import seed
from gateway.service import GatewayService
from services.case.service import CaseService
from services.common.clock import Clock, FixedClock
from services.common.db import make_engine
from services.deadline.service import DeadlineService
from services.notify.service import NotifyService
from services.review.service import ReviewService
from tests.e2e.conftest import ADMIN_PASSWORD, Platform
from tests.helpers import RESPONSIBLE, count_rows, decision_payload, eventually

ROOT = Path(__file__).resolve().parents[2]
SERVE = {"served_on": None, "recipients": ["张三1", RESPONSIBLE], "receipt_signed": True, "unit_seal": True}
DEADLINE_TABLES = ("deadline", "stat_decision", "stat_review", "stat_guidance", "alert", "outbox",
                   "processed_event", "failed_event")


def demo_data():
    spec = importlib.util.spec_from_file_location("demo_data", ROOT / "scripts" / "demo_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def district(platform_config, runner_factory, web_session, web_config_port):
    """The platform with every service on one clock the test moves (``district.clock``)."""
    engine = make_engine(platform_config["GATEWAY_DB_URL"])
    with Session(engine) as session:
        seed(session, ADMIN_PASSWORD)
    engine.dispose()
    runner = runner_factory(platform_config, GatewayService, CaseService, ReviewService, DeadlineService,
                            NotifyService)
    clock = FixedClock(platform_config["CLOCK_TODAY"])
    runner.start()
    for container in runner.containers:
        provider = get_extension(container, Clock)
        if provider is not None:           # the gateway keeps no clock
            provider.clock = clock
    api = Platform(web_session, platform_config)
    api.clock = clock
    api.base = f"http://127.0.0.1:{web_config_port}"     # demo_data calls requests itself
    return api


@pytest.fixture
def api(platform):
    api = platform()
    api.user("lingdao_leader", "leader", "东河区纪委监委案件审理室")
    return api


def registered(api, n, unit_id, **overrides):
    reply = api.post("/api/v1/decisions", "shen", json=decision_payload(n, unit_id=unit_id, **overrides))
    assert reply.status_code == 201, reply.text
    return reply.json()


def settled(api, reviews, decisions):
    """Until deadline has applied every event (the figures are its projection's)."""
    eventually(lambda: api.get("/api/v1/stats/cube", "shen", params={"by": "unit",
                                                                     "measures": "decisions,reviewed"}).json(),
               lambda body: body.get("totals") == {"decisions": decisions, "reviewed": reviews}, timeout=20)
    eventually(lambda: count_rows(api.config["DEADLINE_DB_URL"], "failed_event"),
               lambda counts: counts["failed_event"] == 0, timeout=20)


@pytest.fixture
def walked(api):
    """Two decisions in 民政局, one in 教育局; 民政局's first 送达 rejected, then approved."""
    first = registered(api, 1, api.unit_id)
    registered(api, 2, api.unit_id, sanctions=[{"kind": "government", "type": "警告"}], illicit_gains=None,
               org_handling=[], letters=[], person__category="事业单位")
    registered(api, 3, api.units["东河区教育局"], sanctions=[{"kind": "party", "type": "警告"}],
               illicit_gains=None, org_handling=[], letters=[])
    serve = next(i for i in first["items"] if i["code"] == "SERVE")
    evidence = dict(SERVE, served_on=first["decision_date"])
    for verdict in ("reject", "approve"):
        report = api.post(f"/api/v1/items/{serve['id']}/reports", "min",
                          json={"performed_on": first["decision_date"], "evidence": evidence})
        assert report.status_code == 201, report.text
        body = ({"problem": "送达部门遗漏", "requirement": "补充送达", "rectify_by": api.config["CLOCK_TODAY"]}
                if verdict == "reject" else {"comment": "齐全"})
        assert api.post(f"/api/v1/reports/{report.json()['id']}/{verdict}", "shen", json=body).status_code == 200
    settled(api, 2, 3)
    return first


def test_the_cube_names_every_key_and_totals(api, walked):
    reply = api.get("/api/v1/stats/cube", "shen", params={"by": "unit,code",
                                                            "measures": "items,open,reviewed,rejected,correction_rate"})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["by"] == ["unit", "code"]
    names = {(r["unit_name"], r["code_name"]) for r in body["rows"]}
    assert ("东河区民政局", "送达") in names and ("东河区教育局", "宣布") in names
    serve = next(r for r in body["rows"] if r["unit_name"] == "东河区民政局" and r["code"] == "SERVE")
    assert (serve["items"], serve["reviewed"], serve["rejected"], serve["correction_rate"]) == (2, 2, 1, 0.5)
    assert body["totals"]["reviewed"] == 2 and body["totals"]["items"] == sum(r["items"] for r in body["rows"])
    kinds = api.get("/api/v1/stats/cube", "lingdao_leader", params={"by": "sanction_type,category",
                                                                     "measures": "decisions"}).json()
    assert {(r["sanction_type_name"], r["category_name"], r["decisions"]) for r in kinds["rows"]} == {
        ("党纪·留党察看", "公务员", 1), ("政务·撤职", "公务员", 1), ("政务·警告", "事业单位", 1), ("党纪·警告", "公务员", 1)}
    months = api.get("/api/v1/stats/cube", "shen", params={"by": "month", "measures": "decisions"}).json()
    assert months["rows"] == [{"month": "2021-03", "month_name": "2021年3月", "decisions": 3}]


def test_an_operator_sees_their_own_unit_and_another_is_404(api, walked):
    mine = api.get("/api/v1/stats/cube", "min", params={"by": "unit", "measures": "items"}).json()
    assert [r["unit_name"] for r in mine["rows"]] == [RESPONSIBLE]
    other = api.get("/api/v1/stats/cube", "min", params={"by": "unit", "unit_id": api.units["东河区教育局"]})
    assert other.status_code == 404 and "unit_id" in other.json()["fields"]
    board = api.get("/api/v1/stats/dashboard", "min").json()
    assert [u["unit_name"] for u in board["lights_by_unit"]] == [RESPONSIBLE]


# (who, query, status, the parameter named); OTHER: another unit than the operator's own.
REFUSED = [
    ("shen", {"by": "colour"}, 400, "by"),
    ("shen", {"by": "unit,month,code"}, 400, "by"),
    ("shen", {"by": "unit", "measures": "items,speed"}, 400, "measures"),
    ("shen", {"by": "unit", "from": "2026-06-30", "to": "2026-06-01"}, 400, "from"),
    ("shen", {"by": "unit", "from": "2010-01-01", "to": "2026-06-01"}, 400, "to"),
    ("shen", {"by": "unit", "unit_id": "999"}, 400, "unit_id"),
    ("shen", {"by": "unit", "format": "pdf"}, 400, "format"),
    ("min", {"by": "unit", "unit_id": "OTHER"}, 404, "unit_id"),
    ("zuzhi", {"by": "unit"}, 403, None),
]


def test_bad_input_is_refused_and_changes_nothing(api, walked):
    """One platform for every case (each would otherwise start its own): each refused with its
    status and parameter, and the deadline service's tables as they were."""
    before = count_rows(api.config["DEADLINE_DB_URL"], *DEADLINE_TABLES)
    for user, params, status, field in REFUSED:
        params = {k: (str(api.units["东河区教育局"]) if v == "OTHER" else v) for k, v in params.items()}
        reply = api.get("/api/v1/stats/cube", user, params=params)
        assert reply.status_code == status, (params, reply.text)
        if field:
            assert field in reply.json()["fields"], (params, reply.json())
        assert count_rows(api.config["DEADLINE_DB_URL"], *DEADLINE_TABLES) == before, params


def test_a_partner_has_no_dashboard(api):
    assert api.get("/api/v1/stats/dashboard", "zuzhi").status_code == 403
    assert api.get("/api/v1/stats/dashboard", "shen", params={"months": "1"}).status_code == 400


def test_the_cube_as_an_excel_workbook(api, walked):
    reply = api.get("/api/v1/stats/cube", "shen", params={"by": "unit", "measures": "items,correction_rate",
                                                            "from": "2021-01-01", "format": "xlsx"})
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in reply.headers["Content-Disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(reply.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "多维分析：单位"
    assert "起始日期：2021-01-01" in rows[1][0]
    assert rows[2] == ("单位", "执行事项数", "纠错率")
    assert rows[3][0] == RESPONSIBLE and rows[3][2] == 0.5
    assert rows[-1][0] == "合计"


@pytest.mark.today("2026-06-15")
def test_the_seed_headline_reads_off_the_dashboard_for_the_demo_district(district):
    """The demo's decisions and review plan, each month's reviews made on that month's 10th
    (the last on the 15th of June): 纠错率 1/4, 1/5, 1/6, 1/7, 1/8, 1/10."""
    demo = demo_data()
    api = district
    start = date(2026, 1, 5)
    api.clock.set(start)
    for doc, decided, who, sanctions, gains, org, letters, facts in demo.decisions(api.units, start):
        reply = api.post("/api/v1/decisions", "shen", json={
            "person": who, "doc_number": doc, "decided_by": "东河区纪委监委", "decision_date": decided,
            "sanctions": sanctions, "illicit_gains": gains, "org_handling": org, "letters": letters,
            "facts": facts})
        assert reply.status_code == 201, reply.text
    operators = {}
    for unit_name, username in demo.OPERATORS.items():
        api.user(username, "operator", unit_name)
        operators[api.units[unit_name]] = api.headers(username)

    def on_month(months_ago):
        day = date(2026, 6, 15) if months_ago == 0 else date(2026, 6 - months_ago, 10)
        api.clock.set(day)
        return day

    made = demo.review_history(api.base, api.headers("shen"), operators,
                               {i: n for n, i in api.units.items()}, on_month=on_month)
    planned = sum(reviews for _, reviews, _ in demo.REVIEW_PLAN)
    assert made == planned
    settled(api, planned, 7)
    board = api.get("/api/v1/stats/dashboard", "shen", params={"months": "6"}).json()
    trend = [(m["month_name"], m["reviewed"], m["rejected"], m["correction_rate"]) for m in board["correction_trend"]]
    assert trend == [("2026年1月", 4, 1, 0.25), ("2026年2月", 5, 1, 0.2), ("2026年3月", 6, 1, 0.1667),
                     ("2026年4月", 7, 1, 0.1429), ("2026年5月", 8, 1, 0.125), ("2026年6月", 10, 1, 0.1)]
    head = board["headline"]
    assert head["correction_rate"]["correction_rate"] == 0.1
    assert head["correction_rate_last_month"]["correction_rate"] == 0.125
    assert head["correction_rate_change"] == -0.025
    assert head["decisions_executing"] == 7
    assert {c["problem_name"] for c in board["rejection_categories"]} <= set(demo.PROBLEMS)
    assert all(u["unit_name"] for u in board["lights_by_unit"] + board["units_by_on_time_rate"])
    # The cube reads the same months.
    months = api.get("/api/v1/stats/cube", "shen", params={"by": "month", "measures": "reviewed,correction_rate",
                                                             "from": "2026-01-01", "to": "2026-06-30"}).json()
    assert [(r["month"], r["correction_rate"]) for r in months["rows"]] == [
        ("2026-01", 0.25), ("2026-02", 0.2), ("2026-03", 0.1667), ("2026-04", 0.1429), ("2026-05", 0.125),
        ("2026-06", 0.1)]
