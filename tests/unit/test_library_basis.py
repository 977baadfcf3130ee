"""The rule book's legal bases must name articles of the library: checked at start-up."""
import pytest

from services.library import basis
from services.library.library import Library
from tests.unit.test_library_support import CORPUS, RULEBOOK, shared_index_dir, shared_library

FAKE_RULEBOOK = """
version: 1
sanctions:
  party:
    警告: {months: 12, legal_basis: [{regulation: P01, article: 10}]}
items:
  - code: SERVE
    legal_basis: [{regulation: S01, article: 203}, {regulation: L01, article: 46}]
  - code: ANNOUNCE
    legal_basis: [{regulation: P01, article: 444}]
  - code: COPY
    legal_basis: [{regulation: Q99, article: 1}]
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return shared_library(str(tmp_path_factory.getbasetemp()))


def test_a_reference_to_no_article_names_the_bad_entries(library):
    tree = basis.yaml.safe_load(FAKE_RULEBOOK)
    with pytest.raises(basis.BadReference) as err:
        basis.check_rulebook(library.corpus, tree, "fake rule book")
    message = str(err.value)
    assert "$.items[1].legal_basis[0] {regulation: P01, article: 444}" in message
    assert "$.items[2].legal_basis[0] {regulation: Q99, article: 1}" in message
    assert "S01" not in message and "P01, article: 10" not in message


def test_the_library_refuses_to_open_on_a_bad_rule_book(tmp_path, tmp_path_factory):
    path = tmp_path / "rulebook.yaml"
    path.write_text(FAKE_RULEBOOK, encoding="utf-8")
    with pytest.raises(basis.BadReference, match="P01, article: 444"):
        Library.open([CORPUS], shared_index_dir(str(tmp_path_factory.getbasetemp())), rulebook_path=path)


def test_a_missing_rule_book_is_skipped(tmp_path):
    assert basis.load_rulebook(tmp_path / "nowhere.yaml") is None
    basis.check_rulebook(None, None)   # nothing to check, no error


def test_the_real_rule_book_resolves(library):
    tree = basis.load_rulebook(RULEBOOK)
    if tree is None:
        pytest.skip("the case service's rule book is not in this checkout")
    found = list(basis.references_in(tree))
    assert found, "the rule book cites no articles"
    basis.check_rulebook(library.corpus, tree)
    assert basis.sanction_bases(tree)[("party", "留党察看")] == [{"regulation": "P01", "article": 12}]


def test_references_are_found_anywhere_in_the_tree():
    tree = {"a": [{"b": {"regulation": "S01", "article": 1}}, {"regulation": "L01", "article": "第八条"}]}
    assert [where for where, _ in basis.references_in(tree)] == ["$.a[0].b", "$.a[1]"]
