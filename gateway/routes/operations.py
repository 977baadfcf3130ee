"""Health (liveness and readiness over RPC) and Prometheus metrics."""
import eventlet
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.wrappers import Response

from services.common.schemas import load

from ..audit import search as search_audit
from ..audit import verify as verify_audit_chain
from ..entrypoints import API, http, json_response
from ..schemas import AuditOut, AuditQuery

HEALTH_TIMEOUT_SECONDS = 2


class OperationsRoutes:
    @http("GET", API + "/health")
    def health(self, request):
        """200 when every platform service answers its ``health`` RPC, else 503 naming the silent.
        The probes go through the gateway's own reply queue (``cluster``), never a queue per
        request; ``calendar`` is the working-day calendar's status as the services report it."""
        services = self.config.get("PLATFORM_SERVICES") or []
        answers = dict(zip(services, eventlet.GreenPool().imap(self._probe, services)))
        checks = {service: status for service, (status, _) in answers.items()}
        ready = all(status == "ok" for status in checks.values())
        body = {"status": "ok" if ready else "degraded", "services": checks}
        calendar = next((answer["calendar"] for _, answer in answers.values()
                         if isinstance(answer, dict) and answer.get("calendar")), None)
        if calendar is not None:
            body["calendar"] = calendar
        return json_response(body, status=200 if ready else 503)

    def _probe(self, service):
        try:
            return "ok", self.cluster[service].health()
        except Exception as exc:  # any failure means "not ready"; say which
            return f"unavailable: {type(exc).__name__}", None

    @http("GET", API + "/metrics")
    def prometheus_metrics(self, request):
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

    @http("GET", API + "/audit")
    def audit_trail(self, request):
        """审计记录: who did what, newest first (admin, leader)."""
        self.auth.actor(request, "admin", "leader")
        rows, total = search_audit(self.db.session, load(AuditQuery(), request.args.to_dict()))
        return json_response({"items": AuditOut(many=True).dump(rows), "total": total})

    @http("GET", API + "/audit/verify")
    def verify_audit(self, request):
        """The hash chain walked from its first row: ``{ok, entries, first_bad, head}``;
        ``first_bad`` names the first row edited, deleted or moved (admin)."""
        self.auth.actor(request, "admin")
        return json_response(verify_audit_chain(self.db.session))
