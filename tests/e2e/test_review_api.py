"""Review gating through the HTTP API: a whole decision walked from registration to the
last immediate item approved, one rejection on the way, and every misuse refused."""
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.helpers import count_rows, decision_payload

# A day outside December: each December inside the impact period opens 评定等级 (RATING),
# and this walk expects every time-gated item still locked.
TODAY = date(2026, 6, 15)
pytestmark = pytest.mark.today(TODAY)
EVIDENCE = {
    "SERVE": {"served_on": "2021-03-05", "recipients": ["张三1", "东河区民政局"],
              "receipt_signed": True, "unit_seal": True},
    "ANNOUNCE": {"announced_on": "2021-03-08", "scope": "民政局全体干部大会", "announcers": ["李四", "王五"],
                 "attendance": 40, "statement": "接受处分，深刻反省"},
    "COPY": {"copied_on": "2021-03-10", "recipients": ["中共东河区委组织部"], "letter_number": "东民函〔2021〕3号"},
    "ARCHIVE": {"filed_on": "2021-03-15", "archive_holder": "中共东河区委组织部"},
    "TREATMENT": {"effective_on": "2021-03-20", "changes": "撤销科员职务，工资降一档", "approval_number": "东人社〔2021〕9号"},
    "ORG_HANDLING": {"measure": "免职", "document_number": "东组〔2021〕5号"},
    "ASSETS": {"amount_ordered": "12000.00", "amount_recovered": "12000.00", "receipt_number": "CZ2021-001",
               "recovered_on": "2021-03-25"},
    "LETTERS": {"implemented_on": "2021-03-26", "letters": ["纪检监察建议书"], "summary": "已整改"},
    "REPORT": {"reported_on": "2021-03-30", "document_number": "东民报〔2021〕2号"},
}
REJECTION = {"problem": "本人不表态", "requirement": "补充本人表态记录", "rectify_by": (TODAY + timedelta(days=7)).isoformat()}
REVIEW_TABLES = ("report", "extension", "guidance", "attachment", "outbox")


def register(api, **overrides):
    reply = api.post("/api/v1/decisions", "shen", json=decision_payload(1, unit_id=api.unit_id, **overrides))
    assert reply.status_code == 201, reply.text
    return reply.json()


def states(api, decision_id):
    items = api.get(f"/api/v1/decisions/{decision_id}", "shen").json()["items"]
    return {i["code"]: i["state"] for i in items if i["code"] not in ("RATING", "EDU_VISIT", "RESTORE")}


def report(api, item_id, code, evidence=None, who="min", performed_on=TODAY.isoformat(), attachments=()):
    return api.post(f"/api/v1/items/{item_id}/reports", who, json={
        "performed_on": performed_on, "evidence": evidence or EVIDENCE[code], "attachments": list(attachments)})


IMMEDIATE = ("SERVE", "ANNOUNCE", "COPY", "ARCHIVE", "TREATMENT", "ORG_HANDLING", "ASSETS", "LETTERS", "REPORT")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Walk:
    """One decision walked through the API; after every step each item's state is checked,
    and every item that is not open is tried and must refuse a report (一个顺序不乱)."""

    def __init__(self, api, decision):
        self.api, self.decision_id = api, decision["id"]
        self.ids = {i["code"]: i["id"] for i in decision["items"]}
        self.expected = dict.fromkeys(IMMEDIATE, "locked")
        self.expected["SERVE"] = "open"
        self.check()

    def check(self):
        items = self.api.get(f"/api/v1/decisions/{self.decision_id}", "shen").json()["items"]
        assert {i["code"]: i["state"] for i in items if i["code"] in IMMEDIATE} == self.expected
        # Time-gated items (RATING, EDU_VISIT, RESTORE) wait for their dates, months away.
        assert {i["state"] for i in items if i["code"] not in IMMEDIATE} == {"locked"}
        for item in items:
            if item["state"] not in ("open", "rejected"):
                reply = report(self.api, item["id"], item["code"], EVIDENCE.get(item["code"], {"x": 1}))
                assert reply.status_code == 409 and reply.json()["error"] == "ITEM_NOT_OPEN", (item, reply.text)

    def submit(self, code, evidence=None, attachments=()):
        reply = report(self.api, self.ids[code], code, evidence, attachments=attachments)
        assert reply.status_code == 201, reply.text
        self.expected[code] = "submitted"
        self.check()
        return reply.json()

    def review(self, submitted, verdict, body, opens=()):
        reply = self.api.post(f"/api/v1/reports/{submitted['id']}/{verdict}", "shen", json=body)
        assert reply.status_code == 200, reply.text
        self.expected[submitted["code"]] = "approved" if verdict == "approve" else "rejected"
        self.expected.update(dict.fromkeys(opens, "open"))
        self.check()
        return reply.json()


def test_a_whole_decision_walked_through_with_one_rejection(api):
    decision = register(api, decision_date=(TODAY - timedelta(days=10)).isoformat())
    walk = Walk(api, decision)
    receipt = api.post("/api/v1/attachments", "min", files={"file": ("送达回证.pdf", PDF, "application/pdf")}).json()
    served = walk.submit("SERVE", attachments=[receipt["id"]])
    assert served["attachments"] == [{k: receipt[k] for k in ("id", "sha256", "size", "content_type", "filename")}]
    walk.review(served, "approve", {"comment": "回执齐全"}, opens=["ANNOUNCE"])

    silent = walk.submit("ANNOUNCE", {**EVIDENCE["ANNOUNCE"], "statement": ""})
    assert [f["category"] for f in silent["findings"]] == ["本人不表态"]        # warned at once
    rejected = walk.review(silent, "reject", REJECTION)
    assert rejected["review"]["problem"] == "本人不表态" and rejected["round"] == 1
    again = walk.submit("ANNOUNCE")
    assert (again["round"], again["changes"], again["findings"]) == (2, ["statement"], [])
    walk.review(again, "approve", {}, opens=["COPY"])

    walk.review(walk.submit("COPY"), "approve", {}, opens=["ARCHIVE"])
    walk.review(walk.submit("ARCHIVE"), "approve", {}, opens=["TREATMENT", "ORG_HANDLING", "ASSETS", "LETTERS"])
    for code in ("TREATMENT", "ORG_HANDLING", "ASSETS"):
        walk.review(walk.submit(code), "approve", {})                           # REPORT still waits
    walk.review(walk.submit("LETTERS"), "approve", {}, opens=["REPORT"])
    walk.review(walk.submit("REPORT"), "approve", {"comment": "执行到位"})
    assert set(walk.expected.values()) == {"approved"}

    item = api.get(f"/api/v1/items/{walk.ids['ANNOUNCE']}", "min").json()
    assert [(r["round"], r["state"], r["review"]["outcome"]) for r in item["reports"]] == [
        (1, "rejected", "rejected"), (2, "approved", "approved")]
    assert item["reports"][0]["review"]["requirement"] == REJECTION["requirement"]
    assert api.get(f"/api/v1/attachments/{receipt['id']}", "shen").content == PDF
    figures = api.get("/api/v1/stats/review", "shen").json()
    assert (figures["reviewed"], figures["rejected"]) == (10, 1)
    assert figures["by_category"] == [{"category": "本人不表态", "count": 1}]
    assert figures["by_month"][-1]["correction_rate"] == 0.1


def test_prechecks_warn_at_once_and_the_queue_filters_by_finding(api):
    decision = register(api)
    serve = decision["items"][0]
    reply = report(api, serve["id"], "SERVE", {**EVIDENCE["SERVE"], "recipients": ["东河区民政局"]})
    assert reply.status_code == 201
    assert [f["category"] for f in reply.json()["findings"]] == ["送达部门遗漏"]
    queue = api.get("/api/v1/review/queue", "shen", params={"finding": "送达部门遗漏"}).json()
    assert [(r["item_id"], r["person_name"], r["doc_number"], r["due_date"]) for r in queue["items"]] == [
        (serve["id"], "张三1", decision["doc_number"], serve["due_date"])]
    assert api.get("/api/v1/review/queue", "shen", params={"finding": "本人不表态"}).json()["total"] == 0
    assert api.get("/api/v1/review/queue", "shen", params={"unit_id": api.units["东河区教育局"]}).json()["total"] == 0
    assert api.get("/api/v1/review/queue", "min").status_code == 403


def test_the_checklist_of_an_item_is_offered_as_a_form(api):
    serve = register(api)["items"][0]
    form = api.get(f"/api/v1/items/{serve['id']}/checklist", "min").json()
    assert [f["key"] for f in form["fields"]] == ["served_on", "recipients", "receipt_signed", "unit_seal"]
    assert form["problem_categories"][-1] == "其他" and "送达部门遗漏" in form["problem_categories"]
    assert api.get(f"/api/v1/items/{serve['id']}/checklist", "jiao").status_code == 404


def _serve_submitted(api):
    decision = register(api)
    serve = decision["items"][0]
    return decision, serve, report(api, serve["id"], "SERVE").json()["id"]


@pytest.mark.parametrize("who,body,status,field", [
    ("shen", {"problem": "字迹潦草", "requirement": "x", "rectify_by": "2099-01-01"}, 400, "problem"),
    ("shen", {"problem": "其他", "rectify_by": "2099-01-01"}, 400, "requirement"),
    ("shen", {"problem": "其他", "requirement": "x", "rectify_by": "2020-01-01"}, 400, "rectify_by"),
    ("min", {"problem": "其他", "requirement": "x", "rectify_by": "2099-01-01"}, 403, "role"),
])
def test_bad_rejections_are_refused_and_change_nothing(api, who, body, status, field):
    decision, serve, report_id = _serve_submitted(api)
    before = count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES)
    reply = api.post(f"/api/v1/reports/{report_id}/reject", who, json=body)
    assert reply.status_code == status and field in reply.json()["fields"], reply.text
    assert count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES) == before
    assert states(api, decision["id"])["SERVE"] == "submitted"


def approvals(api, item_id):
    history = api.get(f"/api/v1/items/{item_id}", "shen").json()["history"]
    return sum(1 for t in history if t["to_state"] == "approved")


def test_approving_twice_and_operators_approving_are_refused(api):
    decision, serve, report_id = _serve_submitted(api)
    before = count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES)
    operator = api.post(f"/api/v1/reports/{report_id}/approve", "min", json={})
    assert operator.status_code == 403 and "role" in operator.json()["fields"]
    assert count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES) == before
    assert states(api, decision["id"])["SERVE"] == "submitted"
    assert api.post(f"/api/v1/reports/{report_id}/approve", "shen", json={}).status_code == 200
    before = count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES)
    for verdict, body in (("approve", {}), ("reject", REJECTION)):
        again = api.post(f"/api/v1/reports/{report_id}/{verdict}", "shen2", json=body)
        assert again.status_code == 409 and again.json()["error"] == "ALREADY_REVIEWED"
    assert count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES) == before
    assert states(api, decision["id"])["ANNOUNCE"] == "open" and approvals(api, serve["id"]) == 1


@pytest.mark.parametrize("verdicts", [("approve", "approve"), ("approve", "reject")])
def test_two_reviewers_at_once_one_wins(api, verdicts):
    from concurrent.futures import ThreadPoolExecutor
    decision, serve, report_id = _serve_submitted(api)
    api.token("shen"), api.token("shen2")

    def act(who, verdict):
        body = REJECTION if verdict == "reject" else {}
        return api.post(f"/api/v1/reports/{report_id}/{verdict}", who, json=body).status_code
    with ThreadPoolExecutor(2) as pool:
        codes = sorted(pool.map(act, ["shen", "shen2"], verdicts))
    assert codes == [200, 409]
    history = api.get(f"/api/v1/items/{serve['id']}", "shen").json()["history"]
    assert [t["to_state"] for t in history][-2:-1] == ["submitted"]      # then exactly one verdict
    assert history[-1]["to_state"] in ("approved", "rejected")
    item = api.get(f"/api/v1/items/{serve['id']}", "shen").json()
    assert [r["state"] for r in item["reports"]] == [history[-1]["to_state"]]


@pytest.mark.parametrize("label,evidence,who,status,field", [
    ("missing evidence field", {k: v for k, v in EVIDENCE["SERVE"].items() if k != "served_on"}, "min", 400,
     "evidence.served_on"),
    ("another unit's item", EVIDENCE["SERVE"], "jiao", 404, "item_id"),
    ("reviewer reporting", EVIDENCE["SERVE"], "shen", 403, "role"),
])
def test_bad_reports_are_refused_and_change_nothing(api, label, evidence, who, status, field):
    decision = register(api)
    before = count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES)
    reply = report(api, decision["items"][0]["id"], "SERVE", evidence, who=who)
    assert reply.status_code == status and field in reply.json()["fields"], reply.text
    assert count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES) == before
    assert states(api, decision["id"])["SERVE"] == "open"


@pytest.mark.parametrize("performed_on,problem", [
    ("2021-02-28", "不能早于 2021-03-01"),                    # before the decision
    ((TODAY + timedelta(days=1)).isoformat(), "不能是将来的日期"),
])
def test_a_report_dated_outside_its_decision_is_refused(api, performed_on, problem):
    decision = register(api)
    before = count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES)
    reply = report(api, decision["items"][0]["id"], "SERVE", performed_on=performed_on)
    assert reply.status_code == 400 and reply.json()["fields"]["performed_on"] == [problem]
    assert count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES) == before
    assert states(api, decision["id"])["SERVE"] == "open"


def test_a_report_may_only_carry_its_own_units_attachments(api):
    decision = register(api)
    theirs = api.post("/api/v1/attachments", "jiao", files={"file": ("x.pdf", PDF, "application/pdf")}).json()
    before = count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES)
    for ids in ([theirs["id"]], ["00000000-0000-0000-0000-000000000000"], ["short"]):
        reply = report(api, decision["items"][0]["id"], "SERVE", attachments=ids)
        assert reply.status_code == 400 and "attachments" in str(reply.json()["fields"]), reply.text
    assert count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES) == before
    assert states(api, decision["id"])["SERVE"] == "open"


def test_an_announcement_with_one_announcer_is_refused(api):
    decision = register(api)
    ids = {i["code"]: i["id"] for i in decision["items"]}
    report_id = report(api, ids["SERVE"], "SERVE").json()["id"]
    api.post(f"/api/v1/reports/{report_id}/approve", "shen", json={})
    before = count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES)
    reply = report(api, ids["ANNOUNCE"], "ANNOUNCE", {**EVIDENCE["ANNOUNCE"], "announcers": ["李四"]})
    assert reply.status_code == 400 and "evidence.announcers" in reply.json()["fields"]
    assert count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES) == before


def test_a_report_on_a_locked_item_names_what_must_be_approved_first(api):
    decision = register(api)
    archive = next(i for i in decision["items"] if i["code"] == "ARCHIVE")
    before = count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES)
    reply = report(api, archive["id"], "ARCHIVE")
    assert reply.status_code == 409 and reply.json()["error"] == "ITEM_NOT_OPEN"
    assert "须先审核通过：抄送（COPY）" in reply.json()["message"]
    assert count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES) == before
    assert states(api, decision["id"])["ARCHIVE"] == "locked"


def test_extensions_stay_within_the_legal_limit(api):
    decision = register(api, decision_date=(TODAY - timedelta(days=10)).isoformat())
    ids = {i["code"]: i for i in decision["items"]}
    for code in ("SERVE", "ANNOUNCE", "COPY", "ARCHIVE"):
        report_id = report(api, ids[code]["id"], code, performed_on=TODAY.isoformat()).json()["id"]
        api.post(f"/api/v1/reports/{report_id}/approve", "shen", json={})
    treatment = ids["TREATMENT"]
    too_far = api.post(f"/api/v1/items/{treatment['id']}/extension", "min", json={"days": 400, "reason": "审批流程长"})
    assert too_far.status_code == 400 and "days" in too_far.json()["fields"]       # over the 366-day form limit
    before = count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES)
    beyond = api.post(f"/api/v1/items/{treatment['id']}/extension", "min", json={"days": 200, "reason": "审批流程长"})
    assert beyond.status_code == 422 and treatment["extension_limit"] in beyond.json()["message"]
    assert count_rows(api.config["REVIEW_DB_URL"], *REVIEW_TABLES) == before
    refused = api.post(f"/api/v1/items/{treatment['id']}/extension", "min", json={"days": 10, "reason": "人手不足"})
    assert api.post(f"/api/v1/extensions/{refused.json()['id']}/approve", "min", json={}).status_code == 403
    assert api.post(f"/api/v1/extensions/{refused.json()['id']}/refuse", "shen", json={}).json()["state"] == "refused"
    assert api.post(f"/api/v1/extensions/{refused.json()['id']}/approve", "shen2", json={}).status_code == 409
    assert api.get(f"/api/v1/items/{treatment['id']}", "min").json()["due_date"] == treatment["due_date"]
    asked = api.post(f"/api/v1/items/{treatment['id']}/extension", "min", json={"days": 30, "reason": "等待人社审批"})
    assert asked.status_code == 201
    approved = api.post(f"/api/v1/extensions/{asked.json()['id']}/approve", "shen", json={})
    assert approved.status_code == 200, approved.text
    new_due = (date.fromisoformat(treatment["due_date"]) + timedelta(days=30)).isoformat()
    assert approved.json()["new_due_date"] == new_due
    assert api.get(f"/api/v1/items/{treatment['id']}", "min").json()["due_date"] == new_due
    serve_ext = api.post(f"/api/v1/items/{ids['SERVE']['id']}/extension", "min", json={"days": 5, "reason": "x"})
    assert serve_ext.status_code == 409                                               # approved items: no extension


def test_guidance_reaches_its_unit_only(api):
    decision = register(api)
    reply = api.post("/api/v1/guidance", "shen", json={"unit_id": api.unit_id, "decision_id": decision["id"],
                                                       "text": "请注意宣布范围应包括本单位全体干部"})
    assert reply.status_code == 201
    assert [g["text"] for g in api.get("/api/v1/guidance", "min").json()["items"]] == [reply.json()["text"]]
    assert api.get("/api/v1/guidance", "jiao").json()["items"] == []
    wrong = api.post("/api/v1/guidance", "shen", json={"unit_id": api.units["东河区教育局"],
                                                       "decision_id": decision["id"], "text": "x"})
    assert wrong.status_code == 400 and "decision_id" in wrong.json()["fields"]



def test_attachments_are_checked_by_content_and_served_to_their_unit(api):
    reply = api.post("/api/v1/attachments", "min", files={"file": ("回执.pdf", PDF, "application/pdf")})
    assert reply.status_code == 201 and reply.json()["content_type"] == "application/pdf"
    attachment = reply.json()
    fetched = api.get(f"/api/v1/attachments/{attachment['id']}", "min")
    assert fetched.content == PDF and fetched.headers["Content-Type"] == "application/pdf"
    assert api.get(f"/api/v1/attachments/{attachment['id']}", "jiao").status_code == 404
    assert api.get(f"/api/v1/attachments/{attachment['id']}", "shen").status_code == 200
    decision = register(api)
    serve = decision["items"][0]
    body = {"performed_on": "2021-03-20", "evidence": EVIDENCE["SERVE"], "attachments": [attachment["id"]]}
    assert api.post(f"/api/v1/items/{serve['id']}/reports", "min", json=body).status_code == 201


@pytest.mark.parametrize("content,problem", [
    (b"MZ\x90\x00" + b"\x00" * 100, "文件类型不允许"),            # an executable renamed .pdf
    (b"%PDF-" + b"0" * (10 * 1024 * 1024), "文件过大"),          # over the 10 MiB limit
])
def test_bad_attachments_are_refused_and_nothing_is_kept(api, content, problem):
    before = count_rows(api.config["REVIEW_DB_URL"], "attachment")
    reply = api.post("/api/v1/attachments", "min", files={"file": ("回执.pdf", content, "application/pdf")})
    assert reply.status_code == 400 and reply.json()["fields"]["file"] == [problem]
    assert count_rows(api.config["REVIEW_DB_URL"], "attachment") == before
    stored = Path(api.config["ATTACHMENT_DIR"])
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))
