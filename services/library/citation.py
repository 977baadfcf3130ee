"""Citations typed into the search box (条文引用): 政务处分法第八条, 纪律处分条例 第44条, P01第十二条.

:func:`cited_articles` finds the citation in a query and resolves it against the corpus to
the articles it names — the best-matching regulation first (a current text before a
superseded one of the same name).
"""
import re

from .corpus import article_label
from .numerals import NUMERAL, cn_to_int

CITATION = re.compile(rf"第\s*(?P<num>{NUMERAL})\s*条(?:之(?P<sub>{NUMERAL}))?")
DOCUMENT_WORDS = ("法", "条例", "规定", "规则", "办法", "准则", "章程", "党章", "细则", "守则")
REGULATION_ID = re.compile(r"^[A-Za-z]{1,3}\d{2,4}$")
NAME_CHARS = re.compile(r"[\s《》〈〉“”\"'·:：,，、]")


def parse(query):
    """(name, number, sub) for the first 第X条 in ``query`` that follows a name, else None."""
    for match in CITATION.finditer(query):
        name = NAME_CHARS.sub("", query[:match.start()])
        if name:
            return name, cn_to_int(match.group("num")), \
                cn_to_int(match.group("sub")) if match.group("sub") else 0
    return None


def cited_articles(corpus, query):
    """The articles a citation in ``query`` names, best first; [] when it names none."""
    parsed = parse(query)
    if parsed is None:
        return []
    name, number, sub = parsed
    for regulations in _candidates(corpus, name):
        found = [r.article(number, sub) for r in regulations]
        found = [a for a in found if a is not None]
        if found:
            return found
    return []


def _candidates(corpus, name):
    """Regulation lists for the name and for each shorter tail of it that is still a name
    of a document (请看纪律处分条例 → 纪律处分条例)."""
    for start in range(len(name) - 1):
        tail = name[start:]
        if REGULATION_ID.match(tail) and corpus.get(tail.upper()):
            yield [corpus.get(tail.upper())]
        elif tail.endswith(DOCUMENT_WORDS):
            found = corpus.find_by_name(tail)
            if found:
                yield found


def describe(article, regulation):
    """《title》label, as a document cites it."""
    return f"《{regulation.title}》{article_label(article.number, article.sub)}"
