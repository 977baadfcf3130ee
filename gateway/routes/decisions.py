"""Decisions (处分决定) and execution items (执行事项)."""
import re
import uuid

from nameko.rpc import RpcProxy

from services.common.errors import ValidationFailed
from services.deadline.thresholds import worst

from .. import directory
from ..entrypoints import API, http, json_response, read_json

IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class DecisionRoutes:
    case = RpcProxy("case")
    review = RpcProxy("review")
    deadline = RpcProxy("deadline")
    notify = RpcProxy("notify")

    @http("POST", API + "/decisions")
    def register_decision(self, request):
        actor = self.auth.actor(request, "reviewer", "admin")
        body = read_json(request)
        person = body.get("person")
        if isinstance(person, dict) and "unit_id" in person:
            # Decisions only for people of responsible units; case is told the kind and refuses too.
            unit = directory.require_unit(self.db.session, person["unit_id"], "person.unit_id",
                                          kinds=("responsible",))
            person["unit_kind"] = unit.kind
        return json_response(self.case.register_decision(actor, body, idempotency_key(request)),
                             status=201)

    @http("GET", API + "/decisions")
    def list_decisions(self, request):
        """Decisions with their light (the worst item's, from the deadline service)."""
        actor = self.auth.actor(request)
        args = request.args.to_dict()
        if args.get("format", "json") != "json":
            # format=xlsx: the import's columns, so the workbook imports back (routes/imports.py)
            from .imports import decisions_workbook
            return decisions_workbook(self, actor, args)
        args.pop("format", None)
        page = self.case.list_decisions(actor, args)
        lights = self.deadline.decision_lights(actor, [d["id"] for d in page["items"]])
        for decision in page["items"]:
            decision["light"] = lights.get(str(decision["id"]), lights.get(decision["id"]))
        return json_response(page)

    @http("GET", API + "/decisions/<int:decision_id>")
    def get_decision(self, request, decision_id):
        """The decision, each item with its light and countdown, and the decision's light."""
        actor = self.auth.actor(request)
        decision = self.case.get_decision(actor, decision_id)
        views = self.deadline.lights_for(actor, [i["id"] for i in decision["items"]])
        for item in decision["items"]:
            _merge_light(item, views)
        decision["light"] = worst(i.get("light") for i in decision["items"])
        return json_response(decision)

    @http("GET", API + "/items/<int:item_id>")
    def get_item(self, request, item_id):
        """The item with its history (case), reports, reviews and extensions (review), its light
        (deadline) and the partner departments' notices with their receipts (notify)."""
        actor = self.auth.actor(request)
        item = self.case.get_item(actor, item_id)
        item.update(self.review.reports_for_item(actor, item_id))
        _merge_light(item, self.deadline.lights_for(actor, [item_id]))
        item["partner_notices"] = self.notify.notices_for_item(actor, item_id)   # 点对点 and 回执
        return json_response(item)

    @http("GET", API + "/stats/<any(decisions, items):subject>")
    def case_statistics(self, request, subject):
        """统计: GET /stats/decisions?by=unit|status|sanction|year|month, /stats/items?by=code|state|unit."""
        actor = self.auth.actor(request, "reviewer", "leader", "admin")
        return json_response(self.case.statistics(actor, subject, request.args.get("by", "")))

    @http("GET", API + "/rulebook")
    def rulebook(self, request):
        """规则库: items, sanction types and form vocabularies, for any signed-in user."""
        return json_response(self.case.rulebook_summary(self.auth.actor(request)))


def idempotency_key(request):
    """The request's ``Idempotency-Key`` (a client retrying a registration sends the same one
    and gets the decision its first attempt created), else one made for this request: case
    keeps it with the decision, so a request redelivered after case died answers, not 409."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return uuid.uuid4().hex
    key = key.strip()
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise ValidationFailed("Idempotency-Key 无效", {"Idempotency-Key": [
            "应为1至64个字母、数字或 - _ . : 字符"]})
    return key


def _merge_light(item, views):
    """Lights come keyed by item id (JSON makes the keys strings on the way)."""
    view = views.get(str(item["id"])) or views.get(item["id"]) or {}
    item["light"] = view.get("light")
    item["alert_level"] = view.get("level")
    item["days_left"] = view.get("days_left")
    item["countdown_to"] = view.get("due_date")   # the rectify-by date while rejected
