"""Schemas of the notify service's RPC payloads."""
from marshmallow import Schema, fields, validate

FEEDBACK_LIMIT = 2000


class AckIn(Schema):
    feedback = fields.String(load_default="", validate=validate.Length(max=FEEDBACK_LIMIT))


class InboxQuery(Schema):
    unread = fields.Boolean(load_default=None, allow_none=True)
    item_id = fields.Integer(load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(("unit", "partner", "review")))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class SubscriptionIn(Schema):
    unit_id = fields.Integer(required=True, strict=True)
    partner_role = fields.String(load_default=None, allow_none=True)
    url = fields.String(required=True, validate=validate.Length(max=500))
    secret = fields.String(required=True, validate=validate.Length(min=16, max=200))
    events = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                         validate=validate.Length(min=1, max=50))


class NoticeOut(Schema):
    id = fields.Integer()
    event_type = fields.String()
    kind = fields.String()
    unit_id = fields.Integer()
    role = fields.String()
    title = fields.String()
    body = fields.String()
    item_id = fields.Integer()
    decision_id = fields.Integer()
    link = fields.Function(lambda n: f"#/items/{n.item_id}" if n.item_id else
                           (f"#/decisions/{n.decision_id}" if n.decision_id else None))
    asks_reply = fields.Boolean()
    reply_due = fields.Date()
    read_at = fields.DateTime()
    acknowledged_at = fields.DateTime()
    acknowledged_unit_id = fields.Integer()
    feedback = fields.String()
    created_at = fields.DateTime()


class SubscriptionOut(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    partner_role = fields.String()
    url = fields.String()
    events = fields.List(fields.String())
    active = fields.Boolean()


class DeliveryOut(Schema):
    id = fields.String()
    subscription_id = fields.Integer()
    event_id = fields.String()
    event_type = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime()
    last_error = fields.String()
    delivered_at = fields.DateTime()
