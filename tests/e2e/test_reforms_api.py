"""以案促改 through the HTTP API, the whole platform running (issue 13).

The end-to-end of the issue: the review office registers a reform case from a decision; the unit
reports each task in order; one is rejected and rectified; an idle task raises its reminder and an
overdue one turns red (the services' clock moved by the test, the sweep run); an extension moves a
task's date; notices and webhooks carry ``reform_id``; the 以案促改整改报告 is filled with what each
report said; the figures per unit count the case.  Then every bad input the issue lists, each
refused with its error and changing nothing.
"""
import io
import json
from datetime import date, timedelta

import pytest
from docx import Document
from nameko.testing.services import entrypoint_hook
from nameko.testing.utils import get_container, get_extension
from sqlalchemy.orm import Session

from gateway.seed import seed
from gateway.service import GatewayService
from services.case.service import CaseService
from services.common.clock import Clock, FixedClock
from services.common.db import make_engine
from services.deadline.service import DeadlineService
from services.library.service import LibraryService
from services.notify.service import NotifyService
from services.review.service import ReviewService
from tests.e2e.conftest import ADMIN_PASSWORD, Platform
from tests.e2e.shared_platform import module_api, module_platform  # noqa: F401  (fixtures)
from tests.helpers import RESPONSIBLE, TODAY, count_rows, decision_payload, eventually
from tests.integration.test_notify_service import Receiver
from tests.unit.test_library_support import shared_index_dir

ISSUED = TODAY - timedelta(days=3)
TASKS = ["RF_WARNING", "RF_LIFE_MEETING", "RF_ANALYSIS", "RF_PLAN", "RF_IMPLEMENT", "RF_RULES", "RF_REPORT"]
CASE_TABLES = ("reform", "reform_decision", "execution_item", "item_transition", "outbox")
REVIEW_TABLES = ("report", "extension", "outbox")


def evidence(code, day):
    on = day.isoformat()
    return {
        "RF_WARNING": {"held_on": on, "scope": "全体干部职工", "attendance": 56, "leaders_present": True,
                       "cases": "王建国违规办理低保案"},
        "RF_LIFE_MEETING": {"held_on": on, "leaders_present": True, "absent": [], "supervisors": ["区纪委监委第二监督检查室"],
                            "criticism": "班子成员逐一对照检查，开展批评与自我批评"},
        "RF_ANALYSIS": {"completed_on": on, "causes": "低保审核层层把关流于形式",
                        "risks": ["入户核查走过场", "审核审批一人说了算"]},
        "RF_PLAN": {"adopted_on": on, "document_number": "东民发〔2026〕8号",
                    "measures": ["修订低保审核办法，8月底前完成", "建立入户核查台账"]},
        "RF_IMPLEMENT": {"completed_on": on, "measures_done": ["修订低保审核办法", "建立入户核查台账"],
                         "summary": "各项措施已落实"},
        "RF_RULES": {"adopted_on": on, "rules": ["东河区民政局低保审核审批办法"], "document_number": "东民发〔2026〕12号"},
        "RF_REPORT": {"reported_on": on, "document_number": "东民报〔2026〕3号",
                      "measures": ["修订低保审核办法", "建立入户核查台账"], "summary": "整改任务全部完成"},
    }[code]


def reform_body(api, decision_ids, **overrides):
    body = {"unit_id": api.unit_id, "decision_ids": decision_ids, "basis": "纪律检查建议书",
            "doc_number": "东纪建〔2026〕5号", "issued_on": ISSUED.isoformat(),
            "requirements": "针对低保审核把关不严问题，开展警示教育，剖析原因，完善审核制度。"}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}     # None: left out


@pytest.fixture
def district(platform_config, runner_factory, web_session, tmp_path_factory):
    """The platform with the library, every service on one clock the test moves."""
    platform_config.update(NOTIFY_WEBHOOK_ALLOW_PRIVATE=True, NOTIFY_WEBHOOK_POLL_SECONDS=0.1,
                           LIBRARY_INDEX_DIR=str(shared_index_dir(str(tmp_path_factory.getbasetemp()))))
    engine = make_engine(platform_config["GATEWAY_DB_URL"])
    with Session(engine) as session:
        seed(session, ADMIN_PASSWORD)
    engine.dispose()
    runner = runner_factory(platform_config, GatewayService, CaseService, ReviewService, DeadlineService,
                            NotifyService, LibraryService)
    clock = FixedClock(TODAY.isoformat())
    runner.start()
    for container in runner.containers:
        provider = get_extension(container, Clock)
        if provider is not None:
            provider.clock = clock
    api = Platform(web_session, platform_config)
    api.clock, api.runner = clock, runner
    return api


def sweep(api):
    """The deadline sweep on the services' day (its timer runs every minute)."""
    with entrypoint_hook(get_container(api.runner, DeadlineService), "sweep") as hook:
        return hook({"role": "system"})


class Reform:
    """One reform case walked through the API: its tasks by code, their states checked."""

    def __init__(self, api, reform):
        self.api, self.id = api, reform["id"]
        self.ids = {i["code"]: i["id"] for i in reform["items"]}

    def page(self, who="shen"):
        return self.api.get(f"/api/v1/reforms/{self.id}", who).json()

    def states(self):
        return {i["code"]: i["state"] for i in self.page()["items"]}

    def report(self, code, body=None, day=None):
        day = day or self.api.clock.today()
        reply = self.api.post(f"/api/v1/items/{self.ids[code]}/reports", "min", json={
            "performed_on": day.isoformat(), "evidence": body or evidence(code, day), "attachments": []})
        assert reply.status_code == 201, reply.text
        return reply.json()

    def approve(self, report):
        reply = self.api.post(f"/api/v1/reports/{report['id']}/approve", "shen", json={"comment": "符合要求"})
        assert reply.status_code == 200, reply.text
        return reply.json()

    def done(self, code):
        return self.approve(self.report(code))


def test_a_reform_case_walked_from_a_decision_to_its_filled_report(district):
    api = district
    receiver = Receiver([])
    try:
        hook = api.post("/api/v1/subscriptions", "admin", json={
            "unit_id": api.unit_id, "url": receiver.url, "secret": "0123456789abcdef",
            "events": ["reform_registered", "item_opened", "deadline_reminder", "deadline_overdue"]})
        assert hook.status_code == 201, hook.text
        decision = api.post("/api/v1/decisions", "shen", json=decision_payload(
            1, unit_id=api.unit_id, decision_date=(TODAY - timedelta(days=30)).isoformat())).json()

        # -- the review office registers the reform case from the decision -----------------------
        reply = api.post("/api/v1/reforms", "shen", json=reform_body(api, [decision["id"]]))
        assert reply.status_code == 201, reply.text
        registered = reply.json()
        assert [i["code"] for i in registered["items"]] == TASKS
        assert {i["reform_id"] for i in registered["items"]} == {registered["id"]}
        assert {i["decision_id"] for i in registered["items"]} == {None}
        assert [d["id"] for d in registered["decisions"]] == [decision["id"]]
        reform = Reform(api, registered)
        page = eventually(lambda: reform.page("min"), lambda p: p["light"] is not None)
        assert page["light"] == "green" and page["items"][0]["light"] == "green"
        # The task has the shape of a decision's item.
        item_keys = set(api.get(f"/api/v1/decisions/{decision['id']}", "shen").json()["items"][0])
        assert item_keys <= set(page["items"][0]) and "reform_id" in page["items"][0]
        listed = api.get("/api/v1/reforms", "min", params={"decision_id": decision["id"]}).json()
        assert [r["id"] for r in listed["items"]] == [reform.id] and listed["items"][0]["light"] == "green"
        assert api.get("/api/v1/reforms", "jiao").json() == {"items": [], "total": 0}
        assert api.get(f"/api/v1/reforms/{reform.id}", "jiao").status_code == 404
        titles = eventually(lambda: [n["title"] for n in api.get("/api/v1/notices", "min").json()["items"]],
                            lambda t: "执行事项已开启：警示教育大会" in t and "以案促改任务待办理（东纪建〔2026〕5号）" in t)
        assert "以案促改任务待办理（东纪建〔2026〕5号）" in titles
        notice, = [n for n in api.get("/api/v1/notices", "min").json()["items"] if n["event_type"] == "reform_registered"]
        assert (notice["reform_id"], notice["link"]) == (reform.id, f"#/reforms/{reform.id}")

        # -- the unit reports the first task; the review office rejects it; it is rectified ------------
        form = api.get(f"/api/v1/items/{reform.ids['RF_WARNING']}/checklist", "min").json()
        assert "leaders_present" in {f["key"] for f in form["fields"]}
        assert "领导班子未到会" in form["problem_categories"]
        locked = api.post(f"/api/v1/items/{reform.ids['RF_PLAN']}/reports", "min", json={
            "performed_on": TODAY.isoformat(), "evidence": evidence("RF_PLAN", TODAY)})
        assert locked.status_code == 409 and locked.json()["error"] == "ITEM_NOT_OPEN"
        first = reform.report("RF_WARNING", {**evidence("RF_WARNING", TODAY), "leaders_present": False})
        assert [f["category"] for f in first["findings"]] == ["领导班子未到会"]
        rejected = api.post(f"/api/v1/reports/{first['id']}/reject", "shen", json={
            "problem": "领导班子未到会", "requirement": "单位领导班子成员到会后重新召开",
            "rectify_by": (TODAY + timedelta(days=7)).isoformat()})
        assert rejected.status_code == 200, rejected.text
        again = reform.report("RF_WARNING")
        assert (again["round"], again["changes"], again["findings"]) == (2, ["leaders_present"], [])
        reform.approve(again)
        assert {c for c, s in reform.states().items() if s == "open"} == {"RF_LIFE_MEETING", "RF_ANALYSIS"}
        rounds = api.get(f"/api/v1/items/{reform.ids['RF_WARNING']}", "min").json()["reports"]
        assert [(r["round"], r["state"], r["reform_id"]) for r in rounds] == [
            (1, "rejected", reform.id), (2, "approved", reform.id)]

        # -- ten idle days: the open tasks raise their reminder ---------------------------------------
        api.clock.set(TODAY + timedelta(days=10))
        sweep(api)
        reminders = [a for a in api.get("/api/v1/alerts", "min").json()["items"] if a["reform_id"] == reform.id]
        assert {a["item_id"] for a in reminders} == {reform.ids["RF_LIFE_MEETING"], reform.ids["RF_ANALYSIS"]}
        eventually(lambda: [n["title"] for n in api.get("/api/v1/notices", "min").json()["items"]],
                   lambda t: "提醒：专题民主生活会 已较长时间未办理" in t)

        # -- the analysis and the plan (a measure without its deadline is flagged) --------------------
        reform.done("RF_ANALYSIS")
        plan = reform.report("RF_PLAN")
        assert [f["category"] for f in plan["findings"]] == ["整改措施无完成时限"]
        reform.approve(plan)
        assert {c for c, s in reform.states().items() if s == "open"} == {
            "RF_LIFE_MEETING", "RF_IMPLEMENT", "RF_RULES"}

        # -- an extension of the meeting, then it overruns: red ---------------------------------------
        life = next(i for i in reform.page()["items"] if i["code"] == "RF_LIFE_MEETING")
        asked = api.post(f"/api/v1/items/{life['id']}/extension", "min", json={"days": 7, "reason": "上级领导到会指导时间调整"})
        assert asked.status_code == 201, asked.text
        assert api.post(f"/api/v1/extensions/{asked.json()['id']}/approve", "shen").status_code == 200
        extended = api.get(f"/api/v1/items/{life['id']}", "min").json()
        assert extended["due_date"] == (date_of(life["due_date"]) + timedelta(days=7)).isoformat()
        api.clock.set(date_of(extended["due_date"]) + timedelta(days=1))
        sweep(api)
        page = eventually(lambda: reform.page("min"), lambda p: p["light"] == "red")
        assert page["light"] == "red"
        assert {i["code"]: i["light"] for i in page["items"]}["RF_LIFE_MEETING"] == "red"
        overdue = [a for a in api.get("/api/v1/alerts", "shen", params={"level": "overdue"}).json()["items"]
                   if a["reform_id"] == reform.id]
        assert [a["item_id"] for a in overdue] == [life["id"]]
        assert api.get("/api/v1/reforms", "shen").json()["items"][0]["light"] == "red"
        eventually(lambda: [n["title"] for n in api.get("/api/v1/notices", "min").json()["items"]],
                   lambda t: "超期：专题民主生活会" in t)

        # -- the rest, in order; the last approval completes the reform case -------------------------
        for code in ("RF_LIFE_MEETING", "RF_IMPLEMENT", "RF_RULES", "RF_REPORT"):
            reform.done(code)
        assert set(reform.states().values()) == {"approved"}
        completed = eventually(lambda: reform.page(), lambda p: p["status"] == "completed")
        assert completed["status"] == "completed" and completed["light"] == "green"
        assert api.get("/api/v1/reforms", "shen", params={"status": "completed"}).json()["total"] == 1

        # -- webhooks: the unit's system heard each kind of event, naming the reform -------------------
        def heard():
            return {(json.loads(body).get("event_type"), json.loads(body).get("reform_id"))
                    for _, body in receiver.received}
        wanted = {(kind, reform.id) for kind in ("reform_registered", "item_opened", "deadline_reminder",
                                                  "deadline_overdue")}
        assert wanted <= eventually(heard, lambda found: wanted <= found, timeout=15)

        # -- the 以案促改整改报告, filled from the case -------------------------------------------------
        filled = api.post("/api/v1/templates/reform_report/render", "shen", json={"reform_id": reform.id})
        assert filled.status_code == 200, filled.text
        assert "attachment" in filled.headers["Content-Disposition"]
        doc = Document(io.BytesIO(filled.content))
        text = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
        for expected in (RESPONSIBLE, "纪律检查建议书（东纪建〔2026〕5号）", "张三1", "共7项整改任务，已审核通过7项",
                         "警示教育大会", "已审核通过（经1次驳回整改）", "单位领导班子成员到会：是",
                         "新建或修订的制度：东河区民政局低保审核审批办法"):
            assert expected in text, expected
        wrong = api.post("/api/v1/templates/execution_notice/render", "shen", json={"reform_id": reform.id})
        assert wrong.status_code == 400 and "decision_id" in wrong.json()["fields"]
        assert api.post("/api/v1/templates/reform_report/render", "jiao", json={"reform_id": reform.id}).status_code == 404

        # -- the figures per unit -----------------------------------------------------------------
        def figures(who="shen"):
            return api.get("/api/v1/stats/reforms", who).json()
        row, = eventually(figures, lambda f: f["totals"]["completed"] == 1)["rows"]
        assert (row["unit"], row["unit_name"]) == (api.unit_id, RESPONSIBLE)
        assert {k: row[k] for k in ("reforms", "open", "completed", "on_time", "overdue", "rejected", "rejections")} == {
            "reforms": 1, "open": 0, "completed": 1, "on_time": 0, "overdue": 0, "rejected": 1, "rejections": 1}
        assert figures("jiao")["rows"] == []
        assert api.get("/api/v1/stats/reforms", "zuzhi").status_code == 403
        sheet = api.get("/api/v1/stats/reforms", "shen", params={"format": "xlsx"})
        assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    finally:
        receiver.close()


def date_of(text):
    return date.fromisoformat(text)


def test_a_supervision_suggestion_about_the_unit_itself_needs_no_decision(api):
    reply = api.post("/api/v1/reforms", "shen", json=reform_body(
        api, [], basis="监察建议书", doc_number="东监建〔2026〕2号", due_date=(TODAY + timedelta(days=40)).isoformat(),
        party_group=False))
    assert reply.status_code == 201, reply.text
    reform = reply.json()
    assert reform["decisions"] == [] and reform["due_date"] == (TODAY + timedelta(days=40)).isoformat()
    names = {i["code"]: i["name"] for i in reform["items"]}
    assert names["RF_LIFE_MEETING"] == "专题组织生活会"                     # a unit without a 党组
    assert max(i["due_date"] for i in reform["items"]) <= reform["due_date"]
    again = api.post("/api/v1/reforms", "shen", json=reform_body(api, [], basis="监察建议书",
                                                                 doc_number="东监建〔2026〕2号"))
    assert again.status_code == 409 and again.json()["error"] == "DUPLICATE_REFORM"


# -- bad input, each refused with its error and changing nothing ------------------------------------
def rows(api):
    return (count_rows(api.config["CASE_DB_URL"], *CASE_TABLES), count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES))


@pytest.fixture(scope="module")
def context(module_api):
    """A decision of 东河区民政局 and one of 东河区教育局, a reform case of the former (its first
    task open, the next locked)."""
    api = module_api
    mine = api.post("/api/v1/decisions", "shen", json=decision_payload(41, unit_id=api.unit_id)).json()
    other = api.post("/api/v1/decisions", "shen", json=decision_payload(
        42, unit_id=api.units["东河区教育局"])).json()
    reform = api.post("/api/v1/reforms", "shen", json=reform_body(api, [mine["id"]], doc_number="东纪建〔2026〕41号"))
    assert reform.status_code == 201, reform.text
    ids = {i["code"]: i["id"] for i in reform.json()["items"]}
    for who in ("shen", "min", "jiao"):
        api.token(who)
    return {"api": api, "mine": mine["id"], "other": other["id"], "reform": reform.json()["id"], "tasks": ids}


def register(ctx, **overrides):
    api = ctx["api"]
    return lambda: api.post("/api/v1/reforms", "shen", json=reform_body(api, **{"decision_ids": [ctx["mine"]],
                                                                                **overrides}))


BAD = {
    "unknown unit": (lambda c: register(c, unit_id=9999), 400, "unit_id"),
    "a partner department as the unit": (lambda c: register(c, unit_id=c["api"].units["中共东河区委组织部"]), 400,
                                         "unit_id"),
    "a decision of another unit": (lambda c: register(c, decision_ids=[c["other"]]), 400, "decision_ids.0"),
    "a decision that does not exist": (lambda c: register(c, decision_ids=[c["mine"] + 1000]), 400, "decision_ids.0"),
    "no decision for a 建议书": (lambda c: register(c, decision_ids=[]), 400, "decision_ids"),
    "an issue date in the future": (lambda c: register(c, issued_on=(TODAY + timedelta(days=1)).isoformat()), 400,
                                    "issued_on"),
    "a deadline before the issue date": (lambda c: register(c, due_date=(ISSUED - timedelta(days=1)).isoformat()), 400,
                                         "due_date"),
    "missing basis": (lambda c: register(c, basis=None), 400, "basis"),
    "an unknown basis": (lambda c: register(c, basis="口头提醒"), 400, "basis"),
    "missing requirements": (lambda c: register(c, requirements=None), 400, "requirements"),
    "empty requirements": (lambda c: register(c, requirements="  "), 400, "requirements"),
    "an operator registering": (lambda c: lambda: c["api"].post("/api/v1/reforms", "min", json=reform_body(
        c["api"], [c["mine"]], doc_number="东纪建〔2026〕99号")), 403, None),
    "another unit's operator reading it": (lambda c: lambda: c["api"].get(f"/api/v1/reforms/{c['reform']}", "jiao"),
                                           404, None),
    "another unit's operator reading a task": (lambda c: lambda: c["api"].get(
        f"/api/v1/items/{c['tasks']['RF_WARNING']}", "jiao"), 404, None),
    "another unit's operator reporting a task": (lambda c: lambda: c["api"].post(
        f"/api/v1/items/{c['tasks']['RF_WARNING']}/reports", "jiao",
        json={"performed_on": TODAY.isoformat(), "evidence": evidence("RF_WARNING", TODAY)}), 404, None),
    "a report on a locked task": (lambda c: lambda: c["api"].post(
        f"/api/v1/items/{c['tasks']['RF_ANALYSIS']}/reports", "min",
        json={"performed_on": TODAY.isoformat(), "evidence": evidence("RF_ANALYSIS", TODAY)}), 409, None),
    "a report before the reform was issued": (lambda c: lambda: c["api"].post(
        f"/api/v1/items/{c['tasks']['RF_WARNING']}/reports", "min",
        json={"performed_on": (ISSUED - timedelta(days=1)).isoformat(), "evidence": evidence("RF_WARNING", TODAY)}),
        400, "performed_on"),
}


@pytest.mark.parametrize("label", list(BAD))
def test_bad_input_is_refused_with_its_error_and_changes_nothing(context, label):
    make, status, field = BAD[label]
    send = make(context)
    api = context["api"]
    before = rows(api)
    reply = send()
    assert reply.status_code == status, reply.text
    answer = reply.json()
    assert answer["error"] and answer["message"]
    if field:
        assert field in answer["fields"], answer
    assert rows(api) == before


def test_the_demo_district_gets_two_reform_cases_one_on_time_one_overdue(api, web_config_port):
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("demo_data", Path(__file__).resolve().parents[2] / "scripts/demo_data.py")
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    for doc, decided, who, sanctions, gains, org, letters, facts in demo.decisions(api.units, TODAY):
        reply = api.post("/api/v1/decisions", "shen", json={
            "person": who, "doc_number": doc, "decided_by": "东河区纪委监委", "decision_date": decided,
            "sanctions": sanctions, "illicit_gains": gains, "org_handling": org, "letters": letters, "facts": facts})
        assert reply.status_code == 201, reply.text
    base = f"http://127.0.0.1:{web_config_port}"
    operators = {api.units["东河区民政局"]: api.headers("min"), api.units["东河区教育局"]: api.headers("jiao")}
    assert demo.reform_cases(base, api.headers("shen"), operators, api.units, TODAY) == 2
    assert demo.reform_cases(base, api.headers("shen"), operators, api.units, TODAY) == 0      # once only
    rows = eventually(lambda: api.get("/api/v1/reforms", "shen").json()["items"],
                      lambda found: len(found) == 2 and all(r["light"] for r in found))
    by_doc = {r["doc_number"]: r for r in rows}
    on_time, late = by_doc["东纪建〔2026〕6号"], by_doc["东纪建〔2026〕2号"]
    assert (on_time["status"], on_time["light"], on_time["tasks_approved"]) == ("completed", "green", 7)
    assert (late["status"], late["light"], late["tasks_approved"]) == ("executing", "red", 1)
    totals = eventually(lambda: api.get("/api/v1/stats/reforms", "shen").json()["totals"],
                        lambda t: t["completed"] == 1)
    assert {k: totals[k] for k in ("reforms", "completed", "on_time", "open", "overdue")} == {
        "reforms": 2, "completed": 1, "on_time": 1, "open": 1, "overdue": 1}
