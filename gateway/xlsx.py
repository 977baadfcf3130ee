"""Excel export (导出Excel) of any list or statistics the gateway answers: ``format=xlsx``.

One sheet: a title row, a row naming the filters used, the Chinese headers, the rows, and a
totals row (合计) when there is one.  Cells keep their type: dates are dates (YYYY-MM-DD),
rates are percentages (0.25 shows as 25.0%), counts are numbers, so the workbook sorts, sums
and charts as the reader expects.

    columns = [Column("unit_name", "单位"), Column("items", "执行事项数", "int"),
               Column("on_time_rate", "按期办结率", "percent"), Column("due_date", "应完成日期", "date")]
    return xlsx_response("多维分析", Sheet("多维分析：单位", columns, rows, [("起始日期", "2026-01-01")], totals))
"""
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from werkzeug.wrappers import Response

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = ("text", "int", "number", "percent", "date")
FORMATS = {"int": "0", "number": "0.0", "percent": "0.0%", "date": "yyyy-mm-dd"}
MAX_ROWS = 100_000          # a sheet past this is not a report anyone reads
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"          # text | int | number | percent | date

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.key}: kind {self.kind!r} is not one of {KINDS}")


def cell_value(value, kind):
    """The value as the cell should hold it: a date for a date column (from ISO text), a
    number for numbers and rates, text otherwise; ``None`` stays empty."""
    if value is None or value == "":
        return None
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        return date.fromisoformat(str(value)[:10])
    if kind in ("int", "number", "percent"):
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else float(value)
    return str(value)


@dataclass
class Sheet:
    """One sheet: ``filters`` ``[(label, value)]`` shown under the title (无 when none);
    ``rows`` and ``totals`` dicts keyed by the columns' keys."""
    title: str
    columns: list
    rows: list
    filters: list = field(default_factory=list)
    totals: dict | None = None
    name: str = "数据"


def workbook_bytes(*sheets):
    """The workbook of ``sheets`` as bytes."""
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        _write(book.create_sheet(_sheet_name(sheet.name, book)), sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(name, book):
    name = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "数据"
    taken, candidate, n = set(book.sheetnames), name, 2
    while candidate in taken:
        candidate, n = f"{name[:28]}({n})", n + 1
    return candidate


def _write(ws, sheet):
    columns, rows = sheet.columns, sheet.rows
    if len(rows) > MAX_ROWS:
        raise ValueError(f"{len(rows)} rows: an export holds at most {MAX_ROWS}")
    width = max(len(columns), 1)
    ws.append([sheet.title])
    ws["A1"].font = Font(bold=True, size=14)
    described = "；".join(f"{label}：{value}" for label, value in sheet.filters if value not in (None, ""))
    ws.append([f"筛选条件：{described or '无'}"])
    for row in (1, 2):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.append([c.header for c in columns])
    for index in range(1, len(columns) + 1):
        cell = ws.cell(row=3, column=index)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    for record in rows:
        _append(ws, columns, record)
    if sheet.totals is not None:
        _append(ws, columns, sheet.totals)
        for index in range(1, len(columns) + 1):
            ws.cell(row=ws.max_row, column=index).font = Font(bold=True)
    ws.freeze_panes = "A4"
    for index, column in enumerate(columns, start=1):
        longest = max([_shown_width(column.header)] + [_shown_width(r.get(column.key)) for r in rows[:500]])
        ws.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 8), 48)


def _append(ws, columns, record):
    ws.append([cell_value(record.get(c.key), c.kind) for c in columns])
    row = ws._current_row     # the row just appended (ws.max_row scans every cell: quadratic)
    for index, column in enumerate(columns, start=1):
        if column.kind in FORMATS:
            ws.cell(row=row, column=index).number_format = FORMATS[column.kind]


def _shown_width(value):
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)     # CJK takes two columns


def xlsx_response(filename, *sheets):
    """A download of ``sheets``: ``Content-Disposition: attachment`` with the (Chinese) file name."""
    return Response(workbook_bytes(*sheets), mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename + '.xlsx')}"})


def columns_of(headers, kinds=None):
    """Columns from ``headers`` {key: 中文表头} (in order) and ``kinds`` {key: kind}."""
    kinds = kinds or {}
    return [Column(key, header, kinds.get(key, "text")) for key, header in headers.items()]
