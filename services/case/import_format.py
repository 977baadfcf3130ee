"""The import workbook's columns (批量导入的表格格式): each header's text and the registration
field it fills.  Plain data, no openpyxl and no nameko.

One table says it, for everyone who needs it: the gateway reads a workbook by these headers
(gateway/imports.py), writes the template and the export (``GET /decisions?format=xlsx``) with
them, and case names the column of a row's problem by them (``column_of``), so an error reads
``{row: 7, column: "身份证号", message: "身份证号校验位错误"}`` whatever layer found it.

Two sheets: ``处分决定`` (one decision per row, the body of ``POST /decisions``) and ``执行进度``
(one row per execution item already done: its 文号, the item's name as the rule book spells it,
the assessment year of a 评定等级, and the day it was done).
"""
import re
import unicodedata
from dataclasses import dataclass

DECISIONS_SHEET = "处分决定"
PROGRESS_SHEET = "执行进度"
GUIDE_SHEET = "填写说明"
LISTS_SHEET = "词汇"
# Columns a workbook may carry that the import does not read: a running number, remarks.
IGNORED_HEADERS = ("序号", "备注")
# A row whose 序号 says this is the template's example: it is never imported.
SAMPLE_MARK = "示例"
LIST_SEPARATORS = re.compile(r"[、，,；;\n]+")


@dataclass(frozen=True)
class Column:
    header: str
    field: str             # the registration field (dotted), or the progress row's key
    kind: str = "text"     # text | id_number | unit | date | int | money | list | choice
    required: bool = False    # the column must be in the sheet (a cell may still be optional)
    vocabulary: str = ""   # where a choice's values come from (rule book / directory), for drop-downs
    note: str = ""


DECISION_COLUMNS = (
    Column("姓名", "person.name", required=True, note="被处分人姓名"),
    Column("身份证号", "person.id_number", "id_number", required=True,
           note="18位居民身份证号（按 GB 11643 校验末位）；请以文本格式填写，数字格式会丢失末几位"),
    Column("性别", "person.gender", "choice", vocabulary="gender", note="男 或 女，可不填"),
    Column("所在单位", "person.unit_id", "unit", required=True, vocabulary="units",
           note="主体责任部门的名称，与系统中的单位名称一致"),
    Column("职务", "person.post", note="可不填"),
    Column("政治面貌", "person.political_status", "choice", required=True, vocabulary="political_status"),
    Column("民主党派", "person.democratic_party", "choice", vocabulary="democratic_party",
           note="政治面貌为民主党派时填写所属党派，否则留空"),
    Column("人员类别", "person.category", "choice", required=True, vocabulary="category"),
    Column("文号", "doc_number", required=True, note="处分决定文号，唯一；已登记的文号跳过不导入"),
    Column("决定机关", "decided_by", required=True),
    Column("决定日期", "decision_date", "date", required=True,
           note="日期格式 YYYY-MM-DD（也接受 2021/3/1、2021年3月1日、20210301），不能晚于今天"),
    Column("党纪处分", "sanctions.party.type", "choice", required=True, vocabulary="party_sanctions",
           note="党纪处分与政务处分至少填写一项；党纪处分仅适用于中共党员"),
    Column("党纪处分期限（月）", "sanctions.party.months", "int", vocabulary="party_months",
           note="留党察看须写明期限（12 或 24 个月），其他处分留空"),
    Column("政务处分", "sanctions.government.type", "choice", required=True, vocabulary="government_sanctions"),
    Column("政务处分期限（月）", "sanctions.government.months", "int",
           note="政务处分的影响期由规定确定，一般留空"),
    Column("违纪所得金额（元）", "illicit_gains.amount", "money", note="有涉案财物收缴、退赔时填写，最多两位小数"),
    Column("违纪所得处置", "illicit_gains.disposition", "choice", vocabulary="disposition",
           note="填写了金额时必填"),
    Column("组织处理", "org_handling", "list", note="多项用顿号（、）分隔，如：免职、调整职务"),
    Column("三书", "letters", "list", note="随案发出的建议书等，多项用顿号分隔，如：纪检监察建议书"),
    Column("违纪事实", "facts", note="可不填"),
)

PROGRESS_COLUMNS = (
    Column("文号", "doc_number", required=True, note="与“处分决定”表中的文号一致"),
    Column("执行事项", "item", "choice", required=True, vocabulary="items",
           note="规则库中的事项名称，如：送达、宣布、抄送、归档"),
    Column("考核年度", "cycle", "int", note="评定等级事项填写考核年度（如 2019），其他事项留空"),
    Column("办结日期", "performed_on", "date", required=True,
           note="该事项实际办结的日期；按前后顺序办结，不早于决定日期和前序事项的办结日期，不晚于今天"),
)

COLUMNS = {DECISIONS_SHEET: DECISION_COLUMNS, PROGRESS_SHEET: PROGRESS_COLUMNS}
SANCTION_KINDS = ("party", "government")


def header_key(text):
    """How a header cell is compared: NFKC (full-width brackets become plain), no spaces, no
    trailing required-mark."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).rstrip("*＊")


HEADER_KEYS = {sheet: {header_key(c.header): c for c in columns} for sheet, columns in COLUMNS.items()}
BY_FIELD = {sheet: {c.field: c for c in columns} for sheet, columns in COLUMNS.items()}


def sanction_field(payload, path):
    """``sanctions.1.months`` → ``sanctions.government.months`` (the payload lists the party
    sanction first when it has one); ``sanctions`` → the party sanction's column."""
    parts = path.split(".")
    if len(parts) == 1:
        return "sanctions.party.type"
    sanctions = payload.get("sanctions") if isinstance(payload, dict) else None
    kind = None
    if parts[1].isdigit() and isinstance(sanctions, list) and int(parts[1]) < len(sanctions):
        entry = sanctions[int(parts[1])]
        kind = entry.get("kind") if isinstance(entry, dict) else None
    if kind not in SANCTION_KINDS:
        kind = parts[1] if parts[1] in SANCTION_KINDS else "party"
    leaf = parts[2] if len(parts) > 2 and parts[2] in ("type", "months") else "type"
    return f"sanctions.{kind}.{leaf}"


def field_of(path, payload=None):
    """The column field a validation path names (``person.id_number``, ``org_handling.3`` →
    ``org_handling``, ``illicit_gains`` → its amount), or None for the row as a whole."""
    if not path or path.startswith("_"):
        return None
    if path == "sanctions" or path.startswith("sanctions."):
        return sanction_field(payload, path)
    if path == "illicit_gains":
        return "illicit_gains.amount"
    head = path.split(".")[0]
    if head in ("org_handling", "letters"):
        return head
    if path in BY_FIELD[DECISIONS_SHEET]:
        return path
    if path == "person.unit_kind":
        return "person.unit_id"
    if path == "person":
        return "person.name"
    return None


def column_of(field, sheet=DECISIONS_SHEET):
    """The header text of ``field`` in ``sheet``, or None (a problem of the row as a whole)."""
    column = BY_FIELD[sheet].get(field) if field else None
    return column.header if column else None
