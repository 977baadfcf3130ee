"""The rule book's legal bases must name articles of the library: checked at start-up, on the
rule book as case serves it (``case.rulebook_summary``)."""
import copy

import pytest

from services.library import basis
from services.library.library import Library
from tests.unit.test_library_support import CORPUS, RULEBOOK_DATA, shared_index_dir, shared_library

FAKE_RULEBOOK = {
    "sanctions": [{"kind": "party", "type": "警告", "months": 12,
                   "legal_basis": [{"regulation": "P01", "article": 10}]},
                  {"kind": "government", "type": "记过", "months": 12,
                   "legal_basis": [{"regulation": "L01", "article": 800}]}],
    "items": [
        {"code": "SERVE", "name": "送达",
         "legal_basis": [{"regulation": "S01", "article": 203}, {"regulation": "L01", "article": 46}]},
        {"code": "ANNOUNCE", "name": "宣布", "legal_basis": [{"regulation": "P01", "article": 444}]},
        {"code": "COPY", "name": "抄送", "legal_basis": [{"regulation": "Q99", "article": 1}]},
    ],
}


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return shared_library(str(tmp_path_factory.getbasetemp()))


def test_a_reference_to_no_article_names_the_bad_entries(library):
    with pytest.raises(basis.BadReference) as err:
        basis.check_rulebook(library.corpus, FAKE_RULEBOOK, "fake rule book")
    message = str(err.value)
    assert message.startswith("fake rule book: legal_basis names no article in the library")
    assert "items[1] ANNOUNCE legal_basis[0] {regulation: P01, article: 444}" in message
    assert "items[2] COPY legal_basis[0] {regulation: Q99, article: 1}" in message
    assert "sanctions.government.记过 legal_basis[0] {regulation: L01, article: 800}" in message
    assert "S01" not in message and "P01, article: 10}" not in message


def test_the_library_refuses_to_open_on_a_bad_rule_book(tmp_path_factory):
    with pytest.raises(basis.BadReference, match="items\\[1\\] ANNOUNCE legal_basis\\[0\\] "
                                                 "\\{regulation: P01, article: 444\\}"):
        Library.open([CORPUS], shared_index_dir(str(tmp_path_factory.getbasetemp())), rulebook=FAKE_RULEBOOK)


def test_no_rule_book_is_nothing_to_check():
    basis.check_rulebook(None, None)   # nothing to check, no error
    assert basis.sanction_bases(None) == {}


def test_the_real_rule_book_resolves(library):
    found = list(basis.references_in(RULEBOOK_DATA))
    assert len(found) > 30, "the rule book cites too few articles"
    basis.check_rulebook(library.corpus, RULEBOOK_DATA)
    assert basis.sanction_bases(RULEBOOK_DATA)[("party", "留党察看")] == [{"regulation": "P01", "article": 12}]
    assert library.sanction_bases[("government", "开除")] == [{"regulation": "L01", "article": 8},
                                                              {"regulation": "L01", "article": 26}]


def test_references_are_named_by_their_entry():
    book = copy.deepcopy(FAKE_RULEBOOK)
    assert [where for where, _ in basis.references_in(book)] == [
        "items[0] SERVE legal_basis[0]", "items[0] SERVE legal_basis[1]", "items[1] ANNOUNCE legal_basis[0]",
        "items[2] COPY legal_basis[0]", "sanctions.party.警告 legal_basis[0]",
        "sanctions.government.记过 legal_basis[0]"]
