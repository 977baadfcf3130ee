"""Notices (通知), receipts (回执) and webhook subscriptions."""
from nameko.rpc import RpcProxy

from .. import directory
from ..entrypoints import API, http, json_response, read_json


class NoticeRoutes:
    notify = RpcProxy("notify")

    @http("GET", API + "/notices")
    def inbox(self, request):
        """The caller's inbox, unread first (filters: unread, item_id, kind)."""
        actor = self.auth.actor(request)
        return json_response(self.notify.inbox(actor, request.args.to_dict()))

    @http("POST", API + "/notices/<int:notice_id>/read")
    def mark_read(self, request, notice_id):
        return json_response(self.notify.mark_read(self.auth.actor(request), notice_id))

    @http("POST", API + "/notices/<int:notice_id>/ack")
    def acknowledge(self, request, notice_id):
        actor = self.auth.actor(request)
        return json_response(self.notify.acknowledge(actor, notice_id, read_json(request)))

    @http("GET", API + "/subscriptions")
    def subscriptions(self, request):
        return json_response(self.notify.subscriptions(self.auth.actor(request, "admin")))

    @http("POST", API + "/subscriptions")
    def subscribe(self, request):
        actor = self.auth.actor(request, "admin")
        body = read_json(request)
        if "unit_id" in body:
            directory.require_unit(self.db.session, body["unit_id"], "unit_id")
        return json_response(self.notify.subscribe(actor, body), status=201)

    @http("GET", API + "/deliveries")
    def deliveries(self, request):
        actor = self.auth.actor(request, "admin")
        return json_response(self.notify.deliveries(actor, request.args.get("state")))

    @http("POST", API + "/deliveries/<string:delivery_id>/redeliver")
    def redeliver(self, request, delivery_id):
        return json_response(self.notify.redeliver(self.auth.actor(request, "admin"), delivery_id))
