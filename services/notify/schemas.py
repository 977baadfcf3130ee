"""Schemas of the notify service's RPC payloads."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.schemas import Id, Page, Text, capped_list

FEEDBACK_LIMIT = 2000
DELIVERY_STATES = ("pending", "delivered", "dead")
UNIT_KINDS = ("review", "responsible", "partner")
MAX_EVENTS = 50


class AckIn(Schema):
    feedback = Text(load_default="", multiline=True, validate=validate.Length(max=FEEDBACK_LIMIT),
                    metadata={"label": "回执意见"})


class InboxQuery(Schema):
    unread = fields.Boolean(load_default=None, allow_none=True)
    asks_reply = fields.Boolean(load_default=None, allow_none=True)
    answered = fields.Boolean(load_default=None, allow_none=True)
    item_id = Id(load_default=None, strict=False)
    decision_id = Id(load_default=None, strict=False)
    kind = fields.String(load_default=None, validate=validate.OneOf(("unit", "partner", "review")))
    event_type = Text(load_default=None, validate=validate.Length(max=64))
    page = Page()
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class DeliveryQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(DELIVERY_STATES))
    subscription_id = Id(load_default=None, strict=False)


class SubscriptionIn(Schema):
    """A webhook (url + secret) or, when SMTP is configured, a mailbox (email)."""
    unit_id = Id(required=True)
    unit_kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(UNIT_KINDS))
    partner_role = Text(load_default=None, allow_none=True, validate=validate.Length(max=32))
    channel = fields.String(load_default="webhook", validate=validate.OneOf(("webhook", "email")))
    url = Text(load_default=None, validate=validate.Length(max=500), metadata={"label": "网址"})
    secret = Text(load_default=None, validate=validate.Length(min=16, max=200), metadata={"label": "密钥"})
    email = fields.Email(load_default=None, validate=validate.Length(max=254))
    events = capped_list(Text(validate=validate.Length(min=1, max=64), metadata={"label": "事件"}),
                         MAX_EVENTS, 1, required=True)

    @validates_schema
    def _channel_needs(self, data, **_):
        needs = ("url", "secret") if data["channel"] == "webhook" else ("email",)
        missing = {name: ["该通道必须填写"] for name in needs if not data.get(name)}
        if missing:
            raise ValidationError(missing)


class NoticeOut(Schema):
    id = fields.Integer()
    event_type = fields.String()
    kind = fields.String()
    unit_id = fields.Integer()
    role = fields.String()
    sender = fields.String(data_key="from")
    title = fields.String()
    body = fields.String()
    item_id = fields.Integer()
    decision_id = fields.Integer()
    reform_id = fields.Integer()
    about_unit_id = fields.Integer()
    link = fields.Function(lambda n: notice_link(n))
    asks_reply = fields.Boolean()
    reply_due = fields.Date()
    read_at = fields.DateTime()
    acknowledged_at = fields.DateTime()
    acknowledged_by = fields.Integer()
    acknowledged_unit_id = fields.Integer()
    feedback = fields.String()
    created_at = fields.DateTime()


def notice_link(notice):
    """Where the web client shows what the notice is about."""
    if notice.item_id:
        return f"#/items/{notice.item_id}"
    if notice.decision_id:
        return f"#/decisions/{notice.decision_id}"
    return f"#/reforms/{notice.reform_id}" if notice.reform_id else None


class SubscriptionOut(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_kind = fields.String()
    partner_role = fields.String()
    channel = fields.String()
    url = fields.String()
    email = fields.String()
    events = fields.List(fields.String())
    active = fields.Boolean()
    created_at = fields.DateTime()


class DeliveryOut(Schema):
    id = fields.String()
    subscription_id = fields.Integer()
    event_id = fields.String()
    event_type = fields.String()
    state = fields.String()
    status = fields.Function(lambda d: d.state)      # the name GET /deliveries?status filters on
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime()
    last_error = fields.String()
    delivered_at = fields.DateTime()
    created_at = fields.DateTime()
