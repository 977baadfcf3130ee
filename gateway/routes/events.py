"""Events a service could not apply (未处理事件): the dead letters of services/common/inbox.py,
for the admin to read and replay once the cause is mended."""
from services.common.errors import ValidationFailed

from ..entrypoints import API, http, json_response, read_json

# The services whose event handlers park what they cannot apply.
CONSUMERS = ("case", "deadline", "notify")
STATES = ("dead", "retrying")


class EventRoutes:
    @http("GET", API + "/failed-events")
    def failed_events(self, request):
        """Dead letters (``state=dead``, the default) or events still being retried, from every
        consuming service; a service that does not answer is named in ``unavailable``."""
        actor = self.auth.actor(request, "admin")
        state = request.args.get("state") or "dead"
        if state not in STATES:
            raise ValidationFailed("状态须为 dead 或 retrying", {"state": ["须为 dead 或 retrying"]})
        items, unavailable = [], []
        for service in CONSUMERS:
            try:
                items.extend(getattr(self, service).failed_events(actor, state))
            except Exception:     # one silent service must not hide the others' dead letters
                unavailable.append(service)
        items.sort(key=lambda row: row["last_failed_at"], reverse=True)
        return json_response({"items": items, "total": len(items), "unavailable": unavailable})

    @http("POST", API + "/failed-events/replay")
    def replay_failed_event(self, request):
        """Apply a parked event now: ``{"service", "event_id", "handler"}``."""
        actor = self.auth.actor(request, "admin")
        body = read_json(request)
        service = body.get("service")
        if service not in CONSUMERS:
            raise ValidationFailed("服务名称有误", {"service": ["须为以下之一：" + "、".join(CONSUMERS)]})
        if not isinstance(body.get("event_id"), str) or not isinstance(body.get("handler"), str):
            raise ValidationFailed("须指明事件与处理程序", {"event_id": ["必填"], "handler": ["必填"]})
        replayed = getattr(self, service).replay_failed_event(actor, body["event_id"], body["handler"])
        return json_response(dict(replayed, service=service))
