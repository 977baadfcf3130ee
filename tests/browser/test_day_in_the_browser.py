"""Each role's day in a real browser (Chromium, Playwright) against the platform the test
starts: registering, reporting with an attachment, rejecting and resubmitting, approving,
acknowledging, the leader's charts, the library and a template, unit scope, a phone screen.
Every flow fails on a console error or a failed request; screenshots go to var/screenshots/."""
from tests.helpers import decision_payload, eventually

SERVE = {"served_on": "2026-06-01", "recipients": ["王建国", "东河区民政局"], "receipt_signed": True, "unit_seal": True}
ANNOUNCE = {"announced_on": "2026-06-02", "scope": "全体干部职工大会", "announcers": ["单位主要负责人", "纪检委员"],
            "attendance": 35, "statement": "本人表示接受处分", "refused_to_sign": False}
COPY = {"copied_on": "2026-06-03", "recipients": ["中共东河区委组织部"], "letter_number": "东纪函〔2026〕3号"}


def register(api, n=1, unit=None, **overrides):
    payload = decision_payload(n, unit_id=unit or api.unit_id, decision_date="2026-05-20", **overrides)
    payload["person"]["name"] = "王建国" if n == 1 else f"李{n}"
    reply = api.post("/api/v1/decisions", "shen", json=payload)
    assert reply.status_code == 201, reply.text
    return reply.json()


def item_of(api, decision, code, state="open"):
    item = next(i for i in decision["items"] if i["code"] == code)
    eventually(lambda: api.get(f"/api/v1/items/{item['id']}", "shen").json(), lambda i: i.get("state") == state)
    return item


def approve(api, decision, code, evidence, performed_on):
    item = item_of(api, decision, code)
    report = api.post(f"/api/v1/items/{item['id']}/reports", "min", json={"performed_on": performed_on, "evidence": evidence})
    assert report.status_code == 201, report.text
    reply = api.post(f"/api/v1/reports/{report.json()['id']}/approve", "shen", json={"comment": "材料齐全"})
    assert reply.status_code == 200, reply.text


def test_a_reviewer_registers_a_decision_seeing_every_problem_at_once(api, browse):
    api.token("min"), api.token("shen")
    result = browse("register", doc_number="东纪发〔2026〕7号", name="张卫国", id_number="11010519800101106X")
    decision = api.get(f"/api/v1/decisions/{result['decision_id']}", "shen").json()
    assert decision["doc_number"] == "东纪发〔2026〕7号" and decision["person"]["unit_id"] == api.unit_id
    assert [(s["type"], s.get("months")) for s in decision["sanctions"]] == [("留党察看", 12), ("撤职", None)] or \
        [s["type"] for s in decision["sanctions"]] == ["留党察看", "撤职"]


def test_a_report_is_rejected_resubmitted_with_the_last_round_and_approved(api, browse):
    decision = register(api)
    serve = item_of(api, decision, "SERVE")
    api.token("min")
    browse("report_reject_resubmit_approve", item_id=serve["id"], decision_id=decision["id"])
    item = api.get(f"/api/v1/items/{serve['id']}", "shen").json()
    assert item["state"] == "approved"
    assert [r["state"] for r in item["reports"]] == ["rejected", "approved"]
    assert item["reports"][1]["evidence"]["unit_seal"] is True and len(item["reports"][1]["attachments"]) == 1
    assert item_of(api, decision, "ANNOUNCE")["code"] == "ANNOUNCE"      # 宣布 opened


def test_a_partner_acknowledges_its_notice(api, browse):
    decision = register(api)
    approve(api, decision, "SERVE", SERVE, "2026-06-01")
    approve(api, decision, "ANNOUNCE", ANNOUNCE, "2026-06-02")
    item_of(api, decision, "COPY")
    eventually(lambda: api.get("/api/v1/notices", "zuzhi", params={"asks_reply": "true"}).json()["total"], lambda n: n > 0)
    api.token("zuzhi")
    browse("partner_acknowledges")
    notices = api.get("/api/v1/notices", "zuzhi", params={"asks_reply": "true"}).json()["items"]
    assert any(n["acknowledged_at"] and n["feedback"] == "已将处分决定存入本人档案" for n in notices)


def test_the_leader_sees_the_charts_with_their_tables_and_exports(api, browse):
    api.user("lingdao", "leader", "东河区纪委监委案件审理室")
    decision = register(api)
    other = register(api, 2, unit=api.units["东河区教育局"])
    report = api.post(f"/api/v1/items/{item_of(api, decision, 'SERVE')['id']}/reports", "min",
                      json={"performed_on": "2026-06-01", "evidence": SERVE})
    api.post(f"/api/v1/reports/{report.json()['id']}/reject", "shen",
             json={"problem": "证明材料不全", "requirement": "补充回执", "rectify_by": "2026-06-25"})
    # One item approved in time, so the ranking by on-time rate has a unit to rank.
    api.user("jiaoyu", "operator", "东河区教育局")
    served = api.post(f"/api/v1/items/{item_of(api, other, 'SERVE')['id']}/reports", "jiaoyu",
                      json={"performed_on": "2026-06-01", "evidence": SERVE})
    assert served.status_code == 201, served.text
    api.post(f"/api/v1/reports/{served.json()['id']}/approve", "shen", json={})
    browse("leader_charts")


def test_library_search_and_a_template_download(api, browse):
    register(api)
    browse("library_and_template", decision_label="王建国 · 东纪发〔2021〕1号")


def test_an_operator_cannot_reach_another_units_decision(api, browse):
    decision = register(api)
    api.token("jiao")
    browse("other_unit", decision_id=decision["id"], item_id=decision["items"][0]["id"])


def test_a_390_px_wide_screen(api, browse):
    decision = register(api)
    serve = item_of(api, decision, "SERVE")
    api.token("min")
    browse("phone", decision_id=decision["id"], item_id=serve["id"])


def test_a_reform_case_from_a_decision_its_tasks_reported_rejected_and_approved(api, browse):
    """以案促改 (issue 13): registered from the decision's page, its task timeline, a report warned by
    the pre-check, rejected, rectified and approved, the next tasks open, the filled report; beside
    it a reform case whose first task is long overdue shows red."""
    from datetime import date, timedelta

    decision = register(api)
    today = date.fromisoformat(api.config["CLOCK_TODAY"])
    late = api.post("/api/v1/reforms", "shen", json={
        "unit_id": api.unit_id, "decision_ids": [decision["id"]], "basis": "通报", "doc_number": "东纪通〔2026〕1号",
        "issued_on": (today - timedelta(days=100)).isoformat(), "requirements": "以案促改，整改到位"})
    assert late.status_code == 201, late.text
    eventually(lambda: api.get("/api/v1/reforms", "min").json()["items"], lambda rows: rows and rows[0].get("light"))
    api.token("min")
    result = browse("reform_flow", decision_id=decision["id"], doc_number="东纪建〔2026〕5号",
                    issued_on=(today - timedelta(days=3)).isoformat(), overdue_doc_number="东纪通〔2026〕1号")
    reform = api.get(f"/api/v1/reforms/{result['reform_id']}", "shen").json()
    states = {i["code"]: i["state"] for i in reform["items"]}
    assert states["RF_WARNING"] == "approved" and states["RF_LIFE_MEETING"] == states["RF_ANALYSIS"] == "open"
    warning = api.get(f"/api/v1/items/{reform['items'][0]['id']}", "shen").json()
    assert [(r["round"], r["state"]) for r in warning["reports"]] == [(1, "rejected"), (2, "approved")]
    assert warning["reports"][1]["evidence"]["leaders_present"] is True
    assert api.get(f"/api/v1/reforms/{late.json()['id']}", "min").json()["light"] == "red"
