"""Load the district's demo data through the HTTP API, once the platform answers.

    .venv/bin/python scripts/demo_data.py [--base http://127.0.0.1:8000] [--wait 120] [--records FILE]

The district's records come in through the batch import (POST /api/v1/imports) of
scripts/district_records.xlsx (scripts/district_records.py writes it: 208 records of 107 people
since 2018, what was done on each, a few defects, and three rows the import refuses); then the
walk-through, the review history and the reform cases below, dated relative to today.

Idempotent: users that exist already (409) are left as they are, and the import skips every
文号 already registered, so a second run loads nothing.
"""
import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.case.identity import check_character  # noqa: E402

DEMO_PASSWORD = "demo-2026!"
# username, name, role, unit
USERS = [
    ("shen", "沈审理", "reviewer", "东河区纪委监委案件审理室"),
    ("lingdao", "林领导", "leader", "东河区纪委监委案件审理室"),
    ("minzheng", "闵经办", "operator", "东河区民政局"),
    ("jiaoyu", "焦经办", "operator", "东河区教育局"),
    ("fayuan", "范经办", "operator", "东河区人民法院"),
    ("jiedao", "姜经办", "operator", "东河区河东街道办事处"),
    ("zuzhi", "左组织", "partner", "中共东河区委组织部"),
    ("renshe", "任人社", "partner", "东河区人力资源和社会保障局"),
    ("caizheng", "蔡财政", "partner", "东河区财政局"),
    ("tongzhan", "童统战", "partner", "中共东河区委统战部"),
]


def person(n, name, unit, status="中共党员", category="公务员", party=None, post="科员", gender="男"):
    body = f"3201021975{(n % 12) + 1:02d}{(n % 27) + 1:02d}{n:03d}"
    return {"name": name, "id_number": body + check_character(body), "gender": gender, "unit_id": unit,
            "post": post, "political_status": status, "democratic_party": party, "category": category}


RECORDS = Path(__file__).resolve().parent / "district_records.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def import_records(base, reviewer, path=RECORDS):
    """The district's records through POST /imports: the import's answer (its row errors printed)."""
    reply = requests.post(f"{base}/api/v1/imports", headers={**reviewer, "Content-Type": XLSX},
                          params={"dry_run": "false", "filename": Path(path).name}, data=Path(path).read_bytes(),
                          timeout=600)
    reply.raise_for_status()
    result = reply.json()
    print(f"demo data: import #{result['id']} of {Path(path).name}: {result['rows']} rows, {result['created']} "
          f"decisions registered, {result['skipped']} already there, {result['invalid']} refused")
    for error in result["errors"]:
        print(f"    {error['sheet']} 第{error['row']}行 {error['column'] or ''}：{error['message']}")
    return result


def decisions(units, today):
    """A few decisions dated relative to ``today`` (tests/e2e/test_stats_api.py registers them to
    walk the review plan on the services' clock); ``make run`` loads the district's records
    through the import instead (``import_records``)."""
    u = units
    ago = lambda days: (today - timedelta(days=days)).isoformat()  # noqa: E731
    return [
        ("东纪发〔2026〕31号", ago(40), person(1, "王建国", u["东河区民政局"], post="社会救助科科长"),
         [{"kind": "party", "type": "留党察看", "months": 12}, {"kind": "government", "type": "撤职"}],
         {"amount": "12000.00", "disposition": "收缴"}, ["免职"], ["纪检监察建议书"], "违规办理低保，收受好处费。"),
        ("东纪发〔2026〕35号", ago(27), person(2, "李秀英", u["东河区教育局"], post="财务科副科长", gender="女"),
         [{"kind": "party", "type": "严重警告"}, {"kind": "government", "type": "记过"}], None, [], [],
         "违规发放津贴补贴。"),
        ("东纪发〔2026〕38号", ago(12), person(3, "张卫东", u["东河区河东街道办事处"], category="村(社区)干部",
                                            post="社区党委书记"),
         [{"kind": "party", "type": "警告"}], {"amount": "3500.00", "disposition": "责令退赔"}, [], [],
         "优亲厚友，违规享受低保。"),
        ("东纪发〔2026〕40号", ago(5), person(4, "陈明", u["东河区人民法院"], status="民主党派", party="民盟",
                                          post="执行局干部"),
         [{"kind": "government", "type": "开除"}], None, [], ["纪检监察建议书"], "违规干预执行案件。"),
        ("东纪发〔2026〕22号", ago(75), person(5, "赵磊", u["东河区教育局"], category="事业单位", post="中学教师"),
         [{"kind": "party", "type": "警告"}, {"kind": "government", "type": "警告"}], None, [], [],
         "违规有偿补课。"),
        ("东纪发〔2025〕88号", ago(330), person(6, "刘芳", u["东河区民政局"], post="办公室主任", gender="女"),
         [{"kind": "party", "type": "撤销党内职务"}, {"kind": "government", "type": "降级"}], None,
         ["调整职务"], [], "违规公款吃喝。"),
        ("东纪发〔2026〕41号", ago(2), person(7, "孙浩", u["东河区河东街道办事处"], status="群众",
                                          category="其他", post="网格员"),
         [{"kind": "government", "type": "记大过"}], {"amount": "800.00", "disposition": "收缴"}, [], [],
         "虚报冒领补贴。"),
    ]


def wait_until_ready(base, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if requests.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(1)
    return False


def login(base, username, password):
    reply = requests.post(f"{base}/api/v1/auth/login", json={"username": username, "password": password})
    reply.raise_for_status()
    return {"Authorization": f"Bearer {reply.json()['token']}"}


SERVE = {"served_on": None, "recipients": None, "receipt_signed": True, "unit_seal": True}
ANNOUNCE = {"announced_on": None, "scope": "全体干部职工大会", "announcers": ["单位主要负责人", "纪检委员"],
            "attendance": 35, "statement": ""}


def walk_some_items(base, reviewer):
    """Give the demo some history: reports approved, one rejected (本人不表态), one waiting."""
    operator = login(base, "minzheng", DEMO_PASSWORD)
    decisions = requests.get(f"{base}/api/v1/decisions", headers=reviewer, params={"per_page": 50}).json()["items"]
    mine = [d for d in decisions if d["doc_number"] in ("东纪发〔2026〕31号", "东纪发〔2025〕88号")]
    for decision in mine:
        detail = requests.get(f"{base}/api/v1/decisions/{decision['id']}", headers=reviewer).json()
        items = {i["code"]: i for i in detail["items"]}
        served = (date.fromisoformat(detail["decision_date"]) + timedelta(days=3)).isoformat()
        evidence = dict(SERVE, served_on=served, recipients=[detail["person"]["name"], "东河区民政局"])
        report = _report(base, operator, items["SERVE"]["id"], served, evidence)
        requests.post(f"{base}/api/v1/reports/{report['id']}/approve", headers=reviewer, json={"comment": "材料齐全"})
        announce = dict(ANNOUNCE, announced_on=served)
        report = _report(base, operator, items["ANNOUNCE"]["id"], served, announce)
        if decision["doc_number"].endswith("31号"):
            requests.post(f"{base}/api/v1/reports/{report['id']}/reject", headers=reviewer, json={
                "problem": "本人不表态", "requirement": "补充被处分人本人表态记录后重新上报",
                "rectify_by": (date.today() + timedelta(days=7)).isoformat()})


# The seed's headline (纠错率 = 驳回 ÷ 审核): it fell from 25% to 10% in half a year.  Each month of
# the demo's review history, oldest first: (months before this one, reports reviewed, of which
# rejected): 1/4, 1/5, 1/6, 1/7, 1/8, 1/10.
REVIEW_PLAN = ((5, 4, 1), (4, 5, 1), (3, 6, 1), (2, 7, 1), (1, 8, 1), (0, 10, 1))
PROBLEMS = ("本人不表态", "送达部门遗漏", "证明材料不全", "以送达代替宣布", "投档不及时", "证明材料不全")
OPERATORS = {"东河区民政局": "minzheng", "东河区教育局": "jiaoyu", "东河区人民法院": "fayuan",
             "东河区河东街道办事处": "jiedao"}
REPORTABLE = ("open", "rejected")


def evidence_for(code, day, decision):
    """A complete report of ``code`` done on ``day`` (services/review/evidence.yaml)."""
    on, person, unit = day.isoformat(), decision["person"]["name"], decision.get("unit_name") or "所在单位"
    return {
        "SERVE": dict(SERVE, served_on=on, recipients=[person, unit]),
        "ANNOUNCE": dict(ANNOUNCE, announced_on=on, statement="认识到错误，接受组织处理"),
        "COPY": {"copied_on": on, "recipients": ["中共东河区委组织部", "中共东河区委统战部"],
                 "letter_number": f"东纪函〔{day.year}〕{decision['id']}号"},
        "ARCHIVE": {"filed_on": on, "archive_holder": "中共东河区委组织部"},
        "TREATMENT": {"effective_on": on, "changes": "按处分调整职务、职级和工资档次",
                      "approval_number": f"东人社〔{day.year}〕{decision['id']}号"},
        "ORG_HANDLING": {"measure": "、".join(decision.get("org_handling") or ["免职"]),
                         "document_number": f"东组〔{day.year}〕{decision['id']}号"},
        "ASSETS": {"amount_ordered": (decision.get("illicit_gains") or {}).get("amount", "0.01"),
                   "amount_recovered": (decision.get("illicit_gains") or {}).get("amount", "0.01"),
                   "receipt_number": f"FS{day:%Y%m%d}{decision['id']:03d}", "recovered_on": on},
        "LETTERS": {"implemented_on": on, "letters": decision.get("letters") or ["纪检监察建议书"],
                    "summary": "已按建议书要求完成整改"},
        "REPORT": {"reported_on": on, "document_number": f"东纪报〔{day.year}〕{decision['id']}号"},
    }.get(code)


def review_history(base, reviewer, operators, unit_names=None, plan=REVIEW_PLAN,
                   on_month=lambda months_ago: date.today()):
    """The review history behind the headline: each month of ``plan``, reports of open items
    (the next ones as approvals open them) approved or rejected.  ``operators``: {unit id:
    headers} and ``unit_names`` {unit id: name} (the unit a 送达 goes to); ``on_month(months_ago)``
    answers the day that month's reviews are made on.

    The platform dates a review when it is made, and this script loads through the HTTP API, so
    in a live demo every review is made today (``on_month`` answers today) and this month shows
    them all; the month-by-month fall shows when the platform's clock moves through the months
    (tests/e2e/test_stats_api.py moves its services' clocks: the dashboard then reads 25% → 10%).
    Returns how many reviews were made."""
    listed = requests.get(f"{base}/api/v1/decisions", headers=reviewer, params={"per_page": 200}).json()["items"]
    names = unit_names or {}
    decisions = {d["id"]: _detail(base, reviewer, d["id"], names) for d in listed if d["unit_id"] in operators}
    made, problems = 0, iter(PROBLEMS * len(plan))
    for months_ago, reviews, rejections in plan:
        day = on_month(months_ago)
        for n in range(reviews):
            found = _reportable(decisions, day)
            if found is None:
                print(f"demo data: no item left to review ({made} reviews made)", file=sys.stderr)
                return made
            decision, item = found
            report = _report(base, operators[decision["unit_id"]], item["id"], day.isoformat(),
                             evidence_for(item["code"], day, decision))
            if n < rejections:
                verdict = requests.post(f"{base}/api/v1/reports/{report['id']}/reject", headers=reviewer, json={
                    "problem": next(problems), "requirement": "按要求补充材料后重新上报",
                    "rectify_by": (day + timedelta(days=10)).isoformat()})
            else:
                verdict = requests.post(f"{base}/api/v1/reports/{report['id']}/approve", headers=reviewer,
                                        json={"comment": "材料齐全，同意"})
            verdict.raise_for_status()
            made += 1
            decisions[decision["id"]] = _detail(base, reviewer, decision["id"], names)
    return made


def _detail(base, reviewer, decision_id, unit_names):
    reply = requests.get(f"{base}/api/v1/decisions/{decision_id}", headers=reviewer)
    reply.raise_for_status()
    detail = reply.json()
    return dict(detail, unit_name=unit_names.get(detail["unit_id"]))


def _reportable(decisions, day):
    """An item the unit can report now (open first, then those sent back), of a decision taken
    by ``day``, with a report this script knows how to fill."""
    for states in (("open",), ("rejected",)):
        for decision in decisions.values():
            if decision["decision_date"] > day.isoformat():
                continue
            for item in decision["items"]:
                if item["state"] in states and evidence_for(item["code"], day, decision) is not None:
                    return decision, item
    return None


def _report(base, operator, item_id, performed_on, evidence):
    reply = requests.post(f"{base}/api/v1/items/{item_id}/reports", headers=operator,
                          json={"performed_on": performed_on, "evidence": evidence})
    reply.raise_for_status()
    return reply.json()


# 以案促改: two reform cases, one carried out on time to the end, one with a task past its date.
# (doc_number, unit, the decision it arises from, basis, issued days ago, its deadline in days from
# today or None, the tasks reported and approved in order, on the day after the issue date given)
REFORMS = (
    ("东纪建〔2026〕6号", "东河区教育局", "东纪发〔2026〕35号", "纪律检查建议书", 10, 80,
     (("RF_WARNING", 1), ("RF_ANALYSIS", 2), ("RF_LIFE_MEETING", 3), ("RF_PLAN", 4), ("RF_IMPLEMENT", 7),
      ("RF_RULES", 8), ("RF_REPORT", 9))),
    ("东纪建〔2026〕2号", "东河区民政局", "东纪发〔2026〕31号", "纪律检查建议书", 45, None,
     (("RF_WARNING", 20),)),
)


def reform_evidence(code, day, unit):
    """A complete report of a reform task ``code`` done on ``day`` (services/review/evidence.yaml)."""
    on = day.isoformat()
    return {
        "RF_WARNING": {"held_on": on, "scope": f"{unit}全体干部职工", "attendance": 48, "leaders_present": True,
                       "cases": "本单位典型案例"},
        "RF_LIFE_MEETING": {"held_on": on, "leaders_present": True, "absent": [], "supervisors": ["区纪委监委监督检查室"],
                            "criticism": "班子成员逐一对照检查，开展批评与自我批评"},
        "RF_ANALYSIS": {"completed_on": on, "causes": "制度执行不严，监督制约缺位", "risks": ["审批把关不严", "资金发放缺少复核"]},
        "RF_PLAN": {"adopted_on": on, "document_number": f"整改〔{day.year}〕1号",
                    "measures": [f"修订审批办法，{(day + timedelta(days=20)).isoformat()}前完成",
                                 f"建立复核台账，{(day + timedelta(days=30)).isoformat()}前完成"]},
        "RF_IMPLEMENT": {"completed_on": on, "measures_done": ["修订审批办法", "建立复核台账"], "summary": "整改措施已全部落实"},
        "RF_RULES": {"adopted_on": on, "rules": ["审批复核办法"], "document_number": f"制度〔{day.year}〕2号"},
        "RF_REPORT": {"reported_on": on, "document_number": f"报告〔{day.year}〕3号",
                      "measures": ["修订审批办法", "建立复核台账"], "summary": "整改任务全部完成"},
    }[code]


def reform_cases(base, reviewer, operators, units, today):
    """The district's two reform cases (REFORMS), each registered from its decision and its first
    tasks reported and approved in order; returns how many were registered (0 when they were)."""
    decisions = {d["doc_number"]: d for d in requests.get(f"{base}/api/v1/decisions", headers=reviewer,
                                                          params={"per_page": 200}).json()["items"]}
    made = 0
    for doc, unit, decision_doc, basis, issued_ago, due_in, walk in REFORMS:
        decision = decisions.get(decision_doc)
        if decision is None:
            continue
        issued = today - timedelta(days=issued_ago)
        reply = requests.post(f"{base}/api/v1/reforms", headers=reviewer, json={
            "unit_id": units[unit], "decision_ids": [decision["id"]], "basis": basis, "doc_number": doc,
            "issued_on": issued.isoformat(), "due_date": (today + timedelta(days=due_in)).isoformat() if due_in else None,
            "requirements": "深刻汲取案件教训，开展警示教育，剖析案发原因，查找风险点，完善制度，堵塞漏洞，限期整改到位。"})
        if reply.status_code == 409:
            continue
        reply.raise_for_status()
        made += 1
        ids = {i["code"]: i["id"] for i in reply.json()["items"]}
        for code, after_days in walk:
            day = min(issued + timedelta(days=after_days), today)
            report = _report(base, operators[units[unit]], ids[code], day.isoformat(), reform_evidence(code, day, unit))
            requests.post(f"{base}/api/v1/reports/{report['id']}/approve", headers=reviewer,
                          json={"comment": "符合整改要求"}).raise_for_status()
    return made


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--admin-password", default="admin-2026!")
    parser.add_argument("--wait", type=int, default=120)
    parser.add_argument("--records", type=Path, default=RECORDS, help="the district's records (.xlsx)")
    args = parser.parse_args()
    if not wait_until_ready(args.base, args.wait):
        print("demo data: the platform did not become ready; nothing loaded", file=sys.stderr)
        return 1
    admin = login(args.base, "admin", args.admin_password)
    units = {u["name"]: u["id"] for u in requests.get(f"{args.base}/api/v1/units", headers=admin).json()["items"]}
    for username, name, role, unit in USERS:
        requests.post(f"{args.base}/api/v1/users", headers=admin, json={
            "username": username, "password": DEMO_PASSWORD, "name": name, "role": role,
            "unit_id": units[unit]})
    reviewer = login(args.base, "shen", DEMO_PASSWORD)
    created = import_records(args.base, reviewer, args.records)["created"]
    if created:
        walk_some_items(args.base, reviewer)
        operators = {units[unit]: login(args.base, username, DEMO_PASSWORD) for unit, username in OPERATORS.items()}
        reviews = review_history(args.base, reviewer, operators, {i: n for n, i in units.items()})
        print(f"demo data: {reviews} reviews made today (the correction-rate plan {REVIEW_PLAN})")
        reforms = reform_cases(args.base, reviewer, operators, units, date.today())
        print(f"demo data: {reforms} reform cases (以案促改) registered, one on time, one with a task overdue")
    print(f"demo data: {created} decisions registered; users {', '.join(u[0] for u in USERS)} "
          f"(password {DEMO_PASSWORD})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
