"""Searching the library: analysis, ranking, citations, filters, paging, bad queries, the index."""
import threading

import pytest

from services.common.errors import NotFound, ValidationFailed
from services.library import analysis, corpus, index
from services.library.library import Library
from tests.unit.test_library_support import CORPUS, shared_index_dir, shared_library


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return shared_library(str(tmp_path_factory.getbasetemp()))


def keys(result):
    return [f"{hit['regulation_id']}:{hit['article']}" for hit in result["items"]]


# -- analysis -------------------------------------------------------------------------------
def test_the_analyzer_keeps_domain_words_whole_and_indexes_their_parts():
    words = [w for w, _, _ in analysis.tokens("党纪处分决定作出后，应当在一个月内宣布")]
    assert {"党纪处分", "处分决定", "处分", "决定", "宣布", "一个月"} <= set(words)
    assert "的" not in [w for w, _, _ in analysis.tokens("全体党员的处分")]
    start, end = next((s, e) for w, s, e in analysis.tokens("受到留党察看处分") if w == "留党察看")
    assert "受到留党察看处分"[start:end] == "留党察看"
    assert [w for w, _, _ in analysis.tokens("P01 第44条")] == ["p01", "第", "44", "条"]


def test_query_terms_drop_question_words_weigh_parts_less_and_add_synonyms():
    terms = analysis.query_terms("影响期多长", analysis.load_synonyms())
    assert "多长" not in terms and terms["影响期"] == 1.0
    assert terms["处分期"] == pytest.approx(analysis.SYNONYM_WEIGHT)
    assert terms["期限"] == pytest.approx(analysis.SYNONYM_WEIGHT)       # 多长 → 期限
    terms = analysis.query_terms("处分决定宣布范围")
    assert terms["处分决定"] == 1.0 and terms["处分"] == analysis.PART_WEIGHT
    assert analysis.query_terms("如何 怎么 吗") == {}


def test_the_whoosh_tokenizer_gives_positions_and_offsets():
    stream = analysis.JiebaTokenizer()("违纪所得应当收缴", positions=True, chars=True)
    found = [(t.text, t.startchar, t.endchar, t.pos) for t in stream]   # one Token, reused
    assert ("违纪所得", 0, 4) in [f[:3] for f in found] and ("收缴", 6, 8) in [f[:3] for f in found]
    assert [f[3] for f in found] == list(range(len(found)))


# -- ranking -------------------------------------------------------------------------------------
def test_article_level_hits_with_highlighted_snippets(library):
    result = library.search("留党察看期满恢复党员权利")
    first = result["items"][0]
    assert (first["regulation_id"], first["article"], first["label"]) == ("P01", 12, "第十二条")
    assert "<em>留党察看</em>" in first["snippet"] and "<em>恢复党员权利</em>" in first["snippet"]
    assert first["chapter"] == "第二章 违纪与纪律处分" and first["status"] == "现行有效"
    assert first["score"] > result["items"][1]["score"] > 0
    assert result["total"] > 10 and not first["exact"]


def test_a_current_text_ranks_above_its_superseded_version(library):
    # The same article in the 2023 (current) and 2018 (superseded) 纪律处分条例.
    result = library.search("留党察看处分分为留党察看一年留党察看二年")
    assert keys(result)[:2] == ["P01:12", "P02:12"]
    assert result["items"][0]["score"] > result["items"][1]["score"]


def test_superseded_texts_still_answer_what_only_they_say(library):
    assert keys(library.search("受处分人是民主党派成员 函告统战部"))[0] == "S03:14"


def test_snippets_are_escaped(library):
    assert "<" not in index.snippet("a<b>&c 处分", {"处分": 1.0}).replace("<em>", "").replace("</em>", "")
    assert index.snippet("甲" * 300 + "宣布" + "乙" * 300, {"宣布": 1.0}).startswith("…")


# -- citations -----------------------------------------------------------------------------------
@pytest.mark.parametrize("query, expected", [
    ("政务处分法第八条", ["L01:8"]),
    ("纪律处分条例 第44条", ["P01:44", "P02:44"]),
    ("监察法实施条例第二百零三条", ["S01:203"]),
    ("党章第四十一条", ["P10:41"]),
])
def test_typing_a_citation_finds_that_article(library, query, expected):
    result = library.search(query)
    assert keys(result) == expected and result["total"] == len(expected)
    assert result["items"][0]["exact"] is True
    assert result["items"][0]["snippet"]


def test_a_citation_respects_filters_and_a_missing_article_falls_back_to_full_text(library):
    assert keys(library.search("纪律处分条例 第44条", status="现行有效")) == ["P01:44"]
    result = library.search("纪律处分条例第1000条")
    assert result["items"] and not result["items"][0]["exact"]


# -- filters and paging ---------------------------------------------------------------------------
def test_filters_by_category_status_and_regulation(library):
    party = library.search("处分决定 宣布", category="党内法规", per_page=50)
    assert party["items"] and {h["category"] for h in party["items"]} == {"党内法规"}
    old = library.search("留党察看", status="已被取代", per_page=50)
    assert old["items"] and {h["status"] for h in old["items"]} == {"已被取代"}
    one = library.search("留党察看", regulation="p03", per_page=50)
    assert one["items"] and {h["regulation_id"] for h in one["items"]} == {"P03"}
    assert one["total"] == len(one["items"])
    assert library.search("留党察看", category="地方制度")["total"] == 0   # none shipped


def test_paging_walks_the_same_ranking(library):
    whole = keys(library.search("政务处分 决定", per_page=30))
    pages = [keys(library.search("政务处分 决定", page=p, per_page=10)) for p in (1, 2, 3)]
    assert sum(pages, []) == whole
    assert library.search("政务处分 决定", page=1000)["items"] == []


# -- bad input ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, field", [
    ({"q": ""}, "q"), ({"q": "   "}, "q"), ({"q": None}, "q"), ({"q": "处" * 10_000}, "q"),
    ({"q": ["处分"]}, "q"), ({"q": "处分", "status": "有效"}, "status"),
    ({"q": "处分", "category": "小说"}, "category"), ({"q": "处分", "regulation": "X99"}, "regulation"),
    ({"q": "处分", "regulation": "../../etc"}, "regulation"), ({"q": "处分", "page": 0}, "page"),
    ({"q": "处分", "page": "abc"}, "page"), ({"q": "处分", "per_page": 500}, "per_page"),
    ({"q": "处分\x00\x01"}, "q"), ({"q": "处分\u202e"}, "q"),   # control and bidi characters
])
def test_bad_queries_are_refused_naming_the_field(library, kwargs, field):
    with pytest.raises(ValidationFailed) as err:
        library.search(**kwargs)
    assert field in err.value.fields


@pytest.mark.parametrize("query", [
    '"unbalanced', "AND OR ( ) * ?", "*", "?", "title:foo", "body:(a OR", "\\", "~2^3", '""', "((((",
    "NOT", "处分 AND 宣布", "' OR 1=1 --", "<script>alert(1)</script>", "第", "第条", "第九九九九九条",
    "纪律处分条例第", "🙂", "a" * 500,
])
def test_query_syntax_never_breaks_a_search(library, query):
    result = library.search(query)
    assert result["total"] >= 0 and isinstance(result["items"], list)
    for hit in result["items"]:
        assert "<script>" not in hit["snippet"]


# -- texts ------------------------------------------------------------------------------------------
def test_regulations_articles_and_legal_bases(library):
    regulations = library.regulations()
    assert len(regulations) == 33 and regulations[0]["id"] == "L01"
    p01 = library.regulation("p01")
    assert p01["article_count"] == len(p01["articles"]) == 158
    assert p01["outline"][0]["heading"].startswith("第一章")
    article = library.article("P01", "第十二条")
    assert (article["label"], article["previous"], article["next"]) == ("第十二条", "11", "13")
    assert article["paragraphs"][0].startswith("留党察看处分")
    with pytest.raises(NotFound):
        library.article("P01", 999)
    with pytest.raises(NotFound):
        library.regulation("X99")
    with pytest.raises(ValidationFailed):
        library.article("P01", "十二章")
    resolved = library.resolve([{"regulation": "S01", "article": 203}, {"regulation": "S01", "article": 999}])
    assert resolved[0]["found"] and resolved[0]["citation"] == "《中华人民共和国监察法实施条例》第二百零三条"
    assert resolved[0]["text"].startswith("监察机关应当将政务处分决定书在作出后一个月以内送达")
    assert resolved[1] == {"regulation": "S01", "article": 999, "found": False}
    with pytest.raises(ValidationFailed):
        library.resolve("S01:203")


# -- the index on disk ------------------------------------------------------------------------------
def test_the_index_is_reused_until_the_corpus_changes(tmp_path, tmp_path_factory):
    base = str(tmp_path_factory.getbasetemp())
    loaded = corpus.load([CORPUS])
    ix, built = index.open_or_build(loaded, shared_index_dir(base))
    ix.close()
    assert built is False                                   # same content hash: opened
    assert index.content_hash(loaded) == index.content_hash(corpus.load([CORPUS]))
    local = tmp_path / "local"
    local.mkdir()
    (local / "D01_细则_2024.md").write_text("# 细则\n\n第一条 处分决定应当宣布。\n", encoding="utf-8")
    bigger = corpus.load([local])
    assert index.content_hash(bigger) != index.content_hash(loaded)


def test_one_writer_at_a_time(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "D01_细则_2024.md").write_text(
        "# 细则\n\n第一条 处分决定应当宣布。\n\n第二条 违纪所得应当收缴。\n", encoding="utf-8")
    small = corpus.load([tmp_path / "rules"])
    outcomes = []

    def build():
        ix, built = index.open_or_build(small, tmp_path / "ix")
        outcomes.append(built)
        ix.close()

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, False, False, True]   # built once, then opened
    library = Library.open([tmp_path / "rules"], tmp_path / "ix")
    assert keys(library.search("违纪所得")) == ["D01:2"]
    library.close()
