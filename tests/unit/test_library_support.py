"""Shared by the library tests (no tests here): one index of the real corpus per session, and a
decision shaped as the case service returns it."""
import copy
import functools
from pathlib import Path

from services.case.rulebook import load_rulebook, rulebook_summary
from services.library.library import Library
from services.library.settings import ROOT

CORPUS = ROOT / "services/library/corpus"
RULEBOOK = ROOT / "services/case/rulebook.yaml"
# The rule book as case serves it over RPC (what the library gets at start-up).
RULEBOOK_DATA = rulebook_summary(load_rulebook(RULEBOOK))


@functools.lru_cache(maxsize=None)
def shared_index_dir(base):
    """The session's index folder under pytest's base temp (built once, by the first user)."""
    folder = Path(base) / "library-index"
    Library.open([CORPUS], folder).close()
    return folder


@functools.lru_cache(maxsize=None)
def shared_library(base):
    return Library.open([CORPUS], shared_index_dir(base), rulebook=RULEBOOK_DATA)


DECISION = {
    "id": 7, "doc_number": "东纪发〔2021〕12号", "decided_by": "东河区纪委监委",
    "decision_date": "2021-03-01", "status": "executing", "unit_id": 3,
    "facts": "违规办理低保，收受好处费12000元。以上事实清楚。",
    "person": {"id": 5, "name": "张三", "id_number": "15020219800101123X", "gender": "男",
               "unit_id": 3, "post": "科员", "political_status": "中共党员",
               "democratic_party": None, "category": "公务员"},
    "sanctions": [{"kind": "party", "type": "留党察看", "months": 12},
                  {"kind": "government", "type": "撤职", "months": None}],
    "impact_periods": [
        {"kind": "party", "sanction_type": "留党察看", "starts_on": "2021-03-01",
         "ends_on": "2022-03-01", "months": 12},
        {"kind": "government", "sanction_type": "撤职", "starts_on": "2021-03-01",
         "ends_on": "2023-03-01", "months": 24}],
    "illicit_gains": {"amount": "12000.00", "disposition": "收缴"},
    "org_handling": ["免职"], "letters": ["纪检监察建议书"],
    "items": [
        {"id": 1, "code": "SERVE", "name": "送达", "seq": 1, "state": "open", "opens_on": None,
         "due_date": "2021-04-01", "partners": [],
         "legal_basis": [{"regulation": "S01", "article": 203}, {"regulation": "L01", "article": 46}]},
        {"id": 2, "code": "ANNOUNCE", "name": "宣布", "seq": 2, "state": "locked", "opens_on": None,
         "due_date": "2021-04-01", "partners": [],
         "legal_basis": [{"regulation": "P01", "article": 44}]},
        {"id": 3, "code": "COPY", "name": "抄送", "seq": 3, "state": "locked", "opens_on": None,
         "due_date": "2021-04-01", "partners": ["organization"],
         "legal_basis": [{"regulation": "P04", "article": 56}]},
        {"id": 5, "code": "TREATMENT", "name": "调整待遇", "seq": 5, "state": "locked",
         "opens_on": None, "due_date": "2021-04-01", "partners": ["hr"],
         "legal_basis": [{"regulation": "L01", "article": 54}]},
        {"id": 7, "code": "ASSETS", "name": "涉案财物收缴退赔", "seq": 7, "state": "locked",
         "opens_on": None, "due_date": "2021-04-01", "partners": ["finance"],
         "legal_basis": [{"regulation": "S01", "article": 209}]},
        {"id": 9, "code": "REPORT", "name": "执行情况报告", "seq": 9, "state": "locked",
         "opens_on": None, "due_date": "2021-09-01", "partners": [],
         "legal_basis": [{"regulation": "P01", "article": 45}]},
        {"id": 12, "code": "RESTORE", "name": "恢复权利", "seq": 12, "state": "locked",
         "opens_on": "2022-01-30", "due_date": "2022-04-01", "partners": [],
         "legal_basis": [{"regulation": "P01", "article": 12}, {"regulation": "P03", "article": 21}]},
    ],
}


def sample_decision(**changes):
    decision = copy.deepcopy(DECISION)
    decision.update(changes)
    return decision
