"""The library service (资料袋): a thin nameko adapter over :class:`Library`.

Texts are readable by any authenticated role; a template is rendered only for a decision or a
reform case (以案促改) the caller may see (the case service answers NotFound otherwise, and that
passes through).  A template says which it is filled from (catalog ``subject``).
"""
import logging
import time

from nameko.rpc import rpc

from services.common.actor import Actor
from services.common.clock import Clock
from services.common.errors import ValidationFailed
from services.common.health import HealthMixin
from services.common.metrics import LIBRARY_SEARCH_SECONDS, Metrics, is_fault
from services.common.rpc import TimedRpcProxy   # nameko's, bounded, answering on a classic reply queue
from services.common.startup import BuiltAtStartup
from services.common.startup_rpc import case_rulebook

from .library import Library
from .settings import corpus_folders, resolve, setting

log = logging.getLogger(__name__)


def open_library(config):
    """The library at start-up: corpus, the check of the rule book's legal bases (the rule
    book asked of case, its owner), templates, index (built at first start, reused while the
    corpus is unchanged)."""
    return Library.open(
        corpus_folders(setting(config, "LIBRARY_CORPUS_DIR")),
        resolve(setting(config, "LIBRARY_INDEX_DIR")),
        rulebook=case_rulebook(config),
        template_dir=resolve(setting(config, "LIBRARY_TEMPLATE_DIR")))


class LibraryService(HealthMixin):
    name = "library"

    library = BuiltAtStartup(open_library, close=Library.close)
    clock = Clock()
    metrics = Metrics()
    # Bounded at half of RPC_TIMEOUT_SECONDS, as review's: a silent case or review is a 503
    # naming it before the gateway's own wait for library runs out.
    case = TimedRpcProxy("case", share=0.5)
    review = TimedRpcProxy("review", share=0.5)   # what the tasks' reports said, for a reform case's report

    @rpc
    def search(self, actor, q, category=None, status=None, regulation=None, page=1, per_page=10):
        Actor.load(actor)
        started, outcome = time.perf_counter(), "ok"
        try:
            return self.library.search(q, category=category, status=status, regulation=regulation,
                                       page=page, per_page=per_page)
        except Exception as exc:
            outcome = "error" if is_fault(exc) else "refused"
            raise
        finally:
            LIBRARY_SEARCH_SECONDS.labels(outcome).observe(time.perf_counter() - started)

    @rpc
    def list_regulations(self, actor):
        Actor.load(actor)
        return {"items": self.library.regulations(), "categories": self.library.categories()}

    @rpc
    def get_regulation(self, actor, regulation_id):
        Actor.load(actor)
        return self.library.regulation(regulation_id)

    @rpc
    def get_article(self, actor, regulation_id, number):
        Actor.load(actor)
        return self.library.article(regulation_id, number)

    @rpc
    def resolve_basis(self, actor, refs):
        Actor.load(actor)
        return {"items": self.library.resolve(refs)}

    @rpc
    def list_templates(self, actor):
        Actor.load(actor)
        return {"items": self.library.template_list()}

    @rpc
    def render_template(self, actor, template_id, decision_id, context=None):
        Actor.load(actor)
        template = self.library.template(template_id)
        if context is not None and not isinstance(context, dict):
            raise ValidationFailed("context 应为对象", {"context": ["应为对象"]})
        if template.subject != "decision":
            raise ValidationFailed(f"“{template.name}”按以案促改生成，请指定以案促改（reform_id）",
                                   {"reform_id": ["该模板按以案促改生成"]})
        decision = self.case.get_decision(actor, _record_id(decision_id, "decision_id"))
        context = context or {}
        return self.library.render(template, decision, self.clock.today(),
                                   unit_names=context.get("unit_names"),
                                   doc_number=context.get("doc_number"))

    @rpc
    def render_reform_template(self, actor, template_id, reform_id, context=None):
        """A template filled from a reform case (以案促改整改报告): the case, its decisions, its
        tasks and what each task's last report said (review), within the caller's scope."""
        Actor.load(actor)
        template = self.library.template(template_id)
        if context is not None and not isinstance(context, dict):
            raise ValidationFailed("context 应为对象", {"context": ["应为对象"]})
        if template.subject != "reform":
            raise ValidationFailed(f"“{template.name}”按处分决定生成，请指定处分决定（decision_id）",
                                   {"decision_id": ["该模板按处分决定生成"]})
        reform = self.case.get_reform(actor, _record_id(reform_id, "reform_id"))
        reports = self.review.latest_reports(actor, [item["id"] for item in reform.get("items") or []])["items"]
        context = context or {}
        return self.library.render_reform(template, reform, self.clock.today(),
                                          unit_names=context.get("unit_names"), reports=reports,
                                          doc_number=context.get("doc_number"))


def _record_id(value, field):
    if isinstance(value, bool) or not str(value).isdigit():
        raise ValidationFailed(f"{field} 应为正整数", {field: ["应为正整数"]})
    return int(value)
