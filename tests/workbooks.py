"""Import workbooks for tests and the benchmark: rows in the import's columns (by field, units
by name, as services.case.import_format names them) written by the gateway's own writer
(gateway.imports.template_bytes, the template's layout), and rows made from a number."""
import io
from datetime import date, timedelta
from types import SimpleNamespace

from openpyxl import load_workbook

from gateway import imports
from services.case.import_format import DECISIONS_SHEET, PROGRESS_SHEET
from services.case.rulebook import load_rulebook, rulebook_summary
from tests.helpers import RESPONSIBLE, id_number

ROOT_RULEBOOK = "services/case/rulebook.yaml"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def vocabulary(units, rulebook=ROOT_RULEBOOK):
    """``units``: {name: id} of the platform (the demo district's kinds by name)."""
    from gateway.seed import DISTRICT_UNITS
    kinds = {u["name"]: u["kind"] for u in DISTRICT_UNITS}
    listed = [SimpleNamespace(id=uid, name=name, kind=kinds.get(name, "responsible")) for name, uid in units.items()]
    return imports.Vocabulary.of(rulebook_summary(load_rulebook(rulebook)), listed)


def row(n, unit=RESPONSIBLE, **fields):
    """A decision row (fields by import_format field) that registers: 张三n, 警告 + 记过 in 2021."""
    base = {"person.name": f"张三{n}", "person.id_number": id_number(n), "person.gender": "男",
            "person.unit_id": unit, "person.post": "科员", "person.political_status": "中共党员",
            "person.category": "公务员", "doc_number": f"东纪发〔2021〕{n}号", "decided_by": "东河区纪委监委",
            "decision_date": date(2021, 3, 1), "sanctions.party.type": "警告",
            "sanctions.government.type": "记过"}
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


def done(doc_number, *steps):
    """Progress rows: ``("送达", date)`` or ``("评定等级", 2021, date)``."""
    rows = []
    for step in steps:
        name, *rest = step
        cycle, on = (rest[0], rest[1]) if len(rest) == 2 else (None, rest[0])
        rows.append({"doc_number": doc_number, "item": name, "cycle": cycle, "performed_on": on})
    return rows


def workbook(vocab, rows, progress=(), sample=False):
    """The .xlsx bytes of ``rows`` and ``progress`` in the template's layout."""
    return imports.template_bytes(vocab, list(rows), list(progress), sample=sample)


def edited(content, edit):
    """``content`` opened, changed by ``edit(book)``, saved again."""
    book = load_workbook(io.BytesIO(content))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FIRST_FOUR = (("送达", 3), ("宣布", 5), ("抄送", 7), ("归档", 9))


def executed(doc_number, day, complete=True):
    """The progress of a 警告 + 记过 decision of ``day`` (row()'s sanctions): its first four items,
    or every item it generates (调整待遇, 执行情况报告, the year's 评定等级, 教育回访), each on time."""
    steps = [(name, day + timedelta(days=after)) for name, after in FIRST_FOUR]
    if complete:
        steps += [("调整待遇", day + timedelta(days=20)), ("执行情况报告", day + timedelta(days=60)),
                  ("评定等级", day.year, max(date(day.year + 1, 1, 10), day + timedelta(days=10))),
                  ("教育回访", day + timedelta(days=125))]
    return done(doc_number, *steps)


def many(count, unit_names, start=1, first=date(2018, 1, 2)):
    """``count`` decision rows (警告 + 记过), spread over units and days from ``first`` (one a day,
    cycling through four years), as a district's historic records are: of every ten, six fully
    executed, three with their first four items done, one never started (its items overdue)."""
    rows, progress = [], []
    for n in range(start, start + count):
        day = first + timedelta(days=n % 1400)
        doc = f"批量〔{day.year}〕{n}号"
        rows.append(row(n, unit=unit_names[n % len(unit_names)], doc_number=doc, decision_date=day,
                        **{"person.name": f"李{n}"}))
        if n % 10 >= 4:
            progress += executed(doc, day)
        elif n % 10 >= 1:
            progress += executed(doc, day, complete=False)
    return rows, progress


def sheet_rows(content, sheet=DECISIONS_SHEET):
    """The values of a workbook's sheet, row by row (for checking an export)."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    try:
        return [tuple(r) for r in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


__all__ = ["vocabulary", "row", "done", "workbook", "edited", "many", "sheet_rows", "XLSX",
           "DECISIONS_SHEET", "PROGRESS_SHEET"]
