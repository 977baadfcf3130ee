"""Request and response schemas of the gateway's own resources (login, units, users)."""
from marshmallow import Schema, fields, validate, validates_schema, ValidationError

from services.common.actor import ROLES
from services.common.schemas import Id, Name, Page, Text

UNIT_KINDS = ("review", "responsible", "partner")
PARTNER_ROLES = ("organization", "hr", "finance", "united_front", "other")


class LoginIn(Schema):
    username = Name(required=True, validate=validate.Length(min=1, max=64), metadata={"label": "用户名"})
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class UnitIn(Schema):
    # NFKC, trimmed: "东河区民政局 " is 东河区民政局, and a name with a zero-width space is refused.
    name = Name(required=True, validate=validate.Length(min=1, max=128), metadata={"label": "单位名称"})
    kind = fields.String(required=True, validate=validate.OneOf(UNIT_KINDS))
    partner_role = fields.String(load_default=None, allow_none=True,
                                 validate=validate.OneOf(PARTNER_ROLES))

    @validates_schema
    def partner_needs_role(self, data, **_):
        if data.get("kind") == "partner" and not data.get("partner_role"):
            raise ValidationError("协作部门须写明职能（partner_role）", "partner_role")
        if data.get("kind") != "partner" and data.get("partner_role"):
            raise ValidationError("只有协作部门有 partner_role", "partner_role")


class UnitOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    partner_role = fields.String()


class UserIn(Schema):
    # Unique case-insensitively (directory.create_user): ADMIN is admin.
    username = Name(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_.-]{3,64}\Z", error="用户名为3至64位字母、数字或 _ . -"), metadata={"label": "用户名"})
    password = fields.String(required=True, validate=validate.Length(
        min=8, max=256, error="密码至少8位"))
    name = Name(required=True, validate=validate.Length(min=1, max=64), metadata={"label": "姓名"})
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    # Operators, partner users and reviewers need a unit of their kind (gateway.directory).
    unit_id = Id(load_default=None, allow_none=True)


class UserPatch(Schema):
    """PATCH /users/{id}: any of these; role and unit are checked together."""
    active = fields.Boolean(truthy={True}, falsy={False})   # JSON true or false only
    role = fields.String(validate=validate.OneOf(ROLES))
    unit_id = Id(allow_none=True)
    name = Name(validate=validate.Length(min=1, max=64), metadata={"label": "姓名"})

    @validates_schema
    def something_to_change(self, data, **_):
        if not data:
            raise ValidationError("请至少写明一项：active、role、unit_id、name", "_schema")


class PasswordIn(Schema):
    """POST /me/password: the current password and the new one."""
    old = fields.String(required=True, validate=validate.Length(min=1, max=256))
    new = fields.String(required=True, validate=validate.Length(min=8, max=256, error="密码至少8位"))

    @validates_schema
    def differs(self, data, **_):
        if data.get("old") is not None and data.get("old") == data.get("new"):
            raise ValidationError("新密码不能与当前密码相同", "new")


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    name = fields.String()
    role = fields.String()
    unit_id = fields.Integer()
    active = fields.Boolean()


class AuditQuery(Schema):
    user_id = Id(load_default=None, strict=False)
    username = Text(load_default=None, validate=validate.Length(max=64))
    method = fields.String(load_default=None, validate=validate.OneOf(("GET", "POST", "PUT", "PATCH", "DELETE")))
    path = Text(load_default=None, validate=validate.Length(max=200))
    status = fields.Integer(load_default=None, validate=validate.Range(min=100, max=599))
    page = Page()
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class AuditOut(Schema):
    id = fields.Integer()
    seq = fields.Integer()          # position in the hash chain
    at = fields.DateTime()
    user_id = fields.Integer()
    username = fields.String()      # who (a failed login: the username tried)
    user_name = fields.String()
    action = fields.String()        # what: 登记处分决定
    target = fields.String()        # which record: 东纪发〔2021〕12号（张三）
    method = fields.String()
    path = fields.String()
    status = fields.Integer()
    duration_ms = fields.Integer()
    remote_addr = fields.String()
    prev_hash = fields.String()
    hash = fields.String()


# -- HTTP request bodies and responses the routes build themselves ------------------------------
# (for the OpenAPI description, gateway/openapi.py; the services' own schemas are used where a
# route passes a body through or returns what a service dumped.)
from services.case.schemas import DecisionOut, DecisionSummaryOut, ItemDetailOut, ItemOut  # noqa: E402
from services.deadline.schemas import DeadlineOut  # noqa: E402
from services.notify.schemas import DeliveryOut, DeliveryQuery, NoticeOut, SubscriptionIn, SubscriptionOut  # noqa: E402
from services.review.schemas import AttachmentOut, ExtensionOut, GuidanceOut, ReportOut  # noqa: E402


class ErrorOut(Schema):
    """Every error: a code, a message people read, and the problems of each field."""
    error = fields.String(required=True, metadata={"example": "VALIDATION_FAILED"})
    message = fields.String(required=True)
    problems = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), data_key="fields",
                           metadata={"description": "each field's path (person.name) and its problems"})


class LoginOut(Schema):
    token = fields.String(required=True)
    user = fields.Nested(UserOut, required=True)


class UnitsOut(Schema):
    items = fields.List(fields.Nested(UnitOut), required=True)


class UsersOut(Schema):
    items = fields.List(fields.Nested(UserOut), required=True)


class AuditPageOut(Schema):
    items = fields.List(fields.Nested(AuditOut), required=True)
    total = fields.Integer(required=True)


class HealthOut(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok", "degraded"]})
    services = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    calendar = fields.Raw()


class ItemView(ItemOut):
    """An item as the decision page shows it: the item, its light and countdown (deadline)."""
    light = fields.String()
    alert_level = fields.String()
    days_left = fields.Integer()
    countdown_to = fields.Date()


class DecisionView(DecisionOut):
    items = fields.List(fields.Nested(ItemView))
    light = fields.String()


class DecisionSummaryView(DecisionSummaryOut):
    light = fields.String()


class DecisionPageOut(Schema):
    items = fields.List(fields.Nested(DecisionSummaryView), required=True)
    total = fields.Integer(required=True)


class ReportView(ReportOut):
    """A report as answered over HTTP: its attachments described, what changed since the round before."""
    attachments = fields.List(fields.Nested(AttachmentOut))
    changes = fields.List(fields.String())


class ItemPageOut(ItemDetailOut):
    """GET /items/{id}: the item and its history (case), reports and extensions (review), its
    light (deadline), the partner departments' notices and receipts (notify)."""
    reports = fields.List(fields.Nested(ReportView))
    extensions = fields.List(fields.Nested(ExtensionOut))
    partner_notices = fields.List(fields.Nested(NoticeOut))
    light = fields.String()
    alert_level = fields.String()
    days_left = fields.Integer()
    countdown_to = fields.Date()


class StatsQuery(Schema):
    by = Text(required=True, validate=validate.Length(max=16),
              metadata={"description": "decisions: unit|status|sanction|year|month; items: code|state|unit"})


class CountRow(Schema):
    key = fields.Raw()
    count = fields.Integer()


class StatsOut(Schema):
    subject = fields.String()
    by = fields.String()
    rows = fields.List(fields.Nested(CountRow))


class RulebookOut(Schema):
    items = fields.List(fields.Dict())
    sanctions = fields.List(fields.Dict())
    settings = fields.Dict()
    eligibility = fields.Raw()
    partner_roles = fields.List(fields.String())
    restrictions = fields.Raw()
    vocabularies = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class FormFieldOut(Schema):
    key = fields.String()
    label = fields.String()
    type = fields.String()
    required = fields.Boolean()
    options = fields.List(fields.String())


class ChecklistOut(Schema):
    code = fields.String()
    form = fields.List(fields.Nested(FormFieldOut), data_key="fields")
    common_fields = fields.List(fields.Nested(FormFieldOut))
    problem_categories = fields.List(fields.String())


class QueueOut(Schema):
    items = fields.List(fields.Nested(ReportView), required=True)
    total = fields.Integer(required=True)


class GuidanceQuery(Schema):
    unit_id = Id(load_default=None, strict=False)
    decision_id = Id(load_default=None, strict=False)


class GuidancePageOut(Schema):
    items = fields.List(fields.Nested(GuidanceOut), required=True)
    total = fields.Integer(required=True)


class FiguresOut(Schema):
    reviewed = fields.Integer()
    rejected = fields.Integer()
    by_month = fields.List(fields.Dict())
    by_unit = fields.List(fields.Dict())
    by_category = fields.List(fields.Dict())


class UploadIn(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class AlertsOut(Schema):
    items = fields.List(fields.Nested(DeadlineOut), required=True)
    total = fields.Integer(required=True)


class ForecastOut(Schema):
    as_of = fields.Date()
    reminder = fields.List(fields.Nested(DeadlineOut))
    warning = fields.List(fields.Nested(DeadlineOut))
    overdue = fields.List(fields.Nested(DeadlineOut))


class SearchHitOut(Schema):
    regulation_id = fields.String()
    title = fields.String()
    article = fields.Raw()
    snippet = fields.String()
    score = fields.Float()


class SearchOut(Schema):
    items = fields.List(fields.Nested(SearchHitOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer()
    per_page = fields.Integer()


class RegulationsOut(Schema):
    items = fields.List(fields.Dict(), required=True)
    categories = fields.List(fields.String())


class TemplatesOut(Schema):
    items = fields.List(fields.Dict(), required=True)


class RenderIn(Schema):
    """A decision's template takes ``decision_id``; a reform case's (subject reform: 以案促改整改报告)
    takes ``reform_id`` instead."""
    decision_id = Id()
    reform_id = Id()


class InboxOut(Schema):
    items = fields.List(fields.Nested(NoticeOut), required=True)
    total = fields.Integer(required=True)
    unread = fields.Integer()


class SubscribeIn(SubscriptionIn):
    """POST /subscriptions: the unit's kind (and a partner's role) come from the directory."""
    class Meta:
        exclude = ("unit_kind",)


class SubscriptionsOut(Schema):
    items = fields.List(fields.Nested(SubscriptionOut), required=True)


class DeliveriesQuery(DeliveryQuery):
    state = fields.String(load_default=None, validate=validate.OneOf(("pending", "delivered", "dead")),
                          metadata={"description": "the same as status"})


class DeliveriesOut(Schema):
    items = fields.List(fields.Nested(DeliveryOut), required=True)


class FailedEventsQuery(Schema):
    state = fields.String(load_default="dead", validate=validate.OneOf(("dead", "retrying")))


class FailedEventsOut(Schema):
    items = fields.List(fields.Dict(), required=True)
    total = fields.Integer(required=True)
    unavailable = fields.List(fields.String())


class ReplayIn(Schema):
    service = fields.String(required=True, validate=validate.OneOf(("case", "deadline", "notify")))
    event_id = Text(required=True, validate=validate.Length(max=36))
    handler = Text(required=True, validate=validate.Length(max=64))


# -- 以案促改 (gateway/routes/reforms.py) ----------------------------------------------------------
from services.case.schemas import ReformOut, ReformSummaryOut  # noqa: E402
from services.deadline.reform_figures import ReformFiguresQuery  # noqa: E402


class ReformStatsQuery(ReformFiguresQuery):
    format = fields.String(validate=validate.OneOf(("json", "xlsx")))


class ReformView(ReformOut):
    """A reform case as its page shows it: its tasks in the shape of a decision's items (plus
    ``reform_id``), each with its light and countdown, and the case's light (its worst task's)."""
    items = fields.List(fields.Nested(ItemView))
    light = fields.String()


class ReformSummaryView(ReformSummaryOut):
    light = fields.String()


class ReformPageOut(Schema):
    items = fields.List(fields.Nested(ReformSummaryView), required=True)
    total = fields.Integer(required=True)


class ReformUnitRow(Schema):
    unit = fields.Integer()
    unit_name = fields.String()
    reforms = fields.Integer()
    open = fields.Integer()
    completed = fields.Integer()
    on_time = fields.Integer()
    overdue = fields.Integer()
    rejected = fields.Integer()
    rejections = fields.Integer()
    on_time_rate = fields.Float()


class ReformFiguresOut(Schema):
    as_of = fields.Date()
    filters = fields.Dict()
    rows = fields.List(fields.Nested(ReformUnitRow))
    totals = fields.Nested(ReformUnitRow)
    labels = fields.Dict()
