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

