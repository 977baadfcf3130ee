"""Filling the document templates from a decision: every template, Chinese dates, escaping."""
import base64
import io
from datetime import date

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from services.common.errors import NotFound
from services.library import templates
from tests.unit.test_library_support import sample_decision, shared_library

TODAY = date(2021, 3, 5)
UNITS = {"3": "东河区民政局"}


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return shared_library(str(tmp_path_factory.getbasetemp()))


def text_of(content):
    doc = Document(io.BytesIO(content))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def render(library, template_id, decision=None):
    out = library.render(library.template(template_id), decision or sample_decision(), TODAY, UNITS)
    return out, base64.b64decode(out["content_base64"])


def test_at_least_the_twelve_kinds_of_rules_md():
    names = {t.name for t in templates.load_catalog().values()}
    for wanted in ("处分决定执行通知书", "处分内容告知书", "送达回证", "宣布记录", "抄送函", "归档登记表",
                   "调整待遇审批表", "涉案财物收缴退赔登记表", "教育回访记录", "恢复党员权利审批表",
                   "处分决定执行情况报告表", "以案促改整改报告"):
        assert any(wanted in name for name in names), wanted


@pytest.mark.parametrize("template_id", sorted(t.id for t in templates.load_catalog().values()
                                                if t.subject == "decision"))
def test_every_template_renders_the_decision(library, template_id):
    out, content = render(library, template_id)
    assert out["content_type"] == templates.DOCX
    assert out["filename"].endswith("-张三.docx")
    text = text_of(content)
    assert "张三" in text
    assert "东纪发〔2021〕12号" in text                       # 文号 of the decision
    assert "二〇二一年三月一日" in text                       # its date, in Chinese style
    assert "{{" not in text and "{%" not in text


def test_the_notice_states_periods_dates_and_signature(library):
    text = text_of(render(library, "sanction_notice")[1])
    assert "留党察看一年（党纪处分）、撤职（政务处分）" in text
    assert "自二〇二一年三月一日至二〇二二年三月一日（一年）" in text
    assert "《中国共产党纪律处分条例》第十二条：留党察看处分，分为留党察看一年" in text
    assert "人民币12000.00元（壹万贰仟元整）予以收缴" in text
    assert "二〇二一年三月五日" in text                         # 成文日期: today


def test_the_report_lists_every_item_with_its_legal_basis(library):
    text = text_of(render(library, "execution_report")[1])
    for name in ("送达", "宣布", "抄送", "调整待遇", "涉案财物收缴退赔", "执行情况报告", "恢复权利"):
        assert name in text
    assert "《中华人民共和国监察法实施条例》第二百零三条；《中华人民共和国公职人员政务处分法》第四十六条" in text
    assert "二〇二一年九月一日" in text and "办理中" in text and "东河区民政局" in text


def test_official_layout_a4_margins_fonts_red_header(library):
    doc = Document(io.BytesIO(render(library, "execution_notice")[1]))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)
    header, number = doc.paragraphs[0], doc.paragraphs[1]
    assert header.text == "东河区纪委监委" and str(header.runs[0].font.color.rgb) == "C00000"
    assert number.text.startswith("〔2021〕")
    title = next(p for p in doc.paragraphs if p.text.startswith("关于执行"))
    assert title.runs[0].font.size.pt == 22
    signed = [p for p in doc.paragraphs if p.alignment == WD_ALIGN_PARAGRAPH.RIGHT]
    assert [p.text for p in signed] == ["东河区纪委监委", "二〇二一年三月五日"]   # 落款, 成文日期


def test_democratic_party_members_are_copied_to_united_front(library):
    person = dict(sample_decision()["person"], political_status="民主党派", democratic_party="民盟")
    decision = sample_decision(person=person, impact_periods=[], illicit_gains=None, org_handling=[],
                               sanctions=[{"kind": "government", "type": "记过", "months": None}])
    fields = templates.context(decision, library.corpus, TODAY, UNITS)
    assert fields["person"]["political_label"] == "民盟成员"
    assert "民盟相关组织" in fields["copy_to"]
    text = text_of(render(library, "copy_letter", decision)[1])
    assert "民盟成员" in text and "无影响期" in text


def test_values_are_escaped_not_markup(library):
    decision = sample_decision(facts="收受<礼品>&“红包”。", person=dict(sample_decision()["person"], name="张<三>&"))
    out, content = render(library, "copy_letter", decision)
    assert "张<三>&" in text_of(content) and "收受<礼品>&“红包”" in text_of(content)


def test_a_hostile_template_cannot_reach_python(tmp_path, library):
    from docxtpl import DocxTemplate  # noqa: F401  (the engine under test)
    doc = Document()
    doc.add_paragraph("{{ person.__class__.__mro__ }}{{ ''.__class__.__subclasses__() }}")
    doc.save(tmp_path / "evil.docx")
    evil = templates.Template(id="evil", name="恶意", file="evil.docx")
    fields = templates.context(sample_decision(), library.corpus, TODAY, UNITS)
    with pytest.raises(Exception) as err:
        templates.render(evil, fields, tmp_path)
    assert "unsafe" in str(err.value).lower() or "security" in type(err.value).__name__.lower()


def test_unknown_template_is_not_found(library):
    with pytest.raises(NotFound):
        library.template("../../etc/passwd")
    assert {t["id"] for t in library.template_list()} == set(templates.load_catalog())
