"""The library (资料袋): the corpus and its index behind one object, in plain Python.

Every method takes and returns primitives (what crosses RPC) and raises the platform's
errors: ``ValidationFailed`` for bad input, ``NotFound`` for what is not in the corpus.
"""
import base64
import html
import logging

from services.common.errors import NotFound, ValidationFailed
from services.common.schemas import load

from . import analysis, basis, citation, corpus as corpus_mod, index, templates
from .schemas import ReferencesIn, SearchIn

log = logging.getLogger(__name__)

EXACT_SNIPPET_CHARS = 120
SEARCH_IN, REFERENCES_IN = SearchIn(), ReferencesIn()     # built once: schemas are costly to make


class Library:
    def __init__(self, corpus, searcher, catalog=None, template_dir=templates.FOLDER,
                 sanction_bases=None):
        self.corpus = corpus
        self.searcher = searcher
        self.catalog = catalog or {}
        self.template_dir = template_dir
        self.sanction_bases = sanction_bases or {}

    @classmethod
    def open(cls, folders, index_dir, rulebook=None, template_dir=templates.FOLDER,
             synonyms_path=analysis.SYNONYMS):
        """Load the corpus from ``folders``, check the rule book's legal bases against it
        (BadReference if one names no article; ``rulebook`` is the data case serves,
        ``case.rulebook_summary``, or None: nothing to check), load the template catalogue,
        and open the index, building it if the corpus changed.  Malformed files are logged
        and skipped."""
        corpus = corpus_mod.load(folders)
        for problem in corpus.problems:
            log.warning("library: skipped %s", problem)
        basis.check_rulebook(corpus, rulebook)
        catalog = templates.load_catalog(template_dir)
        analysis.segmenter()
        ix, built = index.open_or_build(corpus, index_dir)
        log.info("library: %d regulations, %d articles, %d templates, index %s",
                 len(corpus.regulations), sum(len(r.articles) for r in corpus.regulations.values()),
                 len(catalog), "built" if built else "reused")
        return cls(corpus, index.Searcher(ix, analysis.load_synonyms(synonyms_path)), catalog,
                   template_dir, basis.sanction_bases(rulebook))

    def close(self):
        self.searcher.close()

    # -- search ----------------------------------------------------------------------
    def search(self, q, category=None, status=None, regulation=None, page=1, per_page=10):
        """Article-level hits for ``q``: a citation (政务处分法第八条) answers with that article,
        anything else is searched in full text.  ``{"items", "total", "page", "per_page"}``."""
        args = load(SEARCH_IN, {"q": q, "category": category, "status": status,
                                 "regulation": regulation, "page": page, "per_page": per_page})
        if args["regulation"] and not self.corpus.get(args["regulation"]):
            raise ValidationFailed("没有这部法规", {"regulation": ["未知的法规编号"]})
        if args["category"] and args["category"] not in self.categories():
            raise ValidationFailed("没有这一门类", {"category": ["门类应为：" + "、".join(self.categories())]})
        filters = {"category": args["category"], "status": args["status"],
                   "regulation_id": args["regulation"]}
        first = (args["page"] - 1) * args["per_page"]
        last = first + args["per_page"]
        cited = self._cited(args["q"], filters)
        if cited:
            hits, total = cited[first:last], len(cited)
        else:
            found, total = self.searcher.full_text(args["q"], filters, limit=last)
            hits = [dict(hit, exact=False) for hit in found[first:last]]
        return {"items": [_hit_out(hit) for hit in hits], "total": total,
                "page": args["page"], "per_page": args["per_page"]}

    def _cited(self, query, filters):
        articles = citation.cited_articles(self.corpus, query)
        docs = self.searcher.by_keys([f"{a.regulation_id}:{a.key}" for a in articles])
        docs = [d for d in docs if all(not v or d.get(k) == v for k, v in filters.items())]
        return [dict(doc, score=1.0, exact=True, snippet=_opening(doc["body"])) for doc in docs]

    # -- texts -----------------------------------------------------------------------
    def categories(self):
        """Every category (门类) a filter may name: the known ones, then any other present."""
        known = [label for label, _ in corpus_mod.CATEGORIES.values()]
        present = [r.category for r in self.corpus.regulations.values()]
        return list(dict.fromkeys(known + present))

    def regulations(self):
        return [_summary(r) for r in self.corpus.regulations.values()]

    def regulation(self, reg_id):
        regulation = self._regulation(reg_id)
        return dict(_summary(regulation),
                    promulgation=list(regulation.promulgation),
                    preamble={"title": regulation.preamble_title,
                              "paragraphs": list(regulation.preamble)} if regulation.preamble else None,
                    outline=regulation.outline(),
                    articles=[_article_out(a) for a in regulation.articles],
                    appendix=list(regulation.appendix))

    def article(self, reg_id, number):
        regulation = self._regulation(reg_id)
        try:
            num, sub = corpus_mod.parse_article_ref(number)
        except ValueError:
            raise ValidationFailed("条文编号无效", {"number": ["应为条文序号，如 8、第八条、20之一"]})
        found = regulation.article(num, sub)
        if found is None:
            raise NotFound(f"《{regulation.title}》没有{corpus_mod.article_label(num, sub)}",
                           {"number": ["没有这一条"]})
        keys = [a.key for a in regulation.articles]
        position = keys.index(found.key)
        return dict(_article_out(found), regulation_id=regulation.id, title=regulation.title,
                    status=regulation.status, category=regulation.category,
                    previous=keys[position - 1] if position else None,
                    next=keys[position + 1] if position + 1 < len(keys) else None)

    def resolve(self, refs):
        """Legal-basis references → the articles' texts, in order; ``found`` false for a
        reference to nothing (the rule book is checked at start-up, so that is rare)."""
        refs = load(REFERENCES_IN, {"refs": refs})["refs"]
        out = []
        for ref in refs:
            reg_id = str(ref["regulation"]).upper()
            regulation = self.corpus.get(reg_id)
            try:
                num, sub = corpus_mod.parse_article_ref(ref["article"])
            except ValueError:
                num, sub = None, 0
            found = regulation.article(num, sub) if regulation and num is not None else None
            item = {"regulation": reg_id, "article": ref["article"], "found": found is not None}
            if found is not None:
                item.update(title=regulation.title, status=regulation.status,
                            label=found.label, chapter=found.heading, text=found.text,
                            citation=citation.describe(found, regulation))
            out.append(item)
        return out

    # -- templates ---------------------------------------------------------------------
    def template_list(self):
        return [template.summary() for template in self.catalog.values()]

    def template(self, template_id):
        found = self.catalog.get(str(template_id))
        if found is None:
            raise NotFound("没有这个文书模板", {"template_id": ["未知的模板"]})
        return found

    def render(self, template, decision, today, unit_names=None, doc_number=None):
        """A filled template for one decision: ``{"filename", "content_type", "content_base64"}``."""
        fields = templates.context(decision, self.corpus, today, unit_names, self.sanction_bases,
                                   doc_number)
        return self._filled(template, fields)

    def render_reform(self, template, reform, today, unit_names=None, reports=None, doc_number=None):
        """A filled template for one reform case (以案促改), with what each task's report said."""
        fields = templates.reform_context(reform, self.corpus, today, unit_names, reports, doc_number)
        return self._filled(template, fields)

    def _filled(self, template, fields):
        content = templates.render(template, fields, self.template_dir)
        return {"filename": templates.file_name(template, fields),
                "content_type": templates.DOCX,
                "content_base64": base64.b64encode(content).decode("ascii")}

    def _regulation(self, reg_id):
        regulation = self.corpus.get(str(reg_id or "").strip().upper())
        if regulation is None:
            raise NotFound("没有这部法规", {"regulation_id": ["未知的法规编号"]})
        return regulation


def _summary(regulation):
    return {"id": regulation.id, "title": regulation.title, "category": regulation.category,
            "scope": regulation.scope, "status": regulation.status, "year": regulation.year,
            "issuer": regulation.issuer, "source": regulation.source,
            "article_count": len(regulation.articles)}


def _article_out(article):
    return {"number": article.number, "sub": article.sub, "key": article.key,
            "label": article.label, "part": article.part, "chapter": article.chapter,
            "section": article.section, "paragraphs": list(article.paragraphs),
            "text": article.text}


def _hit_out(hit):
    return {"regulation_id": hit["regulation_id"], "title": hit["title"],
            "article": hit["number"], "sub": hit.get("sub") or 0, "label": hit["label"],
            "chapter": hit["chapter"], "snippet": hit["snippet"],
            "score": round(float(hit["score"]), 4), "status": hit["status"],
            "category": hit["category"], "exact": hit["exact"]}


def _opening(text):
    clipped = text[:EXACT_SNIPPET_CHARS].replace("\n", " ")
    return html.escape(clipped) + ("…" if len(text) > EXACT_SNIPPET_CHARS else "")
