"""Pre-checks (智能预审), the evidence checklist and content sniffing: plain functions."""
import io
import zipfile
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from services.common.errors import ValidationFailed
from services.common.schemas import load
from services.review.attachments import DOCX, sniff
from services.review.checklist import load_checklist
from services.review.checks import ReportFacts, precheck

CHECKLIST = load_checklist()


def facts(code, evidence, **overrides):
    base = ReportFacts(code=code, evidence=evidence, performed_on=date(2021, 3, 20),
                       due_date=date(2021, 4, 1), partners=(), person_name="张三",
                       political_status="中共党员", category="公务员",
                       sanctions=(("party", "警告"),), illicit_amount=None)
    return replace(base, **overrides)


def categories(found):
    return [f["category"] for f in found]


GOOD_ANNOUNCE = {"scope": "民政局全体干部职工大会", "announcers": ["李四", "王五"], "attendance": 40,
                 "statement": "诚恳接受处分"}


def test_a_proper_announcement_passes():
    assert precheck(facts("ANNOUNCE", GOOD_ANNOUNCE), CHECKLIST) == []


@pytest.mark.parametrize("change,expected", [
    ({"scope": "送达本人"}, ["以送达代替宣布"]),
    ({"attendance": 1}, ["以送达代替宣布"]),
    ({"statement": ""}, ["本人不表态"]),
    ({"statement": "", "refused_to_sign": True}, []),          # a refusal recorded is no defect
])
def test_announcement_defects(change, expected):
    assert categories(precheck(facts("ANNOUNCE", {**GOOD_ANNOUNCE, **change}), CHECKLIST)) == expected


def test_serving_must_reach_the_person_and_the_unit():
    good = {"recipients": ["张三", "东河区民政局"]}
    assert precheck(facts("SERVE", good), CHECKLIST) == []
    assert categories(precheck(facts("SERVE", {"recipients": ["东河区民政局"]}), CHECKLIST)) == ["送达部门遗漏"]


def test_copy_to_a_democratic_party_member_needs_the_united_front_department():
    partners = ("organization", "united_front")
    only_org = facts("COPY", {"recipients": ["中共东河区委组织部"]}, partners=partners)
    found = precheck(only_org, CHECKLIST)
    assert categories(found) == ["送达部门遗漏"] and "统战部" in found[0]["message"]
    both = facts("COPY", {"recipients": ["中共东河区委组织部", "中共东河区委统战部"]}, partners=partners)
    assert precheck(both, CHECKLIST) == []


def test_late_filing_and_late_reports():
    assert categories(precheck(facts("ARCHIVE", {"filed_on": date(2021, 4, 2)}), CHECKLIST)) == ["投档不及时"]
    assert precheck(facts("ARCHIVE", {"filed_on": date(2021, 4, 1)}), CHECKLIST) == []
    late = facts("REPORT", {"reported_on": date(2021, 9, 2)}, due_date=date(2021, 9, 1))
    assert categories(precheck(late, CHECKLIST)) == ["执行不报告"]


@pytest.mark.parametrize("sanctions,category,grade,ok", [
    ((("government", "警告"),), "公务员", "优秀", False),
    ((("government", "警告"),), "公务员", "称职(合格)", True),
    ((("government", "记过"),), "公务员", "称职(合格)", False),
    ((("government", "记过"),), "公务员", "不定等次", True),
    ((("government", "记过"),), "事业单位", "不称职(不合格)", True),
    ((("government", "记过"),), "事业单位", "基本称职", False),
    ((("party", "严重警告"),), "公务员", "优秀", False),
    ((("party", "警告"),), "公务员", "称职(合格)", True),
])
def test_rating_must_respect_the_sanction(sanctions, category, grade, ok):
    report = facts("RATING", {"year": 2021, "grade": grade}, sanctions=sanctions, category=category)
    assert (precheck(report, CHECKLIST) == []) is ok


def test_illicit_gains_must_be_recovered_in_full():
    short = facts("ASSETS", {"amount_ordered": "12000.00", "amount_recovered": "8000.00"})
    assert categories(precheck(short, CHECKLIST)) == ["违纪所得未退缴"]
    # The decision's own amount counts even if the unit reports a smaller order.
    understated = facts("ASSETS", {"amount_ordered": "5000.00", "amount_recovered": "5000.00"},
                        illicit_amount=Decimal("12000.00"))
    assert categories(precheck(understated, CHECKLIST)) == ["违纪所得未退缴"]
    full = facts("ASSETS", {"amount_ordered": "12000.00", "amount_recovered": "12000.00"})
    assert precheck(full, CHECKLIST) == []


def test_every_item_code_of_the_rule_book_has_a_checklist():
    codes = {"SERVE", "ANNOUNCE", "COPY", "ARCHIVE", "TREATMENT", "ORG_HANDLING", "ASSETS", "LETTERS",
             "REPORT", "RATING", "EDU_VISIT", "RESTORE"}
    # 以案促改: the reform section's tasks are reported like items.
    tasks = {"RF_WARNING", "RF_LIFE_MEETING", "RF_ANALYSIS", "RF_PLAN", "RF_IMPLEMENT", "RF_RULES", "RF_REPORT"}
    assert set(CHECKLIST.schemas) == codes | tasks


@pytest.mark.parametrize("code,evidence,field", [
    ("ANNOUNCE", {**GOOD_ANNOUNCE, "announcers": ["李四"]}, "announcers"),
    ("ANNOUNCE", {k: v for k, v in GOOD_ANNOUNCE.items() if k != "scope"}, "scope"),
    ("SERVE", {"recipients": ["张三"], "receipt_signed": True, "unit_seal": True}, "served_on"),
    ("RATING", {"year": 2021, "grade": "特优"}, "grade"),
    ("ASSETS", {"amount_ordered": "-1", "amount_recovered": "0", "receipt_number": "x",
                "recovered_on": "2021-03-01"}, "amount_ordered"),
])
def test_the_checklist_refuses_incomplete_evidence(code, evidence, field):
    if code == "ANNOUNCE":
        evidence = {**evidence, "announced_on": "2021-03-10"}
    with pytest.raises(ValidationFailed) as err:
        load(CHECKLIST.evidence_schema(code), evidence)
    assert field in err.value.fields


def test_content_decides_the_type_not_the_name():
    assert sniff(b"%PDF-1.7 ...") == "application/pdf"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0JFIF") == "image/jpeg"
    assert sniff(b"MZ\x90\x00 an executable renamed .pdf") is None
    assert sniff(b"\x7fELF...") is None
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert sniff(docx.getvalue()) == DOCX
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("payload.exe", "MZ")
    assert sniff(other_zip.getvalue()) is None


def test_a_service_without_signed_receipt_or_seal_is_incomplete():
    good = {"recipients": ["张三", "东河区民政局"], "receipt_signed": True, "unit_seal": True}
    assert precheck(facts("SERVE", good), CHECKLIST) == []
    found = precheck(facts("SERVE", {**good, "unit_seal": False}), CHECKLIST)
    assert categories(found) == ["证明材料不全"] and "单位公章" in found[0]["message"]
