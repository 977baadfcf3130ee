"""批量导入 in a real browser: the reviewer downloads the template, checks a workbook by a dry run
(the row errors as a table, downloaded as .xlsx), imports it watching its progress, sees it
listed and the decisions on the list; an operator has no such page.  The flow fails on a console
error or a failed request; screenshots go to var/screenshots/."""
import json
import os
import sys
from datetime import date

from eventlet.green import subprocess

from tests.browser.conftest import ROOT
from tests.helpers import id_number
from tests.workbooks import done, many, row, vocabulary, workbook

ROWS = 1200     # twelve chunks: long enough for the progress to show


def run(client_built, web_config_port, platform_config, flow, **args):
    spec = json.dumps({"module": "import_flows", "flow": flow, "base": f"http://127.0.0.1:{web_config_port}",
                       "today": platform_config["CLOCK_TODAY"], "args": args}, ensure_ascii=False)
    finished = subprocess.run([sys.executable, "-m", "tests.browser.driver", spec], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=600)
    out, err = finished.stdout.decode(), finished.stderr.decode()
    assert finished.returncode == 0, f"flow {flow} failed:\n{err[-6000:]}\n{out[-2000:]}"
    return json.loads(out.strip().splitlines()[-1])


def test_a_reviewer_checks_and_imports_a_workbook_watching_its_progress(api, client_built, web_config_port,
                                                                         platform_config, tmp_path):
    responsible = ["东河区民政局", "东河区教育局", "东河区人民法院", "东河区河东街道办事处"]
    rows, progress = many(ROWS, responsible)
    wrong = id_number(9001)[:-1] + ("1" if id_number(9001)[-1] != "1" else "2")
    rows += [row(9001, **{"person.id_number": wrong}), row(9002, **{"person.unit_id": "东河区财政局"})]
    progress += done("东纪发〔2021〕9002号", ("送达", date(2021, 3, 4)))
    path = tmp_path / "东河区历史处分决定.xlsx"
    path.write_bytes(workbook(vocabulary(api.units), rows, progress))
    api.token("shen"), api.token("min")
    shown = run(client_built, web_config_port, platform_config, "reviewer_imports", workbook=str(path),
                bad_id_number_row=ROWS + 2)
    assert shown["template"] == "处分决定批量导入模板.xlsx"
    assert shown["errors_file"].endswith(".xlsx") and shown["export"] == "处分决定.xlsx"
    assert shown["dry_run"].startswith(f"试运行（未写入）：共 {ROWS + 2} 行，可导入 {ROWS} 行")
    assert shown["imported"].startswith(f"导入完成：共 {ROWS + 2} 行，新增 {ROWS} 行")
    imports = api.get("/api/v1/imports", "shen").json()["items"]
    assert [(i["dry_run"], i["created"], i["invalid"]) for i in imports] == [(False, ROWS, 2), (True, ROWS, 2)]
    assert api.get("/api/v1/decisions", "shen").json()["total"] == ROWS
