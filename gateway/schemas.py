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
    unit_id = Id(load_default=None, allow_none=True)

    @validates_schema
    def unit_roles_need_unit(self, data, **_):
        if data.get("role") in ("operator", "partner") and data.get("unit_id") is None:
            raise ValidationError("经办人和协作部门用户须属于一个单位", "unit_id")


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    name = fields.String()
    role = fields.String()
    unit_id = fields.Integer()


class AuditQuery(Schema):
    user_id = Id(load_default=None, strict=False)
    method = fields.String(load_default=None, validate=validate.OneOf(("GET", "POST", "PUT", "PATCH", "DELETE")))
    path = Text(load_default=None, validate=validate.Length(max=200))
    status = fields.Integer(load_default=None, validate=validate.Range(min=100, max=599))
    page = Page()
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class AuditOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    user_id = fields.Integer()
    method = fields.String()
    path = fields.String()
    status = fields.Integer()
    duration_ms = fields.Integer()
    remote_addr = fields.String()
