"""Deadlines (期限): alerts, the forecast, lights."""
from nameko.rpc import RpcProxy

from ..entrypoints import API, http, json_response


class DeadlineRoutes:
    deadline = RpcProxy("deadline")

    @http("GET", API + "/alerts")
    def alerts(self, request):
        """预警与超期: items currently reminded, warned or overdue (GET /alerts?level=)."""
        actor = self.auth.actor(request)
        return json_response(self.deadline.alerts(actor, request.args.get("level") or None))

    @http("GET", API + "/deadlines/forecast")
    def deadline_forecast(self, request):
        """到期预测: what will be reminded, warned and overdue by ``as_of`` if nobody acts."""
        actor = self.auth.actor(request)
        args = request.args
        return json_response(self.deadline.forecast(actor, args.get("as_of"), args.get("decision_id")))

    @http("GET", API + "/lights/units")
    def unit_lights(self, request):
        """Each unit's light (its worst item), for the dashboards."""
        actor = self.auth.actor(request, "reviewer", "leader", "admin")
        return json_response({str(k): v for k, v in self.deadline.unit_lights(actor).items()})
