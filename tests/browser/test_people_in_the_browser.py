"""人员查询, 人员详情 and 影响期查询 in a real browser: the reviewer registers two decisions for one
person (the second's party period stacked on the first's), finds the person by the last digits
of the 身份证号 and opens the page; the organization department checks a promotion.  Every flow
fails on a console error or a failed request; screenshots go to var/screenshots/."""
import json
import os
import sys

from eventlet.green import subprocess

from services.common.calendar import add_months
from tests.browser.conftest import ROOT
from tests.helpers import TODAY, decision_payload, id_number

NAME = "赵立新"


def register(api, n, doc_number, decided, sanctions):
    payload = decision_payload(n, unit_id=api.unit_id, doc_number=doc_number, decision_date=decided.isoformat(),
                               sanctions=sanctions, illicit_gains=None, org_handling=[], letters=[])
    payload["person"]["name"] = NAME
    reply = api.post("/api/v1/decisions", "shen", json=payload)
    assert reply.status_code == 201, reply.text
    return reply.json()


def run(client_built, web_config_port, platform_config, flow, **args):
    spec = json.dumps({"module": "people_flows", "flow": flow, "base": f"http://127.0.0.1:{web_config_port}",
                       "today": platform_config["CLOCK_TODAY"], "args": args}, ensure_ascii=False)
    done = subprocess.run([sys.executable, "-m", "tests.browser.driver", spec], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=300)
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 0, f"flow {flow} failed:\n{err[-6000:]}\n{out[-2000:]}"
    return json.loads(out.strip().splitlines()[-1])


def test_a_reviewer_finds_a_person_and_a_partner_checks_a_promotion(api, client_built, web_config_port,
                                                                       platform_config):
    who = id_number(41)
    first = register(api, 41, "东纪发〔2026〕11号", add_months(TODAY, -4),
                     [{"kind": "party", "type": "警告"}, {"kind": "government", "type": "记过"}])
    second = register(api, 41, "东纪发〔2026〕12号", add_months(TODAY, -1), [{"kind": "party", "type": "严重警告"}])
    assert first["person"]["id"] == second["person"]["id"]
    person = api.get(f"/api/v1/people/{first['person']['id']}", "shen").json()
    assert [p["stacked"] for p in person["impact_periods"]].count(True) == 1, person["impact_periods"]
    until = next(a for a in person["standing"]["restrictions"] if a["purpose"] == "promotion")["until"]
    assert until
    api.token("shen"), api.token("zuzhi")
    run(client_built, web_config_port, platform_config, "reviewer_finds_the_person", name=NAME, id_number=who,
        doc_numbers=["东纪发〔2026〕11号", "东纪发〔2026〕12号"])
    shown = run(client_built, web_config_port, platform_config, "partner_checks", id_number=who, until=until)
    assert any(f"{until} 起可以" in text for text in shown["answers"])
    trail = api.get("/api/v1/audit", "admin", params={"path": "/api/v1/people/check"}).json()["items"]
    assert sum(row["username"] == "zuzhi" and row["status"] == 200 for row in trail) == 1 + 4 + 4
