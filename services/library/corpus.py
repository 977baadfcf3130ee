"""The corpus (法规库): markdown files of laws and regulations parsed down to articles.

A file is named ``<ID>_<title>_<year>[_<status note>].md`` (``P01_中国共产党纪律处分条例_2023.md``).
The id's letter gives the category, the name gives the status; the text gives the title
(first ``#`` heading), the issuing body and year (promulgation lines), and the structure:
编 → 章 → 节 → 条 (第X条, Chinese numerals, optionally 之一) → paragraphs (款).

Categories (门类), by the id's first letter:

==  ============  =====  ================================================================
L   法律法规      state  laws of the NPC and State Council regulations (法律、行政法规)
P   党内法规      party  Party regulations and normative documents (党内法规、规范性文件)
S   监察法规文件  state  supervision regulations, rules and normative documents
D   地方制度      local  a district's own rules, added with the import command
==  ============  =====  ================================================================

Status (效力): the file name says ``已被…取代`` (or ``已被…修改/修订``) → 已被取代;
``历史文本`` → 历史文本; otherwise 现行有效.

A file that cannot be parsed raises :class:`MalformedFile` naming the file and line;
:func:`load` skips such files and reports them, indexing the rest.
"""
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .numerals import NUMERAL, cn_to_int, int_to_cn

CURRENT, SUPERSEDED, HISTORICAL = "现行有效", "已被取代", "历史文本"
STATUSES = (CURRENT, SUPERSEDED, HISTORICAL)

CATEGORIES = {
    "L": ("法律法规", "state"),
    "P": ("党内法规", "party"),
    "S": ("监察法规文件", "state"),
    "D": ("地方制度", "local"),
}
OTHER_CATEGORY = ("其他规定", "local")

FILE_NAME = re.compile(r"^(?P<id>[A-Z]{1,3}\d{2,4})_(?P<rest>.+)\.md$")
# 弟 for 第: an OCR slip found in the published S04 text (弟四十五条).
ARTICLE = re.compile(rf"^[第弟](?P<num>{NUMERAL})条(?:之(?P<sub>{NUMERAL}))?(?P<space>[ \t\u3000]*)(?P<text>.*)$")
HEADING = re.compile(rf"^第(?P<num>{NUMERAL})(?P<level>[编章节])[ \t\u3000]*(?P<title>.*)$")
APPENDIX = re.compile(r"^(附件[一二三四五六七八九十\d]*|附[：:])")
INFO_END = "<!-- INFO END -->"
PROMULGATION = re.compile(r"^(来源[:：]|\d{4}[年.]|[（(].*(\d{4}[年.]|〔\d{4}〕))")
TERMINAL = tuple("。；;：:！!？?…”」』）)")
BROKEN_LINE_CHARS = 20
PUNCTUATION = re.compile(r"[，。；：、！？,.;:!?“”\"（）()《》〔〕\[\]]")
YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
# Issuing bodies named in promulgation lines (the last one named gave the text its form).
ISSUERS = ((r"全国人民代表大会常务委员会", "全国人民代表大会常务委员会"),
           (r"全国人民代表大会(?!常务委员会)", "全国人民代表大会"),
           (r"国务院", "国务院"),
           (r"中共中央办公厅", "中共中央办公厅"),
           (r"中共中央(?!办公厅)", "中共中央"),
           (r"国家监察委员会", "国家监察委员会"),
           (r"监察部", "监察部"),
           (r"中纪发", "中央纪委"),
           (r"(?<!人民代表大会)全国代表大会", "中国共产党全国代表大会"))
LEVELS = {"编": "part", "章": "chapter", "节": "section"}


class MalformedFile(ValueError):
    """A file that is not a regulation text; ``str()`` names the file and the line."""

    def __init__(self, path, line, problem):
        super().__init__(f"{Path(path).name}:{line}: {problem}")
        self.path, self.line, self.problem = str(path), line, problem


@dataclass(frozen=True)
class Article:
    """条: one numbered article with its paragraphs (款)."""
    regulation_id: str
    number: int
    paragraphs: tuple
    sub: int = 0          # 之一 → 1
    part: str = ""        # 编
    chapter: str = ""     # 章
    section: str = ""     # 节
    line: int = 0

    @property
    def key(self):
        return f"{self.number}-{self.sub}" if self.sub else str(self.number)

    @property
    def label(self):
        return article_label(self.number, self.sub)

    @property
    def text(self):
        return "\n".join(self.paragraphs)

    @property
    def heading(self):
        """Where the article sits: 第二章 ……· 第一节 ……"""
        return " · ".join(p for p in (self.chapter, self.section) if p)


@dataclass
class Regulation:
    """法规: one file of the corpus."""
    id: str
    title: str
    category: str
    scope: str            # party / state / local
    status: str
    year: int | None
    issuer: str
    source: str           # file name
    promulgation: tuple = ()
    preamble: tuple = ()
    preamble_title: str = ""   # 总纲, 序言
    articles: tuple = ()
    appendix: tuple = ()
    _by_key: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._by_key = {a.key: a for a in self.articles}

    def article(self, number, sub=0):
        return self._by_key.get(f"{number}-{sub}" if sub else str(number))

    def outline(self):
        """The headings in order, each with the range of its articles."""
        rows = []
        for article in self.articles:
            name = article.heading
            if rows and rows[-1]["heading"] == name:
                rows[-1]["last"] = article.key
            else:
                rows.append({"heading": name, "first": article.key, "last": article.key})
        return [row for row in rows if row["heading"]]


def article_label(number, sub=0):
    """103 → 第一百零三条; (20, 1) → 第二十条之一."""
    return f"第{int_to_cn(number)}条" + (f"之{int_to_cn(sub)}" if sub else "")


def parse_article_ref(value):
    """``8``, ``"8"``, ``"第八条"``, ``"20之一"``, ``"20-1"`` → (number, sub); ValueError if not."""
    if isinstance(value, bool):
        raise ValueError(f"not an article number: {value!r}")
    if isinstance(value, int):
        return value, 0
    text = str(value).strip().removeprefix("第")
    match = re.fullmatch(rf"({NUMERAL})(?:条)?(?:(?:之|-)({NUMERAL}))?", text)
    if not match:
        raise ValueError(f"not an article number: {value!r}")
    return cn_to_int(match.group(1)), cn_to_int(match.group(2)) if match.group(2) else 0


# -- parsing ---------------------------------------------------------------------------
def describe_file(name):
    """What the file name says: id, category, scope, status, year."""
    match = FILE_NAME.match(name)
    if not match:
        raise MalformedFile(name, 1, "文件名应形如 P01_法规名称_2023.md")
    reg_id, rest = match.group("id"), match.group("rest")
    category, scope = CATEGORIES.get(reg_id[0], OTHER_CATEGORY)
    if re.search(r"已被.*(取代|修改|修订|废止)", rest):
        status = SUPERSEDED
    elif "历史文本" in rest:
        status = HISTORICAL
    else:
        status = CURRENT
    years = YEAR.findall(rest)
    return {"id": reg_id, "category": category, "scope": scope, "status": status,
            "year": int(years[0]) if years else None,
            "fallback_title": rest.split("_")[0]}


def parse_text(name, text):
    """One regulation from its file name and text; raises MalformedFile."""
    about = describe_file(name)
    lines = [_clean(line) for line in text.split("\n")]
    start, title = _title(name, lines)
    has_info_end = any(line == INFO_END for line in lines)
    builder = _Builder(name, about["id"], in_info=has_info_end)
    for number, line in enumerate(lines[start:], start=start + 1):
        builder.feed(number, line)
    if not builder.articles:
        raise MalformedFile(name, len(lines), "未找到任何条文（第X条）")
    promulgation = tuple(builder.info)
    return Regulation(
        id=about["id"], title=title or about["fallback_title"], category=about["category"],
        scope=about["scope"], status=about["status"],
        year=about["year"] or _first_year(promulgation),
        issuer=_issuer(promulgation), source=name, promulgation=promulgation,
        preamble=tuple(builder.preamble), preamble_title=builder.preamble_title,
        articles=tuple(builder.finish()),
        appendix=tuple(builder.appendix))


def _clean(line):
    """Normalise one line: NFKC spaces, private-use glyphs gone, trimmed."""
    line = "".join(ch for ch in line if unicodedata.category(ch) != "Co")
    return line.replace("\u3000", " ").replace("\xa0", " ").strip()


def _title(name, lines):
    for index, line in enumerate(lines):
        if not line:
            continue
        if not line.startswith("#"):
            raise MalformedFile(name, index + 1, "第一行应为标题（# 法规名称）")
        title = re.sub(r"[#*]", "", line).strip()
        title = re.sub(r"\s+(19|20)\d\d$", "", title)     # "中国共产党纪律处分条例 2023"
        return index + 1, re.sub(r"\s+", "", title)
    raise MalformedFile(name, 1, "文件为空")


def _first_year(lines):
    for line in lines:
        found = YEAR.search(line)
        if found:
            return int(found.group(1))
    return None


def _issuer(lines):
    text = "".join(lines)
    found = [(match.start(), label) for pattern, label in ISSUERS
             for match in re.finditer(pattern, text)]
    return max(found)[1] if found else ""


class _Builder:
    """Walks the lines of one file and collects headings, articles and paragraphs."""

    def __init__(self, name, reg_id, in_info):
        self.name, self.reg_id = name, reg_id
        self.in_info = in_info          # before <!-- INFO END -->: promulgation lines
        self.open_paren = False
        self.info, self.preamble, self.appendix = [], [], []
        self.preamble_title = ""
        self.articles = []              # [number, sub, line, headings, paragraphs]
        self.headings = {"part": "", "chapter": "", "section": ""}
        self.in_appendix = False

    def feed(self, number, line):
        if self.in_info:
            if line == INFO_END:
                self.in_info = False
            elif line:
                self.info.append(line)
            return
        if not line or line == INFO_END:
            return
        if self.in_appendix or (self.articles and APPENDIX.match(line)):
            self.in_appendix = True
            self.appendix.append(line)
            return
        line = line.lstrip("#").strip()
        if (self._promulgation(line) or self._heading(line) or self._article(number, line)
                or self._free_heading(line)):
            return
        self._paragraph(line)

    def _promulgation(self, line):
        """Lines before the text that say when and by whom it was adopted (often a
        parenthesis spread over two lines), and a table of contents' 目录 heading."""
        if self.articles or self.preamble:
            return False
        if self.open_paren or PROMULGATION.match(line):
            self.info.append(line)
            depth = line.count("（") + line.count("(") - line.count("）") - line.count(")")
            self.open_paren = depth > 0 if not self.open_paren else not line.endswith(("）", ")"))
            return True
        return line.replace(" ", "") == "目录"

    def _heading(self, line):
        match = HEADING.match(line)
        if match:
            level = LEVELS[match.group("level")]
            title = re.sub(r"\s+", "", match.group("title"))
            label = f"第{match.group('num')}{match.group('level')}"
            self.headings[level] = f"{label} {title}".strip()
            if level == "part":
                self.headings.update(chapter="", section="")
            elif level == "chapter":
                self.headings["section"] = ""
            return True
        return False

    def _free_heading(self, line):
        """An unnumbered heading such as 总纲 or 党员廉洁自律规范."""
        if len(line) <= 20 and not PUNCTUATION.search(line) and not line[0].isdigit():
            self.headings.update(chapter=re.sub(r"\s+", "", line), section="")
            return True
        return False

    def _article(self, number, line):
        match = ARTICLE.match(line)
        if not match:
            return False
        num = cn_to_int(match.group("num"))
        sub = cn_to_int(match.group("sub")) if match.group("sub") else 0
        expected = self._expected()
        if (num, sub) not in expected:
            if not match.group("space") and self.articles:
                return False  # "第十五条规定的……" opening a paragraph: a reference, not an article
            raise MalformedFile(self.name, number,
                                f"条文编号不连续：{article_label(num, sub)}"
                                f"（应为{article_label(*expected[0])}）")
        heads = dict(self.headings)
        self.articles.append([num, sub, number, heads, []])
        if match.group("text").strip():
            self.articles[-1][4].append(match.group("text").strip())
        return True

    def _expected(self):
        if not self.articles:
            return [(1, 0)]
        num, sub = self.articles[-1][0], self.articles[-1][1]
        return [(num + 1, 0), (num, sub + 1)]

    def _paragraph(self, line):
        if not self.articles:
            if not self.preamble:
                self.preamble_title = self.headings["chapter"] or "序言"
            self.preamble.append(line)
            return
        paragraphs = self.articles[-1][4]
        if paragraphs and self._broken(paragraphs[-1], line):
            paragraphs[-1] += line
        else:
            paragraphs.append(line)

    @staticmethod
    def _broken(previous, line):
        """A full-width line that stops mid-sentence continues on the next line (S04 was
        typeset that way); a short unpunctuated line is an article's title (事实清楚)."""
        return (len(previous) >= BROKEN_LINE_CHARS and not previous.endswith(TERMINAL)
                and line[0] not in "（(" and not re.match(r"^\d+[.、．]", line))

    def finish(self):
        result = []
        for num, sub, line, heads, paragraphs in self.articles:
            if not paragraphs:
                raise MalformedFile(self.name, line, f"{article_label(num, sub)}没有正文")
            result.append(Article(self.reg_id, num, tuple(paragraphs), sub=sub, line=line, **heads))
        return result


def parse_file(path):
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise MalformedFile(path, raw[:err.start].count(b"\n") + 1, "不是UTF-8编码的文本")
    return parse_text(path.name, text)


# -- the corpus -------------------------------------------------------------------------
@dataclass
class Corpus:
    regulations: dict                      # id → Regulation, in id order
    problems: list                         # MalformedFile, one per skipped file
    digest: str = ""                       # sha256 of every file read, in order

    def get(self, reg_id):
        return self.regulations.get(reg_id)

    def article(self, reg_id, number, sub=0):
        regulation = self.regulations.get(reg_id)
        return regulation.article(number, sub) if regulation else None

    def articles(self):
        for regulation in self.regulations.values():
            yield from regulation.articles

    def find_by_name(self, name):
        """The regulations a typed name refers to, best first (政务处分法, 纪律处分条例, 党章):
        an exact title, else titles containing the name, else titles containing its characters
        in order; only the best of these tiers is returned, current and newer texts first."""
        wanted = _normalise_name(name)
        if len(wanted) < 2:
            return []
        tiers = {}
        for regulation in self.regulations.values():
            title = _normalise_name(regulation.title)
            tier = 0 if wanted == title else 1 if wanted in title else \
                2 if _subsequence(wanted, title) else None
            if tier is not None:
                tiers.setdefault(tier, []).append(regulation)
        if not tiers:
            return []
        best = tiers[min(tiers)]
        return sorted(best, key=lambda r: (r.status != CURRENT, len(r.title), -(r.year or 0), r.id))


# Short names in common use that are not contained in the title.
ALIASES = {"党章": "章程"}


def _normalise_name(name):
    name = re.sub(r"[\s《》〈〉\"“”（）()]", "", name or "")
    for prefix in ("中华人民共和国", "中国共产党"):
        name = name.replace(prefix, "")
    return ALIASES.get(name, name)


def _subsequence(short, long):
    chars = iter(long)
    return all(ch in chars for ch in short)


def load(folders):
    """Every ``*.md`` regulation in ``folders`` (in order); malformed or duplicate files are
    skipped and listed in ``problems``; ``digest`` changes whenever any file does."""
    regulations, problems = {}, []
    digest = hashlib.sha256()
    for folder in folders:
        issuers = _issuers(Path(folder) / "ISSUERS.tsv")
        for path in sorted(Path(folder).glob("*.md")):
            if path.name.upper() == "README.MD":
                continue
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
            try:
                regulation = parse_file(path)
            except MalformedFile as problem:
                problems.append(problem)
                continue
            regulation.issuer = regulation.issuer or issuers.get(regulation.id, "")
            if regulation.id in regulations:
                problems.append(MalformedFile(path, 1, f"编号 {regulation.id} 与 "
                                              f"{regulations[regulation.id].source} 重复"))
                continue
            regulations[regulation.id] = regulation
    ordered = dict(sorted(regulations.items(), key=lambda kv: _id_order(kv[0])))
    return Corpus(ordered, problems, digest.hexdigest())


def _issuers(path):
    """``ISSUERS.tsv``: id, issuing body, basis — for texts that do not name their issuer."""
    if not path.exists():
        return {}
    rows = (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines())
    return {row[0].strip(): row[1].strip() for row in rows
            if len(row) >= 2 and row[0].strip() and not row[0].startswith("#")}


def _id_order(reg_id):
    return ("LPSD".find(reg_id[0]) % 5, reg_id)


# -- legal-basis references (依据) ---------------------------------------------------------
def check_references(corpus, refs):
    """The references among ``refs`` (``{"regulation": "S01", "article": 203}``) that name no
    article of the corpus."""
    bad = []
    for ref in refs:
        try:
            number, sub = parse_article_ref(ref.get("article"))
        except (ValueError, AttributeError):
            bad.append(ref)
            continue
        if corpus.article(str(ref.get("regulation")), number, sub) is None:
            bad.append(ref)
    return bad
