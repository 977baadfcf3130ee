"""Statistics (多维分析, 领导驾驶舱): deadline's read model, with the directory's unit names.

Deadline keeps the facts and computes the figures (services/deadline/statistics.py); the
gateway adds what only it knows, the units' names and kinds (its directory), checks that a
unit asked for exists (400 naming ``unit_id``), and answers JSON or, with ``format=xlsx``, an
Excel workbook of the same rows.

GET /api/v1/stats/cube?by=unit,month&measures=items,on_time_rate&from&to&unit_id&sanction&category&format
GET /api/v1/stats/dashboard?months=12&unit_id&format
"""
from nameko.rpc import RpcProxy

from services.common.errors import ValidationFailed
from services.deadline.statistics import expand

from .. import directory
from ..entrypoints import API, http, json_response
from ..xlsx import Column, Sheet, xlsx_response

# Operators see their own unit's figures (deadline scopes every query); partners none (403).
STATS_ROLES = ("reviewer", "leader", "admin", "operator")
FORMATS = ("json", "xlsx")
COUNT_KINDS = {"on_time_rate": "percent", "correction_rate": "percent", "avg_delay_days": "number"}
UNIT_KIND_NAMES = {"review": "案件审理室", "responsible": "主体责任部门", "partner": "协作部门"}


class StatsRoutes:
    deadline = RpcProxy("deadline")

    @http("GET", API + "/stats/cube")
    def stats_cube(self, request):
        """多维分析: one or two dimensions × measures, every key with its Chinese name, totals."""
        actor = self.auth.actor(request, *STATS_ROLES)
        args = request.args.to_dict()
        wanted = _format(args)
        units = self._stats_units(args)
        kinds = {str(unit.id): unit.kind for unit in units.values()} if "unit_kind" in args.get("by", "") else None
        answer = expand(self.deadline.cube(actor, args, kinds))     # the RPC's compact rows
        name_units(answer, units)
        if wanted == "xlsx":
            return xlsx_response("多维分析", cube_sheet(answer))
        return json_response(answer)

    @http("GET", API + "/stats/dashboard")
    def stats_dashboard(self, request):
        """领导驾驶舱: headline figures, lights by unit, the correction-rate trend, units ranked
        by on-time rate, rejection categories."""
        actor = self.auth.actor(request, *STATS_ROLES)
        args = request.args.to_dict()
        wanted = _format(args)
        units = self._stats_units(args)
        answer = self.deadline.dashboard(actor, args)
        name_units(answer, units)
        if wanted == "xlsx":
            return xlsx_response("领导驾驶舱", *dashboard_sheets(answer))
        return json_response(answer)

    def _stats_units(self, args):
        """The directory's units by id; a ``unit_id`` asked for must be one of them (400)."""
        if args.get("unit_id") not in (None, ""):
            raw = args["unit_id"].strip()
            if not raw.lstrip("-").isdigit():
                raise ValidationFailed("单位编号无效", {"unit_id": [f"应为整数：{raw[:20]}"]})
            directory.require_unit(self.db.session, int(raw), "unit_id")
        return {unit.id: unit for unit in directory.list_units(self.db.session)}


def _format(args):
    """The answer's format, taken out of the query (deadline is asked for figures, not files)."""
    wanted = args.pop("format", None) or "json"
    if wanted not in FORMATS:
        raise ValidationFailed("导出格式无效", {"format": [f"可选：{', '.join(FORMATS)}"]})
    return wanted


def _unit_name(units, unit_id):
    unit = units.get(unit_id) if isinstance(unit_id, int) else None
    return unit.name if unit is not None else (None if unit_id is None else f"单位{unit_id}")


def name_units(answer, units):
    """Every unit key gets its name from the directory, wherever the answer has one."""
    for row in answer.get("rows", []):
        if "unit" in row:
            row["unit_name"] = _unit_name(units, row["unit"])
        if "unit_kind" in row and row["unit_kind"] in UNIT_KIND_NAMES:
            row["unit_kind_name"] = UNIT_KIND_NAMES[row["unit_kind"]]
    for key in ("lights_by_unit", "units_by_on_time_rate"):
        for row in answer.get(key, []):
            row["unit_name"] = _unit_name(units, row["unit"])
    filters = answer.get("filters")
    if filters is not None:
        filters["unit_name"] = _unit_name(units, filters.get("unit_id"))
    if "unit_id" in answer and "filters" not in answer:
        answer["unit_name"] = _unit_name(units, answer["unit_id"])
    return answer


# -- the workbooks ------------------------------------------------------------------------------
def cube_sheet(answer):
    labels = answer["labels"]
    by = answer["by"]
    columns = [Column(f"{dim}_name", labels["dimensions"][dim]) for dim in by]
    columns += [Column(m, labels["measures"][m], COUNT_KINDS.get(m, "int")) for m in answer["measures"]]
    totals = dict(answer["totals"], **{f"{by[0]}_name": "合计"})
    f = answer["filters"]
    filters = [("起始日期", f.get("from")), ("截止日期", f.get("to")), ("单位", f.get("unit_name")),
               ("处分", f.get("sanction_name")), ("人员类别", f.get("category")), ("统计日", answer["as_of"])]
    na = [labels["measures"][m] for m in answer.get("not_applicable", []) if m in labels["measures"]]
    if na:
        filters.append(("不适用的指标", "、".join(na)))
    title = "多维分析：" + " × ".join(labels["dimensions"][d] for d in by)
    return Sheet(title, columns, answer["rows"], filters, totals, "多维分析")


def dashboard_sheets(answer):
    head = answer["headline"]
    filters = [("单位", answer.get("unit_name")), ("统计日", answer["as_of"]), ("趋势月数", answer["months"])]
    this, last = head["correction_rate"], head["correction_rate_last_month"]
    figures = [
        {"name": "执行中的处分决定", "value": head["decisions_executing"]},
        {"name": "在办事项", "value": head["items_open"]},
        {"name": "超期事项", "value": head["items_overdue"]},
        {"name": "按期办结率", "rate": head["on_time_rate"]},
        {"name": f"本月纠错率（{this['month_name']}）", "rate": this["correction_rate"]},
        {"name": f"上月纠错率（{last['month_name']}）", "rate": last["correction_rate"]},
    ]
    return [
        Sheet("领导驾驶舱：核心指标", [Column("name", "指标"), Column("value", "数量", "int"),
                                  Column("rate", "比率", "percent")], figures, filters, name="核心指标"),
        Sheet("纠错率趋势", [Column("month_name", "月份"), Column("reviewed", "审核数", "int"),
                          Column("rejected", "驳回数", "int"), Column("correction_rate", "纠错率", "percent")],
              answer["correction_trend"], filters, name="纠错率趋势"),
        Sheet("各单位亮灯", [Column("unit_name", "单位"), Column("light_name", "亮灯"),
                          Column("red", "红灯事项", "int"), Column("yellow", "黄灯事项", "int"),
                          Column("green", "绿灯事项", "int"), Column("open", "在办事项", "int"),
                          Column("overdue", "超期事项", "int")], answer["lights_by_unit"], filters, name="各单位亮灯"),
        Sheet("按期办结率排名", [Column("rank", "名次", "int"), Column("unit_name", "单位"),
                            Column("approved", "办结事项", "int"), Column("on_time", "按期办结", "int"),
                            Column("on_time_rate", "按期办结率", "percent")],
              answer["units_by_on_time_rate"], filters, name="按期办结率排名"),
        Sheet("驳回问题类别", [Column("problem_name", "问题类别"), Column("count", "驳回数", "int"),
                           Column("share", "占比", "percent")], answer["rejection_categories"], filters,
              name="驳回问题类别"),
    ]
