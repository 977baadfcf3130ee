"""Chinese text analysis (分词) for the index and for queries: jieba's dictionary, full mode.

One jieba tokenizer of our own (not jieba's global one) carries the domain vocabulary of
``dictionary.txt`` (留党察看, 政务处分, 违纪所得 …), so these words stay whole and their parts
are indexed too.  Queries drop question words (如何, 多长 …) and are widened with the
domain synonyms of ``synonyms.yaml`` (影响期 → 处分期 …), each at a lower weight.
"""
import logging
import re
import threading
from pathlib import Path

import jieba
import yaml
from whoosh.analysis import Token, Tokenizer

HERE = Path(__file__).parent
DICTIONARY = HERE / "dictionary.txt"
SYNONYMS = HERE / "synonyms.yaml"
SYNONYM_WEIGHT = 0.6
PART_WEIGHT = 0.5           # 处分 inside 处分决定: the whole word carries the query

# Function words: never worth a posting.
STOP_WORDS = frozenset("的 了 和 与 及 或 或者 以及 是 在 对 等 其 之 为 于 并 由 从 将 被 把 也 都 而 则 "
                       "该 此 这 那 个".split())
# Words a question is phrased with, not what it is about.
QUESTION_WORDS = frozenset("如何 怎么 怎样 怎么办 什么 哪些 哪个 哪几 哪几种 哪里 是否 有 吗 呢 吧 啊 多长 多久 多少 几 "
                           "谁 能否 能不能 有没有 请问".split())

_lock = threading.Lock()
_segmenter = None


def segmenter():
    """The jieba tokenizer with the domain dictionary, loaded once."""
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                jieba.setLogLevel(logging.WARNING)
                seg = jieba.Tokenizer()
                seg.initialize()
                seg.load_userdict(str(DICTIONARY))
                _segmenter = seg
    return _segmenter


RUNS = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")


def tokens(text):
    """(word, start, end) for every dictionary word in ``text`` (jieba's full mode: 党纪处分决定
    gives 党纪, 党纪处分, 处分, 处分决定, 决定), a character on its own only where no word
    covers it; Latin letters and digits as runs, lower-cased; function words dropped.

    Full mode on both sides keeps a query word findable however the text around it would
    have been segmented."""
    seg = segmenter()
    for run in RUNS.finditer(text):
        word, base = run.group(), run.start()
        if not ("\u4e00" <= word[0] <= "\u9fff"):
            yield word.lower(), base, run.end()
            continue
        covered = -1
        for start, ends in seg.get_DAG(word).items():
            if len(ends) == 1 and ends[0] == start:
                if start > covered and word[start] not in STOP_WORDS:
                    yield word[start], base + start, base + start + 1
                continue
            for end in ends:
                if end > start and word[start:end + 1] not in STOP_WORDS:
                    yield word[start:end + 1], base + start, base + end + 1
                    covered = max(covered, end)


class JiebaTokenizer(Tokenizer):
    """whoosh tokenizer over :func:`tokens` (with positions and character offsets)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for pos, (word, start, end) in enumerate(tokens(value), start=start_pos):
            token.text = word
            token.boost = 1.0
            if keeporiginal:
                token.original = word
            token.stopped = False
            if positions:
                token.pos = pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


def analyzer():
    return JiebaTokenizer()


def load_synonyms(path=SYNONYMS):
    """{term: [alternative, …]} from the YAML file; missing file → no synonyms."""
    if not Path(path).exists():
        return {}
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return {str(k).lower(): [str(v).lower() for v in (vs or [])] for k, vs in data.items()}


def query_terms(text, synonyms=None):
    """The weighted terms of a query: {term: weight}.

    Question words are dropped (their synonyms kept: 多长 → 期限); a single character, or a
    word that is part of a longer one (处分 in 处分决定), counts for ``PART_WEIGHT``; domain
    synonyms are added at ``SYNONYM_WEIGHT`` of the word they stand for."""
    found = list(tokens(text))
    weights = {}
    for word, start, end in found:
        if word in QUESTION_WORDS:
            continue
        part = len(word) == 1 or any(s <= start and end <= e and (s, e) != (start, end)
                                     for _, s, e in found)
        weights[word] = max(weights.get(word, 0.0), PART_WEIGHT if part else 1.0)
    for word, _, _ in found:
        base = 1.0 if word in QUESTION_WORDS else weights.get(word, 0.0)
        for alternative in (synonyms or {}).get(word, ()):
            for term in _whole_words(alternative):
                weights.setdefault(term, SYNONYM_WEIGHT * base)
    return weights


def _whole_words(text):
    """The words of ``text`` that are not part of a longer word in it."""
    found = list(tokens(text))
    return [w for w, start, end in found
            if not any(s <= start and end <= e and (s, e) != (start, end) for _, s, e in found)]


def dictionary_digest():
    """What the analysis depends on, for the index's content hash."""
    return DICTIONARY.read_bytes() if DICTIONARY.exists() else b""
