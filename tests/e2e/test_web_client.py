"""The web client (网页端) as the gateway serves it: the built page (gateway/web/dist) with a
strict policy and cache validators, every built file with its type, refusal of anything outside
the build folder; the client's own tests (Vitest, `npm test`); and rules on its sources: no
markup from strings, no copy of the rule book's lists.  The gateway runs alone."""
import http.client
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

from gateway.routes.web import CONTENT_TYPES, PAGE_POLICY, WEB_ROOT
from gateway.service import GatewayService
from services.common import migrate

ROOT = Path(__file__).resolve().parents[2]
PROJECT = WEB_ROOT.parent                          # gateway/web: the Vite project
SOURCES = sorted(p for p in (PROJECT / "src").rglob("*") if p.suffix in (".js", ".vue"))
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


@pytest.fixture(scope="session")
def built():
    """gateway/web/dist, built when missing or older than its sources (scripts/build-web.sh)."""
    if shutil.which("node") is None and not (WEB_ROOT / "index.html").is_file():
        pytest.skip("node is not installed and the web client is not built")
    if shutil.which("node") is not None:
        run = subprocess.run([str(ROOT / "scripts/build-web.sh"), "--if-stale"], capture_output=True, timeout=600)
        assert run.returncode == 0, run.stdout.decode() + run.stderr.decode()
    return WEB_ROOT


@pytest.fixture
def gateway(built, container_factory, rabbit_config, web_config, tmp_path):
    url = f"sqlite:///{tmp_path}/gateway.db"
    migrate.upgrade("gateway", url)
    config = {**rabbit_config, **web_config, "GATEWAY_DB_URL": url, "TOKEN_SECRET": "test-secret-of-at-least-thirty-two-bytes",
              "MAX_BODY_BYTES": 262144, "PLATFORM_SERVICES": []}
    container = container_factory(GatewayService, config)
    container.start()
    return container


def raw_get(port, path):
    """GET ``path`` exactly as written (requests would normalise ``..`` away before sending)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path)
    reply = conn.getresponse()
    body = reply.read()
    conn.close()
    return reply.status, reply.getheader("Content-Type"), body


def built_files():
    return sorted(p for p in WEB_ROOT.rglob("*") if p.is_file()) if WEB_ROOT.is_dir() else []


def test_the_policy_allows_no_eval_and_no_other_origin():
    assert "unsafe-eval" not in PAGE_POLICY and "unsafe-inline" not in PAGE_POLICY
    for directive in PAGE_POLICY.split(";"):
        sources = directive.split()[1:]
        assert all(s in ("'self'", "'none'", "data:", "blob:") for s in sources), directive


def test_the_page_is_served_with_a_strict_policy_and_revalidation(gateway, web_session):
    reply = web_session.get("/")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    assert reply.headers["Content-Security-Policy"] == PAGE_POLICY
    assert reply.headers["Cache-Control"] == "no-cache" and reply.headers["ETag"]
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', reply.text)
    assert scripts and all(s.startswith("/static/assets/") for s in scripts)
    assert "<script>" not in reply.text and "http://" not in reply.text and "https://" not in reply.text
    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', reply.text):
        assert (WEB_ROOT / asset).is_file(), asset


def test_every_built_file_is_served_with_its_type_and_loads_nothing_from_elsewhere(gateway, web_session):
    files = built_files()
    assert any(f.suffix == ".js" for f in files) and any(f.suffix == ".css" for f in files)
    for file in files:
        reply = web_session.get("/static/" + file.relative_to(WEB_ROOT).as_posix())
        assert reply.status_code == 200, file
        assert reply.headers["Content-Type"] == CONTENT_TYPES[file.suffix]
        assert reply.content == file.read_bytes()
        if file.suffix == ".css":
            assert not re.search(rb"url\(\s*['\"]?(https?:)?//", reply.content), file


def test_an_unchanged_file_answers_not_modified_and_a_changed_one_in_full(gateway, web_session):
    first = web_session.get("/")
    etag = first.headers["ETag"]
    again = web_session.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    other = web_session.get("/", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.content == first.content


SECRET = (ROOT / "config.yaml").read_bytes()


@pytest.mark.parametrize("path", [
    "/static/../routes/web.py",
    "/static/../../config.yaml",
    "/static/../../../config.yaml",
    "/static/..%2f..%2fconfig.yaml",
    "/static/%2e%2e/%2e%2e/config.yaml",
    "/static/assets/../../../../config.yaml",
    "/static/..%5c..%5cconfig.yaml",
    "/static/index.html%00.css",
    "/static/assets",
    "/static/missing.js",
    "/static/.hidden.js",
    "/static/../package.json",
    "/static/../src/main.js",
])
def test_anything_outside_the_build_folder_or_unknown_is_refused(gateway, web_config_port, path):
    status, content_type, body = raw_get(web_config_port, path)
    assert status == 404, (path, status, body[:200])
    assert content_type == "application/json"
    assert b"TOKEN_SECRET" not in body and SECRET not in body and b"import" not in body


def test_an_absolute_path_is_kept_inside_the_build_folder(gateway, web_session):
    reply = web_session.get("/static/%2fetc%2fpasswd")
    assert reply.status_code == 404 and reply.json()["error"] == "NOT_FOUND"
    assert reply.history and all(urlparse(r.headers["Location"]).path.startswith("/static/") for r in reply.history)


def test_a_file_type_the_client_does_not_use_is_not_served(gateway, web_config_port):
    stray = WEB_ROOT / "stray-test-file.py"
    stray.write_text("print('not for browsers')")
    try:
        assert raw_get(web_config_port, "/static/stray-test-file.py")[0] == 404
    finally:
        stray.unlink()


@needs_node
def test_the_clients_own_tests_pass(built):
    """Vitest: the registration, report and rejection forms' logic, exports, the audit's words."""
    run = subprocess.run(["npm", "test", "--silent"], cwd=PROJECT, capture_output=True, timeout=300)
    out = run.stdout.decode() + run.stderr.decode()
    assert run.returncode == 0, out
    assert re.search(r"Tests\s+\S*\d+ passed", re.sub(r"\x1b\[[0-9;]*m", "", out)), out


def test_no_source_writes_markup_from_strings():
    """User data reaches the page only as text: no v-html, innerHTML, eval and friends."""
    sinks = re.compile(r"v-html|\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(")
    offenders = [f"{m.relative_to(PROJECT)}:{n}" for m in SOURCES
                 for n, line in enumerate(m.read_text(encoding="utf-8").splitlines(), 1) if sinks.search(line)]
    assert offenders == []


def test_the_client_keeps_no_copy_of_the_rule_books_lists():
    """Sanction types, vocabularies and item names come from GET /rulebook, the evidence
    checklist and problem categories from GET /items/{id}/checklist: no source spells them."""
    from services.case.rulebook import load_rulebook, rulebook_summary
    from services.review.checklist import load_checklist

    answer = rulebook_summary(load_rulebook(ROOT / "services/case/rulebook.yaml"))
    checklist = load_checklist()
    values = {s["type"] for s in answer["sanctions"]} | {i["name"] for i in answer["items"]} | {
        word for key, words in answer["vocabularies"].items() if key != "political_status" for word in words}
    values |= {"中共党员", "群众"} | set(checklist.problem_categories)
    # 以案促改: the reform bases and the tasks' names are the rule book's too.
    values |= {b["name"] for b in answer["reforms"]["bases"]} | {t["name"] for t in answer["reforms"]["tasks"]}
    values |= {t["name_without_party_group"] for t in answer["reforms"]["tasks"] if t["name_without_party_group"]}
    values |= {f["label"] for code in checklist.fields for f in checklist.form(code)}
    # 民主党派: the contract names it as the status that needs democratic_party; 组织处理 is also
    # the label of the decision's own field org_handling.
    values -= {"其他", "民主党派", "组织处理"}
    literal = re.compile("|".join(f"['\"`]{re.escape(v)}['\"`]" for v in sorted(values)))
    offenders = [f"{m.relative_to(PROJECT)}:{n}: {line.strip()}" for m in SOURCES
                 for n, line in enumerate(m.read_text(encoding="utf-8").splitlines(), 1) if literal.search(line)]
    assert offenders == []


def test_without_a_build_the_page_says_how_to_build_it(gateway, web_session, monkeypatch, tmp_path):
    import gateway.routes.web as web

    monkeypatch.setattr(web, "WEB_ROOT", tmp_path / "dist")
    reply = web_session.get("/")
    assert reply.status_code == 503 and "scripts/build-web.sh" in reply.text and "Node.js 20" in reply.text
