"""以案促改 (reform through cases): reform cases and their tasks.

A reform case's tasks are execution items: they are reported, reviewed, extended and counted
down through the item routes (``/items/{id}``, ``/items/{id}/checklist``, ``/items/{id}/reports``,
``/reports/{id}/approve|reject``, ``/items/{id}/extension``) like a decision's, so only the case
itself has routes here, and its figures per unit.

POST /api/v1/reforms {unit_id, decision_ids, basis, doc_number, issued_on, requirements, due_date?, party_group?}
GET  /api/v1/reforms?unit_id&status&decision_id&q&page&per_page
GET  /api/v1/reforms/{id}
GET  /api/v1/stats/reforms?from&to&unit_id&format
"""
from nameko.rpc import RpcProxy

from services.common.errors import ValidationFailed
from services.deadline.thresholds import worst

from .. import directory
from ..entrypoints import API, http, json_response, read_json
from ..xlsx import Column, Sheet, xlsx_response
from .decisions import _merge_light, idempotency_key
from .stats import STATS_ROLES, _format, name_units


class ReformRoutes:
    case = RpcProxy("case")
    deadline = RpcProxy("deadline")

    @http("POST", API + "/reforms")
    def register_reform(self, request):
        """登记以案促改 (审理室): 201 with the reform case and its tasks."""
        actor = self.auth.actor(request, "reviewer")
        body = read_json(request)
        if "unit_id" in body:
            # Reform cases only for responsible units; case is told the kind and refuses too.
            unit = directory.require_unit(self.db.session, body["unit_id"], "unit_id", kinds=("responsible",))
            body["unit_kind"] = unit.kind
        return json_response(self.case.register_reform(actor, body, idempotency_key(request)), status=201)

    @http("GET", API + "/reforms")
    def list_reforms(self, request):
        """Reform cases in scope, newest first, each with its light (its worst task's)."""
        actor = self.auth.actor(request)
        page = self.case.list_reforms(actor, request.args.to_dict())
        lights = self.deadline.reform_lights(actor, [r["id"] for r in page["items"]])
        for reform in page["items"]:
            reform["light"] = lights.get(str(reform["id"]), lights.get(reform["id"]))
        return json_response(page)

    @http("GET", API + "/reforms/<int:reform_id>")
    def get_reform(self, request, reform_id):
        """The reform case, its decisions and its tasks in the shape of a decision's items (plus
        ``reform_id``), each with its light and countdown, and the case's light."""
        actor = self.auth.actor(request)
        reform = self.case.get_reform(actor, reform_id)
        views = self.deadline.lights_for(actor, [i["id"] for i in reform["items"]])
        for item in reform["items"]:
            _merge_light(item, views)
        reform["light"] = worst(i.get("light") for i in reform["items"])
        return json_response(reform)

    @http("GET", API + "/stats/reforms")
    def reform_statistics(self, request):
        """以案促改 per unit: open, completed, on time, overdue, rejected; JSON or format=xlsx."""
        actor = self.auth.actor(request, *STATS_ROLES)
        args = request.args.to_dict()
        wanted = _format(args)
        args.pop("format", None)
        if args.get("unit_id") not in (None, ""):
            raw = args["unit_id"].strip()
            if not raw.lstrip("-").isdigit():
                raise ValidationFailed("单位编号无效", {"unit_id": [f"应为整数：{raw[:20]}"]})
            directory.require_unit(self.db.session, int(raw), "unit_id")
        answer = self.deadline.reform_statistics(actor, args)
        name_units(answer, {unit.id: unit for unit in directory.list_units(self.db.session)})
        if wanted == "xlsx":
            return xlsx_response("以案促改统计", reform_sheet(answer))
        return json_response(answer)


def reform_sheet(answer):
    labels = answer["labels"]
    columns = [Column("unit_name", "单位")]
    columns += [Column(key, labels[key], "percent" if key == "on_time_rate" else "int")
                for key in ("reforms", "open", "completed", "on_time", "overdue", "rejected", "rejections",
                            "on_time_rate")]
    f = answer["filters"]
    filters = [("起始日期", f.get("from")), ("截止日期", f.get("to")), ("单位", f.get("unit_name")),
               ("统计日", answer["as_of"])]
    return Sheet("以案促改统计（按单位）", columns, answer["rows"], filters, dict(answer["totals"], unit_name="合计"),
                 "以案促改")
