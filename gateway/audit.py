"""Audit trail (审计): every HTTP request — who, what, which record, outcome — as a hash chain
(but probes and static files: /health, /metrics, the docs' assets).

Nothing is answered that is not audited:

* a route whose outcome is the gateway's own (users, units, tokens, failed logins) writes
  its audit row in the same transaction: ``self.audit.commit(self.db, status)`` instead of
  ``self.db.commit()``;
* any other request (its outcome lives in another service) has its row written and
  committed after the route returns or raises and *before* the response is handed back:
  the dependency wraps the route method for the worker (no buffer, nothing in memory).

Each row is a link of a chain: ``hash`` is SHA-256 over the row's canonical content
(:data:`CHAINED_FIELDS`, JSON with sorted keys) including ``prev_hash``, the previous
row's hash.  ``audit_head`` holds the last link; every append takes it with a row lock, so
rows are appended one after another whatever the number of workers or replicas.
:func:`verify` walks the chain and names the first row that was edited, deleted or moved,
and a tail that was cut.

Rows name who (user id, username, name; a failed login the username tried), what (the
route's Chinese name, ``gateway.auth.ROUTES``) and which record (a 文号 and person, a
username, an item number…) beside the raw method and path.
"""
import functools
import hashlib
import json
import logging
import time
from urllib.parse import urlencode
from datetime import timezone
from weakref import WeakKeyDictionary

from nameko.extensions import DependencyProvider
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from services.common.clock import utcnow
from services.common.schemas import printable

from .auth import ROUTES, client_address, trusted_networks
from .models import AuditEntry, AuditHead

log = logging.getLogger(__name__)

GENESIS = "0" * 64
CHAINED_FIELDS = ("seq", "at", "user_id", "username", "user_name", "action", "target", "method",
                  "path", "status", "duration_ms", "remote_addr", "prev_hash")
_HEAD = AuditHead.__table__
PEEK_BYTES = 65536   # request/response bodies read for a record's name, at most
# Probes and static assets, not anyone's action: a liveness probe every few seconds would fill
# the chain, and /health must answer (503) even when the gateway's database does not.
UNAUDITED = frozenset({"health", "prometheus_metrics", "docs_asset"})

# Path parameters and what they name.
_RECORDS = {"decision_id": "处分决定", "reform_id": "以案促改", "item_id": "执行事项", "report_id": "上报", "extension_id": "延期申请",
            "notice_id": "通知", "user_id": "用户", "regulation_id": "法规", "template_id": "文书模板",
            "attachment_id": "附件", "delivery_id": "投递", "number": "条文"}


# -- the chain -----------------------------------------------------------------------------
def _instant(value):
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def canonical(entry):
    """The bytes a row's hash is taken over: its chained fields as sorted, compact JSON."""
    get = entry.get if isinstance(entry, dict) else lambda f: getattr(entry, f)
    values = {field: get(field) for field in CHAINED_FIELDS}
    values["at"] = _instant(values["at"])
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def entry_hash(entry):
    return hashlib.sha256(canonical(entry)).hexdigest()


def append(session, **fields):
    """Add the next row of the chain to ``session``'s transaction (the caller commits).

    The head row is updated first: on PostgreSQL that row lock makes a concurrent append
    wait for this transaction; on SQLite the write takes the database's write lock."""
    head = session.execute(_HEAD.update().where(_HEAD.c.id == 1).values(seq=_HEAD.c.seq + 1)
                           .returning(_HEAD.c.seq, _HEAD.c.hash)).first()
    if head is None:   # a database made without the migration's head row
        session.execute(_HEAD.insert().values(id=1, seq=1, hash=GENESIS))
        seq, prev = 1, GENESIS
    else:
        seq, prev = head
    entry = AuditEntry(seq=seq, prev_hash=prev, **fields)
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    session.execute(_HEAD.update().where(_HEAD.c.id == 1).values(hash=entry.hash))
    return entry


def verify(session, batch=1000):
    """``{ok, entries, first_bad, head}``: the chain walked in order.  ``first_bad`` names
    the first broken row: ``deleted`` (a number missing, or the tail cut), ``edited`` (its
    content no longer matches its hash) or ``reordered`` (intact, but not linked to the row
    before it)."""
    expected, prev, entries, first_bad = 1, GENESIS, 0, None
    last_seq = 0
    while first_bad is None:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.seq > last_seq)
                               .order_by(AuditEntry.seq).limit(batch)).all()
        if not rows:
            break
        for row in rows:
            entries += 1
            first_bad = _problem(row, expected, prev)
            if first_bad:
                break
            expected, prev, last_seq = row.seq + 1, row.hash, row.seq
    head = session.get(AuditHead, 1)
    head_view = {"seq": head.seq, "hash": head.hash} if head else {"seq": 0, "hash": GENESIS}
    if first_bad is None and (head_view["seq"] != expected - 1 or head_view["hash"] != prev):
        first_bad = {"id": None, "seq": expected, "problem": "deleted",
                     "message": f"第 {expected} 条起的记录缺失（链尾被截断），链头记录为第 {head_view['seq']} 条"}
    return {"ok": first_bad is None, "entries": entries, "first_bad": first_bad, "head": head_view}


def _problem(row, expected, prev):
    if row.seq != expected:
        return {"id": row.id, "seq": expected, "problem": "deleted",
                "message": f"第 {expected} 条记录缺失（下一条为第 {row.seq} 条，编号 {row.id}）"}
    if entry_hash(row) != row.hash:
        return {"id": row.id, "seq": row.seq, "problem": "edited",
                "message": f"第 {row.seq} 条记录（编号 {row.id}）的内容与其哈希不符：被修改过"}
    if row.prev_hash != prev:
        return {"id": row.id, "seq": row.seq, "problem": "reordered",
                "message": f"第 {row.seq} 条记录（编号 {row.id}）未接在前一条之后：顺序被调换或前面的记录被删改"}
    return None


# -- the dependency ------------------------------------------------------------------------
class Audit(DependencyProvider):
    def __init__(self, db_attr="db"):
        self.db_attr = db_attr   # the service's Database: rows go through its session

    def setup(self):
        self.trusted = trusted_networks(self.container.config.get("TRUSTED_PROXIES"))
        self.records = WeakKeyDictionary()

    def get_dependency(self, worker_ctx):
        record = Record(self, worker_ctx)
        self.records[worker_ctx] = record
        return record

    def worker_setup(self, worker_ctx):
        """Wrap the route so its row is committed before the response goes out (nameko
        sends an HTTP response before ``worker_result`` runs)."""
        record = self.records.get(worker_ctx)
        if record is None or record.request is None:
            return
        name = worker_ctx.entrypoint.method_name
        route = getattr(worker_ctx.service, name)

        @functools.wraps(route)
        def audited(*args, **kwargs):
            try:
                result = route(*args, **kwargs)
            except Exception as exc:
                record.write(_status_of_error(exc))
                raise
            record.write(getattr(result, "status_code", 200), result)
            return result

        setattr(worker_ctx.service, name, audited)

    def worker_teardown(self, worker_ctx):
        self.records.pop(worker_ctx, None)


class Record:
    """What a route sees as ``self.audit``: name the record, commit with the outcome."""

    def __init__(self, provider, worker_ctx):
        self._p = provider
        self._worker_ctx = worker_ctx
        self._began = time.perf_counter()
        self.target = None
        self.written = None
        request = worker_ctx.args[0] if worker_ctx.args else None
        # The web client's static files are not actions worth auditing, nor probes.
        audited = (hasattr(request, "method") and request.path.startswith("/api/")
                   and worker_ctx.entrypoint.method_name not in UNAUDITED)
        self.request = request if audited else None

    def about(self, target):
        """Name the record this request concerns (else it is found from the path and bodies)."""
        self.target = str(target)[:256] if target else None

    def commit(self, uow, status):
        """Commit the route's transaction with its audit row in it."""
        if self.request is not None:
            self.written = append(uow.session, **self._fields(status))
        uow.commit()

    def write(self, status, result=None):
        """The row of a request whose outcome is not in the gateway's database, committed now."""
        if self.written is not None or self.request is None:
            return
        uow = getattr(self._worker_ctx.service, self._p.db_attr)
        uow.rollback()   # whatever the route left uncommitted is not its outcome
        try:
            self.written = append(uow.session, **self._fields(status, result))
            uow.commit()
        except Exception:
            uow.rollback()
            log.exception("the audit row of %s %s could not be written; the request fails",
                          self.request.method, self.request.path)
            raise

    def _fields(self, status, result=None):
        request, ctx = self.request, self._worker_ctx
        who = getattr(ctx, "audit_who", None) or {}
        route = ROUTES.get(ctx.entrypoint.method_name)
        return {
            "at": utcnow(), "user_id": who.get("user_id"), "username": who.get("username"),
            "user_name": who.get("name"), "action": route.action if route else None,
            # Named from the request's own input: no NUL (PostgreSQL), ESC or RLO may go in.
            "target": printable(self.target or _target(ctx.kwargs, request, result) or "") or None,
            "method": request.method[:8], "path": _recorded_path(request)[:512],
            "status": int(status), "remote_addr": client_address(request, self._p.trusted) or None,
            "duration_ms": int((time.perf_counter() - self._began) * 1000)}


# Query values the trail must not keep in clear: a 身份证号 asked about (/people/check) is
# personal data; the target names the person with the number masked instead.
MASKED_QUERY_KEYS = frozenset({"id_number"})


def _recorded_path(request):
    if not request.args or not MASKED_QUERY_KEYS.intersection(request.args):
        return request.full_path.rstrip("?")
    pairs = [(key, mask_id_number(value) if key in MASKED_QUERY_KEYS else value)
             for key, value in request.args.items(multi=True)]
    return request.path + "?" + urlencode(pairs, safe="*")


def mask_id_number(value):
    """110105********123X: the region and the last four, as the check's target shows."""
    return value[:6] + "*" * max(len(value) - 10, 0) + value[-4:] if len(value) > 10 else "*" * len(value)


def _status_of_error(exc):
    if isinstance(exc, RequestEntityTooLarge):
        return 400   # the entrypoint answers it as a validation error
    if isinstance(exc, HTTPException):
        return exc.code or 500
    status = getattr(exc, "status", 500)
    return status if isinstance(status, int) else 500


def _target(kwargs, request, result):
    """Which record: the path's ids and what the bodies name (a 文号 and person, a user…)."""
    parts = [f"{_RECORDS[key]} #{value}" if isinstance(value, int) else f"{_RECORDS[key]} {value}"
             for key, value in (kwargs or {}).items() if key in _RECORDS]
    named = _named(_json_of(result)) or (_named(_json_body(request))
                                         if request.method in ("POST", "PUT", "PATCH") else None)
    if named:
        parts.append(named)
    return "：".join(parts)[:256] or None


def _named(body):
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("doc_number"), str):
        person = body.get("person") if isinstance(body.get("person"), dict) else {}
        name = person.get("name")
        return f"{body['doc_number']}（{name}）" if isinstance(name, str) else body["doc_number"]
    if isinstance(body.get("username"), str):
        name = body.get("name")
        return f"用户 {body['username']}（{name}）" if isinstance(name, str) else f"用户 {body['username']}"
    for key in ("title", "name"):
        if isinstance(body.get(key), str):
            return body[key]
    return None


def _json_of(result):
    if getattr(result, "mimetype", None) != "application/json" or getattr(result, "direct_passthrough", False):
        return None
    data = result.get_data()
    return _loads(data) if len(data) <= PEEK_BYTES else None


def _json_body(request):
    if request.mimetype != "application/json" or (request.content_length or 0) > PEEK_BYTES:
        return None
    return _loads(request.get_data(cache=True))


def _loads(data):
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def search(session, query):
    """The audit trail, newest first, filtered by user, username, method, path prefix and status."""
    stmt = select(AuditEntry)
    if query["user_id"] is not None:
        stmt = stmt.where(AuditEntry.user_id == query["user_id"])
    if query.get("username"):
        stmt = stmt.where(AuditEntry.username == query["username"])
    if query["method"]:
        stmt = stmt.where(AuditEntry.method == query["method"])
    if query["path"]:
        stmt = stmt.where(AuditEntry.path.startswith(query["path"], autoescape=True))
    if query["status"] is not None:
        stmt = stmt.where(AuditEntry.status == query["status"])
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(AuditEntry.seq.desc())
                           .offset((query["page"] - 1) * query["per_page"]).limit(query["per_page"]))
    return rows.all(), total
