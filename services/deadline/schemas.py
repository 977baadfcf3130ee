"""Schemas of the deadline service's queries and events."""
from marshmallow import Schema, fields, validate

from services.common.schemas import Day, Id, Text


class ForecastQuery(Schema):
    as_of = Day(required=True)
    decision_id = Id(load_default=None, allow_none=True, strict=False)


class AlertsQuery(Schema):
    level = fields.String(load_default=None, allow_none=True,
                          validate=validate.OneOf(("reminder", "warning", "overdue")))


class DeadlineOut(Schema):
    """An item's countdown as alerts and the forecast answer it (sweep._view)."""
    item_id = fields.Integer()
    decision_id = fields.Integer()
    reform_id = fields.Integer()        # a reform task's (以案促改); decision_id is null then
    unit_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    item_name = fields.String()
    state = fields.String()
    due_date = fields.Date()
    level = fields.String()
    light = fields.String()
    days_left = fields.Integer()


# -- statistics (statistics.py): what the gateway passes on from the query string --------------
class CubeQuery(Schema):
    """GET /stats/cube: ``by`` one or two dimensions and ``measures`` (comma-separated; all
    when absent) are checked against the cube's lists in statistics.py; the sanction and the
    category against the rule book."""
    by = Text(required=True, validate=validate.Length(min=1, max=64), metadata={"label": "维度"})
    measures = Text(load_default=None, allow_none=True, validate=validate.Length(max=256),
                    metadata={"label": "指标"})
    since = Day(data_key="from", load_default=None, allow_none=True)
    until = Day(data_key="to", load_default=None, allow_none=True)
    unit_id = Id(load_default=None, allow_none=True, strict=False)
    sanction = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=32),
                    metadata={"label": "处分"})
    category = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=32),
                    metadata={"label": "人员类别"})
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "xlsx")))


class DashboardQuery(Schema):
    """GET /stats/dashboard: the trend's length in months (ending this month), one unit."""
    months = fields.Integer(load_default=12, strict=False,
                            validate=validate.Range(min=2, max=120, error="月数应为2至120"))
    unit_id = Id(load_default=None, allow_none=True, strict=False)
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "xlsx")))


class CubeOut(Schema):
    """The cube: ``rows`` [{<dim>: key, <dim>_name: 中文名, <measure>: value}], ``totals`` {<measure>: value};
    a measure a dimension or filter does not apply to is null and named in ``not_applicable``."""
    by = fields.List(fields.String())
    measures = fields.List(fields.String())
    rows = fields.List(fields.Dict())
    totals = fields.Dict()
    not_applicable = fields.List(fields.String())
    as_of = fields.Date()
    filters = fields.Dict()
    labels = fields.Dict()


class DashboardOut(Schema):
    """The cockpit (领导驾驶舱)."""
    as_of = fields.Date()
    unit_id = fields.Integer(allow_none=True)
    months = fields.Integer()
    headline = fields.Dict()
    lights_by_unit = fields.List(fields.Dict())
    correction_trend = fields.List(fields.Dict())
    units_by_on_time_rate = fields.List(fields.Dict())
    rejection_categories = fields.List(fields.Dict())
    labels = fields.Dict()
