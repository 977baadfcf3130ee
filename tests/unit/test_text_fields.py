"""The shared input fields (services/common/schemas.py) and that every input schema uses them.

Every free-text field of every input schema (services' ``*In``/``*Query`` schemas, the
gateway's, the evidence checklists) is a :class:`Text` (or :class:`Name`), or can only hold
one of a fixed set of values: a control, bidi or invisible character cannot reach a table
through a plain ``fields.String``.
"""
import importlib
import inspect
from datetime import date
from decimal import Decimal

import pytest
from marshmallow import Schema, fields, validate

from services.common.errors import ValidationFailed
from services.common.schemas import (MAX_ID, Day, Id, Money, Name, Text, capped_list, load,
                                     normalise_name, unsafe_character)
from services.review.checklist import load_checklist

SCHEMA_MODULES = ["services.case.schemas", "services.review.schemas", "services.notify.schemas",
                  "services.deadline.schemas", "services.library.schemas", "gateway.schemas"]


class Sample(Schema):
    name = Name(required=True, metadata={"label": "姓名"})
    line = Text(load_default=None)
    facts = Text(load_default=None, multiline=True, metadata={"label": "违纪事实"})
    unit_id = Id(load_default=None)
    amount = Money(load_default=None)
    day = Day(load_default=None)
    entries = capped_list(Text(), 3, load_default=list)


def refused(payload, field):
    with pytest.raises(ValidationFailed) as err:
        load(Sample(), {"name": "张三", **payload})
    assert field in err.value.fields, err.value.fields
    return err.value.fields[field][0]


@pytest.mark.parametrize("text,problem", [
    ("张\x00三", "控制字符 U+0000"), ("张\x1b[31m三", "控制字符 U+001B"), ("张\x7f三", "控制字符 U+007F"),
    ("张\x85三", "控制字符 U+0085"), ("张\u202e三", "双向文本控制字符 U+202E"),
    ("张\u2066三", "双向文本控制字符 U+2066"), ("张\u200b三", "不可见字符 U+200B"),
    ("张\ufeff三", "不可见字符 U+FEFF"), ("张\n三", "换行或制表符 U+000A"), ("张\u2028三", "分隔符 U+2028"),
])
def test_a_name_with_a_control_bidi_or_invisible_character_is_refused_naming_the_field(text, problem):
    message = refused({"name": text}, "name")
    assert message == f"姓名含有不允许的{problem}"


def test_a_multiline_text_keeps_line_breaks_and_tabs_but_not_escapes_or_overrides():
    data = load(Sample(), {"name": "张三", "facts": "  第一段\n\t第二段\r\n  "})
    assert data["facts"] == "第一段\n\t第二段"
    assert refused({"facts": "a\x1bb"}, "facts") == "违纪事实含有不允许的控制字符 U+001B"
    assert "U+202E" in refused({"facts": "a\u202eb"}, "facts")
    assert "U+0000" in refused({"line": "a\x00"}, "line")


def test_names_are_nfkc_trimmed_and_single_spaced():
    assert load(Sample(), {"name": "  东河区民政局 "})["name"] == "东河区民政局"
    assert load(Sample(), {"name": "ＡＢＣ　１２３"})["name"] == "ABC 123"   # full-width, U+3000
    assert normalise_name("东河区  民政局\u3000") == "东河区 民政局"
    assert load(Sample(), {"name": "张三", "line": "  x  "})["line"] == "x"


def test_printable_text_of_every_script_passes():
    for text in ("东纪发〔2021〕12号", "O'Brien-Smith", "🙂 emoji", "Ελληνικά", "عربى", "村(社区)干部"):
        assert unsafe_character(text) is None, text


@pytest.mark.parametrize("value,ok", [
    (1, True), (MAX_ID, True), (MAX_ID + 1, False), (0, False), (-1, False), ("3", False), (True, False),
])
def test_ids_are_positive_64_bit_integers(value, ok):
    if ok:
        assert load(Sample(), {"name": "x", "unit_id": value})["unit_id"] == value
    else:
        refused({"unit_id": value}, "unit_id")


@pytest.mark.parametrize("amount,expected", [
    ("12.34", "12.34"), ("12.340", "12.34"), (12.5, "12.50"), ("999999999999.99", "999999999999.99"),
    ("0.01", "0.01"),
])
def test_money_with_two_decimals_and_twelve_digits_passes(amount, expected):
    assert load(Sample(), {"name": "x", "amount": amount})["amount"] == Decimal(expected)


@pytest.mark.parametrize("amount,problem", [
    ("12.345", "金额最多保留两位小数"), (12.345, "金额最多保留两位小数"), ("0.001", "金额最多保留两位小数"),
    ("1000000000000", "金额整数部分最多12位"), ("1e20", "金额整数部分最多12位"),
    ("NaN", "不允许 NaN 或无穷大"), ("Infinity", "不允许 NaN 或无穷大"), ("一万", "应为数字"),
])
def test_money_is_refused_rather_than_rounded(amount, problem):
    assert refused({"amount": amount}, "amount") == problem


def test_dates_outside_the_window_and_lists_past_their_cap_are_refused():
    assert "1978-01-01" in refused({"day": "1900-01-01"}, "day")
    assert "2099-12-31" in refused({"day": "9999-12-31"}, "day")
    assert load(Sample(), {"name": "x", "day": "2021-03-01"})["day"] == date(2021, 3, 1)
    assert refused({"entries": ["a", "b", "c", "d"]}, "entries") == "最多3项"


# -- every input schema uses them --------------------------------------------------------------
def input_schemas():
    for module_name in SCHEMA_MODULES:
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Schema) and cls.__module__ == module_name and name.endswith(("In", "Query")):
                yield f"{module_name}.{name}", cls()
    for code, schema in load_checklist().schemas.items():
        yield f"evidence.yaml {code}", schema


def loose_strings(schema, where):
    """Paths of string fields that are neither Text nor restricted to fixed values."""
    for name, field in schema.load_fields.items():
        yield from loose_field(field, f"{where}.{name}")


def loose_field(field, where):
    if isinstance(field, fields.Nested):
        yield from loose_strings(field.schema, where)
    elif isinstance(field, fields.List):
        yield from loose_field(field.inner, f"{where}[]")
    elif isinstance(field, fields.Dict) and field.key_field is not None:
        yield from loose_field(field.key_field, f"{where}{{key}}")
    elif isinstance(field, fields.String) and not isinstance(field, (Text, fields.Email)):
        validators = field.validators if isinstance(field.validators, (list, tuple)) else [field.validators]
        fixed = any(isinstance(v, (validate.OneOf, validate.Equal)) for v in validators)
        if not fixed and not is_password(where):
            yield where


def is_password(where):
    """A password is hashed as typed, never stored or shown: no trimming, no normalising."""
    return where.rsplit(".", 1)[-1] == "password" or "Password" in where


def test_every_text_field_of_every_input_schema_is_a_text_field():
    loose = [path for where, schema in input_schemas() for path in loose_strings(schema, where)]
    assert loose == [], "use services.common.schemas.Text (or Name) for: " + ", ".join(loose)


def test_every_id_field_of_every_input_schema_is_bounded():
    unbounded = []
    for where, schema in input_schemas():
        for name, field in schema.load_fields.items():
            if name.endswith("_id") and isinstance(field, fields.Integer) and not isinstance(field, Id):
                unbounded.append(f"{where}.{name}")
    assert unbounded == [], "use services.common.schemas.Id for: " + ", ".join(unbounded)


def test_printable_drops_what_a_single_line_refuses():
    from services.common.schemas import printable
    assert printable("张\x00三\x1b[2J\u202e号\u200b") == "张三[2J号"
    assert printable("东纪发〔2021〕12号") == "东纪发〔2021〕12号"
