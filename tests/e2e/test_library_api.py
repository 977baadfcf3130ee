"""资料袋 through the gateway: search, texts, and a filled .docx for a decision in scope."""
import io
from urllib.parse import unquote

import pytest
from docx import Document

from services.library.service import LibraryService
from tests.helpers import RESPONSIBLE, decision_payload
from tests.unit.test_library_support import shared_index_dir

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def api(platform, platform_config, tmp_path_factory):
    platform_config["LIBRARY_INDEX_DIR"] = str(shared_index_dir(str(tmp_path_factory.getbasetemp())))
    return platform(LibraryService)


def test_search_and_read_the_texts(api):
    reply = api.get("/api/v1/library/search", "min", params={"q": "处分决定 宣布", "per_page": 5})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["total"] > 5 and len(body["items"]) == 5
    fields = {"regulation_id", "title", "article", "chapter", "snippet", "score", "status"}
    assert fields <= set(body["items"][0])
    cited = api.get("/api/v1/library/search", "min", params={"q": "纪律处分条例 第44条", "status": "现行有效"}).json()
    assert [(h["regulation_id"], h["article"]) for h in cited["items"]] == [("P01", 44)]
    assert len(api.get("/api/v1/library/regulations", "jiao").json()["items"]) == 33   # L11 全国年节及纪念日放假办法 joined the corpus
    assert api.get("/api/v1/library/regulations/L01", "jiao").json()["title"] == "中华人民共和国公职人员政务处分法"
    article = api.get("/api/v1/library/regulations/S01/articles/203", "jiao").json()
    assert article["paragraphs"][0].startswith("监察机关应当将政务处分决定书")
    assert api.get("/api/v1/library/regulations/S01/articles/9999", "jiao").status_code == 404
    assert api.get("/api/v1/library/regulations/X99", "jiao").status_code == 404
    assert len(api.get("/api/v1/templates", "min").json()["items"]) >= 12


def test_bad_searches_are_400_and_hostile_ones_never_500(api):
    for params, field in (({}, "q"), ({"q": ""}, "q"), ({"q": "处分", "status": "作废"}, "status"),
                          ({"q": "处分", "page": "x"}, "page"), ({"q": "处分", "category": "小说"}, "category")):
        reply = api.get("/api/v1/library/search", "min", params=params)
        assert reply.status_code == 400, reply.text
        assert reply.json()["error"] == "VALIDATION_FAILED" and field in reply.json()["fields"]
    long_query = "处" * 10_000
    posted = api.post("/api/v1/library/search", "min", json={"q": long_query})
    assert posted.status_code == 400 and "q" in posted.json()["fields"]
    in_url = api.get("/api/v1/library/search", "min", params={"q": long_query})
    assert in_url.status_code in (400, 414)            # the web server refuses an over-long URL line
    for query in ('"unbalanced', "AND OR ( ) * ?", "title:x body:(", "第九九九条"):
        assert api.get("/api/v1/library/search", "min", params={"q": query}).status_code == 200
    assert api.http.get("/api/v1/library/search", params={"q": "处分"}).status_code == 401


def test_a_template_filled_for_a_decision_in_scope(api):
    decision = api.post("/api/v1/decisions", "shen", json=decision_payload(unit_id=api.unit_id)).json()
    reply = api.post("/api/v1/templates/execution_notice/render", "min", json={"decision_id": decision["id"]})
    assert reply.status_code == 200, reply.text
    assert reply.headers["Content-Type"] == DOCX
    disposition = reply.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="execution_notice-')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "处分决定执行通知书-张三1.docx"
    doc = Document(io.BytesIO(reply.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "张三1" in text and "东纪发〔2021〕1号" in text and "二〇二一年三月一日" in text
    assert f"{RESPONSIBLE}：" in text                         # 主送: the unit's name from the gateway
    # Another unit's operator may not see the decision: 404, as for any record out of scope.
    other = api.post("/api/v1/templates/execution_notice/render", "jiao",
                     json={"decision_id": decision["id"]})
    assert other.status_code == 404 and other.json()["error"] == "NOT_FOUND"
    assert api.post("/api/v1/templates/no_such/render", "min",
                    json={"decision_id": decision["id"]}).status_code == 404
    assert api.post("/api/v1/templates/execution_notice/render", "min", json={}).status_code == 400
    assert api.post("/api/v1/templates/execution_notice/render", "min",
                    json={"decision_id": 999999}).status_code == 404
