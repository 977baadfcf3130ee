"""Chinese numerals (中文数字): article numbers, dates and sums as official documents write them.

``cn_to_int("一百零三") == 103``; ``int_to_cn(103) == "一百零三"``;
``date_cn("2021-03-01") == "二〇二一年三月一日"``; ``amount_cn("12000.00") == "壹万贰仟元整"``.
"""
from datetime import date
from decimal import Decimal, InvalidOperation

DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
CN_DIGITS = "〇一二三四五六七八九"
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS) + "0123456789０１２３４５６７８９"
NUMERAL = f"[{NUMERAL_CHARS}]+"          # a regular expression for one number, either script


def cn_to_int(text):
    """An integer from Chinese (一百零三, 十五) or Arabic (103, full-width too) numerals."""
    text = (text or "").strip().translate(_FULLWIDTH)
    if not text:
        raise ValueError("empty numeral")
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for char in text:
        if char in DIGITS:
            digit = DIGITS[char]
        elif char in UNITS:
            total += (1 if digit is None else digit) * UNITS[char]
            digit = None
        else:
            raise ValueError(f"not a numeral: {text!r}")
    return total + (digit or 0)


_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def int_to_cn(number):
    """Chinese numerals as article numbers are written: 10 → 十, 103 → 一百零三, 110 → 一百一十."""
    if number < 0 or number > 9999:
        raise ValueError(f"out of range: {number}")
    if number == 0:
        return "零"
    parts, pending_zero = [], False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        parts.append(CN_DIGITS[digit] + unit)
    text = "".join(parts)
    return text[1:] if text.startswith("一十") else text


def year_cn(year):
    """2021 → 二〇二一 (years digit by digit)."""
    return "".join(CN_DIGITS[int(d)] for d in str(year))


def date_cn(value):
    """A date in official-document style: 二〇二一年三月一日 (blank for no date)."""
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{year_cn(day.year)}年{int_to_cn(day.month)}月{int_to_cn(day.day)}日"


def months_cn(months):
    """12 → 一年, 18 → 一年六个月, 6 → 六个月 (影响期的写法)."""
    if not months:
        return ""
    years, rest = divmod(int(months), 12)
    text = f"{int_to_cn(years)}年" if years else ""
    return text + (f"{int_to_cn(rest)}个月" if rest else "")


_CAPITALS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿")


def amount_cn(amount):
    """A sum of money in capitals (大写金额): 12000.50 → 壹万贰仟元伍角整."""
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return ""
    if value < 0 or value >= Decimal("1000000000000"):
        return ""
    yuan, cents = divmod(int(value * 100), 100)
    text = (_integer_capitals(yuan) + "元") if yuan else ""
    jiao, fen = divmod(cents, 10)
    if jiao:
        text += _CAPITALS[jiao] + "角"
    elif fen and yuan:
        text += "零"
    if fen:
        text += _CAPITALS[fen] + "分"
    if not fen:
        text += "整"
    return text or "零元整"


def _integer_capitals(number):
    groups = []
    while number:
        number, group = divmod(number, 10000)
        groups.append(group)
    text, zero_pending = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(text)
            continue
        if zero_pending or (text and group < 1000):
            text += "零"
        text += _group_capitals(group) + _BIG_UNITS[index]
        zero_pending = False
    return text


def _group_capitals(group):
    text, zero_pending = "", False
    for position in range(3, -1, -1):
        digit = group // 10 ** position % 10
        if digit == 0:
            zero_pending = bool(text)
            continue
        if zero_pending:
            text += "零"
            zero_pending = False
        text += _CAPITALS[digit] + _SMALL_UNITS[position]
    return text
