from marshmallow import Schema, ValidationError, fields, validate

from services.common.errors import from_marshmallow
from services.common.messages import to_chinese


class Sample(Schema):
    name = fields.String(required=True, validate=validate.Length(max=3))
    kind = fields.String(validate=validate.OneOf(["a", "b"]))
    when = fields.Date()
    count = fields.Integer(validate=validate.Range(min=1))


def test_marshmallow_messages_reach_users_in_chinese():
    try:
        Sample().load({"kind": "c", "when": "2021-02-30", "count": 0, "extra": 1})
    except ValidationError as err:
        fields_ = from_marshmallow(err).fields
    assert fields_ == {"name": ["必填项"], "kind": ["须为以下之一：a, b"],
                       "when": ["不是有效日期（格式 YYYY-MM-DD）"], "count": ["不能小于1"],
                       "extra": ["未知字段"]}


def test_our_own_chinese_messages_pass_unchanged():
    assert to_chinese("身份证号校验位错误") == "身份证号校验位错误"
    assert to_chinese("Longer than maximum length 64.") == "长度不能超过64"
