"""The web client (网页端) as the gateway serves it: the page, its static files with their types
and cache validators, refusal of anything outside the web folder, modules that parse and
import only files that exist, and the client's copy of the evidence checklist that matches
evidence.yaml.  The gateway runs alone: serving files needs no other service."""
import http.client
import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

from gateway.routes.web import CONTENT_TYPES, WEB_ROOT
from gateway.service import GatewayService
from services.common import migrate

MODULES = sorted(WEB_ROOT.rglob("*.js"))
IMPORT = re.compile(r"""^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]""", re.M)


@pytest.fixture
def gateway(container_factory, rabbit_config, web_config, tmp_path):
    url = f"sqlite:///{tmp_path}/gateway.db"
    migrate.upgrade("gateway", url)
    config = {**rabbit_config, **web_config, "GATEWAY_DB_URL": url, "TOKEN_SECRET": "test-secret",
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


def test_the_page_is_served_with_a_strict_policy_and_revalidation(gateway, web_session):
    reply = web_session.get("/")
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<script type="module" src="/static/app.js"></script>' in reply.text
    assert "script-src 'self'" in reply.headers["Content-Security-Policy"]
    assert reply.headers["Cache-Control"] == "no-cache" and reply.headers["ETag"]
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("file", sorted(p for p in WEB_ROOT.rglob("*") if p.is_file()),
                         ids=lambda p: str(p.relative_to(WEB_ROOT)))
def test_every_file_of_the_client_is_served_with_its_type(gateway, web_session, file):
    reply = web_session.get("/static/" + file.relative_to(WEB_ROOT).as_posix())
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == CONTENT_TYPES[file.suffix]
    assert reply.content == file.read_bytes()


def test_an_unchanged_file_answers_not_modified_and_a_changed_one_in_full(gateway, web_session):
    first = web_session.get("/static/app.js")
    etag = first.headers["ETag"]
    again = web_session.get("/static/app.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    other = web_session.get("/static/app.js", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.content == first.content


SECRET = (Path(__file__).resolve().parents[2] / "config.yaml").read_bytes()


@pytest.mark.parametrize("path", [
    "/static/../routes/web.py",
    "/static/../../config.yaml",
    "/static/..%2f..%2fconfig.yaml",
    "/static/%2e%2e/%2e%2e/config.yaml",
    "/static/js/../../../config.yaml",
    "/static/..%5c..%5cconfig.yaml",
    "/static/app.js%00.css",
    "/static/js",
    "/static/missing.js",
    "/static/.hidden.js",
])
def test_anything_outside_the_web_folder_or_unknown_is_refused(gateway, web_config_port, path):
    status, content_type, body = raw_get(web_config_port, path)
    assert status == 404, (path, status, body[:200])
    assert content_type == "application/json"
    assert b"TOKEN_SECRET" not in body and SECRET not in body and b"import" not in body


def test_an_absolute_path_is_kept_inside_the_web_folder(gateway, web_session):
    # werkzeug merges the doubled slash with a redirect to /static/etc/passwd: still inside.
    reply = web_session.get("/static/%2fetc%2fpasswd")
    assert reply.status_code == 404 and reply.json()["error"] == "NOT_FOUND"
    assert reply.history and all(urlparse(r.headers["Location"]).path.startswith("/static/")
                                 for r in reply.history)


def test_a_file_type_the_client_does_not_use_is_not_served(gateway, web_config_port, tmp_path):
    stray = WEB_ROOT / "stray-test-file.py"
    stray.write_text("print('not for browsers')")
    try:
        assert raw_get(web_config_port, "/static/stray-test-file.py")[0] == 404
    finally:
        stray.unlink()


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(WEB_ROOT)))
def test_every_module_parses(module):
    check = subprocess.run(["node", "--input-type=module", "--check"], input=module.read_bytes(),
                           capture_output=True, timeout=30)
    assert check.returncode == 0, check.stderr.decode()


def test_every_import_names_a_file_that_exists():
    for module in MODULES:
        for target in IMPORT.findall(module.read_text(encoding="utf-8")):
            assert target.startswith("./") or target.startswith("../"), (module, target)
            assert (module.parent / target).resolve().is_file(), (module, target)
    page = (WEB_ROOT / "index.html").read_text(encoding="utf-8")
    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', page):
        assert (WEB_ROOT / asset).is_file(), asset


def test_no_module_writes_markup_from_strings():
    """User data reaches the page only as text: no innerHTML and friends anywhere."""
    sinks = re.compile(r"\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(")
    offenders = [f"{m.relative_to(WEB_ROOT)}:{n}" for m in MODULES
                 for n, line in enumerate(m.read_text(encoding="utf-8").splitlines(), 1) if sinks.search(line)]
    assert offenders == []


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_clients_evidence_checklist_and_problem_categories_are_those_of_evidence_yaml():
    """labels.js keeps a copy of evidence.yaml's form for when the review service offers none:
    every item code's fields (key, label, type, required, options), the lists' min_items, the
    common fields (补充说明) and the 驳回 categories."""
    from services.review.checklist import load_checklist

    source = (WEB_ROOT / "js" / "labels.js").read_text(encoding="utf-8") + (
        "\nprocess.stdout.write(JSON.stringify({evidence: EVIDENCE, problems: PROBLEM_CATEGORIES,"
        " common: COMMON_EVIDENCE}));\n")
    run = subprocess.run(["node", "--input-type=module"], input=source.encode(), capture_output=True, timeout=30)
    assert run.returncode == 0, run.stderr.decode()
    client = json.loads(run.stdout)
    checklist = load_checklist()
    def shown(fields):
        return [{"key": f["key"], "label": f["label"], "type": f["type"], "required": bool(f.get("required")),
                 "options": f.get("options")} for f in fields]

    assert {code: shown(fields) for code, fields in client["evidence"].items()} == {
        code: checklist.form(code) for code in checklist.fields}
    assert client["problems"] == list(checklist.problem_categories)
    assert shown(client["common"]) == checklist.form_fields(checklist.common)
    least = {code: {f["key"]: f.get("min_items", 0) for f in fields if f["type"] == "list"}
             for code, fields in client["evidence"].items()}
    assert least == {code: {name: spec.get("min_items", 1 if spec.get("required", True) else 0)
                            for name, spec in specs.items() if spec["type"] == "texts"}
                     for code, specs in checklist.fields.items()}


def run_checklist_module(script):
    """Run ``script`` (JavaScript, with checklistFrom, listHint and tooFew in scope) under node; its JSON output."""
    module = (WEB_ROOT / "js" / "checklist.js").as_uri()
    source = f"import {{ checklistFrom, listHint, tooFew }} from '{module}';\n{script}\n"
    run = subprocess.run(["node", "--input-type=module"], input=source.encode(), capture_output=True, timeout=30)
    assert run.returncode == 0, run.stderr.decode()
    return json.loads(run.stdout)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_report_and_reject_forms_take_the_checklist_the_server_answers():
    """Common fields (补充说明) and 驳回 categories come from GET /items/{id}/checklist; labels.js
    stands in only for what the answer lacks, and an empty common_fields list means none."""
    from services.review.checklist import load_checklist

    checklist = load_checklist()
    answer = {"code": "ANNOUNCE", "fields": checklist.form("ANNOUNCE"),
              "common_fields": [{"key": "remark", "label": "备注", "type": "textarea", "required": False,
                                 "options": None}],
              "problem_categories": ["以送达代替宣布", "其他"]}
    bare = {"code": "ANNOUNCE", "fields": checklist.form("ANNOUNCE")}
    out = run_checklist_module(
        f"const answer = {json.dumps(answer)}, bare = {json.dumps(bare)};\n"
        "process.stdout.write(JSON.stringify({served: checklistFrom(answer, 'ANNOUNCE'),"
        " bare: checklistFrom(bare, 'ANNOUNCE'), none: checklistFrom(null, 'ANNOUNCE'),"
        " empty: checklistFrom({...answer, common_fields: [], problem_categories: []}, 'ANNOUNCE')}));")
    served, bare_out, none, empty = out["served"], out["bare"], out["none"], out["empty"]
    assert [f["key"] for f in served["common"]] == ["remark"] and served["common"][0]["label"] == "备注"
    assert served["problems"] == ["以送达代替宣布", "其他"]
    assert [f["key"] for f in served["fields"]] == [f["key"] for f in checklist.form("ANNOUNCE")]
    for fallback in (bare_out, none):
        assert [(f["key"], f["label"]) for f in fallback["common"]] == [("note", "补充说明")]
        assert fallback["problems"] == list(checklist.problem_categories)
    assert empty["common"] == [] and empty["problems"] == list(checklist.problem_categories)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_announce_form_asks_for_two_announcers_before_submitting():
    """宣布人 takes at least two names (evidence.yaml min_items: 2): the form says so next to the
    field and refuses fewer under the field's own name, as the server's 400 `fields` would."""
    from services.review.checklist import load_checklist

    answer = {"fields": load_checklist().form("ANNOUNCE"), "common_fields": [], "problem_categories": ["其他"]}
    out = run_checklist_module(
        f"const {{ fields }} = checklistFrom({json.dumps(answer)}, 'ANNOUNCE');\n"
        "const own = checklistFrom({fields: [{key: 'announcers', label: '宣布人', type: 'list', required: true,"
        " min_items: 3}]}, 'ANNOUNCE').fields;\n"
        "const announcers = fields.find((f) => f.key === 'announcers');\n"
        "process.stdout.write(JSON.stringify({least: announcers.min_items, hint: listHint(announcers),"
        " one: tooFew(fields, {'evidence.announcers': '李四'}), none: tooFew(fields, {}),"
        " two: tooFew(fields, {'evidence.announcers': '李四、 王五'}), three: own[0].min_items,"
        " others: fields.filter((f) => f.key !== 'announcers').map((f) => f.min_items ?? null)}));")
    assert out["least"] == 2 and "至少填写 2 人" in out["hint"]
    assert list(out["one"]) == ["evidence.announcers"] and "至少需要 2 人" in out["one"]["evidence.announcers"][0]
    assert "宣布人" in out["none"]["evidence.announcers"][0] and out["two"] == {}
    assert out["three"] == 3                       # a minimum the server sends wins over labels.js's
    assert out["others"] == [None] * 5


def run_node(script):
    """Run ``script`` (an ES module whose relative imports are from gateway/web/js) under node; its JSON output."""
    run = subprocess.run(["node", "--input-type=module"], input=script.encode(), capture_output=True,
                         timeout=30, cwd=WEB_ROOT / "js")
    assert run.returncode == 0, run.stderr.decode()
    return json.loads(run.stdout)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_every_module_links_its_imports_under_node():
    """Each module's named imports exist (a name dropped from labels.js fails here, not in a browser)."""
    modules = [m for m in MODULES if m.parent != WEB_ROOT]
    specifiers = [f"./{m.relative_to(WEB_ROOT / 'js').as_posix()}" for m in modules]
    linked = run_node(f"const out = [];\nfor (const m of {json.dumps(specifiers)}) {{ await import(m); out.push(m); }}\n"
                      "process.stdout.write(JSON.stringify(out));")
    assert len(linked) == len(modules)


def rule_book_answer(path=None):
    """GET /rulebook's answer for the shipped rule book (or another file): case.rulebook_summary."""
    from services.case.rulebook import load_rulebook, rulebook_summary

    return rulebook_summary(load_rulebook(path or Path(__file__).resolve().parents[2] / "services/case/rulebook.yaml"))


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_registration_form_takes_its_choices_from_the_rule_book_the_server_answers():
    """Sanction types, the periods a decision chooses, who may receive a kind and every vocabulary
    come from GET /rulebook: a district's rule book with another type and another choice of months
    changes the form, with nothing in the client to edit."""
    shipped = rule_book_answer()
    district = json.loads(json.dumps(shipped))
    district["sanctions"].append({"kind": "government", "type": "降低岗位等级", "months": None,
                                  "months_choices": [12, 18], "legal_basis": []})
    district["vocabularies"]["letters"].append("整改通知书")
    out = run_node(
        "import { formChoices, monthsFor } from './rulebook.js';\n"
        "import { decisionBody } from './views/register.js';\n"
        f"const shipped = formChoices({json.dumps(shipped)}), district = formChoices({json.dumps(district)});\n"
        "const v = {'sanction.party.type': '留党察看', 'sanction.party.months': '24',"
        " 'sanction.government.type': '降低岗位等级', 'sanction.government.months': '18'};\n"
        "process.stdout.write(JSON.stringify({shipped, district, none: formChoices(null),"
        " probation: monthsFor(shipped, 'party', '留党察看'), fixed: monthsFor(shipped, 'party', '警告'),"
        " body: decisionBody(v, district).body.sanctions, shippedBody: decisionBody(v, shipped).body.sanctions}));")
    form = out["shipped"]
    assert form["sanctions"] == {kind: [s["type"] for s in shipped["sanctions"] if s["kind"] == kind]
                                 for kind in ("party", "government")}
    assert out["probation"] == [12, 24] and out["fixed"] is None
    assert form["eligibility"] == {"party": ["中共党员"]}
    words = shipped["vocabularies"]
    assert (form["politicalStatuses"], form["democraticParties"], form["categories"], form["dispositions"],
            form["orgMeasures"], form["letters"]) == (
        words["political_status"], words["democratic_party"], words["category"], words["disposition"],
        words["org_handling"], words["letters"])
    assert out["district"]["sanctions"]["government"][-1] == "降低岗位等级"
    assert out["district"]["months"]["government.降低岗位等级"] == [12, 18]
    assert out["district"]["letters"][-1] == "整改通知书"
    assert out["body"] == [{"kind": "party", "type": "留党察看", "months": 24},
                           {"kind": "government", "type": "降低岗位等级", "months": 18}]
    # The shipped rule book fixes no period for that type: nothing the form would send.
    assert out["shippedBody"][1] == {"kind": "government", "type": "降低岗位等级"}
    assert out["none"]["sanctionTypes"] == [] and out["none"]["categories"] == []


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_client_keeps_no_copy_of_the_rule_books_lists():
    """The client never keeps what the server tells it: labels.js exports no sanction types or form
    vocabularies, and no module spells a value of those lists as a literal."""
    exported = run_node("import * as labels from './labels.js';\nprocess.stdout.write(JSON.stringify(Object.keys(labels)));")
    gone = {"SANCTION_TYPES", "PROBATION", "PROBATION_MONTHS", "POLITICAL_STATUSES", "DEMOCRATIC_PARTIES",
            "CATEGORIES", "DISPOSITIONS", "ORG_MEASURES", "LETTERS"}
    assert gone.isdisjoint(exported)
    answer = rule_book_answer()
    values = {s["type"] for s in answer["sanctions"]} | {
        word for key, words in answer["vocabularies"].items() if key != "political_status" for word in words}
    # 民主党派 (political_status) stays: the contract names it as the status that needs democratic_party.
    values |= {"中共党员", "群众"}
    # Words that are also the review checklist's (RESTORE's outcome 开除, the category 其他) are
    # labels.js's fallback copy of evidence.yaml, checked above.
    from services.review.checklist import load_checklist

    checklist = load_checklist()
    values -= {"其他", *checklist.problem_categories,
               *(c for specs in checklist.fields.values() for spec in specs.values() for c in spec.get("choices") or ())}
    literal = re.compile("|".join(f"['\"`]{re.escape(v)}['\"`]" for v in sorted(values)))
    offenders = [f"{m.relative_to(WEB_ROOT)}:{n}: {line.strip()}" for m in MODULES
                 for n, line in enumerate(m.read_text(encoding="utf-8").splitlines(), 1) if literal.search(line)]
    assert offenders == []
