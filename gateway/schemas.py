"""Request and response schemas of the gateway's own resources (login, units, users)."""
from marshmallow import Schema, fields, validate, validates_schema, ValidationError

from services.common.actor import ROLES

UNIT_KINDS = ("review", "responsible", "partner")
PARTNER_ROLES = ("organization", "hr", "finance", "united_front", "other")


class LoginIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class UnitIn(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=128))
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
    username = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_.-]{3,64}$", error="用户名为3至64位字母、数字或 _ . -"))
    password = fields.String(required=True, validate=validate.Length(
        min=8, max=256, error="密码至少8位"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    unit_id = fields.Integer(load_default=None, allow_none=True, strict=True)

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
    user_id = fields.Integer(load_default=None)
    method = fields.String(load_default=None, validate=validate.OneOf(("GET", "POST", "PUT", "PATCH", "DELETE")))
    path = fields.String(load_default=None, validate=validate.Length(max=200))
    status = fields.Integer(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
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
