"""The statistics routes with a mocked deadline proxy (no broker): the query goes to deadline
with the actor first; unit names come from the gateway's directory; bad units and formats are
400 before deadline is asked; ``format=xlsx`` is a workbook of the same rows; and the Excel
helper keeps dates as dates and rates as percentages."""
import io
import json
from datetime import datetime

import openpyxl
import pytest
from nameko.testing.services import worker_factory
from werkzeug.test import EnvironBuilder

from gateway.models import Base as GatewayBase
from gateway.models import Unit
from gateway.service import GatewayService
from gateway.xlsx import XLSX_MIMETYPE, Column, Sheet, workbook_bytes
from services.common.errors import Forbidden, ValidationFailed
from tests.fakes import FakeUnitOfWork

REVIEWER = {"user_id": 1, "role": "reviewer", "unit_id": 1, "partner_role": None}
OPERATOR = {"user_id": 2, "role": "operator", "unit_id": 2, "partner_role": None}
PARTNER = {"user_id": 3, "role": "partner", "unit_id": 3, "partner_role": "organization"}

# deadline's compact answer (services.deadline.statistics.expand makes it rows).
CUBE = {"by": ["unit", "month"], "measures": ["items", "on_time_rate"],
        "columns": ["unit", "month", "items", "on_time_rate"],
        "data": [[2, "2026-06", 5, 0.25], [9, "2026-06", 1, None]],
        "names": {"unit": [[2, None], [9, None]], "month": [["2026-06", "2026年6月"]]},
        "totals": {"items": 6, "on_time_rate": 0.25}, "not_applicable": [], "as_of": "2026-06-15",
        "filters": {"from": "2026-01-01", "to": None, "unit_id": None, "sanction": None,
                    "sanction_name": None, "category": None},
        "labels": {"dimensions": {"unit": "单位", "month": "月份"},
                   "measures": {"items": "执行事项数", "on_time_rate": "按期办结率"}}}


def compact(by, rows):
    return {"by": by, "measures": [], "columns": by, "data": rows,
            "names": {d: [[r[i], None] for r in rows] for i, d in enumerate(by)}, "filters": {}}


class StubAuth:
    def __init__(self, user):
        self.user = user

    def actor(self, request, *roles):
        if roles and self.user["role"] not in roles:
            raise Forbidden("当前角色无权执行此操作", {"role": [self.user["role"]]})
        return dict(self.user)


@pytest.fixture
def gateway_db():
    uow = FakeUnitOfWork(GatewayBase.metadata)
    uow.session.add_all([Unit(id=1, name="东河区纪委监委案件审理室", kind="review"),
                         Unit(id=2, name="东河区民政局", kind="responsible"),
                         Unit(id=3, name="中共东河区委组织部", kind="partner", partner_role="organization")])
    uow.session.commit()
    yield uow
    uow.dispose()


@pytest.fixture
def as_user(gateway_db):
    return lambda user: worker_factory(GatewayService, auth=StubAuth(user), db=gateway_db)


def get(path, **query):
    return EnvironBuilder(method="GET", path=path, query_string=query).get_request()


def test_the_cube_asks_deadline_with_the_actor_and_names_the_units(as_user):
    gateway = as_user(REVIEWER)
    gateway.deadline.cube.return_value = json.loads(json.dumps(CUBE))
    response = gateway.stats_cube(get("/api/v1/stats/cube", by="unit,month", measures="items,on_time_rate"))
    assert response.status_code == 200
    actor, query, kinds = gateway.deadline.cube.call_args.args
    assert actor == REVIEWER and query == {"by": "unit,month", "measures": "items,on_time_rate"}
    assert kinds is None
    body = json.loads(response.get_data(as_text=True))
    assert [r["unit_name"] for r in body["rows"]] == ["东河区民政局", "单位9"]


def test_unit_kind_passes_the_directorys_kinds(as_user):
    gateway = as_user(REVIEWER)
    gateway.deadline.cube.return_value = compact(["unit_kind"], [["responsible"]])
    answer = json.loads(gateway.stats_cube(get("/api/v1/stats/cube", by="unit_kind")).get_data(as_text=True))
    assert gateway.deadline.cube.call_args.args[2] == {"1": "review", "2": "responsible", "3": "partner"}
    assert answer["rows"][0]["unit_kind_name"] == "主体责任部门"


@pytest.mark.parametrize("query, field", [({"unit_id": "77"}, "unit_id"), ({"unit_id": "abc"}, "unit_id"),
                                          ({"format": "pdf"}, "format")])
def test_an_unknown_unit_or_format_is_400_before_deadline_is_asked(as_user, query, field):
    gateway = as_user(REVIEWER)
    with pytest.raises(ValidationFailed) as refused:
        gateway.stats_cube(get("/api/v1/stats/cube", by="unit", **query))
    assert field in refused.value.fields
    assert not gateway.deadline.cube.called


def test_a_partner_is_403_and_deadline_is_not_asked(as_user):
    gateway = as_user(PARTNER)
    for route, path in ((gateway.stats_cube, "/api/v1/stats/cube"), (gateway.stats_dashboard, "/api/v1/stats/dashboard")):
        with pytest.raises(Forbidden):
            route(get(path, by="unit"))
    assert not gateway.deadline.cube.called and not gateway.deadline.dashboard.called


def test_an_operator_is_passed_on_for_deadline_to_scope(as_user):
    gateway = as_user(OPERATOR)
    gateway.deadline.cube.return_value = dict(compact(["month"], []), filters={"unit_id": 2})
    gateway.stats_cube(get("/api/v1/stats/cube", by="month", unit_id="2"))
    assert gateway.deadline.cube.call_args.args[0] == OPERATOR


def test_the_cube_as_a_workbook(as_user):
    gateway = as_user(REVIEWER)
    gateway.deadline.cube.return_value = json.loads(json.dumps(CUBE))
    response = gateway.stats_cube(get("/api/v1/stats/cube", by="unit,month", format="xlsx"))
    assert response.mimetype == XLSX_MIMETYPE
    assert response.headers["Content-Disposition"].startswith("attachment;")
    ws = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "多维分析：单位 × 月份"
    assert "起始日期：2026-01-01" in rows[1][0] and "统计日：2026-06-15" in rows[1][0]
    assert rows[2] == ("单位", "月份", "执行事项数", "按期办结率")
    assert rows[3] == ("东河区民政局", "2026年6月", 5, 0.25)
    assert rows[-1] == ("合计", None, 6, 0.25)
    assert ws.cell(row=4, column=4).number_format == "0.0%"


def test_the_dashboard_names_its_units_and_exports_its_tables(as_user):
    gateway = as_user(REVIEWER)
    month = {"month": "2026-06", "month_name": "2026年6月", "reviewed": 10, "rejected": 1, "correction_rate": 0.1}
    gateway.deadline.dashboard.return_value = {
        "as_of": "2026-06-15", "unit_id": None, "months": 2,
        "headline": {"decisions_executing": 3, "items_open": 4, "items_overdue": 1, "on_time_rate": 0.5,
                     "correction_rate": month, "correction_rate_last_month": dict(month, month_name="2026年5月"),
                     "correction_rate_change": 0.0},
        "lights_by_unit": [{"unit": 2, "unit_name": None, "light": "red", "light_name": "红灯", "red": 1,
                            "yellow": 0, "green": 2, "open": 3, "overdue": 1}],
        "correction_trend": [month], "units_by_on_time_rate": [
            {"rank": 1, "unit": 2, "unit_name": None, "approved": 2, "on_time": 1, "on_time_rate": 0.5}],
        "rejection_categories": [{"problem": "本人不表态", "problem_name": "本人不表态", "count": 1, "share": 1.0}]}
    body = json.loads(gateway.stats_dashboard(get("/api/v1/stats/dashboard", months="2")).get_data(as_text=True))
    assert gateway.deadline.dashboard.call_args.args == (REVIEWER, {"months": "2"})
    assert body["lights_by_unit"][0]["unit_name"] == "东河区民政局"
    assert body["units_by_on_time_rate"][0]["unit_name"] == "东河区民政局"
    book = openpyxl.load_workbook(io.BytesIO(gateway.stats_dashboard(
        get("/api/v1/stats/dashboard", format="xlsx")).get_data()))
    assert book.sheetnames == ["核心指标", "纠错率趋势", "各单位亮灯", "按期办结率排名", "驳回问题类别"]
    assert list(book["纠错率趋势"].iter_rows(values_only=True))[3] == ("2026年6月", 10, 1, 0.1)


def test_the_excel_helper_keeps_dates_as_dates_and_rates_as_percentages():
    columns = [Column("name", "被处分人"), Column("due_date", "应完成日期", "date"),
               Column("rate", "纠错率", "percent"), Column("days", "平均超期天数", "number")]
    data = workbook_bytes(Sheet("处分决定", columns, [{"name": "王建国", "due_date": "2026-07-01", "rate": 0.25,
                                                      "days": 2.5}], [("单位", "东河区民政局"), ("状态", None)]))
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["A2"].value == "筛选条件：单位：东河区民政局"
    assert ws["B4"].value == datetime(2026, 7, 1) and ws["B4"].number_format == "yyyy-mm-dd"
    assert ws["C4"].value == 0.25 and ws["C4"].number_format == "0.0%"
    assert ws["A3"].value == "被处分人"
    with pytest.raises(ValueError):
        Column("x", "x", "money")
