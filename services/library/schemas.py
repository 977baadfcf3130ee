"""Schemas for the library's RPC input: a search request, legal-basis references."""
from marshmallow import Schema, fields, pre_load, validate

from services.common.schemas import Text

from .corpus import STATUSES

MAX_QUERY_CHARS = 500
MAX_PER_PAGE = 50
MAX_REFS = 200


class SearchIn(Schema):
    q = Text(required=True, multiline=True, validate=validate.Length(
        min=1, max=MAX_QUERY_CHARS, error=f"检索词应为1至{MAX_QUERY_CHARS}个字符"),
        error_messages={"required": "请输入检索词", "invalid": "检索词应为文本"})
    category = Text(load_default=None, allow_none=True, validate=validate.Length(max=32))
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(STATUSES, error="效力应为：" + "、".join(STATUSES)))
    regulation = Text(load_default=None, allow_none=True,
                      validate=validate.Regexp(r"^[A-Za-z]{1,3}\d{2,4}$", error="法规编号无效"))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000, error="页码无效"))
    per_page = fields.Integer(load_default=10, validate=validate.Range(
        min=1, max=MAX_PER_PAGE, error=f"每页条数应为1至{MAX_PER_PAGE}"))

    @pre_load
    def tidy(self, data, **_):
        """Blank filters mean no filter; the query is trimmed."""
        if not isinstance(data, dict):
            return data
        data = {k: v for k, v in data.items() if v is not None and v != ""}
        if isinstance(data.get("q"), str):
            data["q"] = data["q"].strip()
        if isinstance(data.get("regulation"), str):
            data["regulation"] = data["regulation"].strip().upper()
        return data


class ReferenceIn(Schema):
    regulation = Text(required=True, validate=validate.Length(min=1, max=16))
    article = fields.Raw(required=True)


class ReferencesIn(Schema):
    refs = fields.List(fields.Nested(ReferenceIn), required=True,
                       validate=validate.Length(max=MAX_REFS, error=f"最多{MAX_REFS}条依据"))
