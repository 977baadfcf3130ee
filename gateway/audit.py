"""Audit trail (审计): every HTTP request, who, what, outcome, how long.

Rows are buffered and written in batches by a background thread so a request never
waits on the audit table.
"""
import time
from weakref import WeakKeyDictionary

from nameko.extensions import DependencyProvider
from sqlalchemy.orm import Session

from services.common.clock import utcnow
from services.common.db import make_engine
from services.common.periodic import Periodic

from .models import AuditEntry



class Audit(DependencyProvider):
    flush_interval = 1.0

    def setup(self):
        self.engine = make_engine(self.container.config["GATEWAY_DB_URL"])
        self.started = WeakKeyDictionary()
        self.buffer = []
        self.flusher = Periodic(self.flush_interval, self.flush, "writing the audit trail")

    def start(self):
        self.flusher.start(self.container)

    def stop(self):
        self.flusher.stop()
        self.flush()
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self

    def worker_setup(self, worker_ctx):
        self.started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        request = worker_ctx.args[0] if worker_ctx.args else None
        if request is None or not hasattr(request, "method") or not request.path.startswith("/api/"):
            return  # the web client's static files are not actions worth auditing
        began = self.started.pop(worker_ctx, time.perf_counter())
        self.buffer.append(AuditEntry(
            at=utcnow(), user_id=getattr(worker_ctx, "audit_user_id", None),
            method=request.method, path=request.full_path.rstrip("?")[:512],
            status=_status_of(result, exc_info), remote_addr=request.remote_addr,
            duration_ms=int((time.perf_counter() - began) * 1000)))

    def flush(self):
        batch, self.buffer = self.buffer, []
        if not batch:
            return
        with Session(self.engine) as session:
            session.add_all(batch)
            session.commit()



def _status_of(result, exc_info):
    if exc_info is not None:
        return getattr(exc_info[1], "status", 500)
    return getattr(result, "status_code", 200)


def search(session, query):
    """The audit trail, newest first, filtered by user, method, path prefix and status."""
    from sqlalchemy import func, select
    stmt = select(AuditEntry)
    if query["user_id"] is not None:
        stmt = stmt.where(AuditEntry.user_id == query["user_id"])
    if query["method"]:
        stmt = stmt.where(AuditEntry.method == query["method"])
    if query["path"]:
        stmt = stmt.where(AuditEntry.path.startswith(query["path"], autoescape=True))
    if query["status"] is not None:
        stmt = stmt.where(AuditEntry.status == query["status"])
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(AuditEntry.id.desc())
                           .offset((query["page"] - 1) * query["per_page"]).limit(query["per_page"]))
    return rows.all(), total
