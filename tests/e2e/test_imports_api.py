"""Batch entry of historic records through HTTP (issue 15), the whole platform running.

- the template: both sheets, Chinese headers, an example, drop-downs; the review office and the
  admin only;
- an import writes the rows that stand and only those, skips a 文号 already registered (the same
  file again creates nothing), records who, when, which file and what came of it, is audited,
  and its events reach deadline (lights: red at once for what is overdue; the statistics count
  an imported item done on its day) and notify (the unit's notices);
- a dry run writes nothing; an upload's Idempotency-Key names its import (progress, resume);
- rows with every kind of problem are named by sheet, row and header, and nothing of them is
  written; files that are no import (not an .xlsx, no sheet, columns missing or unknown, empty,
  over the limit, a zip bomb) are refused whole and change nothing;
- GET /decisions?format=xlsx gives the import's columns: the export imports back.
"""
import io
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from gateway import imports as workbook_io
from services.case.import_format import DECISION_COLUMNS, DECISIONS_SHEET, PROGRESS_COLUMNS, PROGRESS_SHEET
from tests.helpers import RESPONSIBLE, count_rows, eventually, id_number
from tests.workbooks import XLSX, done, edited, row, sheet_rows, vocabulary, workbook

CASE_TABLES = ("person", "decision", "sanction", "impact_period", "execution_item", "item_transition", "outbox",
               "import_batch", "import_error", "import_event")
ROWS_OF_DECISIONS = ("person", "decision", "sanction", "impact_period", "execution_item", "item_transition")


def upload(api, content, who="shen", dry_run=False, name="历史处分决定.xlsx", key=None):
    headers = {**api.headers(who), "Content-Type": XLSX}
    if key:
        headers["Idempotency-Key"] = key
    return api.http.post("/api/v1/imports", params={"dry_run": str(dry_run).lower(), "filename": name},
                         data=content, headers=headers)


def case_rows(api, tables=CASE_TABLES):
    return count_rows(api.config["CASE_DB_URL"], *tables)


def released(api):
    """Case's rows once its timer has released every import's held events into the outbox."""
    return eventually(lambda: case_rows(api), lambda rows: rows["import_event"] == 0)


def history_of_the_district():
    """Three historic decisions: one fully executed (归档 late), one half done, one never started."""
    rows = [row(1, decision_date=date(2021, 3, 1)),                                # 警告 + 记过
            row(2, decision_date=date(2021, 5, 10), **{"person.unit_id": "东河区教育局"}),
            row(3, decision_date=date(2020, 11, 2))]
    progress = done("东纪发〔2021〕1号", ("送达", date(2021, 3, 4)), ("宣布", date(2021, 3, 8)),
                    ("抄送", date(2021, 3, 10)), ("归档", date(2021, 4, 20)), ("调整待遇", date(2021, 4, 25)),
                    ("执行情况报告", date(2021, 8, 20)), ("评定等级", 2021, date(2022, 1, 12)),
                    ("教育回访", date(2021, 7, 1)))
    progress += done("东纪发〔2021〕2号", ("送达", date(2021, 5, 12)), ("宣布", date(2021, 5, 20)))
    return rows, progress


# -- the template ------------------------------------------------------------------------------
def test_the_template_is_the_review_offices_with_both_sheets_and_every_vocabulary(api):
    reply = api.get("/api/v1/imports/template", "shen")
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith(XLSX)
    assert "attachment" in reply.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(reply.content))
    assert book.sheetnames[:3] == [DECISIONS_SHEET, PROGRESS_SHEET, "填写说明"]
    assert [c.value for c in book[DECISIONS_SHEET][1]][1:] == [c.header for c in DECISION_COLUMNS]
    assert [c.value for c in book[PROGRESS_SHEET][1]][1:] == [c.header for c in PROGRESS_COLUMNS]
    units = [r[1] for r in book["词汇"].iter_rows(min_row=2, values_only=True) if r[1]]
    assert units == [name for name, uid in api.units.items()
                     if name in (RESPONSIBLE, "东河区教育局", "东河区人民法院", "东河区河东街道办事处")]
    assert len(book[DECISIONS_SHEET].data_validations.dataValidation) >= 10
    for who in ("min", "zuzhi"):
        assert api.get("/api/v1/imports/template", who).status_code == 403
    api.user("ling", "leader", "东河区纪委监委案件审理室")
    for path in ("/api/v1/imports/template", "/api/v1/imports"):
        assert api.get(path, "ling").status_code == 403
    assert upload(api, b"PK", who="min").status_code == 403
    assert api.get("/api/v1/imports/template", "admin").status_code == 200


# -- an import -----------------------------------------------------------------------------------
def test_an_import_writes_the_rows_records_and_audits_it_and_its_events_reach_every_service(api):
    vocab = vocabulary(api.units)
    rows, progress = history_of_the_district()
    content = workbook(vocab, rows, progress)
    reply = upload(api, content)
    assert reply.status_code == 201, reply.text
    result = reply.json()
    assert (result["rows"], result["created"], result["skipped"], result["invalid"], result["errors"]) == (3, 3, 0, 0, [])
    assert result["filename"] == "历史处分决定.xlsx" and result["created_by_name"] == "shen"
    assert result["sha256"] == __import__("hashlib").sha256(content).hexdigest() and result["state"] == "done"
    # The record: in the list (newest first) and on its own.
    listed = api.get("/api/v1/imports", "admin").json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == result["id"] and "errors" not in listed["items"][0]
    assert api.get(f"/api/v1/imports/{result['id']}", "shen").json()["created"] == 3
    audit = api.get("/api/v1/audit", "admin", params={"path": "/api/v1/imports"}).json()["items"]
    posted = [a for a in audit if a["method"] == "POST"]
    assert posted[0]["action"] == "批量导入处分决定" and posted[0]["status"] == 201
    assert f"导入 #{result['id']}：共 3 行，新增 3" in posted[0]["target"] and "历史处分决定.xlsx" in posted[0]["target"]

    decisions = {d["doc_number"]: d for d in api.get("/api/v1/decisions", "shen").json()["items"]}
    executed = api.get(f"/api/v1/decisions/{decisions['东纪发〔2021〕1号']['id']}", "shen").json()
    assert executed["status"] == "completed" and {i["state"] for i in executed["items"]} == {"approved"}
    serve = api.get(f"/api/v1/items/{executed['items'][0]['id']}", "shen").json()
    assert [(h["to_state"], h["at"][:10], h["imported"]) for h in serve["history"]] == [
        ("open", "2021-03-01", True), ("approved", "2021-03-04", True)]
    assert serve["reports"] == []                                   # no report is invented
    # Not done and long overdue: open and red at once, the decision too (deadline's lights).
    never = eventually(lambda: api.get(f"/api/v1/decisions/{decisions['东纪发〔2021〕3号']['id']}", "shen").json(),
                       lambda d: d["light"] is not None)
    assert never["items"][0]["state"] == "open" and never["items"][0]["light"] == "red" and never["light"] == "red"
    half = api.get(f"/api/v1/decisions/{decisions['东纪发〔2021〕2号']['id']}", "shen").json()
    assert [i["state"] for i in half["items"][:3]] == ["approved", "approved", "open"]
    # The statistics count the imported items done on their days: 归档 was late (due 2021-04-01).
    cube = eventually(lambda: api.get("/api/v1/stats/cube", "shen", params={
        "by": "code", "measures": "items,on_time_rate", "from": "2020-01-01"}).json(),
        lambda c: any(r["code"] == "ARCHIVE" and r["on_time_rate"] is not None for r in c["rows"]))
    rates = {r["code"]: r["on_time_rate"] for r in cube["rows"]}
    assert rates["SERVE"] == 1.0 and rates["ARCHIVE"] == 0.0
    # Notify told the unit, as for any registration.
    notices = eventually(lambda: api.get("/api/v1/notices", "min").json()["items"],
                         lambda items: any("东纪发〔2021〕3号" in n["title"] for n in items))
    assert any(n["title"] == "新的处分决定待执行（东纪发〔2021〕1号）" for n in notices)


def test_the_same_file_again_creates_nothing_and_a_dry_run_writes_nothing(api):
    vocab = vocabulary(api.units)
    content = workbook(vocab, *history_of_the_district())
    dry = upload(api, content, dry_run=True)
    assert dry.status_code == 200 and (dry.json()["dry_run"], dry.json()["created"]) == (True, 3)
    assert set(case_rows(api, ROWS_OF_DECISIONS).values()) == {0}
    assert upload(api, content).json()["created"] == 3
    written = released(api)
    again = upload(api, content).json()
    assert (again["created"], again["skipped"], again["invalid"]) == (0, 3, 0)
    after = released(api)
    assert {t: after[t] for t in ROWS_OF_DECISIONS} == {t: written[t] for t in ROWS_OF_DECISIONS}
    assert after["outbox"] == written["outbox"] and after["import_batch"] == written["import_batch"] + 1


def test_an_uploads_key_names_its_import_for_progress_and_the_same_request_answers_it(api):
    content = workbook(vocabulary(api.units), [row(1), row(2)])
    first = upload(api, content, key="import-0001").json()
    progress = api.get("/api/v1/imports", "shen", params={"request_id": "import-0001"}).json()["items"]
    assert [(p["id"], p["processed"], p["rows"], p["state"]) for p in progress] == [(first["id"], 2, 2, "done")]
    again = upload(api, content, key="import-0001")
    assert again.status_code == 201 and again.json()["id"] == first["id"] and again.json()["created"] == 2
    assert api.get("/api/v1/imports", "shen").json()["total"] == 1
    other = upload(api, workbook(vocabulary(api.units), [row(3)]), key="import-0001")
    assert other.status_code == 409


# -- rows in error ---------------------------------------------------------------------------------
def test_rows_with_every_kind_of_problem_are_named_and_not_written_and_the_others_are(api):
    vocab = vocabulary(api.units)
    wrong_digit = id_number(4)[:-1] + ("1" if id_number(4)[-1] != "1" else "2")
    rows = [row(1), row(2, decision_date="2021/3/5"),                           # 2: a text date, read
            row(3, decision_date="03/05/2021"),                                 # ambiguous
            row(4, **{"person.id_number": wrong_digit}),
            row(5, **{"person.unit_id": "东河区不存在局"}),
            row(6, doc_number="东纪发〔2021〕6号"), row(7, doc_number="东纪发〔2021〕6号"),   # one 文号 twice
            row(8, **{"person.political_status": "群众"}),                      # party sanction, no member
            row(9), row(10), row(11), row(12)]
    progress = done("东纪发〔2021〕12号", ("宣布", date(2021, 3, 9)))                # 送达 not done

    def damage(book):
        ws = book[DECISIONS_SHEET]
        ws["U10"] = "=A1"                    # row 10 (张三9): a formula
        ws.merge_cells("E11:E12")            # rows 11 and 12: a merged cell
        ws.insert_rows(13)                   # an empty row before the last one (now row 14)
    content = edited(workbook(vocab, rows, progress), damage)
    before = case_rows(api)
    reply = upload(api, content)
    assert reply.status_code == 201, reply.text
    result = reply.json()
    said = {(e["sheet"], e["row"], e["column"]): e["message"] for e in result["errors"]}
    assert said[(DECISIONS_SHEET, 4, "决定日期")].startswith("单元格 L4：日期“03/05/2021”无法确定年月日")
    assert said[(DECISIONS_SHEET, 5, "身份证号")] == "身份证号校验位错误"
    assert said[(DECISIONS_SHEET, 6, "所在单位")].startswith("单位不存在：东河区不存在局")
    assert said[(DECISIONS_SHEET, 7, "文号")] == "文号“东纪发〔2021〕6号”与第8行重复"
    assert said[(DECISIONS_SHEET, 8, "文号")] == "文号“东纪发〔2021〕6号”与第7行重复"
    assert "群众不能给予党纪处分" in said[(DECISIONS_SHEET, 9, "党纪处分")]
    assert said[(DECISIONS_SHEET, 10, "违纪事实")].startswith("单元格 U10 是公式")
    assert said[(DECISIONS_SHEET, 11, "所在单位")] == said[(DECISIONS_SHEET, 12, "所在单位")] == \
        "单元格 E11:E12 为合并单元格，请取消合并并逐行填写"
    assert said[(DECISIONS_SHEET, 13, None)] == "第13行为空行，请删除空行后重新导入"
    assert "须在前序事项“送达”办结之后" in said[(PROGRESS_SHEET, 2, "办结日期")]
    assert said[(DECISIONS_SHEET, 14, None)] == "执行进度（第2行）有误，本行未导入"
    assert (result["rows"], result["created"], result["invalid"]) == (12, 2, 10)
    # What was written is exactly the two good rows (张三1, and 张三2 with its text date).
    docs = sorted(d["doc_number"] for d in api.get("/api/v1/decisions", "shen").json()["items"])
    assert docs == ["东纪发〔2021〕1号", "东纪发〔2021〕2号"]
    after = case_rows(api)
    assert after["decision"] - before["decision"] == 2 and after["person"] - before["person"] == 2
    assert after["import_error"] - before["import_error"] == len(result["errors"])
    errors = api.get(f"/api/v1/imports/{result['id']}", "shen", params={"format": "xlsx"})
    assert errors.status_code == 200 and errors.headers["Content-Type"].startswith(XLSX)
    table = sheet_rows(errors.content, "导入问题")
    assert table[2] == ("工作表", "行号", "列", "问题") and len(table) == 3 + len(result["errors"])


# -- files refused whole ------------------------------------------------------------------------------
def _zip(entries):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def _bomb():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for _ in range(workbook_io.MAX_UNPACKED // (1 << 20) + 1):
                sheet.write(bytes(1 << 20))
    return out.getvalue()


def _without_sheet(book):
    book[DECISIONS_SHEET].title = "Sheet1"


def _columns_missing(book):
    ws = book[DECISIONS_SHEET]
    ws.delete_cols(3)       # 身份证号
    ws.delete_cols(9)       # 文号 (shifted left by one)


def _unknown_header(book):
    book[DECISIONS_SHEET]["W1"] = "籍贯"


BAD_FILES = [
    ("text named .xlsx", lambda vocab: "姓名,文号\n张三,1\n".encode("utf-8"), "不是 Excel 工作簿"),
    ("an old .xls", lambda vocab: workbook_io.OLE_MAGIC + bytes(600), "旧版 Excel（.xls）"),
    ("a .docx", lambda vocab: _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}), "没有工作簿"),
    ("empty", lambda vocab: b"", "文件为空"),
    ("no sheet", lambda vocab: edited(workbook(vocab, [row(1)]), _without_sheet), "没有“处分决定”工作表"),
    ("columns missing", lambda vocab: edited(workbook(vocab, [row(1)]), _columns_missing), "缺少列：身份证号、文号"),
    ("unknown header", lambda vocab: edited(workbook(vocab, [row(1)]), _unknown_header), "未知的列：籍贯"),
    ("no data row", lambda vocab: workbook(vocab, []), "没有数据行"),
    ("a zip bomb", lambda vocab: _bomb(), "压缩炸弹"),
]


@pytest.mark.parametrize("what,make,says", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_file_that_is_no_import_is_refused_whole_and_changes_nothing(api, what, make, says):
    before = case_rows(api)
    reply = upload(api, make(vocabulary(api.units)))
    assert reply.status_code == 400, reply.text
    body = reply.json()
    assert body["error"] == "VALIDATION_FAILED" and says in body["message"] + " ".join(body["fields"]["file"])
    assert case_rows(api) == before


def test_a_file_over_the_limit_is_refused_unread_saying_the_limit(api):
    before = case_rows(api)
    reply = upload(api, b"PK\x03\x04" + bytes(50 * 1024 * 1024))
    assert reply.status_code == 400 and "上限" in reply.json()["message"]
    assert case_rows(api) == before


# -- the export -----------------------------------------------------------------------------------------
def test_the_export_has_the_imports_columns_and_imports_back(api):
    vocab = vocabulary(api.units)
    rows, progress = history_of_the_district()
    rows.append(row(4, **{"sanctions.party.type": "留党察看", "sanctions.party.months": 24,
                          "sanctions.government.type": None, "illicit_gains.amount": "3500.50",
                          "illicit_gains.disposition": "责令退赔", "org_handling": ["免职", "降职"],
                          "letters": "纪检监察建议书", "facts": "优亲厚友"}))
    assert upload(api, workbook(vocab, rows, progress)).json()["created"] == 4
    reply = api.get("/api/v1/decisions", "shen", params={"format": "xlsx"})
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith(XLSX)
    table = sheet_rows(reply.content, DECISIONS_SHEET)
    assert table[2] == tuple(c.header for c in DECISION_COLUMNS) and len(table) == 3 + 4
    # Read back, each row is the body the import sent; imported again, every row is skipped.
    parsed = workbook_io.read_workbook(reply.content, vocab)
    original = {r["payload"]["doc_number"]: r for r in workbook_io.read_workbook(workbook(vocab, rows, progress),
                                                                                  vocab).rows}
    for back in parsed.rows:
        sent = original[back["payload"]["doc_number"]]
        assert back["payload"] == sent["payload"] and back["problems"] == []
        assert [(p["item"], p["cycle"], p["performed_on"]) for p in back["progress"]] == [
            (p["item"], p["cycle"], p["performed_on"]) for p in sent["progress"]]
    again = upload(api, reply.content, name="导出.xlsx").json()
    assert (again["rows"], again["created"], again["skipped"]) == (4, 0, 4)
    # An operator exports their own unit's only; a wrong format is a 400.
    mine = sheet_rows(api.get("/api/v1/decisions", "jiao", params={"format": "xlsx"}).content, DECISIONS_SHEET)
    assert [r[3] for r in mine[3:]] == ["东河区教育局"]
    assert api.get("/api/v1/decisions", "shen", params={"format": "pdf"}).status_code == 400
