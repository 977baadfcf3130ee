"""Schemas of the deadline service's queries and events."""
from marshmallow import Schema, fields, validate

from services.common.schemas import Day, Id


class ForecastQuery(Schema):
    as_of = Day(required=True)
    decision_id = Id(load_default=None, allow_none=True, strict=False)


class AlertsQuery(Schema):
    level = fields.String(load_default=None, allow_none=True,
                          validate=validate.OneOf(("reminder", "warning", "overdue")))


class DeadlineOut(Schema):
    item_id = fields.Integer()
    decision_id = fields.Integer()
    unit_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    item_name = fields.String(attribute="name")
    state = fields.String()
    due_date = fields.Date(attribute="target_date")
    level = fields.String()
    light = fields.String()
    days_left = fields.Integer()
