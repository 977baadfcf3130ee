"""The review service's plain parts: checklist data, round changes, the attachment store,
the extension limit."""
import inspect
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from services.common.errors import ValidationFailed
from services.common.schemas import load
from services.review import checks
from services.review.attachments import AttachmentStore, StoredFileDamaged
from services.review.checklist import ChecklistError, load_checklist
from services.review.exceptions import ExtensionBeyondLimit
from services.review.extensions import _check_within_limit
from services.review.records import changes, finding_categories

CHECKLIST = load_checklist()
SOURCE = Path(checks.__file__).with_name("evidence.yaml")


def test_problem_categories_are_the_rule_book_names_plus_other():
    assert CHECKLIST.problem_categories[-1] == "其他"
    assert CHECKLIST.problem_category("本人不表态") == "本人不表态"
    assert CHECKLIST.problem_category("三书落实不及时") == "两书落实不及时"     # an alias reviewers use
    assert CHECKLIST.problem_category("字迹潦草") is None


def test_every_pre_check_reports_under_a_listed_category():
    used = set(re.findall(r'finding\("([^"]+)"', inspect.getsource(checks)))
    assert len(used) >= 9 and used <= set(CHECKLIST.problem_categories)


@pytest.mark.parametrize("change,message", [
    (lambda raw: raw["problem_categories"].remove("其他"), "其他"),
    (lambda raw: raw["problem_aliases"].update({"三书": "不存在的类别"}), "不存在的类别"),
    (lambda raw: raw["evidence"]["SERVE"].update({"x": {"type": "blob"}}), "blob"),
    (lambda raw: raw.pop("prechecks"), "prechecks"),
])
def test_a_malformed_checklist_stops_the_service(tmp_path, change, message):
    raw = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    change(raw)
    bad = tmp_path / "evidence.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ChecklistError, match=message):
        load_checklist(bad)


def test_every_report_may_carry_a_note_but_nothing_unknown():
    archive = {"filed_on": "2021-03-15", "archive_holder": "组织部"}
    assert load(CHECKLIST.evidence_schema("ARCHIVE"), {**archive, "note": "已核对"})["note"] == "已核对"
    with pytest.raises(ValidationFailed) as err:
        load(CHECKLIST.evidence_schema("ARCHIVE"), {**archive, "colour": "red"})
    assert "colour" in err.value.fields
    assert [f["key"] for f in CHECKLIST.form("ARCHIVE")] == ["filed_on", "archive_holder"]


def _round(evidence, performed_on=date(2021, 3, 20), attachments=()):
    return SimpleNamespace(evidence=evidence, performed_on=performed_on, attachments=list(attachments))


def test_a_new_round_names_what_changed():
    first = _round({"statement": "", "attendance": 40})
    assert changes(_round({"statement": "接受", "attendance": 40}), first) == ["statement"]
    assert changes(_round({"attendance": 40}, date(2021, 3, 22), ["a"]), first) == [
        "attachments", "performed_on", "statement"]
    assert changes(first, first) == []


def test_finding_categories_are_delimited_for_exact_matching():
    found = [{"category": "本人不表态"}, {"category": "以送达代替宣布"}]
    assert finding_categories(found) == "|本人不表态|以送达代替宣布|"
    assert finding_categories([]) == ""


def test_the_store_keeps_one_copy_and_refuses_a_damaged_file(tmp_path):
    store = AttachmentStore(tmp_path)
    digest = store.save(b"%PDF-1.4 receipt")
    assert store.save(b"%PDF-1.4 receipt") == digest
    assert store.read(digest) == b"%PDF-1.4 receipt"
    assert len(list(tmp_path.rglob("*"))) == 2     # one folder, one file
    store.path_for(digest).write_bytes(b"%PDF-1.4 tampered")
    with pytest.raises(StoredFileDamaged):
        store.read(digest)


TREATMENT = {"name": "调整待遇", "due_date": "2021-04-01", "extension_limit": "2021-09-01"}


def test_an_extension_stays_within_the_legal_limit():
    assert _check_within_limit(TREATMENT, 30) == date(2021, 5, 1)
    assert _check_within_limit(TREATMENT, 153) == date(2021, 9, 1)
    with pytest.raises(ExtensionBeyondLimit, match="2021-09-01"):
        _check_within_limit(TREATMENT, 154)
    with pytest.raises(ExtensionBeyondLimit, match="不得延期"):
        _check_within_limit({**TREATMENT, "extension_limit": None}, 1)
