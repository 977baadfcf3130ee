"""Parsing the regulation corpus: numerals, structure, status, malformed files, citations."""
import pytest

from services.library import citation, corpus
from services.library.numerals import amount_cn, cn_to_int, date_cn, int_to_cn, months_cn
from tests.unit.test_library_support import CORPUS


@pytest.fixture(scope="module")
def real():
    return corpus.load([CORPUS])


def write(folder, name, text, encoding="utf-8"):
    path = folder / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


# -- numerals -----------------------------------------------------------------------------
@pytest.mark.parametrize("text, number", [
    ("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("四十四", 44), ("一百", 100),
    ("一百零三", 103), ("一百一十", 110), ("二百零三", 203), ("两千零一", 2001), ("44", 44), ("０８", 8)])
def test_chinese_numerals_to_integers(text, number):
    assert cn_to_int(text) == number


@pytest.mark.parametrize("number", [1, 9, 10, 11, 19, 20, 100, 101, 103, 110, 115, 200, 203, 1000, 1010])
def test_integers_to_chinese_and_back(number):
    assert cn_to_int(int_to_cn(number)) == number
    assert int_to_cn(103) == "一百零三" and int_to_cn(10) == "十" and int_to_cn(110) == "一百一十"


def test_dates_months_and_sums_in_document_style():
    assert date_cn("2021-03-01") == "二〇二一年三月一日"
    assert date_cn("2020-12-31") == "二〇二〇年十二月三十一日"
    assert months_cn(18) == "一年六个月" and months_cn(6) == "六个月"
    assert amount_cn("12000.00") == "壹万贰仟元整"
    assert amount_cn("100000.08") == "壹拾万元零捌分"
    assert amount_cn("1005.5") == "壹仟零伍元伍角整"


# -- the shipped corpus ---------------------------------------------------------------------
def test_every_shipped_text_parses(real):
    assert real.problems == []
    assert len(real.regulations) == 33
    assert sum(len(r.articles) for r in real.regulations.values()) > 1900


def test_regulation_facts_from_name_and_text(real):
    p01 = real.get("P01")
    assert (p01.title, p01.year, p01.status, p01.category, p01.scope, p01.issuer) == (
        "中国共产党纪律处分条例", 2023, "现行有效", "党内法规", "party", "中共中央")
    assert real.get("P02").status == "已被取代"
    assert real.get("P10").status == "已被取代"          # 章程_2017_已被2022修改
    assert real.get("S06").status == "历史文本"
    l01 = real.get("L01")
    assert (l01.category, l01.scope, l01.issuer, l01.year) == (
        "法律法规", "state", "全国人民代表大会常务委员会", 2020)
    assert real.get("S01").category == "监察法规文件"
    assert real.get("L02").year == 2024                   # 监察法_2024修正


def test_articles_chapters_sections_and_paragraphs(real):
    s01 = real.get("S01")
    article = s01.article(203)
    assert article.label == "第二百零三条"
    assert article.chapter == "第五章 监察程序" and article.section == "第六节 处置"
    assert len(article.paragraphs) == 2 and article.paragraphs[0].startswith("监察机关应当将政务处分决定书")
    assert [a.number for a in s01.articles] == list(range(1, len(s01.articles) + 1))
    p01 = real.get("P01")
    assert p01.article(12).part == "第一编 总则" and p01.article(12).chapter == "第二章 违纪与纪律处分"
    assert p01.article(44).text.startswith("党纪处分决定作出后，应当在一个月内")


def test_texts_with_quirks(real):
    # 弟四十五条: an OCR slip in the published text is still article 45.
    assert real.get("S04").article(45).text.startswith("监察机关调查洗嫌严重职务违法")
    # A sentence broken across lines is joined again.
    assert "单位财产,报监委分管领导审批。" in real.get("S04").article(45).text
    # A short article title (第十一条　事实清楚) is not taken for a heading.
    assert real.get("P11").article(11).paragraphs[0] == "事实清楚"
    # 总纲 before the first article is the preamble; annexes are kept apart from the last article.
    assert real.get("P10").preamble_title == "总纲" and real.get("P10").preamble
    assert real.get("P12").appendix[0] == "附件一"
    assert "附件" not in real.get("P12").articles[-1].text
    # Chapters without a number (P15 党员廉洁自律规范).
    assert real.get("P15").article(1).chapter == "党员廉洁自律规范"


# -- files of one's own -----------------------------------------------------------------------
GOOD = """# 东河区处分决定执行工作细则

（2024年1月5日东河区纪委监委印发）

## 第一章 总则

第一条 为了规范处分决定执行，制定本细则。

第二条 本细则适用于本区。

## 第二章 执行

### 第一节 送达

第三条 处分决定应当送达本人。

本人拒绝签收的，记录在案。

第三条之一 宣布不得以送达代替。

第一百零三条规定的事项不在此列。
"""


def test_a_district_file_with_sections_and_zhi_yi_articles(tmp_path):
    write(tmp_path, "D01_东河区处分决定执行工作细则_2024.md", GOOD)
    loaded = corpus.load([tmp_path])
    assert loaded.problems == []
    rule = loaded.get("D01")
    assert (rule.category, rule.scope, rule.year, rule.status) == ("地方制度", "local", 2024, "现行有效")
    assert rule.promulgation == ("（2024年1月5日东河区纪委监委印发）",)
    assert [a.key for a in rule.articles] == ["1", "2", "3", "3-1"]
    third = rule.article(3)
    assert third.chapter == "第二章 执行" and third.section == "第一节 送达"
    assert third.paragraphs == ("处分决定应当送达本人。", "本人拒绝签收的，记录在案。")
    zhi_yi = rule.article(3, 1)
    assert zhi_yi.label == "第三条之一"
    # 第一百零三条规定的…: a paragraph quoting an article, not article 103.
    assert zhi_yi.paragraphs[-1] == "第一百零三条规定的事项不在此列。"


@pytest.mark.parametrize("name, text, line, problem", [
    ("D02_缺号_2024.md", "# 标题\n\n第一条 甲。\n\n第三条 乙。\n", 5, "条文编号不连续"),
    ("D03_重号_2024.md", "# 标题\n\n第一条 甲。\n\n第二条 乙。\n\n第二条 丙。\n", 7, "条文编号不连续"),
    ("D04_无标题_2024.md", "第一条 甲。\n", 1, "第一行应为标题"),
    ("D05_无条文_2024.md", "# 标题\n\n只是一段话。\n", 4, "未找到任何条文"),
    ("D06_空条_2024.md", "# 标题\n\n第一条\n\n第二条 乙。\n", 3, "没有正文"),
    ("坏名字.md", "# 标题\n\n第一条 甲。\n", 1, "文件名应形如"),
])
def test_a_malformed_file_is_reported_by_name_and_line_and_skipped(tmp_path, name, text, line, problem):
    write(tmp_path, "D01_东河区处分决定执行工作细则_2024.md", GOOD)
    write(tmp_path, name, text)
    loaded = corpus.load([tmp_path])
    assert list(loaded.regulations) == ["D01"]           # the rest are indexed
    [found] = loaded.problems
    assert str(found).startswith(f"{name}:{line}: ") and problem in str(found)
    assert (found.line, problem in found.problem) == (line, True)


def test_not_utf8_and_duplicate_ids_are_reported(tmp_path):
    write(tmp_path, "D01_东河区处分决定执行工作细则_2024.md", GOOD)
    write(tmp_path, "D07_旧编码_2024.md", "# 标题\n\n第一条 甲。\n", encoding="gbk")
    other = tmp_path / "more"
    other.mkdir()
    write(other, "D01_另一个_2024.md", "# 另一个\n\n第一条 甲。\n")
    loaded = corpus.load([tmp_path, other])
    messages = sorted(str(p) for p in loaded.problems)
    assert messages[0].startswith("D01_另一个_2024.md:1: 编号 D01 与")
    assert messages[1].startswith("D07_旧编码_2024.md:1: 不是UTF-8")
    assert list(loaded.regulations) == ["D01"]


def test_the_digest_changes_with_any_file(tmp_path):
    write(tmp_path, "D01_东河区处分决定执行工作细则_2024.md", GOOD)
    before = corpus.load([tmp_path]).digest
    assert corpus.load([tmp_path]).digest == before
    write(tmp_path, "D01_东河区处分决定执行工作细则_2024.md", GOOD + "\n第四条 新增。\n")
    assert corpus.load([tmp_path]).digest != before


# -- names, citations and references --------------------------------------------------------------
@pytest.mark.parametrize("name, ids", [
    ("纪律处分条例", ["P01", "P02"]),                   # current version first
    ("《中国共产党纪律处分条例》", ["P01", "P02"]),
    ("政务处分法", ["L01"]),
    ("监察法", ["L02", "L03"]),                         # exact titles beat 监察法实施条例
    ("监察法实施条例", ["S01"]),
    ("党章", ["P10"]),
    ("国企处分条例", ["L09"]),                          # characters in order
    ("没有这部法", []),
])
def test_regulations_found_by_the_names_people_type(real, name, ids):
    assert [r.id for r in real.find_by_name(name)] == ids


@pytest.mark.parametrize("query, keys", [
    ("政务处分法第八条", [("L01", "8")]),
    ("纪律处分条例 第44条", [("P01", "44"), ("P02", "44")]),
    ("监察法实施条例第二百零三条", [("S01", "203")]),
    ("请看纪律处分条例第四十四条", [("P01", "44"), ("P02", "44")]),
    ("P06 第十一条", [("P06", "11")]),
    ("第八条", []),
    ("违反第十条怎么处理", []),
    ("纪律处分条例第1000条", []),
])
def test_citations_resolve_to_articles(real, query, keys):
    assert [(a.regulation_id, a.key) for a in citation.cited_articles(real, query)] == keys


def test_article_references_in_every_accepted_form():
    assert corpus.parse_article_ref(8) == (8, 0)
    assert corpus.parse_article_ref("第八条") == (8, 0)
    assert corpus.parse_article_ref("203") == (203, 0)
    assert corpus.parse_article_ref("20之一") == (20, 1)
    assert corpus.parse_article_ref("20-1") == (20, 1)
    for bad in ("八章", "", "x", None, True):
        with pytest.raises(ValueError):
            corpus.parse_article_ref(bad)


def test_check_references_lists_what_does_not_resolve(real):
    refs = [{"regulation": "S01", "article": 203}, {"regulation": "S01", "article": 999},
            {"regulation": "X99", "article": 1}, {"regulation": "P01", "article": "第十二条"},
            {"regulation": "P01", "article": "十二章"}]
    assert corpus.check_references(real, refs) == [refs[1], refs[2], refs[4]]
