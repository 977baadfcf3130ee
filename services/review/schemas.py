"""Schemas of the review service's RPC payloads and events."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.schemas import Day, Id, Page, Text, capped_list

TEXT = validate.Length(min=1, max=4000)
MAX_ATTACHMENTS = 20          # evidence.yaml's attachments.max_per_report says the same


class ReportIn(Schema):
    performed_on = Day(required=True)     # and from the decision date to today (reporting)
    evidence = fields.Dict(required=True, keys=Text(validate=validate.Length(min=1, max=64)))
    attachments = capped_list(Text(validate=validate.Length(equal=36), metadata={"label": "附件"}),
                              MAX_ATTACHMENTS, load_default=list)


class ApproveIn(Schema):
    comment = Text(load_default="", multiline=True, validate=validate.Length(max=4000),
                   metadata={"label": "审核意见"})
    version = Id(load_default=None, allow_none=True)


class RejectIn(Schema):
    problem_category = Text(required=True, data_key="problem",  # the contract's name
                            validate=validate.Length(min=1, max=32), metadata={"label": "问题类别"})
    requirement = Text(required=True, multiline=True, validate=TEXT, metadata={"label": "整改要求"})
    rectify_by = Day(required=True)       # today … two years ahead (reporting, on the clock)
    version = Id(load_default=None, allow_none=True)


class GuidanceIn(Schema):
    unit_id = Id(required=True)
    decision_id = Id(load_default=None, allow_none=True)
    item_id = Id(load_default=None, allow_none=True)
    text = Text(required=True, multiline=True, validate=TEXT, metadata={"label": "指导意见"})


class ExtensionIn(Schema):
    days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=366))
    reason = Text(required=True, multiline=True, validate=TEXT, metadata={"label": "延期理由"})


class QueueQuery(Schema):
    unit_id = Id(load_default=None, strict=False)
    item_id = Id(load_default=None, strict=False)
    decision_id = Id(load_default=None, strict=False)
    reform_id = Id(load_default=None, strict=False)
    code = Text(load_default=None, validate=validate.Length(max=16))
    finding = Text(load_default=None, validate=validate.Length(min=1, max=32))
    page = Page()
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class FiguresQuery(Schema):
    """The period the figures cover (review dates, both ends included) and an optional unit."""
    since = Day(load_default=None, data_key="from")
    until = Day(load_default=None, data_key="to")
    unit_id = Id(load_default=None, strict=False)

    @validates_schema
    def ordered(self, data, **_):
        if data["since"] and data["until"] and data["until"] < data["since"]:
            raise ValidationError("结束日期不能早于开始日期", "to")


class ReportOut(Schema):
    id = fields.Integer()
    item_id = fields.Integer()
    item_name = fields.String()
    decision_id = fields.Integer()
    reform_id = fields.Integer()        # a reform task's report (以案促改); decision_id is null then
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
    reform_id = fields.Integer()
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
    decision_id = fields.Integer()      # exactly one of decision_id and reform_id is set
    reform_id = fields.Integer()
    unit_id = fields.Integer()
    code = fields.String()
    round = fields.Integer()
    performed_on = fields.Date()
    findings = fields.Function(lambda r: [f["category"] for f in r.findings])
    problem_category = fields.String()
    requirement = fields.String()
    rectify_by = fields.Date()
    # When (UTC, as stored) the unit reported and the review office decided: the month of a
    # review in the statistics, and an item's approval date for its on-time rate.
    submitted_at = fields.DateTime()
    reviewed_at = fields.DateTime()
