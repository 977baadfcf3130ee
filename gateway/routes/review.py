"""Reports and review (上报与审核), guidance (指导意见), extensions (延期), attachments."""
import base64
from urllib.parse import quote

from nameko.rpc import RpcProxy
from werkzeug.wrappers import Response

from services.common.errors import ValidationFailed

from .. import directory
from ..entrypoints import API, http, json_response, read_json

# Transport ceiling for an upload; the review service applies the real limit (10 MiB).
UPLOAD_CEILING = 16 * 1024 * 1024


class ReviewRoutes:
    review = RpcProxy("review")

    @http("POST", API + "/items/<int:item_id>/reports")
    def submit_report(self, request, item_id):
        actor = self.auth.actor(request, "operator")
        return json_response(self.review.submit_report(actor, item_id, read_json(request)), status=201)

    @http("GET", API + "/items/<int:item_id>/checklist")
    def evidence_checklist(self, request, item_id):
        actor = self.auth.actor(request)
        item = self.case.get_item(actor, item_id)
        return json_response(self.review.evidence_checklist(actor, item["code"]))

    @http("POST", API + "/reports/<int:report_id>/approve")
    def approve_report(self, request, report_id):
        actor = self.auth.actor(request, "reviewer")
        return json_response(self.review.approve_report(actor, report_id, read_json(request)))

    @http("POST", API + "/reports/<int:report_id>/reject")
    def reject_report(self, request, report_id):
        actor = self.auth.actor(request, "reviewer")
        return json_response(self.review.reject_report(actor, report_id, read_json(request)))

    @http("GET", API + "/review/queue")
    def review_queue(self, request):
        actor = self.auth.actor(request, "reviewer", "leader", "admin")
        return json_response(self.review.queue(actor, request.args.to_dict()))

    @http("POST", API + "/items/<int:item_id>/extension")
    def request_extension(self, request, item_id):
        actor = self.auth.actor(request, "operator")
        return json_response(self.review.request_extension(actor, item_id, read_json(request)), status=201)

    @http("POST", API + "/extensions/<int:extension_id>/approve")
    def approve_extension(self, request, extension_id):
        actor = self.auth.actor(request, "reviewer")
        return json_response(self.review.approve_extension(actor, extension_id))

    @http("POST", API + "/extensions/<int:extension_id>/refuse")
    def refuse_extension(self, request, extension_id):
        actor = self.auth.actor(request, "reviewer")
        return json_response(self.review.refuse_extension(actor, extension_id))

    @http("POST", API + "/guidance")
    def issue_guidance(self, request):
        actor = self.auth.actor(request, "reviewer")
        body = read_json(request)
        if "unit_id" in body:
            directory.require_unit(self.db.session, body["unit_id"], "unit_id")
        return json_response(self.review.issue_guidance(actor, body), status=201)

    @http("GET", API + "/guidance")
    def list_guidance(self, request):
        actor = self.auth.actor(request)
        args = request.args
        return json_response(self.review.list_guidance(
            actor, args.get("unit_id", type=int), args.get("decision_id", type=int)))

    @http("POST", API + "/attachments", max_body=UPLOAD_CEILING)
    def upload_attachment(self, request):
        actor = self.auth.actor(request, "operator")
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed("请选择要上传的文件（multipart 字段 file）", {"file": ["缺少文件"]})
        content = base64.b64encode(upload.read()).decode()
        return json_response(self.review.upload_attachment(actor, upload.filename, content), status=201)

    @http("GET", API + "/attachments/<string:attachment_id>")
    def download_attachment(self, request, attachment_id):
        actor = self.auth.actor(request)
        found = self.review.download_attachment(actor, attachment_id)
        return Response(base64.b64decode(found["content_base64"]), mimetype=found["content_type"], headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found['filename'])}",
            "X-Content-SHA256": found["sha256"]})

    @http("GET", API + "/stats/review")
    def review_statistics(self, request):
        actor = self.auth.actor(request, "reviewer", "leader", "admin")
        return json_response(self.review.statistics(actor, request.args.to_dict()))
