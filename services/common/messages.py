"""Validation messages in Chinese.  marshmallow speaks English; users read Chinese.

:func:`to_chinese` translates marshmallow's built-in messages (exact ones, then the
parametrised ones by pattern); our own messages are Chinese already and pass unchanged.
"""
import re

EXACT = {
    "Missing data for required field.": "必填项",
    "Field may not be null.": "不能为空",
    "Invalid value.": "值无效",
    "Not a valid date.": "不是有效日期（格式 YYYY-MM-DD）",
    "Not a valid datetime.": "不是有效时间",
    "Not a valid integer.": "应为整数",
    "Not a valid number.": "应为数字",
    "Not a valid string.": "应为文本",
    "Not a valid boolean.": "应为是/否",
    "Not a valid list.": "应为列表",
    "Not a valid mapping type.": "应为对象",
    "Not a valid email address.": "不是有效的电子邮箱",
    "Not a valid URL.": "不是有效的网址",
    "Not a valid UUID.": "不是有效的标识",
    "Invalid type.": "类型无效",
    "Invalid input type.": "输入类型无效",
    "Unknown field.": "未知字段",
    "Number too large.": "数值过大",
    "Special numeric values (nan or infinity) are not permitted.": "不允许 NaN 或无穷大",
}
PATTERNS = [
    (re.compile(r"^Must be one of: (.*)\.$"), r"须为以下之一：\1"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), r"长度应在\1至\2之间"),
    (re.compile(r"^Length must be (\d+)\.$"), r"长度应为\1"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), r"长度不能超过\1"),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), r"长度不能少于\1"),
    (re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"), r"应在\1至\2之间"),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), r"不能小于\1"),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), r"不能大于\1"),
    (re.compile(r"^Must be greater than (\S+)\.$"), r"应大于\1"),
    (re.compile(r"^Must be less than (\S+)\.$"), r"应小于\1"),
    (re.compile(r"^Not a valid (.+)\.$"), r"格式无效（\1）"),
]


def to_chinese(message):
    if not isinstance(message, str):
        return message
    if message in EXACT:
        return EXACT[message]
    for pattern, replacement in PATTERNS:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message
