"""The review service (报送审核): a thin nameko adapter over the use-case modules."""
import base64

from nameko.dependency_providers import Config
from nameko.rpc import rpc

from services.common.actor import Actor
from services.common.clock import Clock
from services.common.db import Database
from services.common.health import HealthMixin
from services.common.history import EventHistory
from services.common.metrics import Metrics
from services.common.rpc import TimedRpcProxy
from services.common.startup import BuiltAtStartup
from services.common.startup_rpc import case_rulebook

from . import attachments, extensions, figures, guidance, records, reporting
from .checklist import check_covers, load_checklist, reportable
from .schemas import AttachmentOut, ExtensionOut, GuidanceOut

GUIDANCE_OUT, GUIDANCES_OUT = GuidanceOut(), GuidanceOut(many=True)
EXTENSION_OUT, EXTENSIONS_OUT, ATTACHMENT_OUT = ExtensionOut(), ExtensionOut(many=True), AttachmentOut()


def checklist_of(config):
    """evidence.yaml, checked against the items and the reform tasks of the rule book (asked of
    case at start-up): one without its checklist stops the service naming it."""
    checklist = load_checklist()
    check_covers(checklist, reportable(case_rulebook(config)))
    return checklist


class ReviewService(HealthMixin, EventHistory):
    name = "review"

    db = Database("REVIEW_DB_URL")
    clock = Clock()
    # Bounded at half of RPC_TIMEOUT_SECONDS: case silent is a 503 naming case, before the
    # gateway's own wait for review runs out.
    case = TimedRpcProxy("case", share=0.5)
    checklist = BuiltAtStartup(checklist_of)
    store = BuiltAtStartup(lambda config: attachments.AttachmentStore(config["ATTACHMENT_DIR"]))
    metrics = Metrics()
    config = Config()

    @rpc
    def submit_report(self, actor, item_id, payload):
        return reporting.submit(self.db, self.case, self.clock, self.checklist, Actor.load(actor),
                                item_id, payload)

    @rpc
    def approve_report(self, actor, report_id, payload=None):
        report = reporting.approve(self.db, self.case, self.clock, Actor.load(actor), report_id, payload,
                                   self._claim_timeout())
        return records.present(self.db.session, [report])[0]

    @rpc
    def reject_report(self, actor, report_id, payload):
        report = reporting.reject(self.db, self.case, self.clock, self.checklist, Actor.load(actor),
                                  report_id, payload, self._claim_timeout())
        return records.present(self.db.session, [report])[0]

    def _claim_timeout(self):
        return int(self.config.get("REVIEW_CLAIM_TIMEOUT_SECONDS", reporting.CLAIM_TIMEOUT))

    @rpc
    def queue(self, actor, query=None):
        rows, total = records.queue(self.db.session, Actor.load(actor), query)
        return {"items": rows, "total": total}

    @rpc
    def reports_for_item(self, actor, item_id):
        actor = Actor.load(actor)
        return {"reports": records.reports_for_item(self.db.session, self.case, actor, item_id),
                "extensions": EXTENSIONS_OUT.dump(extensions.for_item(self.db.session, item_id))}

    @rpc
    def latest_reports(self, actor, item_ids):
        """Each item's last round with its evidence labelled (for the filled 以案促改整改报告)."""
        return {"items": records.latest_reports(self.db.session, self.checklist, Actor.load(actor), item_ids)}

    @rpc
    def evidence_checklist(self, actor, code):
        """报送材料清单 of one item code, as form fields, with the problem categories."""
        Actor.load(actor)
        return {"code": code, "fields": self.checklist.form(code),
                "common_fields": self.checklist.form_fields(self.checklist.common),
                "problem_categories": list(self.checklist.problem_categories)}

    @rpc
    def issue_guidance(self, actor, payload):
        return GUIDANCE_OUT.dump(guidance.issue(self.db, self.case, self.clock, Actor.load(actor), payload))

    @rpc
    def list_guidance(self, actor, unit_id=None, decision_id=None):
        rows = guidance.listing(self.db.session, Actor.load(actor), unit_id, decision_id)
        return {"items": GUIDANCES_OUT.dump(rows), "total": len(rows)}

    @rpc
    def request_extension(self, actor, item_id, payload):
        return EXTENSION_OUT.dump(extensions.request(self.db, self.case, self.clock, Actor.load(actor),
                                                     item_id, payload))

    @rpc
    def approve_extension(self, actor, extension_id):
        return EXTENSION_OUT.dump(extensions.approve(self.db, self.case, self.clock, Actor.load(actor),
                                                     extension_id))

    @rpc
    def refuse_extension(self, actor, extension_id):
        return EXTENSION_OUT.dump(extensions.refuse(self.db, self.clock, Actor.load(actor), extension_id))

    @rpc
    def upload_attachment(self, actor, filename, content_base64):
        content = base64.b64decode(content_base64 or "", validate=False)
        attachment = attachments.upload(self.db, self.store, self.checklist, self.clock,
                                        Actor.load(actor), filename, content)
        return ATTACHMENT_OUT.dump(attachment)

    @rpc
    def download_attachment(self, actor, attachment_id):
        attachment, content = attachments.download(self.db.session, self.store, Actor.load(actor),
                                                   attachment_id)
        return dict(ATTACHMENT_OUT.dump(attachment), content_base64=base64.b64encode(content).decode())

    @rpc
    def statistics(self, actor, query=None):
        """Reviewed, rejected, by problem category, unit and month, with correction rates."""
        return figures.review_figures(self.db.session, Actor.load(actor), query)
