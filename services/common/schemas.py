"""Loading input with marshmallow, and the fields every input schema shares.

A ValidationError becomes a 400 naming the fields (:func:`load`).  The fields below are the
platform's input limits, written once and used by every service's schemas and the gateway's:

- :class:`Text`: trimmed; refuses control characters (NUL, ESC…; a multi-line text keeps tab
  and line breaks), bidirectional overrides (RLO…) and, on one line, invisible characters
  (zero-width space, BOM…), with a Chinese message naming the field and the character.
- :class:`Name`: a :class:`Text` in Unicode NFKC with runs of spaces made one, for names that
  must be unique or compared (persons, units, usernames): :func:`normalise_name` is the form
  uniqueness is checked on, so "东河区民政局 " and "东河区民政局" are one name.
- :class:`Id`: a record id, a positive integer within 64 bits (``MAX_ID``).
- :class:`Money`: at most 12 integer digits and 2 decimals, refused rather than rounded.
- :class:`Day`: a date within a window (``EARLIEST`` … ``LATEST`` unless told otherwise).
- :func:`capped_list`: a list with a maximum size that its message states.
"""
import decimal
import unicodedata
from datetime import date

from marshmallow import ValidationError, fields, validate

from .errors import from_marshmallow

MAX_ID = 2 ** 63 - 1                # ids travel as signed 64-bit integers
EARLIEST = date(1978, 1, 1)         # no decision of the platform's scope predates 1978
LATEST = date(2099, 12, 31)         # beyond any deadline the rule book can compute
MONEY_INTEGER_DIGITS = 12           # 999,999,999,999.99 fits NUMERIC(14, 2)
MAX_PAGE = 10000

# Formatting characters that reorder or hide text (Trojan Source, CVE-2021-42574).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\t\n\r")


def unsafe_character(value, multiline=False):
    """The first character ``value`` may not carry, described in Chinese, or None.

    Refused everywhere: control characters (C0, DEL, C1) but tab and line breaks in a
    multi-line text, bidirectional controls, lone surrogates.  On one line also tab and line
    breaks, the line/paragraph separators and every invisible formatting character (category
    Cf: zero-width space U+200B, word joiner, BOM…)."""
    for ch in value:
        if ch.isprintable() and ch not in BIDI_CONTROLS:
            continue        # the common case, fast: letters, digits, punctuation, CJK, spaces
        code = f"U+{ord(ch):04X}"
        category = unicodedata.category(ch)
        if ch in BIDI_CONTROLS:
            return f"双向文本控制字符 {code}"
        if ch in LINE_BREAKS:
            if multiline:
                continue
            return f"换行或制表符 {code}"
        if category == "Cc":
            return f"控制字符 {code}"
        if category == "Cs":
            return f"无效的代理字符 {code}"
        if category == "Cf":
            if multiline and ch in "\u200c\u200d":   # ZWNJ/ZWJ join emoji and some scripts
                continue
            return f"不可见字符 {code}"
        if category in ("Zl", "Zp"):
            if multiline:
                continue
            return f"分隔符 {code}"
        # Other non-printables (unassigned code points, U+3000 is printable): let them be.
    return None


def printable(value):
    """``value`` without the characters :func:`unsafe_character` refuses on one line (for
    text taken from a refused request into a log or the audit trail: a NUL cannot be stored
    in PostgreSQL, an ESC or RLO must not reach a terminal or a screen)."""
    if unsafe_character(value) is None:
        return value
    return "".join(ch for ch in value if unsafe_character(ch) is None)


def normalise_name(value):
    """The form a name is stored and compared in: NFKC (full-width letters and digits become
    ASCII, compatibility forms their plain letter), trimmed, inner runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFKC", value).split())


class Text(fields.String):
    """A text field: trimmed, and refused (400 naming the field) when it carries a control,
    bidirectional or (on one line) invisible character.  ``multiline=True`` for free text
    (facts, requirements, opinions), which may have line breaks and tabs."""

    def __init__(self, *args, multiline=False, **kwargs):
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = unsafe_character(text, self.multiline)
        if problem:
            raise ValidationError(f"{self.label}含有不允许的{problem}")
        return self.tidy(text)

    @property
    def label(self):
        return self.metadata.get("label") or self.data_key or self.name or "文本"

    def tidy(self, text):
        return text.strip()


class Name(Text):
    """A name (person, unit, username, display name): NFKC, trimmed, one space between words.
    Uniqueness is on this form (see :func:`normalise_name`)."""

    def tidy(self, text):
        return normalise_name(text)


class Id(fields.Integer):
    """A record id: an integer from 1 to ``MAX_ID``.  Strict (a JSON number) in bodies;
    ``strict=False`` for query strings, where it comes as text."""

    def __init__(self, *args, strict=True, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_ID, error="编号应为1至2^63−1之间的整数"))
        super().__init__(*args, strict=strict, **kwargs)


class Page(fields.Integer):
    """A page number (1…MAX_PAGE) from a query string."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("load_default", 1)
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_PAGE, error=f"页码应为1至{MAX_PAGE}"))
        super().__init__(*args, **kwargs)


class Money(fields.Decimal):
    """An amount of money: at least 0.01 unless told, at most 12 integer digits and 2
    decimals.  More decimals are refused, never rounded (12.345 is a 400, not 12.34)."""

    default_error_messages = {
        "decimals": "金额最多保留两位小数",
        "too_many_digits": f"金额整数部分最多{MONEY_INTEGER_DIGITS}位",
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("as_string", True)
        super().__init__(*args, **kwargs)

    def _validated(self, value):
        num = super()._validated(value)
        if num.is_finite() and num != 0 and num.adjusted() >= MONEY_INTEGER_DIGITS:
            raise self.make_error("too_many_digits")
        try:
            exact = num.quantize(decimal.Decimal("0.01"), context=decimal.Context(traps=[decimal.Inexact]))
        except decimal.DecimalException:
            raise self.make_error("decimals")
        return exact


class Day(fields.Date):
    """A date (YYYY-MM-DD) within ``earliest`` … ``latest``, named in the message."""

    def __init__(self, *args, earliest=EARLIEST, latest=LATEST, **kwargs):
        self.earliest, self.latest = earliest, latest
        kwargs.setdefault("validate", validate.Range(
            min=earliest, max=latest, error=f"日期应在 {earliest} 至 {latest} 之间"))
        super().__init__(*args, **kwargs)


def capped_list(inner, maximum, minimum=0, **kwargs):
    """A list of at most ``maximum`` entries (and at least ``minimum``), the bound in the message."""
    if minimum:
        error = f"应为{minimum}至{maximum}项"
    else:
        error = f"最多{maximum}项"
    return fields.List(inner, validate=validate.Length(min=minimum, max=maximum, error=error), **kwargs)


def load(schema, payload):
    try:
        return schema.load(payload if payload is not None else {})
    except ValidationError as err:
        raise from_marshmallow(err)
