"""Case's batch import (services/case/imports.py) on a fake unit of work: no broker, no container.

Each row is checked as POST /decisions checks it and built by the registration's own code;
the items done before are approved on their days with imported transitions, what is not done
opens (red at once when its deadline passed), the rule book's gates and order hold for
history too; rows in error write nothing, a 文号 already registered is skipped, a dry run
writes only the import's record, a chunk is applied once, and the events are a registration's.
"""
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from services.case import execution, imports
from services.case.models import Base as CaseBase
from services.case.models import (Decision, ExecutionItem, ImpactPeriod, ImportBatch, ImportEvent, ImportRowError,
                                  ItemTransition)
from services.case.rulebook import load_rulebook
from services.common.actor import Actor
from services.common.errors import Conflict, Forbidden
from services.deadline import projection
from services.deadline.models import Base as DeadlineBase
from services.deadline.models import Deadline
from services.deadline.thresholds import Settings, light
from services.deadline.tracking import countdown_of
from tests.fakes import FakeClock, FakeUnitOfWork
from tests.helpers import decision_payload, id_number

BOOK = load_rulebook("services/case/rulebook.yaml")
REVIEWER = Actor(user_id=1, role="reviewer", unit_id=1)
TODAY = "2026-06-15"
SETTINGS = Settings(reminder_idle_days=10, warning_days_before_due=5, overdue_repeat_days=1)


@pytest.fixture
def uow():
    work = FakeUnitOfWork(CaseBase.metadata)
    yield work
    work.dispose()


@pytest.fixture
def clock():
    return FakeClock(TODAY)


def row_in(number, n=None, progress=(), problems=(), **overrides):
    """A row as the gateway sends it: the registration body (tests.helpers.decision_payload:
    留党察看 12 months + 撤职, gains, 免职, a letter, of 2021-03-01), its progress rows (numbered
    ``number``01, ``number``02 … of the progress sheet)."""
    payload = decision_payload(n or number, unit_id=2, **overrides)
    payload["person"]["unit_kind"] = "responsible"
    entries = []
    for index, step in enumerate(progress, start=number * 100 + 1):
        name, *rest = step
        cycle, on = (rest[0], rest[1]) if len(rest) == 2 else (None, rest[0])
        entries.append({"row": index, "item": name, "cycle": cycle, "performed_on": on, "problems": []})
    return {"row": number, "payload": payload, "progress": entries, "problems": list(problems)}


def run(uow, clock, rows, dry_run=False, actor=REVIEWER):
    """The import of ``rows`` in chunks of three, finished, and its events released (case's timer)."""
    batch = imports.start_import(uow, clock, actor, {"filename": "历史.xlsx", "sha256": "a" * 64, "size": 100,
                                                     "rows": len(rows), "dry_run": dry_run, "user_name": "沈审理"})
    for offset in range(0, len(rows), 3):       # small chunks: several transactions
        imports.import_rows(uow, BOOK, clock, actor, batch["id"], offset, rows[offset:offset + 3], dry_run)
    result = imports.finish_import(uow, clock, actor, batch["id"])
    while imports.release_events(uow, limit=5):
        pass
    return result


def count(uow, model, *where):
    return uow.committed().scalar(select(func.count()).select_from(model).where(*where))


def decision_of(uow, doc_number):
    return uow.session.scalar(select(Decision).where(Decision.doc_number == doc_number))


EXECUTED = (("送达", "2021-03-05"), ("宣布", "2021-03-10"), ("抄送", "2021-03-12"), ("归档", "2021-03-20"),
            ("调整待遇", "2021-03-25"), ("组织处理", "2021-03-25"), ("涉案财物收缴退赔", "2021-03-26"),
            ("落实\"三书\"", "2021-03-29"), ("执行情况报告", "2021-08-20"), ("评定等级", 2021, "2022-01-15"),
            ("评定等级（2022年度）", "2023-01-16"), ("教育回访", "2021-07-01"), ("恢复权利", "2022-02-15"))


# -- what is written ----------------------------------------------------------------------------
def test_a_fully_executed_decision_is_recorded_approved_on_its_days_as_imported(uow, clock):
    result = run(uow, clock, [row_in(2, progress=EXECUTED)])

    assert (result["rows"], result["created"], result["skipped"], result["invalid"], result["errors"]) == (1, 1, 0, 0, [])
    decision = decision_of(uow, "东纪发〔2021〕2号")
    assert decision.status == "completed" and decision.request_id == f"import:{result['id']}:2"
    assert {i.state for i in decision.items} == {"approved"}
    serve = decision.items[0]
    assert [(t.from_state, t.to_state, t.at, t.imported) for t in serve.history] == [
        ("locked", "open", datetime(2021, 3, 1, 12), True), ("open", "approved", datetime(2021, 3, 5, 12), True)]
    assert "已于 2021-03-05 办结，无上报材料" in serve.history[1].reason
    # One 评定等级 per year-end in the latest period (撤职: 24 months), the year named either way.
    assert [(i.code, i.cycle) for i in decision.items if i.code == "RATING"] == [("RATING", 2021), ("RATING", 2022)]
    # Events: the registration (every item approved, each with its day), then completion; nothing opened.
    kinds = uow.event_types()
    assert kinds == ["decision_registered", "decision_completed"]
    [registered] = uow.events_of("decision_registered")
    assert registered["imported"] is True and registered["registered_on"] == TODAY
    assert {(i["code"], i["approved_on"]) for i in registered["items"]} >= {("SERVE", "2021-03-05"),
                                                                             ("REPORT", "2021-08-20")}


def test_what_is_not_done_opens_and_is_red_at_once_when_its_deadline_passed(uow, clock):
    run(uow, clock, [row_in(2, progress=EXECUTED[:4])])     # 送达 … 归档 done

    decision = decision_of(uow, "东纪发〔2021〕2号")
    states = {(i.code, i.cycle): i.state for i in decision.items}
    assert states[("ARCHIVE", None)] == "approved"
    assert states[("TREATMENT", None)] == states[("ASSETS", None)] == "open"
    assert states[("REPORT", None)] == "locked"                          # waits for TREATMENT …
    # The time gates follow the rule book from the decision date, long passed: open now.
    assert states[("EDU_VISIT", None)] == states[("RATING", 2021)] == "open"
    treatment = next(i for i in decision.items if i.code == "TREATMENT")
    assert treatment.due_date == date(2021, 4, 1)
    assert treatment.history[-1].imported is False and treatment.history[-1].reason == "前序事项已审核通过"
    # The registration's events: decision_registered first (it names every state), then what opened.
    kinds = uow.event_types()
    assert kinds[0] == "decision_registered" and "decision_completed" not in kinds
    opened = [e["code"] for e in uow.events_of("item_opened")]
    assert opened == ["TREATMENT", "ORG_HANDLING", "ASSETS", "LETTERS", "RATING", "RATING", "EDU_VISIT", "RESTORE"]
    # Deadline's countdowns from that event: red at once, the imported items dated, no gate announced.
    deadline = FakeUnitOfWork(DeadlineBase.metadata)
    try:
        [registered] = uow.events_of("decision_registered")
        projection.on_decision_registered(deadline, SETTINGS, clock.today(), registered)
        rows = {(r.code, r.item_id): r for r in deadline.session.scalars(select(Deadline))}
        by_code = {code: row for (code, _), row in rows.items()}
        assert light(countdown_of(by_code["TREATMENT"]), SETTINGS, clock.today()) == "red"
        assert by_code["ARCHIVE"].approved_on == date(2021, 3, 20) and by_code["TREATMENT"].approved_on is None
        assert all(r.gate_reached for r in rows.values() if r.opens_on is not None)
    finally:
        deadline.dispose()


def test_a_second_decision_of_one_person_stacks_on_the_first_as_a_registration_would(uow, clock):
    first = row_in(2, n=7, doc_number="东纪发〔2021〕7号", sanctions=[{"kind": "party", "type": "警告"}],
                   illicit_gains=None, org_handling=[], letters=[])
    second = row_in(3, n=7, doc_number="东纪发〔2021〕8号", decision_date="2021-09-01",
                    sanctions=[{"kind": "party", "type": "严重警告"}], illicit_gains=None, org_handling=[], letters=[])
    run(uow, clock, [first, second])

    periods = uow.session.scalars(select(ImpactPeriod).order_by(ImpactPeriod.id)).all()
    assert [(p.sanction_type, p.ends_on, p.stacked) for p in periods] == [
        ("警告", date(2022, 3, 1), False), ("严重警告", date(2023, 9, 1), True)]     # 第21条: 6 left + 18


# -- what is refused ----------------------------------------------------------------------------
def test_rows_in_error_write_nothing_and_the_others_are_written(uow, clock):
    rows = [
        row_in(2),                                                            # fine
        row_in(3, person__id_number=id_number(3)[:-1] + ("0" if id_number(3)[-1] != "0" else "1")),
        row_in(4, person__political_status="群众", sanctions=[{"kind": "party", "type": "警告"}]),
        row_in(5, sanctions=[{"kind": "party", "type": "留党察看"}]),
        row_in(6, decision_date="2027-01-01"),
        row_in(7, problems=[{"field": "person.unit_id", "message": "单位不存在：东河区不存在局"}]),
        row_in(8, progress=[("宣布", "2021-03-10")]),                          # 送达 not done
        row_in(9, progress=[("送达", "2021-03-05"), ("宣布", "2021-03-04")]),   # out of order
        row_in(10, progress=[("送达", "2021-02-01")]),                         # before the decision
        row_in(11, progress=[("送达", "2021-03-05"), ("送达", "2021-03-06")]),  # twice
        row_in(12, progress=[("盖章", "2021-03-05")]),
        row_in(13, progress=EXECUTED[:4] + (("评定等级", "2022-01-15"),)),       # no year
        row_in(14, progress=EXECUTED[:4] + (("评定等级", 2023, "2024-01-15"),)),  # not in the period
        row_in(15, progress=EXECUTED[:4] + (("教育回访", "2021-05-01"),)),        # before its gate
        row_in(16, progress=[("送达", "2027-01-01")]),
        row_in(17),                                                           # fine
    ]
    result = run(uow, clock, rows)

    assert (result["created"], result["invalid"], result["skipped"]) == (2, 14, 0)
    said = {(e["sheet"], e["row"], e["column"]): e["message"] for e in result["errors"]}
    assert said[("处分决定", 3, "身份证号")] == "身份证号校验位错误"
    assert "群众不能给予党纪处分" in said[("处分决定", 4, "党纪处分")]
    assert "留党察看须写明期限" in said[("处分决定", 5, "党纪处分期限（月）")]
    assert said[("处分决定", 6, "决定日期")] == "不能是将来的日期"
    assert said[("处分决定", 7, "所在单位")] == "单位不存在：东河区不存在局"
    assert "须在前序事项“送达”办结之后" in said[("执行进度", 801, "办结日期")]
    assert said[("处分决定", 8, None)] == "执行进度（第801行）有误，本行未导入"
    assert "早于前序事项“送达”的办结日期 2021-03-05" in said[("执行进度", 902, "办结日期")]
    assert "早于决定日期 2021-03-01" in said[("执行进度", 1001, "办结日期")]
    assert said[("执行进度", 1102, "执行事项")] == "与第1101行重复：同一事项只填写一次"
    assert said[("执行进度", 1201, "执行事项")].startswith("未知的执行事项：盖章（可选：送达、宣布")
    assert said[("执行进度", 1305, "考核年度")] == "评定等级须填写考核年度"
    assert "没有 2023 年度考核" in said[("执行进度", 1405, "执行事项")]
    assert "早于“教育回访”按规则库开启的日期 2021-06-01" in said[("执行进度", 1505, "办结日期")]
    assert "不能晚于今天" in said[("执行进度", 1601, "办结日期")]
    # Nothing of a row in error was written; the two good rows were, whole.
    assert sorted(d.doc_number for d in uow.session.scalars(select(Decision))) == ["东纪发〔2021〕17号", "东纪发〔2021〕2号"]
    assert count(uow, ExecutionItem) == 26 and count(uow, ImpactPeriod) == 4
    assert count(uow, ImportRowError) == len(result["errors"])
    assert len(uow.events_of("decision_registered")) == 2


def test_a_doc_number_already_registered_is_skipped_and_a_second_import_creates_nothing(uow, clock):
    execution.register_decision(uow, BOOK, clock, REVIEWER, dict(decision_payload(2, unit_id=2)))
    rows = [row_in(2), row_in(3, progress=EXECUTED[:2])]
    first = run(uow, clock, rows)
    assert (first["created"], first["skipped"]) == (1, 1)
    written = (count(uow, Decision), count(uow, ExecutionItem), count(uow, ItemTransition), len(uow.events))
    again = run(uow, clock, rows)
    assert (again["created"], again["skipped"], again["invalid"]) == (0, 2, 0)
    assert (count(uow, Decision), count(uow, ExecutionItem), count(uow, ItemTransition), len(uow.events)) == written


def test_a_dry_run_checks_every_row_and_writes_only_the_imports_record(uow, clock):
    rows = [row_in(2, progress=EXECUTED), row_in(3, person__id_number="110105198001011230")]
    result = run(uow, clock, rows, dry_run=True)
    assert (result["dry_run"], result["created"], result["invalid"]) == (True, 1, 1)
    assert [e["column"] for e in result["errors"]] == ["身份证号"]
    assert count(uow, Decision) == count(uow, ExecutionItem) == count(uow, ItemTransition) == 0
    assert uow.events == [] and count(uow, ImportBatch) == 1


def test_an_imports_events_are_held_until_it_is_done_then_published_in_their_order(uow, clock, monkeypatch):
    batch = imports.start_import(uow, clock, REVIEWER, {"filename": "a.xlsx", "sha256": "b" * 64, "size": 1, "rows": 2})
    imports.import_rows(uow, BOOK, clock, REVIEWER, batch["id"], 0, [row_in(2, progress=EXECUTED[:4])])
    assert uow.events == [] and count(uow, ImportEvent) > 0            # written, held
    assert imports.release_events(uow) == 0                              # the import is running
    monkeypatch.setattr(imports, "IDLE_SECONDS", -1)                      # … unless it was left idle
    assert imports.release_events(uow, limit=2) == 2
    monkeypatch.setattr(imports, "IDLE_SECONDS", 600)
    imports.import_rows(uow, BOOK, clock, REVIEWER, batch["id"], 1, [row_in(3)])
    finished = imports.finish_import(uow, clock, REVIEWER, batch["id"])
    assert finished["events_waiting"] == count(uow, ImportEvent) > 0
    while imports.release_events(uow, limit=3):
        pass
    assert count(uow, ImportEvent) == 0
    kinds = uow.event_types()
    assert kinds[0] == "decision_registered" and kinds.count("decision_registered") == 2
    first, second = [i for i, k in enumerate(kinds) if k == "decision_registered"]
    assert kinds[1:second] == ["item_state_changed", "item_opened"] * ((second - 1) // 2)
    assert imports.get_import(uow.session, REVIEWER, batch["id"])["events_waiting"] == 0


def test_a_chunk_is_applied_once_and_in_order(uow, clock):
    batch = imports.start_import(uow, clock, REVIEWER, {"filename": "a.xlsx", "sha256": "b" * 64, "size": 1, "rows": 4})
    chunk = [row_in(2), row_in(3)]
    assert imports.import_rows(uow, BOOK, clock, REVIEWER, batch["id"], 0, chunk)["created"] == 2
    again = imports.import_rows(uow, BOOK, clock, REVIEWER, batch["id"], 0, chunk)     # redelivered
    assert (again["processed"], again["created"]) == (2, 2) and count(uow, Decision) == 2
    with pytest.raises(Conflict):
        imports.import_rows(uow, BOOK, clock, REVIEWER, batch["id"], 3, [row_in(5)])       # a gap
    with pytest.raises(Conflict):
        imports.finish_import(uow, clock, REVIEWER, batch["id"])                          # rows left
    # The same request id answers the import it started (to resume it), another file is a 409.
    keyed = imports.start_import(uow, clock, REVIEWER, {"filename": "b.xlsx", "sha256": "c" * 64, "size": 1, "rows": 1},
                                 "req-1")
    assert imports.start_import(uow, clock, REVIEWER, {"filename": "b.xlsx", "sha256": "c" * 64, "size": 1,
                                                       "rows": 1}, "req-1")["id"] == keyed["id"]
    with pytest.raises(Conflict):
        imports.start_import(uow, clock, REVIEWER, {"filename": "c.xlsx", "sha256": "d" * 64, "size": 1, "rows": 1},
                             "req-1")


def test_a_doc_number_registered_meanwhile_is_found_at_the_write_and_the_chunk_done_row_by_row(uow, clock, monkeypatch):
    execution.register_decision(uow, BOOK, clock, REVIEWER, dict(decision_payload(3, unit_id=2)))
    monkeypatch.setattr(imports, "_taken", lambda session, rows: set())    # as if registered after the check
    result = run(uow, clock, [row_in(2), row_in(3), row_in(4)])
    assert (result["created"], result["skipped"], result["invalid"]) == (2, 1, 0)
    assert count(uow, Decision) == 3


def test_only_the_review_office_and_the_admin_import(uow, clock):
    for role in ("operator", "leader", "partner"):
        with pytest.raises(Forbidden):
            imports.start_import(uow, clock, Actor(user_id=9, role=role, unit_id=2),
                                 {"filename": "a.xlsx", "sha256": "e" * 64, "size": 1, "rows": 1})
    with pytest.raises(Forbidden):
        imports.list_imports(uow.session, Actor(user_id=9, role="leader", unit_id=1))
    assert count(uow, ImportBatch) == 0


# -- the export ----------------------------------------------------------------------------------
def test_the_export_gives_the_rows_and_progress_the_import_reads(uow, clock):
    run(uow, clock, [row_in(2, progress=EXECUTED[:4] + (("评定等级", 2021, "2022-01-15"),))])
    export = imports.export_rows(uow.session, REVIEWER, {}, __import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    [decision] = export["decisions"]
    assert decision["doc_number"] == "东纪发〔2021〕2号" and decision["person.unit_id"] == 2
    assert decision["sanctions.party.type"] == "留党察看" and decision["sanctions.party.months"] == 12
    assert decision["illicit_gains.amount"] == "12000.00" and decision["org_handling"] == "免职"
    assert [(p["item"], p["cycle"], p["performed_on"]) for p in export["progress"]] == [
        ("送达", None, "2021-03-05"), ("宣布", None, "2021-03-10"), ("抄送", None, "2021-03-12"),
        ("归档", None, "2021-03-20"), ("评定等级", 2021, "2022-01-15")]
    # An operator of another unit exports nothing of it.
    assert imports.export_rows(uow.session, Actor(user_id=3, role="operator", unit_id=5), {},
                               __import__("zoneinfo").ZoneInfo("Asia/Shanghai"))["decisions"] == []
