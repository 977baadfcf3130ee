"""Search quality over the labelled relevance set: recall@5 ≥ 0.9 (and the set is big enough)."""
import pytest

from services.library import evaluation
from tests.unit.test_library_support import shared_library


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    library = shared_library(str(tmp_path_factory.getbasetemp()))
    return evaluation.evaluate(evaluation.library_ranker(library), evaluation.load_cases())


def test_the_relevance_set_has_forty_or_more_labelled_queries():
    cases = evaluation.load_cases()
    assert len(cases) >= 40
    assert len({case["q"] for case in cases}) == len(cases)
    assert all(case["answers"] for case in cases)


def test_every_label_names_a_real_article(tmp_path_factory):
    library = shared_library(str(tmp_path_factory.getbasetemp()))
    labels = {answer for case in evaluation.load_cases() for answer in case["answers"]}
    missing = [label for label in labels
               if library.corpus.article(label.split(":")[0], int(label.split(":")[1])) is None]
    assert missing == []


def test_recall_at_5_is_at_least_0_9(result):
    misses = [(row["q"], row["answers"], row["top"]) for row in result["rows"] if row["recall"] < 1]
    assert result["recall"] >= 0.9, misses
    assert result["mrr"] >= 0.8


def test_evaluation_arithmetic():
    cases = [{"q": "a", "answers": ["X:1", "X:2"]}, {"q": "b", "answers": ["X:3"]}]
    ranked = {"a": ["X:9", "X:1"], "b": ["X:8"]}
    result = evaluation.evaluate(lambda q, depth: ranked[q], cases, k=5)
    assert result["recall"] == pytest.approx(0.25)
    assert result["success"] == pytest.approx(0.5)
    assert result["mrr"] == pytest.approx(0.25)
