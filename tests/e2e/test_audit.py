"""The audit trail as evidence (issue 11), through HTTP: every answered request is in it even
when the gateway dies right after answering, a request whose audit row cannot be written is not
answered as a success, rows name who, what and which record, and ``GET /audit/verify`` names
the first row edited, deleted or moved in the database."""
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from gateway.seed import seed
from gateway.service import GatewayService
from services.case.service import CaseService
from services.common.db import make_engine
from services.deadline.service import DeadlineService
from tests.e2e.conftest import ADMIN_PASSWORD, Platform
from tests.helpers import count_rows, decision_payload


@pytest.fixture
def deployed(platform_config, runner_factory, web_session):
    """The gateway with case and deadline, and the runner, to kill it."""
    engine = make_engine(platform_config["GATEWAY_DB_URL"])
    with Session(engine) as session:
        seed(session, ADMIN_PASSWORD)
    engine.dispose()
    runner = runner_factory(platform_config, GatewayService, CaseService, DeadlineService)
    runner.start()
    return runner, Platform(web_session, platform_config)


def sql(api, statement, **params):
    engine = create_engine(api.config["GATEWAY_DB_URL"], poolclass=NullPool)
    with engine.begin() as conn:
        result = conn.execute(text(statement), params)
        rows = result.mappings().all() if result.returns_rows else None
    engine.dispose()
    return rows


def verify(api):
    reply = api.get("/api/v1/audit/verify", "admin")
    assert reply.status_code == 200
    return reply.json()


def test_requests_answered_just_before_the_gateway_dies_are_all_in_the_trail(deployed):
    runner, api = deployed
    api.token("min")
    before = count_rows(api.config["GATEWAY_DB_URL"], "audit_entry")["audit_entry"]
    answered = [api.get("/api/v1/decisions", "min").status_code for _ in range(5)]
    runner.kill()   # no stop, no flush: whatever is not committed is gone
    assert answered == [200] * 5
    rows = sql(api, "SELECT method, path, status, username FROM audit_entry WHERE seq > :n ORDER BY seq",
               n=before)
    assert [(r["method"], r["path"], r["status"], r["username"]) for r in rows] == \
        [("GET", "/api/v1/decisions", 200, "min")] * 5


def test_a_request_whose_audit_row_cannot_be_written_is_not_answered_as_done(deployed):
    _, api = deployed
    api.token("shen")
    sql(api, "ALTER TABLE audit_entry RENAME TO audit_entry_away")
    try:
        created = api.post("/api/v1/users", "admin", json={
            "username": "wang", "password": "wang-pw-123", "name": "王", "role": "leader"})
        listed = api.get("/api/v1/decisions", "shen")
        probed = api.http.get("/api/v1/health")   # a probe is not audited: it still answers
    finally:
        sql(api, "ALTER TABLE audit_entry_away RENAME TO audit_entry")
    assert created.status_code == 500 and listed.status_code == 500 and probed.status_code == 200
    # The user was to be written in the audit row's transaction: it was not written either.
    assert not sql(api, "SELECT id FROM user_account WHERE username = 'wang'")
    assert verify(api)["ok"] is True


def test_rows_name_who_what_and_which_record_beside_the_raw_request(deployed):
    _, api = deployed
    reply = api.post("/api/v1/decisions", "shen", json=decision_payload(7, unit_id=api.unit_id))
    assert reply.status_code == 201
    decision_id = reply.json()["id"]
    api.get(f"/api/v1/decisions/{decision_id}", "min")
    api.http.post("/api/v1/auth/login", json={"username": "nobody", "password": "guess"})
    rows = api.get("/api/v1/audit", "admin", params={"per_page": 200}).json()["items"]
    registered = next(r for r in rows if r["method"] == "POST" and r["path"] == "/api/v1/decisions")
    assert (registered["username"], registered["user_name"], registered["action"], registered["status"]) == \
        ("shen", "shen", "登记处分决定", 201)
    assert registered["target"] == "东纪发〔2021〕7号（张三7）"
    read = next(r for r in rows if r["path"] == f"/api/v1/decisions/{decision_id}")
    assert (read["username"], read["action"]) == ("min", "查看处分决定")
    assert read["target"] == f"处分决定 #{decision_id}：东纪发〔2021〕7号（张三7）"
    created = next(r for r in rows if r["method"] == "POST" and r["path"] == "/api/v1/users"
                   and r["target"] == "用户 min（min）")
    assert (created["username"], created["action"], created["status"]) == ("admin", "新建用户", 201)
    failed = next(r for r in rows if r["path"] == "/api/v1/auth/login" and r["status"] == 401)
    assert (failed["username"], failed["user_id"], failed["target"]) == ("nobody", None, "账户 nobody")
    assert all(len(r["hash"]) == 64 for r in rows)
    assert [r["seq"] for r in rows] == sorted((r["seq"] for r in rows), reverse=True)


def test_verify_names_the_first_row_edited_deleted_or_moved(deployed):
    _, api = deployed
    for _ in range(4):
        api.get("/api/v1/decisions", "min")
    assert api.get("/api/v1/audit/verify", "shen").status_code == 403
    first = verify(api)
    assert first["ok"] is True and first["first_bad"] is None and first["entries"] >= 8

    # Rewrite one row (a 403 made a 200), as the probe did: named, with its id.
    target = sql(api, "SELECT id, seq FROM audit_entry WHERE path = '/api/v1/audit/verify' AND status = 403")[0]
    sql(api, "UPDATE audit_entry SET status = 200 WHERE id = :id", id=target["id"])
    report = verify(api)
    assert report["ok"] is False
    assert (report["first_bad"]["id"], report["first_bad"]["seq"], report["first_bad"]["problem"]) == \
        (target["id"], target["seq"], "edited")
    sql(api, "UPDATE audit_entry SET status = 403 WHERE id = :id", id=target["id"])
    assert verify(api)["ok"] is True

    # Delete one row: the gap is named, not silently skipped.
    gone = sql(api, "SELECT seq FROM audit_entry WHERE path = '/api/v1/decisions' ORDER BY seq")[1]["seq"]
    sql(api, "DELETE FROM audit_entry WHERE seq = :seq", seq=gone)
    bad = verify(api)["first_bad"]
    assert (bad["seq"], bad["problem"]) == (gone, "deleted")


def test_verify_names_rows_swapped_in_order(deployed):
    _, api = deployed
    for _ in range(3):
        api.get("/api/v1/decisions", "min")
    rows = sql(api, "SELECT seq FROM audit_entry ORDER BY seq")
    a, b = rows[2]["seq"], rows[3]["seq"]
    sql(api, "UPDATE audit_entry SET seq = -1 WHERE seq = :a", a=a)
    sql(api, "UPDATE audit_entry SET seq = :a WHERE seq = :b", a=a, b=b)
    sql(api, "UPDATE audit_entry SET seq = :b WHERE seq = -1", b=b)
    bad = verify(api)["first_bad"]
    assert bad["seq"] == a and bad["problem"] in ("edited", "reordered")


def test_the_trail_is_for_admins_and_leaders_and_verify_for_admins(deployed):
    _, api = deployed
    api.user("lingdao", "leader")
    assert api.get("/api/v1/audit", "lingdao").status_code == 200
    assert api.get("/api/v1/audit/verify", "lingdao").status_code == 403
    assert api.get("/api/v1/audit", "min").status_code == 403
    assert api.get("/api/v1/audit", "admin", params={"username": "lingdao"}).json()["total"] >= 2
