"""居民身份证号码 check (GB 11643-1999): 17 digits, a valid birth date, and the check character."""
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_character(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def id_number_problem(value: str):
    """None if ``value`` is a valid 18-character 身份证号, else the reason in Chinese."""
    if not isinstance(value, str) or len(value) != 18:
        return "身份证号应为18位"
    body, last = value[:17], value[17].upper()
    if not body.isdigit() or not (last.isdigit() or last == "X"):
        return "身份证号前17位应为数字，末位为数字或X"
    try:
        date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效"
    if check_character(body) != last:
        return "身份证号校验位错误"
    return None
