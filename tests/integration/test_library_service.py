"""The library service in a real container on a real RabbitMQ (it has no database)."""
import base64
import io

import pytest
from docx import Document
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_hook, replace_dependencies

from services.case.service import CaseService
from services.common import migrate
from services.common.errors import NotFound, ValidationFailed
from services.common.startup_rpc import StartupCallFailed
from services.library.basis import BadReference
from services.library.service import LibraryService
from tests.unit.test_library_support import CORPUS, RULEBOOK, sample_decision, shared_index_dir

READER = {"user_id": 4, "role": "operator", "unit_id": 3}


@pytest.fixture
def config(rabbit_config, tmp_path, tmp_path_factory):
    """The library's config, and case's beside it: the library asks case for the rule book."""
    case_db = f"sqlite:///{tmp_path}/case.db"
    migrate.upgrade("case", case_db)
    return dict(rabbit_config, LIBRARY_CORPUS_DIR=str(CORPUS), RULEBOOK_PATH=str(RULEBOOK),
                CASE_DB_URL=case_db, STARTUP_WAIT_SECONDS=30,
                LIBRARY_INDEX_DIR=str(shared_index_dir(str(tmp_path_factory.getbasetemp()))),
                max_workers=4)


@pytest.fixture
def case(container_factory, config):
    """The rule book's owner, started first."""
    container = container_factory(CaseService, config)
    container.start()
    return container


@pytest.fixture
def library(case, container_factory, config):
    container = container_factory(LibraryService, config)
    container.start()
    return container


def test_search_texts_and_bases_over_rpc(library, config):
    with ServiceRpcProxy("library", config) as rpc:
        hits = rpc.search(READER, "留党察看期满恢复党员权利", per_page=3)
        assert [(h["regulation_id"], h["article"]) for h in hits["items"]][:1] == [("P01", 12)]
        assert "<em>" in hits["items"][0]["snippet"] and hits["total"] > 3
        exact = rpc.search(READER, "政务处分法第八条")
        assert exact["items"][0]["exact"] and exact["items"][0]["label"] == "第八条"
        assert len(rpc.list_regulations(READER)["items"]) == 33
        assert rpc.get_regulation(READER, "P06")["article_count"] == 19
        assert rpc.get_article(READER, "S01", "203")["label"] == "第二百零三条"
        bases = rpc.resolve_basis(READER, [{"regulation": "P01", "article": 44}])["items"]
        assert bases[0]["citation"] == "《中国共产党纪律处分条例》第四十四条"
        assert len(rpc.list_templates(READER)["items"]) >= 12
        health = rpc.health()
        assert (health["service"], health["ok"]) == ("library", True)


def test_errors_arrive_typed(library, config):
    with ServiceRpcProxy("library", config) as rpc:
        with pytest.raises(ValidationFailed) as err:
            rpc.search(READER, "")
        assert "q" in err.value.fields
        with pytest.raises(ValidationFailed):
            rpc.search(READER, "处" * 10_000)
        assert rpc.search(READER, '"unbalanced AND (')["total"] >= 0
        with pytest.raises(NotFound):
            rpc.get_article(READER, "P01", 999)
        with pytest.raises(NotFound):
            rpc.render_template(READER, "no_such_template", 1)
        with pytest.raises(ValidationFailed):
            rpc.search({"role": "nobody"}, "处分")


def test_render_template_fills_the_decision_from_the_case_service(case, container_factory, config):
    container = container_factory(LibraryService, config)
    case = replace_dependencies(container, "case")
    container.start()
    case.get_decision.return_value = sample_decision()
    with entrypoint_hook(container, "render_template") as render:
        out = render(READER, "service_receipt", 7, {"unit_names": {"3": "东河区民政局"}})
    case.get_decision.assert_called_once_with(READER, 7)
    doc = Document(io.BytesIO(base64.b64decode(out["content_base64"])))
    text = "\n".join(cell.text for table in doc.tables for row in table.rows for cell in row.cells)
    assert "张三" in text and "东河区民政局" in text and "东纪发〔2021〕12号" in text
    assert out["filename"] == "送达回证-张三.docx"


def test_a_decision_the_caller_may_not_see_is_not_found(case, container_factory, config):
    container = container_factory(LibraryService, config)
    case = replace_dependencies(container, "case")
    container.start()
    case.get_decision.side_effect = NotFound("处分决定不存在")
    with entrypoint_hook(container, "render_template") as render:
        with pytest.raises(NotFound):
            render(READER, "execution_notice", 99)
    with entrypoint_hook(container, "render_template") as render:
        with pytest.raises(ValidationFailed):
            render(READER, "execution_notice", "1; drop")


def test_start_up_fails_on_a_rule_book_citing_no_article(container_factory, config, tmp_path):
    """The rule book is case's: started on a copy citing an article the corpus lacks, case
    serves it, and the library refuses to start naming the entry."""
    bad = tmp_path / "rulebook.yaml"
    bad.write_text(RULEBOOK.read_text(encoding="utf-8").replace(
        "legal_basis: [{regulation: S01, article: 203}, {regulation: L01, article: 46}]",
        "legal_basis: [{regulation: S01, article: 2030}, {regulation: L01, article: 46}]", 1), encoding="utf-8")
    config = dict(config, RULEBOOK_PATH=str(bad))
    container_factory(CaseService, config).start()
    container = container_factory(LibraryService, config)
    named = r"items\[0\] SERVE legal_basis\[0\] \{regulation: S01, article: 2030\}"
    with pytest.raises(BadReference, match=named):
        container.start()


def test_start_up_fails_naming_case_when_case_never_answers(container_factory, config):
    container = container_factory(LibraryService, dict(config, STARTUP_WAIT_SECONDS=1))
    with pytest.raises(StartupCallFailed, match=r"case\.rulebook_summary did not answer within 1 s"):
        container.start()
