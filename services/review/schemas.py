"""Schemas of the review service's RPC payloads and events."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

TEXT = validate.Length(min=1, max=4000)


class ReportIn(Schema):
    performed_on = fields.Date(required=True)
    evidence = fields.Dict(required=True)
    attachments = fields.List(fields.String(validate=validate.Length(equal=36)), load_default=list)


class ApproveIn(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=4000))
    version = fields.Integer(load_default=None, allow_none=True)


class RejectIn(Schema):
    problem_category = fields.String(required=True, data_key="problem")  # the contract's name
    requirement = fields.String(required=True, validate=TEXT)
    rectify_by = fields.Date(required=True)
    version = fields.Integer(load_default=None, allow_none=True)


class GuidanceIn(Schema):
    unit_id = fields.Integer(required=True, strict=True)
    decision_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    item_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    text = fields.String(required=True, validate=TEXT)


class ExtensionIn(Schema):
    days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=366))
    reason = fields.String(required=True, validate=TEXT)


class QueueQuery(Schema):
    unit_id = fields.Integer(load_default=None)
    item_id = fields.Integer(load_default=None)
    decision_id = fields.Integer(load_default=None)
    code = fields.String(load_default=None, validate=validate.Length(max=16))
    finding = fields.String(load_default=None, validate=validate.Length(min=1, max=32))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class FiguresQuery(Schema):
    """The period the figures cover (review dates, both ends included) and an optional unit."""
    since = fields.Date(load_default=None, data_key="from")
    until = fields.Date(load_default=None, data_key="to")
    unit_id = fields.Integer(load_default=None)

    @validates_schema
    def ordered(self, data, **_):
        if data["since"] and data["until"] and data["until"] < data["since"]:
            raise ValidationError("结束日期不能早于开始日期", "to")


class ReportOut(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    item_name = fields.String()
    decision_id = fields.Integer()
    unit_id = fields.Integer()
    code = fields.String()
    round = fields.Integer()
    performed_on = fields.Date()
    evidence = fields.Dict()
    attachments = fields.List(fields.String())
    findings = fields.List(fields.Dict())
    state = fields.String()
    version = fields.Integer()
    submitted_by = fields.Integer()
    submitted_at = fields.DateTime()
    reviewed_by = fields.Integer()
    reviewed_at = fields.DateTime()
    comment = fields.String()
    problem_category = fields.String()
    requirement = fields.String()
    rectify_by = fields.Date()
    person_name = fields.String()
    doc_number = fields.String()
    due_date = fields.Date()
    review = fields.Method("dump_review")

    def dump_review(self, report):
        """The review this round received, as the item page shows it (None while waiting)."""
        if report.state not in ("approved", "rejected"):
            return None
        return {"outcome": report.state, "at": report.reviewed_at.isoformat(),
                "reviewer_id": report.reviewed_by, "comment": report.comment or "",
                "problem": report.problem_category, "requirement": report.requirement,
                "rectify_by": report.rectify_by.isoformat() if report.rectify_by else None}


class GuidanceOut(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    decision_id = fields.Integer()
    item_id = fields.Integer()
    text = fields.String()
    author_id = fields.Integer()
    created_at = fields.DateTime()


class ExtensionOut(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    decision_id = fields.Integer()
    unit_id = fields.Integer()
    code = fields.String()
    days = fields.Integer()
    reason = fields.String()
    state = fields.String()
    new_due_date = fields.Date()
    requested_at = fields.DateTime()
    decided_at = fields.DateTime()


class AttachmentOut(Schema):
    id = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    filename = fields.String()


class ReportEvent(Schema):
    report_id = fields.Integer(attribute="id")
    item_id = fields.Integer()
    name = fields.String(attribute="item_name")
    decision_id = fields.Integer()
    unit_id = fields.Integer()
    code = fields.String()
    round = fields.Integer()
    performed_on = fields.Date()
    findings = fields.Function(lambda r: [f["category"] for f in r.findings])
    problem_category = fields.String()
    requirement = fields.String()
    rectify_by = fields.Date()
