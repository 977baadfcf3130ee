"""Writes the blank document templates (文书模板) in ``templates/`` — run once, edit freely.

``python -m services.library.template_builder [folder]`` regenerates the twelve .docx files of
``templates/catalog.yaml`` in the layout of 党政机关公文格式 (GB/T 9704-2012): A4, margins
37/35/28/26 mm, 发文机关标志 in red over a red rule, 标题 in 小标宋 二号, 正文 in 仿宋 三号 at a
fixed 28 pt line with a two-character indent, 落款 and 成文日期 at the right.  The tags
(``{{ person.name }}`` …) are docxtpl/Jinja; each sits in one run so Word keeps it whole.
A district may replace any file with its own, using the fields listed in templates/README.md.
"""
import sys
from pathlib import Path

import yaml
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

FOLDER = Path(__file__).parent / "templates"
RED = RGBColor(0xC0, 0x00, 0x00)
TITLE_FONT, BODY_FONT, HEADING_FONT, KAI_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"


# -- low-level layout ----------------------------------------------------------------------
def _font(run, name, size, bold=False, color=None):
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if color is not None:
        run.font.color.rgb = color


def _paragraph(doc, text="", *, font=BODY_FONT, size=16, align=None, indent=True, bold=False,
               color=None, right_chars=0, space_after=0):
    para = doc.add_paragraph()
    fmt = para.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)
    fmt.space_before, fmt.space_after = Pt(0), Pt(space_after)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if right_chars:
        fmt.right_indent = Pt(size * right_chars)
    if align is not None:
        para.alignment = align
    if text:
        _font(para.add_run(text), font, size, bold, color)
    return para


def _red_rule(para):
    """A red line under the header paragraph (版头中的分隔线)."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    para._p.get_or_add_pPr().append(border)


def _page(doc):
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    style = doc.styles["Normal"]
    style.font.name, style.font.size = BODY_FONT, Pt(16)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)


def _cell_text(cell, text, bold=False):
    """Cell text in 仿宋 小四 (labels in 黑体)."""
    run = cell.paragraphs[0].add_run(text)
    _font(run, HEADING_FONT if bold else BODY_FONT, 12)


# -- blocks --------------------------------------------------------------------------------
def header(doc, issuer="{{ decision.decided_by }}"):
    """发文机关标志 in red, then 文号 over the red rule."""
    _paragraph(doc, issuer, font=TITLE_FONT, size=26, align=WD_ALIGN_PARAGRAPH.CENTER,
               indent=False, color=RED, space_after=12)
    rule = _paragraph(doc, "{{ doc.number }}", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _red_rule(rule)
    _paragraph(doc, "", indent=False)


def title(doc, text):
    _paragraph(doc, text, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
               space_after=14)


def addressee(doc, text):
    _paragraph(doc, text, indent=False)


def body(doc, *texts):
    for text in texts:
        _paragraph(doc, text)


def heading(doc, text, level=1):
    _paragraph(doc, text, font=HEADING_FONT if level == 1 else KAI_FONT)


def signature(doc, who="{{ decision.decided_by }}", when="{{ doc.date_cn }}"):
    """落款 and 成文日期, right-aligned four characters in."""
    _paragraph(doc, "", indent=False)
    _paragraph(doc, who, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, right_chars=4)
    _paragraph(doc, when, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, right_chars=4)


def copies(doc, text):
    """抄送 line at the foot of a document."""
    _paragraph(doc, "", indent=False)
    para = _paragraph(doc, text, size=14, indent=False)
    _red_rule(para)


def form(doc, rows, widths=(35, 121)):
    """A two-column form (登记表/审批表): label | value; a value row spans the table."""
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in rows:
        cells = table.add_row().cells
        _cell_text(cells[0], label, bold=True)
        _cell_text(cells[1], value)
        cells[0].width, cells[1].width = Mm(widths[0]), Mm(widths[1])
    return table


def item_table(doc):
    """执行事项 rows, one per item: docxtpl's {%tr for %} … {%tr endfor %} rows repeat the
    row between them."""
    columns = ("序号", "执行事项", "办理期限", "状态", "依据")
    values = ("{{ item.seq }}", "{{ item.name }}", "{{ item.due_date_cn }}",
              "{{ item.state_label }}", "{{ item.basis_text }}")
    table = doc.add_table(rows=0, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for texts, bold in ((columns, True), (("{%tr for item in items %}",), False),
                        (values, False), (("{%tr endfor %}",), False)):
        for cell, text in zip(table.add_row().cells, texts):
            _cell_text(cell, text, bold=bold)
    return table


SIGN_LINE = "（签字）：　　　　　　　　　年　　月　　日"
SEAL_LINE = "（盖章）　　　　　　　　　　年　　月　　日"


# -- the twelve templates ------------------------------------------------------------------
def execution_notice(doc):
    header(doc)
    title(doc, "关于执行{{ person.name }}处分决定的通知")
    addressee(doc, "{{ person.unit_name }}：")
    body(doc, "{{ decision.decided_by }}于{{ decision.decision_date_cn }}作出{{ decision.doc_number }}"
              "处分决定，给予你单位{{ person.post }}{{ person.name }}（{{ person.political_label }}）"
              "{{ sanctions_text }}。现将处分决定送达你单位，请按照规定认真执行。",
         "一、处分决定书应当送达本人，并在一定范围内宣布，记录本人表态；不得以送达代替宣布。",
         "二、处分决定材料应当归入本人档案；涉及职务、职级、工资等待遇调整的，应当在规定期限内办结。",
         "三、影响期：{{ periods_text }}。",
         "四、执行事项及期限：{{ items_text }}。",
         "五、执行完毕后，请于{{ report_due_cn }}前将执行情况书面报告我委。")
    signature(doc)
    copies(doc, "抄送：{{ copy_to }}")


def sanction_notice(doc):
    header(doc)
    title(doc, "处分内容告知书")
    addressee(doc, "{{ person.name }}同志：")
    body(doc, "经{{ decision.decided_by }}研究决定（{{ decision.doc_number }}，{{ decision.decision_date_cn }}），"
              "给予你{{ sanctions_text }}。",
         "根据有关规定，现将处分的影响期告知如下：{{ periods_text }}。",
         "影响期内的限制及依据：{{ restrictions_text }}",
         "{{ gains_sentence }}",
         "你如对处分决定不服，可以依照有关规定提出申诉（复审、复核）；申诉期间不停止处分决定的执行。")
    signature(doc)
    _paragraph(doc, "本人已收到本告知书。被告知人" + SIGN_LINE, size=14, indent=False)


def service_receipt(doc):
    _paragraph(doc, "{{ decision.decided_by }}", font=TITLE_FONT, size=18,
               align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    title(doc, "送 达 回 证")
    form(doc, [("送达文书", "{{ decision.doc_number }}处分决定书"),
               ("受送达人", "{{ person.name }}（{{ person.unit_name }}{{ person.post }}）"),
               ("受送达单位", "{{ person.unit_name }}"),
               ("处分内容", "{{ sanctions_text }}"),
               ("决定日期", "{{ decision.decision_date_cn }}"),
               ("送达期限", "{{ serve_due_cn }}前"),
               ("送达地点", ""), ("送达方式", "直接送达"),
               ("送达人", SIGN_LINE),
               ("受送达人签收", SIGN_LINE),
               ("受送达单位签收", SEAL_LINE),
               ("备注", "受送达人拒绝签收的，送达人应注明情况。")])


def announcement_record(doc):
    title(doc, "处分决定宣布记录")
    form(doc, [("被处分人", "{{ person.name }}　{{ person.gender }}　{{ person.post }}"),
               ("所在单位", "{{ person.unit_name }}"),
               ("处分决定", "{{ decision.doc_number }}（{{ decision.decision_date_cn }}）：{{ sanctions_text }}"),
               ("宣布时间", "　　年　　月　　日　　时"), ("宣布地点", ""),
               ("宣布人（不少于二人）", "1.　　　　　　　2.　　　　　　　"),
               ("参会范围", "（所在党支部全体党员 / 单位领导班子 / 干部职工大会）"),
               ("应到人数", "　　人，实到　　人"),
               ("宣布内容", "宣读{{ decision.doc_number }}处分决定全文"),
               ("本人表态", "（由本人填写或记录本人口头表态；拒绝表态的，如实记录）"),
               ("本人签字", SIGN_LINE), ("记录人", SIGN_LINE),
               ("单位意见", SEAL_LINE)])


def copy_letter(doc):
    header(doc)
    title(doc, "关于{{ person.name }}受到处分的函告")
    addressee(doc, "{{ copy_to }}：")
    body(doc, "{{ person.unit_name }}{{ person.post }}{{ person.name }}（{{ person.political_label }}，"
              "{{ person.category }}）因{{ facts_brief }}，经{{ decision.decided_by }}研究，"
              "于{{ decision.decision_date_cn }}作出{{ decision.doc_number }}处分决定，给予其{{ sanctions_text }}。",
         "影响期：{{ periods_text }}。{{ org_handling_sentence }}",
         "特此函告，请按照职责做好相关工作。")
    signature(doc)


def archive_register(doc):
    title(doc, "处分决定归档登记表")
    form(doc, [("姓名", "{{ person.name }}"), ("性别", "{{ person.gender }}"),
               ("工作单位及职务", "{{ person.unit_name }}{{ person.post }}"),
               ("政治面貌", "{{ person.political_label }}"), ("人员类别", "{{ person.category }}"),
               ("处分决定文号", "{{ decision.doc_number }}"),
               ("作出决定机关", "{{ decision.decided_by }}"),
               ("决定日期", "{{ decision.decision_date_cn }}"),
               ("处分内容", "{{ sanctions_text }}"),
               ("归档材料", "处分决定书、送达回证、宣布记录及本人表态材料"),
               ("归档期限", "{{ archive_due_cn }}前"),
               ("归档日期", "　　年　　月　　日"), ("档案管理单位", ""),
               ("经办人", SIGN_LINE), ("档案管理单位意见", SEAL_LINE)])


def treatment_approval(doc):
    title(doc, "受处分人员调整待遇审批表")
    form(doc, [("姓名", "{{ person.name }}"),
               ("工作单位及职务", "{{ person.unit_name }}{{ person.post }}"),
               ("人员类别", "{{ person.category }}"),
               ("处分决定", "{{ decision.doc_number }}（{{ decision.decision_date_cn }}）：{{ sanctions_text }}"),
               ("影响期", "{{ periods_text }}"),
               ("调整前职务、职级、工资", ""), ("调整后职务、职级、工资", ""),
               ("调整依据", "{{ treatment_basis }}"),
               ("生效日期", "　　年　　月　　日"),
               ("办理期限", "{{ treatment_due_cn }}前（特殊情况经批准可延长，最长不超过六个月）"),
               ("所在单位意见", SEAL_LINE), ("组织人事部门意见", SEAL_LINE),
               ("审批文号", "")])


def assets_register(doc):
    title(doc, "涉案财物收缴退赔登记表")
    form(doc, [("被处分人", "{{ person.name }}"),
               ("工作单位及职务", "{{ person.unit_name }}{{ person.post }}"),
               ("处分决定", "{{ decision.doc_number }}（{{ decision.decision_date_cn }}）"),
               ("处置方式", "{{ gains.disposition }}"),
               ("应收缴（退赔）金额", "人民币{{ gains.amount }}元（{{ gains.amount_cn }}）"),
               ("实际收缴（退赔）金额", "人民币　　　　元（大写：　　　　　　）"),
               ("缴款日期", "　　年　　月　　日"), ("票据号码", ""),
               ("收款单位", "财政部门指定账户"),
               ("办理期限", "{{ assets_due_cn }}前"),
               ("经办人", SIGN_LINE), ("财政部门意见", SEAL_LINE), ("备注", "")])


def education_visit(doc):
    title(doc, "受处分人员教育回访记录")
    form(doc, [("被回访人", "{{ person.name }}　{{ person.gender }}"),
               ("工作单位及职务", "{{ person.unit_name }}{{ person.post }}"),
               ("处分决定", "{{ decision.doc_number }}（{{ decision.decision_date_cn }}）：{{ sanctions_text }}"),
               ("影响期", "{{ periods_text }}"),
               ("回访时间", "　　年　　月　　日"), ("回访地点", ""),
               ("回访人", "1.　　　　　　　2.　　　　　　　"),
               ("思想、工作、生活情况", ""), ("本人认识和意见", ""),
               ("单位评价", ""), ("回访人意见", SIGN_LINE), ("被回访人签字", SIGN_LINE)])


def restore_rights_approval(doc):
    title(doc, "恢复党员权利审批表")
    form(doc, [("姓名", "{{ person.name }}"), ("性别", "{{ person.gender }}"),
               ("工作单位及职务", "{{ person.unit_name }}{{ person.post }}"),
               ("处分决定", "{{ decision.doc_number }}（{{ decision.decision_date_cn }}）：{{ sanctions_text }}"),
               ("留党察看期", "{{ probation_text }}"),
               ("留党察看期间表现", ""),
               ("党支部党员大会决议", "（恢复党员权利 / 延长一年留党察看期限 / 开除党籍）　　年　　月　　日"),
               ("基层党委意见", SEAL_LINE),
               ("审批机关意见", SEAL_LINE),
               ("依据", "{{ restore_basis }}")])


def execution_report(doc):
    title(doc, "处分决定执行情况报告表")
    form(doc, [("被处分人", "{{ person.name }}（{{ person.unit_name }}{{ person.post }}）"),
               ("处分决定", "{{ decision.doc_number }}（{{ decision.decision_date_cn }}，"
                            "{{ decision.decided_by }}）"),
               ("处分内容", "{{ sanctions_text }}"),
               ("影响期", "{{ periods_text }}"),
               ("涉案财物", "{{ gains_text }}"),
               ("组织处理", "{{ org_handling_text }}"),
               ("报告期限", "{{ report_due_cn }}前")])
    _paragraph(doc, "执行事项：", font=HEADING_FONT, indent=False)
    item_table(doc)
    _paragraph(doc, "", indent=False)
    _paragraph(doc, "执行单位（盖章）：{{ person.unit_name }}", indent=False)
    _paragraph(doc, "报告日期：{{ doc.date_cn }}", indent=False)


def task_table(doc):
    """以案促改 tasks, one row each: what was due, where it stands and what its report said."""
    columns = ("序号", "整改任务", "完成期限", "完成情况", "办理日期", "报送内容")
    values = ("{{ task.seq }}", "{{ task.name }}", "{{ task.due_date_cn }}", "{{ task.state_label }}{{ task.rejections_text }}",
              "{{ task.performed_on_cn }}", "{{ task.report_text }}")
    table = doc.add_table(rows=0, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for texts, bold in ((columns, True), (("{%tr for task in tasks %}",), False),
                        (values, False), (("{%tr endfor %}",), False)):
        for cell, text in zip(table.add_row().cells, texts):
            _cell_text(cell, text, bold=bold)
    return table


def reform_report(doc):
    """以案促改整改报告, filled from a reform case (catalog subject: reform)."""
    _paragraph(doc, "{{ unit.name }}", font=TITLE_FONT, size=26, color=RED,
               align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    rule = _paragraph(doc, "{{ doc.number }}", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _red_rule(rule)
    title(doc, "关于落实{{ reform.basis }}（{{ reform.doc_number }}）开展以案促改的整改情况报告")
    addressee(doc, "{{ reform.issuer }}：")
    body(doc, "{{ reform.issuer }}于{{ reform.issued_on_cn }}向我单位下发{{ reform.basis }}（{{ reform.doc_number }}），"
              "{{ reform.cases_text }}提出整改要求，{{ reform.deadline_text }}。我单位深刻汲取教训，"
              "以案促改、以案促治，现将整改情况报告如下。")
    heading(doc, "一、整改要求")
    body(doc, "{{ reform.requirements }}")
    heading(doc, "二、所涉案件")
    body(doc, "{{ decisions_text }}")
    heading(doc, "三、整改任务完成情况")
    body(doc, "{{ progress_text }}，各项任务办理情况如下：")
    task_table(doc)
    heading(doc, "四、下一步工作打算")
    body(doc, "（此处填写）")
    signature(doc, who="{{ unit.name }}")


TEMPLATES = {
    "execution_notice": execution_notice,
    "sanction_notice": sanction_notice,
    "service_receipt": service_receipt,
    "announcement_record": announcement_record,
    "copy_letter": copy_letter,
    "archive_register": archive_register,
    "treatment_approval": treatment_approval,
    "assets_register": assets_register,
    "education_visit": education_visit,
    "restore_rights_approval": restore_rights_approval,
    "execution_report": execution_report,
    "reform_report": reform_report,
}


def build(folder=FOLDER):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    catalog = yaml.safe_load((FOLDER / "catalog.yaml").read_text(encoding="utf-8"))
    for entry in catalog:
        doc = Document()
        _page(doc)
        TEMPLATES[entry["id"]](doc)
        doc.core_properties.title = entry["name"]
        doc.core_properties.author = "处分决定执行记实监督平台"
        doc.save(folder / entry["file"])
        print(f"wrote {folder / entry['file']}")


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else FOLDER)
