"""The batch import's workbook (批量导入): reading an uploaded .xlsx into rows, the template,
the export that imports back, and the row errors as a workbook.  Plain functions, no nameko.

The columns are case's (``services.case.import_format``): the same table reads, writes and
names every problem.  Reading refuses, as a whole (400, nothing recorded), a file that is not
an .xlsx by its content (an .xls, a .docx, a text, an empty body), one that unpacks to more
than ``MAX_UNPACKED`` bytes or entries (a zip bomb), a workbook without the 处分决定 sheet or
with its columns missing or unknown (each named), or without a data row.  Everything else is a
problem of a row, named by the sheet's own row number and the header's text: a formula, an
error value, a merged cell, a date it cannot read without guessing (2021/3/1, 2021年3月1日 and
20210301 are read; 03/05/2021 is not), a 身份证号 stored as a number, a unit the directory does not
know or that is not a responsible unit, two rows with one 文号, an empty row between rows, and
whatever case's registration refuses; such a row is not written, the others are.
"""
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation

from services.case.identity import check_character
from services.case.import_format import (BY_FIELD, DECISION_COLUMNS, DECISIONS_SHEET, GUIDE_SHEET, HEADER_KEYS,
                                         IGNORED_HEADERS, LIST_SEPARATORS, LISTS_SHEET, PROGRESS_COLUMNS,
                                         PROGRESS_SHEET, SAMPLE_MARK, header_key)
from services.common.errors import ValidationFailed
from services.common.schemas import normalise_name

from .xlsx import Column, Sheet

MAX_BYTES = 10 * 1024 * 1024          # an upload past this is refused before it is read
MAX_UNPACKED = 200 * 1024 * 1024      # what the zip may unpack to, all entries together
MAX_ENTRIES = 2000
MAX_RATIO = 200                       # unpacked ÷ packed of one large entry: more is a bomb
MAX_ROWS = 20_000                     # decision rows of one workbook
HEADER_ROWS = 10                      # the header is one of a sheet's first rows
TEMPLATE_ROWS = 5000                  # rows the template's drop-downs and formats cover
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"     # .xls, or an encrypted .xlsx
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SAMPLE_FILL = PatternFill("solid", fgColor="F2F2F2")
MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
COMPACT_DAY = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
MONTHS = re.compile(r"^(\d{1,4})\s*(?:个月|月)?$")
GENDERS = ("男", "女")


def refuse(message, problems=None):
    return ValidationFailed(message, {"file": problems or [message]})


@dataclass
class Vocabulary:
    """What the cells are checked against and the drop-downs offer: the rule book's words
    (``case.rulebook_summary``) and the directory's units."""
    party_sanctions: list
    government_sanctions: list
    party_months: list
    political_status: list
    democratic_party: list
    category: list
    disposition: list
    items: list
    units: dict                       # normalised name -> (id, kind, name)
    responsible: list                 # names of the responsible units, for the drop-down
    spellings: dict = field(default_factory=dict)   # vocabulary -> {header_key(word): word}

    @classmethod
    def of(cls, summary, units):
        sanctions = summary["sanctions"]
        words = summary["vocabularies"]
        choices = sorted({m for s in sanctions if s["kind"] == "party" for m in s.get("months_choices") or ()})
        return cls(
            party_sanctions=[s["type"] for s in sanctions if s["kind"] == "party"],
            government_sanctions=[s["type"] for s in sanctions if s["kind"] == "government"],
            party_months=[str(m) for m in choices],
            political_status=list(words["political_status"]), democratic_party=list(words["democratic_party"]),
            category=list(words["category"]), disposition=list(words["disposition"]),
            items=[i["name"] for i in summary["items"]],
            units={normalise_name(u.name): (u.id, u.kind, u.name) for u in units},
            responsible=[u.name for u in units if u.kind == "responsible"])

    def spelling(self, vocabulary, text):
        """The vocabulary's own spelling of ``text`` typed with full-width brackets or spaces."""
        if vocabulary not in self.spellings:
            self.spellings[vocabulary] = {header_key(word): word for word in self.lists().get(vocabulary) or ()}
        return self.spellings[vocabulary].get(header_key(text), text)

    def lists(self):
        """Each drop-down's values, by the vocabulary a column names."""
        return {"gender": list(GENDERS), "units": self.responsible, "political_status": self.political_status,
                "democratic_party": self.democratic_party, "category": self.category,
                "party_sanctions": self.party_sanctions, "party_months": self.party_months,
                "government_sanctions": self.government_sanctions, "disposition": self.disposition,
                "items": self.items}


@dataclass
class Parsed:
    rows: list                        # RowIn dicts, oldest decision first (stacking follows dates)
    problems: list = field(default_factory=list)   # {sheet, row, column, message} outside any row
    progress_rows: int = 0


# -- reading ------------------------------------------------------------------------------------
def check_container(content):
    """An .xlsx by its content, within the unpacking limits; else a 400 saying what it is."""
    if not content:
        raise refuse("文件为空，请选择要导入的 .xlsx 文件")
    if len(content) > MAX_BYTES:
        raise refuse(f"文件过大：{len(content) / 1048576:.1f} MB，上限 {MAX_BYTES // 1048576} MB；请分成几个文件导入")
    if content.startswith(OLE_MAGIC):
        raise refuse("这是旧版 Excel（.xls）或加密的工作簿，请在 Excel 中另存为 .xlsx（不加密）后导入")
    if not content.startswith(XLSX_MAGIC):
        raise refuse("文件不是 Excel 工作簿（.xlsx）：请上传用导入模板填写的 .xlsx 文件")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise refuse("文件已损坏，无法作为 .xlsx 打开")
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise refuse("文件不是 Excel 工作簿（.xlsx）：压缩包中没有工作簿（可能是 .docx 或其他文件）")
    unpacked = sum(entry.file_size for entry in entries)
    bomb = any(entry.file_size > 10 * 1048576 and entry.file_size > MAX_RATIO * max(entry.compress_size, 1)
               for entry in entries)
    if len(entries) > MAX_ENTRIES or unpacked > MAX_UNPACKED or bomb:
        raise refuse(f"文件解压后过大（{unpacked / 1048576:.0f} MB，{len(entries)} 个部件；上限 "
                     f"{MAX_UNPACKED // 1048576} MB），疑似压缩炸弹，未导入")
    return archive


def read_workbook(content, vocab):
    """The rows of an uploaded workbook (see the module's doc); a 400 for the file as a whole."""
    archive = check_container(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:       # openpyxl raises anything from KeyError to XML errors
        raise refuse(f"无法读取该 Excel 文件：{type(exc).__name__}")
    try:
        if DECISIONS_SHEET not in book.sheetnames:
            raise refuse(f"工作簿中没有“{DECISIONS_SHEET}”工作表（现有：{'、'.join(book.sheetnames) or '无'}），"
                         f"请使用导入模板", [f"缺少工作表：{DECISIONS_SHEET}"])
        decisions = _SheetReader(book[DECISIONS_SHEET], DECISIONS_SHEET, archive)
        progress = (_SheetReader(book[PROGRESS_SHEET], PROGRESS_SHEET, archive)
                    if PROGRESS_SHEET in book.sheetnames else None)
        header_problems = decisions.problems + (progress.problems if progress else [])
        if header_problems:
            raise ValidationFailed("表头有误：" + "；".join(header_problems),
                                   {"file": header_problems})
        parsed = _rows(decisions, progress, vocab)
    finally:
        book.close()
    if not parsed.rows and not parsed.problems:
        raise refuse(f"“{DECISIONS_SHEET}”工作表没有数据行（表头之下为空）")
    if len(parsed.rows) > MAX_ROWS:
        raise refuse(f"一次最多导入 {MAX_ROWS} 行，该文件有 {len(parsed.rows)} 行，请分成几个文件")
    return parsed


class _SheetReader:
    """One sheet: its header row found and checked, its merged ranges, its data rows."""

    def __init__(self, ws, sheet, archive):
        self.sheet = sheet
        self.problems = []            # the header's (the file is refused)
        self.row_problems = []        # rows' that are no decision's (empty rows): recorded
        self.columns = {}             # column index (1-based) -> import_format Column, or None (ignored)
        self.number_column = None     # 序号
        self.cells = [tuple(row) for row in ws.iter_rows()]
        self.header_row = self._find_header()
        self.merged = _merged_ranges(ws, archive) if self.header_row else []

    def _find_header(self):
        known = HEADER_KEYS[self.sheet]
        for index, row in enumerate(self.cells[:HEADER_ROWS], start=1):
            keys = [header_key(_text_of(c.value)) for c in row]
            if sum(1 for k in keys if k in known) >= 2:
                self._check_header(row, index)
                return index
        wanted = "、".join(c.header for c in known.values() if c.required)
        self.problems.append(f"“{self.sheet}”工作表前{HEADER_ROWS}行中未找到表头（应包含：{wanted}）")
        return None

    def _check_header(self, row, number):
        known, seen, unknown = HEADER_KEYS[self.sheet], {}, []
        ignored = {header_key(h) for h in IGNORED_HEADERS}
        for position, cell in enumerate(row, start=1):
            text = _text_of(cell.value)
            key = header_key(text)
            if not key:
                continue
            if key in ignored:
                self.columns[position] = None
                if key == header_key("序号"):
                    self.number_column = position
            elif key in known:
                column = known[key]
                if column.field in seen:
                    self.problems.append(f"“{self.sheet}”工作表的列“{column.header}”出现了两次"
                                         f"（{get_column_letter(seen[column.field])}{number} 与 "
                                         f"{get_column_letter(position)}{number}）")
                seen[column.field] = position
                self.columns[position] = column
            else:
                unknown.append(text)
        if unknown:
            self.problems.append(f"“{self.sheet}”工作表有未知的列：{'、'.join(unknown)}"
                                 f"（可用的列见模板的“{GUIDE_SHEET}”，不导入的内容可写在“备注”列）")
        missing = [c.header for c in known.values() if c.required and c.field not in seen]
        if missing:
            self.problems.append(f"“{self.sheet}”工作表缺少列：{'、'.join(missing)}")

    def data(self):
        """``(row number, {field: cell}, sample?)`` for every row under the header that is not
        empty; empty rows between rows are problems (trailing ones are ignored)."""
        rows, empty = [], []
        merged_rows = {r for first, last, *_ in self.merged for r in range(first, last + 1)}
        for number, row in enumerate(self.cells[self.header_row:], start=self.header_row + 1):
            values = {}
            for position, cell in enumerate(row, start=1):
                column = self.columns.get(position)
                if column is not None and not _blank(cell.value):
                    values[column.field] = cell
            number_cell = row[self.number_column - 1] if self.number_column and len(row) >= self.number_column else None
            if not values and number not in merged_rows:
                empty.append(number)   # (a running number alone is an empty row all the same)
                continue
            self.row_problems.extend({"sheet": self.sheet, "row": gap, "column": None,
                                      "message": f"第{gap}行为空行，请删除空行后重新导入"} for gap in empty)
            empty = []
            sample = number_cell is not None and _text_of(number_cell.value) == SAMPLE_MARK
            rows.append((number, values, sample))
        return rows

    def merged_in(self, number):
        """The merged ranges that touch data row ``number``: ``[(ref, column index)]``."""
        return [(ref, col) for first, last, lo, hi, ref in self.merged if first <= number <= last
                for col in range(lo, hi + 1)]


def _merged_ranges(ws, archive):
    """Merged ranges below the header (a read-only sheet does not list them: they are read from
    the sheet's XML): ``[(first row, last row, first column, last column, ref)]``."""
    path = getattr(ws, "_worksheet_path", None)
    if not path:
        return []
    try:
        with archive.open(path) as source:
            xml = source.read()
    except KeyError:
        return []
    found = []
    for match in MERGE.finditer(xml):
        ref = match.group(1).decode()
        lo, first, hi, last = range_boundaries(ref if ":" in ref else f"{ref}:{ref}")
        found.append((first, last, lo, hi, ref))
    return found


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _text_of(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(decisions, progress, vocab):
    parsed = Parsed(rows=[])
    by_doc, first_of = {}, {}
    for number, cells, sample in decisions.data():
        if sample:
            continue
        row = _decision_row(decisions, number, cells, vocab)
        parsed.rows.append(row)
        doc = row["payload"].get("doc_number")
        if doc:
            if doc in first_of:
                other = first_of[doc]
                row["problems"].append({"field": "doc_number", "message": f"文号“{doc}”与第{other['row']}行重复"})
                if not any(p["field"] == "doc_number" for p in other["problems"]):
                    other["problems"].append({"field": "doc_number",
                                              "message": f"文号“{doc}”与第{number}行重复"})
            else:
                first_of[doc] = row
                by_doc[doc] = row
    parsed.problems.extend(decisions.row_problems)
    if progress is not None:
        for number, cells, sample in progress.data():
            if sample:
                continue
            parsed.progress_rows += 1
            entry, doc, doc_problem = _progress_row(progress, number, cells, vocab)
            owner = by_doc.get(doc) if doc else None
            if owner is None:
                message = doc_problem or ("必填" if not doc else f"文号“{doc}”不在“{DECISIONS_SHEET}”表中")
                parsed.problems.append({"sheet": PROGRESS_SHEET, "row": number, "column": "文号", "message": message})
                continue
            owner["progress"].append(entry)
        parsed.problems.extend(progress.row_problems)
    parsed.rows.sort(key=lambda r: (r["payload"].get("decision_date") or "9999", r["row"]))
    return parsed


def _cell_problems(reader, number, cells):
    """Formulas, error values and merged cells of a row: ``{field: message}``."""
    problems = {}
    for field_name, cell in cells.items():
        where = f"单元格 {cell.coordinate}"
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
            problems[field_name] = f"{where} 是公式（{str(cell.value)[:40]}），请改为数值后导入"
        elif cell.data_type == "e":
            problems[field_name] = f"{where} 为错误值 {cell.value}"
    for ref, position in reader.merged_in(number):
        column = reader.columns.get(position)
        if column is not None and column.field not in problems:
            problems[column.field] = f"单元格 {ref} 为合并单元格，请取消合并并逐行填写"
    return problems


def _converted(reader, number, cells, sheet, vocab):
    """A row's cells as values by field, and the problems of the cells that are none."""
    problems = _cell_problems(reader, number, cells)
    values = {}
    for field_name, cell in cells.items():
        if field_name in problems:
            continue
        try:
            values[field_name] = _convert(BY_FIELD[sheet][field_name], cell, vocab)
        except _CellProblem as problem:
            problems[field_name] = f"单元格 {cell.coordinate}：{problem}"
    return values, problems


def _decision_row(reader, number, cells, vocab):
    values, problems = _converted(reader, number, cells, DECISIONS_SHEET, vocab)
    payload, more = _payload(values, vocab)
    for field_name, message in more.items():
        problems.setdefault(field_name, message)
    return {"row": number, "payload": payload, "progress": [],
            "problems": [{"field": f, "message": m} for f, m in problems.items()]}


def _progress_row(reader, number, cells, vocab):
    values, problems = _converted(reader, number, cells, PROGRESS_SHEET, vocab)
    doc_problem = problems.pop("doc_number", None)
    performed = values.get("performed_on")
    entry = {"row": number, "item": values.get("item"), "cycle": values.get("cycle"),
             "performed_on": performed.isoformat() if performed else None,
             "problems": [{"field": f, "message": m} for f, m in problems.items()]}
    return entry, values.get("doc_number"), doc_problem


class _CellProblem(ValueError):
    pass


def _convert(column, cell, vocab):
    value = cell.value
    kind = column.kind
    if kind == "date":
        return _day(value)
    if kind == "int":
        return _whole(value)
    if kind == "money":
        return _money(value)
    if kind == "id_number":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise _CellProblem("身份证号被存成了数字（会丢失末几位），请将该列设为文本格式后重新填写")
        return _text_of(value).upper() or None
    text = _text_of(value.date() if isinstance(value, datetime) else value) or None
    if text is None:
        return None
    if kind == "list":
        return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]
    if kind == "unit":
        return text
    if kind == "choice":
        return vocab.spelling(column.vocabulary, text)
    return text


def _day(value):
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        raise _CellProblem(f"“{_text_of(value)}”不是日期，请填写为日期（如 2021-03-01）")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = DAY.match(text) or COMPACT_DAY.match(text)
    if match is None:
        raise _CellProblem(f"日期“{text[:20]}”无法确定年月日，请写作 YYYY-MM-DD（如 2021-03-01）")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise _CellProblem(f"日期“{text[:20]}”不存在")


def _whole(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _CellProblem("应为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _CellProblem(f"“{value}”应为整数")
    match = MONTHS.match(unicodedata.normalize("NFKC", str(value)).strip())
    if match is None:
        raise _CellProblem(f"“{str(value)[:20]}”应为整数")
    return int(match.group(1))


def _money(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _CellProblem("金额应为数字")
    if isinstance(value, (int, float)):
        amount = Decimal(repr(value))
    else:
        text = re.sub(r"[\s,，元¥￥]", "", unicodedata.normalize("NFKC", str(value)))
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise _CellProblem(f"金额“{str(value)[:20]}”应为数字（如 12000.00）")
    if not amount.is_finite():
        raise _CellProblem("金额应为数字")
    return str(amount)


def _payload(values, vocab):
    """The body ``POST /decisions`` takes, from a row's values; and what the row's cells say
    that no schema can (a unit the directory does not know, months without a sanction)."""
    problems = {}
    person = {}
    for key in ("name", "id_number", "gender", "post", "political_status", "democratic_party", "category"):
        value = values.get(f"person.{key}")
        if value is not None:
            person[key] = value
    unit_name = values.get("person.unit_id")
    if unit_name is not None:
        found = vocab.units.get(normalise_name(unit_name))
        if found is None:
            problems["person.unit_id"] = f"单位不存在：{unit_name}（须与系统中的单位名称一致）"
        else:
            person["unit_id"], person["unit_kind"] = found[0], found[1]
            if found[1] != "responsible":
                problems["person.unit_id"] = f"{found[2]}不是主体责任部门，只能为主体责任部门的人员登记处分决定"
    payload = {"person": person}
    for key in ("doc_number", "decided_by", "facts"):
        if values.get(key) is not None:
            payload[key] = values[key]
    if values.get("decision_date") is not None:
        payload["decision_date"] = values["decision_date"].isoformat()
    sanctions = []
    for kind, label in (("party", "党纪处分"), ("government", "政务处分")):
        kind_type, months = values.get(f"sanctions.{kind}.type"), values.get(f"sanctions.{kind}.months")
        if kind_type is not None:
            entry = {"kind": kind, "type": kind_type}
            if months is not None:
                entry["months"] = months
            sanctions.append(entry)
        elif months is not None:
            problems[f"sanctions.{kind}.months"] = f"填写了期限，但未填写{label}"
    payload["sanctions"] = sanctions
    amount, disposition = values.get("illicit_gains.amount"), values.get("illicit_gains.disposition")
    if amount is not None or disposition is not None:
        payload["illicit_gains"] = {k: v for k, v in (("amount", amount), ("disposition", disposition))
                                    if v is not None}
    for key in ("org_handling", "letters"):
        if values.get(key):
            payload[key] = values[key]
    return payload, problems


# -- the template --------------------------------------------------------------------------------
def sample_id_number():
    body = "11010519800101123"
    return body + check_character(body)


def sample_rows(vocab):
    unit = vocab.responsible[0] if vocab.responsible else ""
    decision = {"person.name": "张三", "person.id_number": sample_id_number(), "person.gender": "男",
                "person.unit_id": unit, "person.post": "科员", "person.political_status": "中共党员",
                "person.category": "公务员", "doc_number": "东纪发〔2021〕12号", "decided_by": "东河区纪委监委",
                "decision_date": date(2021, 3, 1), "sanctions.party.type": "留党察看", "sanctions.party.months": 12,
                "sanctions.government.type": "撤职", "illicit_gains.amount": "12000.00",
                "illicit_gains.disposition": "收缴", "org_handling": "免职", "letters": "纪检监察建议书",
                "facts": "违规办理低保，收受好处费。"}
    progress = [{"doc_number": "东纪发〔2021〕12号", "item": name, "performed_on": day}
                for name, day in (("送达", date(2021, 3, 5)), ("宣布", date(2021, 3, 10)))]
    return decision, progress


def template_bytes(vocab, rows=None, progress=None, sample=True):
    """The import template: the two sheets with their headers, drop-downs and formats (the
    example rows marked 示例, never imported), the guide and the hidden lists.  ``rows`` and
    ``progress`` (dicts by field, units by name): a filled workbook in the same layout (the
    demo district's, scripts/district_records.py)."""
    book = Workbook()
    book.remove(book.active)
    lists = _lists_sheet(book, vocab)
    example, example_progress = sample_rows(vocab) if sample else (None, [])
    sheets = ((DECISIONS_SHEET, DECISION_COLUMNS, rows or [], [example] if example else []),
              (PROGRESS_SHEET, PROGRESS_COLUMNS, progress or [], example_progress))
    for title, columns, data, examples in sheets:
        _data_sheet(book.create_sheet(title), columns, data, examples, lists)
    _guide_sheet(book.create_sheet(GUIDE_SHEET), vocab)
    book.move_sheet(LISTS_SHEET, offset=len(book.sheetnames))
    book.active = book.sheetnames.index(DECISIONS_SHEET)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _lists_sheet(book, vocab):
    ws = book.create_sheet(LISTS_SHEET)
    ws.sheet_state = "hidden"
    ranges = {}
    for index, (key, values) in enumerate(vocab.lists().items(), start=1):
        letter = get_column_letter(index)
        ws.cell(row=1, column=index, value=key)
        for offset, value in enumerate(values, start=2):
            ws.cell(row=offset, column=index, value=value)
        if values:
            ranges[key] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _data_sheet(ws, columns, rows, examples, lists):
    headers = ["序号"] + [c.header for c in columns]
    ws.append(headers)
    for index, column in enumerate(columns, start=2):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill, cell.alignment = HEADER_FILL, Alignment(horizontal="center", wrap_text=True)
        if column.note:
            cell.comment = Comment(column.note, "批量导入模板")
        ws.column_dimensions[get_column_letter(index)].width = max(10, min(2 * len(column.header) + 4, 40))
    ws.cell(row=1, column=1).font = Font(bold=True)
    ws.cell(row=1, column=1).fill = HEADER_FILL
    ws.column_dimensions["A"].width = 8
    for example in examples:
        _write_row(ws, columns, example, SAMPLE_MARK)
        for index in range(1, len(headers) + 1):
            ws.cell(row=ws._current_row, column=index).fill = SAMPLE_FILL
    for number, row in enumerate(rows, start=1):
        _write_row(ws, columns, row, number)
    last = max(TEMPLATE_ROWS, ws._current_row + 1000)
    for index, column in enumerate(columns, start=2):
        letter = get_column_letter(index)
        target = f"{letter}2:{letter}{last}"
        if column.kind == "choice" or column.kind == "unit" or column.vocabulary:
            source = lists.get(column.vocabulary)
            if source:
                check = DataValidation(type="list", formula1=f"={source}", allow_blank=True, showErrorMessage=True,
                                       errorTitle=column.header, error=f"请从下拉列表中选择{column.header}")
                if column.vocabulary == "party_months":
                    check.showErrorMessage = False
                ws.add_data_validation(check)
                check.add(target)
        elif column.kind == "date":
            check = DataValidation(type="date", operator="between", formula1="DATE(1978,1,1)",
                                   formula2="DATE(2099,12,31)", allow_blank=True, showErrorMessage=True,
                                   errorTitle=column.header, error="请填写日期，如 2021-03-01")
            ws.add_data_validation(check)
            check.add(target)
        elif column.kind == "int":
            check = DataValidation(type="whole", operator="between", formula1="1", formula2="3000",
                                   allow_blank=True, showErrorMessage=True, errorTitle=column.header,
                                   error="请填写整数")
            ws.add_data_validation(check)
            check.add(target)
    ws.freeze_panes = "B2"


def _write_row(ws, columns, row, number):
    values = [number]
    for column in columns:
        value = row.get(column.field)
        if isinstance(value, list):
            value = "、".join(value)
        values.append(value)
    ws.append(values)
    current = ws._current_row   # (ws.max_row scans every cell)
    for index, column in enumerate(columns, start=2):
        cell = ws.cell(row=current, column=index)
        if column.kind == "date":
            cell.number_format = "yyyy-mm-dd"
        elif column.kind == "id_number":
            cell.number_format = "@"


def _guide_sheet(ws, vocab):
    ws.append(["批量导入处分决定：填写说明"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"“{DECISIONS_SHEET}”每行一个处分决定；“{PROGRESS_SHEET}”每行一个已办结的执行事项（未办结的不填）。"
               f"红色列名为必有的列；序号为“{SAMPLE_MARK}”的行不导入，可删除。已登记的文号跳过不导入，同一文件可重复导入。"])
    ws.append(["有误的行不导入，其余行照常导入；导入结果列出每个问题所在的工作表、行号和列名。先“试运行”可只检查不写入。"])
    ws.append([])
    ws.append(["工作表", "列名", "是否必有", "说明", "可选值"])
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    lists = vocab.lists()
    for sheet, columns in ((DECISIONS_SHEET, DECISION_COLUMNS), (PROGRESS_SHEET, PROGRESS_COLUMNS)):
        for column in columns:
            allowed = "、".join(lists.get(column.vocabulary) or ()) if column.vocabulary else ""
            ws.append([sheet, column.header, "是" if column.required else "", column.note, allowed])
        ws.append([sheet, "序号、备注", "", "可有可无，不导入", ""])
    for letter, width in (("A", 12), ("B", 22), ("C", 10), ("D", 70), ("E", 60)):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


# -- the export (GET /decisions?format=xlsx) and the errors --------------------------------------
_KINDS = {"date": "date", "int": "int"}


def export_sheets(export, unit_names, filters):
    """The decisions and their progress as the import reads them (header in row 3, under the
    title and the filters): an exported workbook imports back."""
    decisions = []
    for row in export["decisions"]:
        unit_id = row.get("person.unit_id")
        decisions.append(dict(row, **{"person.unit_id": unit_names.get(unit_id, f"单位{unit_id}")}))
    return [
        Sheet("处分决定（导出，可直接导入）", _columns(DECISION_COLUMNS), decisions, filters, name=DECISIONS_SHEET),
        Sheet("执行进度（已办结的执行事项）", _columns(PROGRESS_COLUMNS), export["progress"], filters,
              name=PROGRESS_SHEET),
    ]


def _columns(columns):
    return [Column(c.field, c.header, _KINDS.get(c.kind, "text")) for c in columns]


def errors_sheet(batch):
    columns = [Column("sheet", "工作表"), Column("row", "行号", "int"), Column("column", "列"),
               Column("message", "问题")]
    filters = [("导入编号", batch["id"]), ("文件", batch["filename"]), ("SHA-256", batch["sha256"][:16] + "…"),
               ("试运行", "是" if batch["dry_run"] else "否"),
               ("结果", f"共 {batch['rows']} 行，新增 {batch['created']}，跳过 {batch['skipped']}，有误 {batch['invalid']}")]
    return Sheet(f"导入问题：{batch['filename']}", columns, batch.get("errors") or [], filters, name="导入问题")
