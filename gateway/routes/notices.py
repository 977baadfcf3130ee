"""Notices (通知), receipts (回执), subscriptions (webhooks, email) and their deliveries."""
from nameko.rpc import RpcProxy

from .. import directory
from ..entrypoints import API, http, json_response, read_json


class NoticeRoutes:
    notify = RpcProxy("notify")

    @http("GET", API + "/notices")
    def inbox(self, request):
        """The caller's inbox, unread first: ``{items, total, unread}``; filters unread,
        asks_reply, answered, item_id, decision_id, kind, event_type, page, per_page."""
        actor = self.auth.actor(request)
        return json_response(self.notify.inbox(actor, request.args.to_dict()))

    @http("POST", API + "/notices/<int:notice_id>/read")
    def mark_read(self, request, notice_id):
        """已读: the inbox's own users (``notice.read``: not the leader, who only reads, nor the admin)."""
        return json_response(self.notify.mark_read(self.auth.actor(request), notice_id))

    @http("POST", API + "/notices/<int:notice_id>/ack")
    def acknowledge(self, request, notice_id):
        """回执 ``{feedback}``, by the partner department addressed only (403 for any other role:
        ``notice.ack``); 404 on a notice not addressed to the caller, 422 NO_REPLY_ASKED on one
        that asks no answer, 409 the second time."""
        actor = self.auth.actor(request)
        return json_response(self.notify.acknowledge(actor, notice_id, read_json(request)))

    @http("GET", API + "/subscriptions")
    def subscriptions(self, request):
        return json_response(self.notify.subscriptions(self.auth.actor(request, "admin")))

    @http("POST", API + "/subscriptions")
    def subscribe(self, request):
        """``{unit_id, url, secret, events}`` or ``{unit_id, channel: "email", email, events}``;
        the unit's kind and partner role come from the directory, not from the caller."""
        actor = self.auth.actor(request, "admin")
        body = read_json(request)
        unit = directory.require_unit(self.db.session, body.get("unit_id"), "unit_id")
        body.update(unit_kind=unit.kind, partner_role=unit.partner_role)
        return json_response(self.notify.subscribe(actor, body), status=201)

    @http("GET", API + "/deliveries")
    def deliveries(self, request):
        """``?status=pending|delivered|dead`` (``state`` is read the same), ``subscription_id``."""
        actor = self.auth.actor(request, "admin")
        query = request.args.to_dict()
        if "state" in query:
            query.setdefault("status", query.pop("state"))
        return json_response(self.notify.deliveries(actor, query))

    @http("POST", API + "/deliveries/<string:delivery_id>/redeliver")
    def redeliver(self, request, delivery_id):
        return json_response(self.notify.redeliver(self.auth.actor(request, "admin"), delivery_id))
