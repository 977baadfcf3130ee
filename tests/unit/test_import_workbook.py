"""The import workbook (gateway/imports.py) without a broker: the template, reading rows into the
body POST /decisions takes, every cell problem named by its row and header, and the files
refused as a whole."""
import io
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from gateway import imports
from services.case.import_format import DECISION_COLUMNS, DECISIONS_SHEET, PROGRESS_COLUMNS, PROGRESS_SHEET
from services.common.errors import ValidationFailed
from tests.helpers import RESPONSIBLE, id_number
from tests.workbooks import done, edited, row, vocabulary, workbook

UNITS = {"东河区纪委监委案件审理室": 1, RESPONSIBLE: 2, "东河区教育局": 3, "中共东河区委组织部": 6}
VOCAB = vocabulary(UNITS)


def read(content):
    return imports.read_workbook(content, VOCAB)


def problems(parsed_row):
    return {p["field"]: p["message"] for p in parsed_row["problems"]}


# -- the template -------------------------------------------------------------------------------
def test_the_template_has_both_sheets_their_headers_an_example_drop_downs_and_a_guide():
    book = load_workbook(io.BytesIO(imports.template_bytes(VOCAB)))
    assert book.sheetnames == [DECISIONS_SHEET, PROGRESS_SHEET, "填写说明", "词汇"]
    assert book["词汇"].sheet_state == "hidden" and book.active.title == DECISIONS_SHEET
    decisions, progress = book[DECISIONS_SHEET], book[PROGRESS_SHEET]
    assert [c.value for c in decisions[1]] == ["序号"] + [c.header for c in DECISION_COLUMNS]
    assert [c.value for c in progress[1]] == ["序号"] + [c.header for c in PROGRESS_COLUMNS]
    assert decisions["A2"].value == "示例" and decisions["J2"].value == "东纪发〔2021〕12号"
    assert [r[0].value for r in progress.iter_rows(min_row=2)] == ["示例", "示例"]
    # A drop-down for every vocabulary of the rule book and the responsible units.
    lists = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.formula1
             for dv in decisions.data_validations.dataValidation if dv.type == "list"}
    by_header = {c.header: get_column_letter(n) for n, c in enumerate(DECISION_COLUMNS, start=2)}
    for header in ("性别", "所在单位", "政治面貌", "民主党派", "人员类别", "党纪处分", "政务处分", "违纪所得处置"):
        assert by_header[header] in lists, header
    words = book["词汇"]
    columns = {words.cell(row=1, column=n).value: [words.cell(row=r, column=n).value for r in range(2, words.max_row + 1)]
               for n in range(1, words.max_column + 1)}
    assert [u for u in columns["units"] if u] == [RESPONSIBLE, "东河区教育局"]   # responsible units only
    assert "留党察看" in columns["party_sanctions"] and "撤职" in columns["government_sanctions"]
    assert [v for v in columns["items"] if v][:4] == ["送达", "宣布", "抄送", "归档"]
    guide = [tuple(r) for r in book["填写说明"].iter_rows(values_only=True)]
    explained = {(r[0], r[1]) for r in guide if r and r[1]}
    for sheet, columns_ in ((DECISIONS_SHEET, DECISION_COLUMNS), (PROGRESS_SHEET, PROGRESS_COLUMNS)):
        for column in columns_:
            assert (sheet, column.header) in explained


def test_the_templates_example_rows_are_never_imported():
    with pytest.raises(ValidationFailed) as refused:
        read(imports.template_bytes(VOCAB))
    assert "没有数据行" in refused.value.message


# -- rows ----------------------------------------------------------------------------------------
def test_a_row_becomes_the_registration_body_with_its_progress():
    rows = [row(1, **{"sanctions.party.type": "留党察看", "sanctions.party.months": 12,
                      "sanctions.government.type": "撤职", "illicit_gains.amount": "12000.00",
                      "illicit_gains.disposition": "收缴", "org_handling": ["免职", "调整职务"],
                      "letters": "纪检监察建议书", "facts": "违规办理低保"})]
    parsed = read(workbook(VOCAB, rows, done("东纪发〔2021〕1号", ("送达", date(2021, 3, 5)),
                                             ("评定等级", 2021, date(2022, 1, 10)))))
    [only] = parsed.rows
    assert only["row"] == 2 and only["problems"] == []
    assert only["payload"] == {
        "person": {"name": "张三1", "id_number": id_number(1), "gender": "男", "post": "科员",
                   "political_status": "中共党员", "category": "公务员", "unit_id": 2, "unit_kind": "responsible"},
        "doc_number": "东纪发〔2021〕1号", "decided_by": "东河区纪委监委", "facts": "违规办理低保",
        "decision_date": "2021-03-01",
        "sanctions": [{"kind": "party", "type": "留党察看", "months": 12}, {"kind": "government", "type": "撤职"}],
        "illicit_gains": {"amount": "12000.00", "disposition": "收缴"},
        "org_handling": ["免职", "调整职务"], "letters": ["纪检监察建议书"]}
    assert [(p["row"], p["item"], p["cycle"], p["performed_on"]) for p in only["progress"]] == [
        (2, "送达", None, "2021-03-05"), (3, "评定等级", 2021, "2022-01-10")]


def test_rows_come_oldest_decision_first_so_a_later_one_stacks_on_an_earlier():
    rows = [row(1, decision_date=date(2021, 5, 1)), row(2, decision_date=date(2019, 1, 2)), row(3)]
    assert [r["row"] for r in read(workbook(VOCAB, rows)).rows] == [3, 4, 2]


@pytest.mark.parametrize("typed,read_as", [
    ("2021-03-01", "2021-03-01"), ("2021/3/1", "2021-03-01"), ("2021.03.01", "2021-03-01"),
    ("2021年3月1日", "2021-03-01"), ("20210301", "2021-03-01"), ("２０２１－０３－０１", "2021-03-01"),
    ("2021-03-01 00:00:00", "2021-03-01")])
def test_a_date_typed_as_text_is_read_when_unambiguous(typed, read_as):
    [only] = read(workbook(VOCAB, [row(1, decision_date=typed)])).rows
    assert only["payload"]["decision_date"] == read_as and only["problems"] == []


@pytest.mark.parametrize("typed,says", [
    ("03/01/2021", "无法确定年月日"), ("1/3/21", "无法确定年月日"), ("2021-02-30", "不存在"), ("去年", "无法确定年月日")])
def test_a_date_that_cannot_be_read_without_guessing_is_a_problem_naming_the_cell(typed, says):
    [only] = read(workbook(VOCAB, [row(1, decision_date=typed)])).rows
    message = problems(only)["decision_date"]
    assert message.startswith("单元格 L2") and says in message and "decision_date" not in only["payload"]


def test_each_cell_problem_is_named_once_by_its_field():
    content = workbook(VOCAB, [row(1), row(2), row(3), row(4)])

    def damage(book):
        ws = book[DECISIONS_SHEET]
        ws["C2"] = 110105198001011234           # 身份证号 as a number
        ws["E3"] = "东河区不存在局"
        ws["E4"] = "中共东河区委组织部"           # a partner department
        ws["U5"] = "=A1&B1"                      # a formula
        ws["Q5"] = "一万元"
    parsed = read(edited(content, damage))
    by_row = {r["row"]: problems(r) for r in parsed.rows}
    assert "数字" in by_row[2]["person.id_number"]
    assert by_row[3]["person.unit_id"] == "单位不存在：东河区不存在局（须与系统中的单位名称一致）"
    assert "不是主体责任部门" in by_row[4]["person.unit_id"]
    assert by_row[5]["facts"].startswith("单元格 U5 是公式")
    assert "应为数字" in by_row[5]["illicit_gains.amount"]


def test_months_without_a_sanction_and_the_same_doc_number_twice_are_problems():
    rows = [row(1, **{"sanctions.party.type": None, "sanctions.party.months": 12}), row(2), row(3)]
    content = edited(workbook(VOCAB, rows), lambda book: book[DECISIONS_SHEET].__setitem__("J4", "东纪发〔2021〕2号"))
    by_row = {r["row"]: problems(r) for r in read(content).rows}
    assert by_row[2]["sanctions.party.months"] == "填写了期限，但未填写党纪处分"
    assert by_row[3]["doc_number"] == "文号“东纪发〔2021〕2号”与第4行重复"
    assert by_row[4]["doc_number"] == "文号“东纪发〔2021〕2号”与第3行重复"


def test_a_merged_cell_is_a_problem_on_every_row_it_covers():
    content = edited(workbook(VOCAB, [row(1), row(2), row(3)]),
                     lambda book: book[DECISIONS_SHEET].merge_cells("E3:E4"))
    by_row = {r["row"]: problems(r) for r in read(content).rows}
    assert by_row[2] == {}
    assert by_row[3]["person.unit_id"] == by_row[4]["person.unit_id"] == "单元格 E3:E4 为合并单元格，请取消合并并逐行填写"


def test_an_empty_row_between_rows_is_a_problem_and_trailing_ones_are_not():
    def gap(book):
        ws = book[DECISIONS_SHEET]
        ws.insert_rows(3)
        ws["A3"] = 99                           # a running number alone is still an empty row
    parsed = read(edited(workbook(VOCAB, [row(1), row(2)]), gap))
    assert [r["row"] for r in parsed.rows] == [2, 4]
    assert parsed.problems == [{"sheet": DECISIONS_SHEET, "row": 3, "column": None,
                                "message": "第3行为空行，请删除空行后重新导入"}]


def test_a_progress_row_of_no_decision_is_a_problem_of_the_progress_sheet():
    parsed = read(workbook(VOCAB, [row(1)], done("东纪发〔2021〕9号", ("送达", date(2021, 3, 5)))))
    assert parsed.rows[0]["progress"] == []
    assert parsed.problems == [{"sheet": PROGRESS_SHEET, "row": 2, "column": "文号",
                                "message": "文号“东纪发〔2021〕9号”不在“处分决定”表中"}]


def test_full_width_and_spaced_words_are_the_vocabularys_own():
    [only] = read(workbook(VOCAB, [row(1, **{"person.category": "村（社区）干部", "person.unit_id": " 东河区民政局"})])).rows
    assert only["payload"]["person"]["category"] == "村(社区)干部" and only["payload"]["person"]["unit_id"] == 2


def test_the_header_may_sit_under_a_title_and_columns_may_come_in_any_order():
    def shuffle(book):
        ws = book[DECISIONS_SHEET]
        ws.insert_rows(1, 2)
        ws["A1"] = "东河区历史处分决定"
        ws.move_range("B3:B4", cols=30)          # 姓名 moved to the far right
    [only] = read(edited(workbook(VOCAB, [row(1)]), shuffle)).rows
    assert only["row"] == 4 and only["payload"]["person"]["name"] == "张三1"


# -- files refused as a whole -----------------------------------------------------------------------
def refused(content):
    with pytest.raises(ValidationFailed) as caught:
        read(content)
    return caught.value.message


def xlsx_of(build):
    book = Workbook()
    build(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_file_that_is_not_an_xlsx_by_its_content_is_refused_saying_what_it_is():
    assert "为空" in refused(b"")
    assert "不是 Excel 工作簿" in refused("姓名,身份证号\n张三,1\n".encode())
    assert ".xls" in refused(imports.OLE_MAGIC + b"\0" * 512)
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert "没有工作簿" in refused(docx.getvalue())
    assert "损坏" in refused(b"PK\x03\x04" + b"\0" * 100)


def test_a_workbook_without_the_sheet_or_with_columns_missing_or_unknown_is_refused_naming_them():
    assert "没有“处分决定”工作表（现有：Sheet）" in refused(xlsx_of(lambda b: b.active.append(["姓名", "文号"])))

    def missing(book):
        book.active.title = DECISIONS_SHEET
        book.active.append(["姓名", "身份证号", "文号", "备注", "籍贯"])
        book.active.append(["张三", id_number(1), "东纪发〔2021〕1号", "", "山东"])
    message = refused(xlsx_of(missing))
    assert "未知的列：籍贯" in message
    assert "缺少列：所在单位、政治面貌、人员类别、决定机关、决定日期、党纪处分、政务处分" in message
    assert "未找到表头" in refused(xlsx_of(lambda b: setattr(b.active, "title", DECISIONS_SHEET)))


def test_a_file_over_the_limit_says_the_limit():
    message = refused(b"PK\x03\x04" + b"\0" * (imports.MAX_BYTES + 1))
    assert "文件过大" in message and "上限 10 MB" in message


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:    # streamed: nothing this big in memory
            for _ in range(imports.MAX_UNPACKED // (1 << 20) + 1):
                sheet.write(bytes(1 << 20))
    assert len(bomb.getvalue()) < 1024 * 1024
    assert "压缩炸弹" in refused(bomb.getvalue())


# -- the export reads back ---------------------------------------------------------------------------
def test_an_export_reads_back_as_the_rows_it_came_from():
    from gateway.xlsx import workbook_bytes
    decision = {"person.name": "张三1", "person.id_number": id_number(1), "person.gender": "男", "person.unit_id": 2,
                "person.post": "科员", "person.political_status": "中共党员", "person.democratic_party": None,
                "person.category": "公务员", "doc_number": "东纪发〔2021〕1号", "decided_by": "东河区纪委监委",
                "decision_date": "2021-03-01", "sanctions.party.type": "留党察看", "sanctions.party.months": 12,
                "illicit_gains.amount": "800.00", "illicit_gains.disposition": "收缴", "org_handling": "免职",
                "letters": "", "facts": None}
    export = {"decisions": [decision], "progress": [{"doc_number": "东纪发〔2021〕1号", "item": "评定等级", "cycle": 2021,
                                                     "performed_on": "2022-01-10"}]}
    content = workbook_bytes(*imports.export_sheets(export, {2: RESPONSIBLE}, [("状态", "执行中")]))
    [only] = read(content).rows
    assert only["row"] == 4 and only["problems"] == []
    assert only["payload"]["sanctions"] == [{"kind": "party", "type": "留党察看", "months": 12}]
    assert only["payload"]["illicit_gains"] == {"amount": "800.00", "disposition": "收缴"}
    assert only["progress"] == [{"row": 4, "item": "评定等级", "cycle": 2021, "performed_on": "2022-01-10", "problems": []}]
