"""The audit trail as a hash chain (issue 11): each row's SHA-256 covers its canonical content
and the previous row's hash, so ``verify`` names the first row edited, deleted or moved, and a
cut tail; rows written before the chain existed are sealed into it by the migration."""
import importlib.util
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text, update
from sqlalchemy.orm import Session

from gateway import audit
from gateway.models import AuditEntry
from gateway.models import Base as GatewayBase
from services.common import migrate
from tests.fakes import FakeUnitOfWork

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 6, 15, 9, 30, 0, 123456)


def _row(n, **fields):
    return dict({"at": AT + timedelta(seconds=n), "user_id": 2, "username": "shen", "user_name": "沈审理",
                 "action": "登记处分决定", "target": f"东纪发〔2021〕{n}号（张三{n}）", "method": "POST",
                 "path": "/api/v1/decisions", "status": 201, "duration_ms": 12, "remote_addr": "127.0.0.1"},
                **fields)


@pytest.fixture
def chain():
    """A gateway database holding five chained rows."""
    uow = FakeUnitOfWork(GatewayBase.metadata)
    for n in range(1, 6):
        audit.append(uow.session, **_row(n))
    uow.session.commit()
    yield uow.session
    uow.dispose()


def test_rows_are_chained_in_order_and_verify(chain):
    rows = chain.query(AuditEntry).order_by(AuditEntry.seq).all()
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == audit.GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(rows, rows[1:]))
    assert len({r.hash for r in rows}) == 5 and all(len(r.hash) == 64 for r in rows)
    assert audit.verify(chain) == {"ok": True, "entries": 5, "first_bad": None,
                                   "head": {"seq": 5, "hash": rows[-1].hash}}


def test_the_canonical_form_is_sorted_compact_json_of_the_chained_fields(chain):
    row = chain.query(AuditEntry).filter_by(seq=1).one()
    assert audit.canonical(row).decode().startswith('{"action":"登记处分决定","at":"2026-06-15T09:30:01.123456"')
    assert audit.canonical(row) == audit.canonical({f: getattr(row, f) for f in audit.CHAINED_FIELDS})


@pytest.mark.parametrize("column,value", [("status", 200), ("username", "admin"), ("target", "—"),
                                          ("at", AT), ("path", "/api/v1/decisions?x=1"), ("remote_addr", None)])
def test_an_edited_row_is_named(chain, column, value):
    chain.execute(update(AuditEntry).where(AuditEntry.seq == 3).values({column: value}))
    chain.commit()
    report = audit.verify(chain)
    assert report["ok"] is False and report["entries"] == 3
    assert (report["first_bad"]["seq"], report["first_bad"]["problem"]) == (3, "edited")
    assert "第 3 条" in report["first_bad"]["message"]


def test_a_deleted_row_is_named_by_its_number(chain):
    chain.execute(text("DELETE FROM audit_entry WHERE seq = 2"))
    chain.commit()
    bad = audit.verify(chain)["first_bad"]
    assert (bad["seq"], bad["problem"]) == (2, "deleted") and "第 2 条记录缺失" in bad["message"]


def test_a_cut_tail_is_named(chain):
    chain.execute(text("DELETE FROM audit_entry WHERE seq >= 4"))
    chain.commit()
    report = audit.verify(chain)
    assert report["entries"] == 3
    assert (report["first_bad"]["seq"], report["first_bad"]["problem"]) == (4, "deleted")


def test_rows_put_in_another_order_are_named(chain):
    # Swap rows 2 and 3 (positions and all): both rows still hash to themselves.
    chain.execute(text("UPDATE audit_entry SET seq = -2 WHERE seq = 2"))
    chain.execute(text("UPDATE audit_entry SET seq = 2 WHERE seq = 3"))
    chain.execute(text("UPDATE audit_entry SET seq = 3 WHERE seq = -2"))
    chain.commit()
    assert audit.verify(chain)["first_bad"]["seq"] == 2
    # Rows renumbered to close a gap, their hashes recomputed: the link to row 1 breaks.
    chain.execute(text("DELETE FROM audit_entry"))
    chain.execute(text("UPDATE audit_head SET seq = 0, hash = :g"), {"g": audit.GENESIS})
    for n in (1, 2, 3):
        audit.append(chain, **_row(n))
    moved = chain.query(AuditEntry).filter_by(seq=3).one()
    moved.prev_hash = audit.GENESIS
    moved.hash = audit.entry_hash(moved)
    chain.commit()
    bad = audit.verify(chain)["first_bad"]
    assert (bad["seq"], bad["problem"]) == (3, "reordered")


def test_an_empty_trail_verifies(tmp_path):
    uow = FakeUnitOfWork(GatewayBase.metadata)
    assert audit.verify(uow.session) == {"ok": True, "entries": 0, "first_bad": None,
                                         "head": {"seq": 0, "hash": audit.GENESIS}}
    uow.dispose()


def _migration():
    path = ROOT / "gateway/migrations/versions/d4e1a7c0b5f2_security.py"
    spec = importlib.util.spec_from_file_location("security_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_hashes_as_the_gateway_does():
    module = _migration()
    values = dict(_row(1), seq=1, prev_hash=audit.GENESIS)
    assert module.CHAINED_FIELDS == audit.CHAINED_FIELDS
    assert module.chain_hash(values) == audit.entry_hash(values)
    assert module.chain_hash(dict(values, user_name=None, at=AT.replace(microsecond=0))) == \
        audit.entry_hash(dict(values, user_name=None, at=AT.replace(microsecond=0)))


def test_the_migration_seals_the_rows_written_before_the_chain(tmp_path):
    url = f"sqlite:///{tmp_path}/gateway.db"
    migrate.upgrade("gateway", url, "fca56d55b2bf")
    engine = create_engine(url)
    with engine.begin() as conn:
        for n in range(3):
            conn.execute(text("INSERT INTO audit_entry (at, user_id, method, path, status, duration_ms, remote_addr)"
                              " VALUES (:at, NULL, 'GET', '/api/v1/me', 200, 3, '127.0.0.1')"),
                         {"at": AT + timedelta(seconds=n)})
    migrate.upgrade("gateway", url)
    with Session(engine) as session:
        assert audit.verify(session)["ok"] is True and audit.verify(session)["entries"] == 3
        audit.append(session, **_row(9))
        session.commit()
        report = audit.verify(session)
        assert (report["ok"], report["entries"], report["head"]["seq"]) == (True, 4, 4)
    engine.dispose()
