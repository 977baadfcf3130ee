"""The rule book is validated at start-up; a bad entry is named in the error."""
import copy

import pytest
import yaml

from services.case.rulebook import RuleBookError, load_rulebook, parse_rulebook

with open("services/case/rulebook.yaml", encoding="utf-8") as handle:
    RAW = yaml.safe_load(handle)


def broken(mutate):
    raw = copy.deepcopy(RAW)
    mutate(raw)
    return raw


def item(raw, code):
    return next(i for i in raw["items"] if i["code"] == code)


def test_shipped_rule_book_loads_with_every_item():
    book = load_rulebook("services/case/rulebook.yaml")
    assert [r.code for r in book.items] == ["SERVE", "ANNOUNCE", "COPY", "ARCHIVE", "TREATMENT",
                                            "ORG_HANDLING", "ASSETS", "LETTERS", "REPORT", "RATING",
                                            "EDU_VISIT", "RESTORE"]
    assert all(r.legal_basis for r in book.items)


@pytest.mark.parametrize("mutate,expected", [
    (lambda r: item(r, "COPY").__setitem__("after", ["ARCHIVE"]), "items[2] COPY: after names ['ARCHIVE']"),
    (lambda r: item(r, "SERVE").__setitem__("when", {"weather": "sunny"}), "unknown condition 'weather'"),
    (lambda r: item(r, "TREATMENT").__setitem__("due", {"from": "decsion_date", "months": 1}),
     "items[4] TREATMENT: due.from must be one of"),
    (lambda r: item(r, "TREATMENT")["when"]["any"][0]["sanction"]["party"].append("记过"),
     "unknown sanction party/记过"),
    (lambda r: item(r, "ASSETS").__setitem__("partners", [{"role": "police"}]),
     "partner role 'police'"),
    (lambda r: r["items"].append(dict(item(r, "SERVE"))), "duplicate code"),
    (lambda r: r["sanctions"]["party"]["警告"].pop("months"), "sanctions.party.警告"),
    (lambda r: item(r, "SERVE").pop("due"), "items[0] SERVE: 'due' is required"),
    (lambda r: item(r, "SERVE").__setitem__("legal_basis", [{"regulation": "S01"}]),
     "legal_basis entries need"),
    (lambda r: r["stacking"].__setitem__("party", "multiply"), "stacking.party"),
    (lambda r: item(r, "RESTORE")["when"]["any"][1]["all"][0].__setitem__("setting", "nope"),
     "setting 'nope'"),
])
def test_bad_entries_are_named(mutate, expected):
    with pytest.raises(RuleBookError) as err:
        parse_rulebook(broken(mutate), source="rb")
    assert expected in str(err.value)


def test_unreadable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "rb.yaml"
    path.write_text("items: [unclosed", encoding="utf-8")
    with pytest.raises(RuleBookError, match="cannot read"):
        load_rulebook(path)


def test_the_summary_carries_what_every_reader_needs():
    """case.rulebook_summary is the one copy of the rule book the other services and the web
    client see: names, legal bases (items and sanctions), partner roles, settings, vocabularies."""
    from services.case.rulebook import rulebook_summary

    summary = rulebook_summary(load_rulebook("services/case/rulebook.yaml"))
    items = {i["code"]: i for i in summary["items"]}
    assert items["COPY"]["name"] == "抄送" and items["COPY"]["partners"] == ["organization", "united_front"]
    assert items["SERVE"]["partners"] == [] and items["SERVE"]["legal_basis"][0] == {"regulation": "S01",
                                                                                     "article": 203}
    dismissal = next(s for s in summary["sanctions"] if (s["kind"], s["type"]) == ("government", "开除"))
    assert dismissal["legal_basis"] == [{"regulation": "L01", "article": 8}, {"regulation": "L01", "article": 26}]
    assert summary["partner_roles"] == ["organization", "hr", "finance", "united_front"]
    assert summary["settings"]["overdue_repeat_days"] == 1
    assert "免职" in summary["vocabularies"]["org_handling"]
    assert "纪检监察建议书" in summary["vocabularies"]["letters"]
    assert summary["eligibility"]["party"] == {"political_status": ["中共党员"]}
