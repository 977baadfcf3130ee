"""Load the district's demo data through the HTTP API, once the platform answers.

    .venv/bin/python scripts/demo_data.py [--base http://127.0.0.1:8000] [--wait 120]

Idempotent: users and decisions that exist already (409) are left as they are.  Dates are
relative to today, so the demo shows items on track, near their deadline and overdue.
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


def decisions(units, today):
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


def _report(base, operator, item_id, performed_on, evidence):
    reply = requests.post(f"{base}/api/v1/items/{item_id}/reports", headers=operator,
                          json={"performed_on": performed_on, "evidence": evidence})
    reply.raise_for_status()
    return reply.json()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--admin-password", default="admin-2026!")
    parser.add_argument("--wait", type=int, default=120)
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
    created = 0
    for doc, decided, who, sanctions, gains, org, letters, facts in decisions(units, date.today()):
        reply = requests.post(f"{args.base}/api/v1/decisions", headers=reviewer, json={
            "person": who, "doc_number": doc, "decided_by": "东河区纪委监委", "decision_date": decided,
            "sanctions": sanctions, "illicit_gains": gains, "org_handling": org, "letters": letters,
            "facts": facts})
        if reply.status_code == 201:
            created += 1
        elif reply.status_code != 409:
            print(f"demo data: {doc} refused: {reply.text}", file=sys.stderr)
    if created:
        walk_some_items(args.base, reviewer)
    print(f"demo data: {created} decisions registered; users {', '.join(u[0] for u in USERS)} "
          f"(password {DEMO_PASSWORD})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
