"""批量导入 (batch entry of historic records): a workbook's rows registered as decisions, the
items done before recorded as approved on the days they were done, every import recorded.

The gateway reads the workbook (gateway/imports.py) and sends its rows in chunks; case owns
everything written:

- :func:`start_import` records the import (``import_batch``: who, when, file name, SHA-256,
  rows); the same request id again answers that import, to be resumed where it stopped.
- :func:`import_rows` handles one chunk in one transaction, each row in a savepoint of its
  own: a row is checked exactly as ``POST /decisions`` checks a registration
  (``execution.checked_registration``) and registered by the registration's own code
  (``execution._register``: impact periods and stacking, the rule book's items and dates, the
  first items opened, ``decision_registered``).  A 文号 already registered is skipped and
  counted; a row in error is not written and its problems are recorded with the sheet's row
  number and the column's header (``import_format``).  Chunks come in order (``offset``): a
  chunk already applied (an RPC redelivered after case died) is answered, not applied again.
- The items a row's progress says were done are recorded, before the decision is announced,
  as opened and approved on those days with ``imported`` transitions (no report is invented);
  each must follow the rule book's order and time gates.  What is not done opens as for any
  registration: an item whose deadline has passed is open, and red, at once.
- A dry run does all of it and rolls the rows back: only the import's record and its
  problems remain.

Events are those of a registration (decision_registered with every item's state, item_opened
and item_state_changed for what opened, decision_completed when every item was done), the
registration's carrying ``imported`` and, per imported item, ``approved_on``: deadline dates
the item's completion by it (its on-time rate), as it does from review's approval.  A chunk
writes its events in its transaction, held (``import_event``) until the import is done; then
:func:`release_events` (case's timer, every second) moves them into the outbox in their order
and they are published, a couple of thousand a second.  So a 10,000-row import does not share
the machine's cores with deadline and notify digesting its 30,000 events; they hear them right
after.  An import left unfinished (its gateway died) has its events released once it has been
idle ``IDLE_SECONDS``: what was written is announced.
"""
import logging
import re
import unicodedata
from collections import Counter
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from services.common.actor import Actor
from services.common.clock import utcnow
from services.common.errors import Conflict, NotFound, ValidationFailed
from services.common.schemas import load

from . import execution, rules
from .import_format import DECISIONS_SHEET, PROGRESS_SHEET, column_of, field_of
from .import_schemas import ChunkIn, ImportMetaIn, ImportsQuery
from .models import Decision, ImportBatch, ImportEvent, ImportRowError, ItemTransition, Person

log = logging.getLogger(__name__)

CHUNK_IN, META_IN, IMPORTS_QUERY = ChunkIn(), ImportMetaIn(), ImportsQuery()
IMPORT_ROLES = ("reviewer", "admin")
ERRORS_SHOWN = 20_000        # problems an import's page lists (all are kept)
RELEASE_BATCH = 2000         # held events moved to the outbox per transaction
IDLE_SECONDS = 600           # an unfinished import this long without a chunk: its events are released
YEARLY_NAME = re.compile(r"^(?P<name>.+?)\((?P<year>\d{4})年度\)$")


def _importer(actor):
    actor = Actor.load(actor)
    actor.require(*IMPORT_ROLES, "system")
    actor.require_permission("decision.import")
    return actor


def _reader(actor):
    actor = Actor.load(actor)
    actor.require(*IMPORT_ROLES, "system")
    actor.require_permission("import.read")
    return actor


# -- the import's record ----------------------------------------------------------------------
def start_import(uow, clock, actor, meta, request_id=None):
    """The import this upload is: a new one, or the one the same request started (to resume it
    or answer it).  ``meta``: filename, sha256, size, rows, dry_run, user_name, and the problems
    the gateway found outside any decision row."""
    actor = _importer(actor)
    data = load(META_IN, meta)
    request_id = execution._checked_request_id(request_id)
    session = uow.session
    if request_id is not None:
        batch = session.scalar(select(ImportBatch).where(ImportBatch.request_id == request_id))
        if batch is not None:
            return _same_upload(batch, data)
    batch = ImportBatch(request_id=request_id, filename=data["filename"], sha256=data["sha256"],
                        size=data["size"], dry_run=data["dry_run"], state="running", rows=data["rows"],
                        processed=0, created=0, skipped=0, invalid=0, created_by=actor.user_id,
                        created_by_role=actor.role, created_by_name=data["user_name"], created_at=clock.now())
    session.add(batch)
    try:
        session.flush()
    except IntegrityError:          # the same request, twice at once: the other one made it
        uow.rollback()
        batch = session.scalar(select(ImportBatch).where(ImportBatch.request_id == request_id))
        return _same_upload(batch, data)
    session.add_all(ImportRowError(batch_id=batch.id, sheet=p["sheet"], row=p["row"], column=p["column"],
                                   message=p["message"]) for p in data["problems"])
    uow.commit()
    return batch_view(session, batch)


def _same_upload(batch, data):
    if batch.sha256 != data["sha256"] or batch.dry_run != data["dry_run"]:
        raise Conflict("该请求标识已用于另一次导入", {"Idempotency-Key": [f"已用于导入 #{batch.id}"]})
    return batch_view(None, batch)


def finish_import(uow, clock, actor, batch_id):
    """Mark the import done (idempotent) and answer it with its problems."""
    _importer(actor)
    batch = _batch(uow.session, batch_id)
    if batch.state != "done":
        if batch.processed < batch.rows:
            raise Conflict(f"导入尚未完成：已处理 {batch.processed}/{batch.rows} 行", {"batch_id": [str(batch_id)]})
        batch.state, batch.finished_at = "done", clock.now()
        uow.commit()
    return batch_view(uow.session, batch, with_errors=True)


def list_imports(session, actor, query=None):
    """Imports, newest first (``request_id``: the one a request made, for its progress)."""
    _reader(actor)
    params = load(IMPORTS_QUERY, query or {})
    stmt = select(ImportBatch)
    if params["request_id"]:
        stmt = stmt.where(ImportBatch.request_id == params["request_id"])
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = session.scalars(stmt.order_by(ImportBatch.id.desc())
                           .offset((params["page"] - 1) * params["per_page"]).limit(params["per_page"])).all()
    counts = _error_counts(session, [b.id for b in page])
    return {"items": [batch_view(None, b, errors_total=counts.get(b.id, 0)) for b in page], "total": total}


def get_import(session, actor, batch_id):
    _reader(actor)
    return batch_view(session, _batch(session, batch_id), with_errors=True)


def _batch(session, batch_id):
    batch = session.get(ImportBatch, batch_id) if isinstance(batch_id, int) and not isinstance(batch_id, bool) else None
    if batch is None:
        raise NotFound("导入记录不存在", {"import_id": [str(batch_id)]})
    return batch


def _error_counts(session, ids):
    if not ids:
        return {}
    rows = session.execute(select(ImportRowError.batch_id, func.count()).where(ImportRowError.batch_id.in_(ids))
                           .group_by(ImportRowError.batch_id))
    return dict(rows.all())


def batch_view(session, batch, with_errors=False, errors_total=None):
    view = {key: getattr(batch, key) for key in (
        "id", "filename", "sha256", "size", "dry_run", "state", "rows", "processed", "created", "skipped",
        "invalid", "created_by", "created_by_name", "created_at", "finished_at")}
    if session is not None:
        view["events_waiting"] = session.scalar(select(func.count()).select_from(ImportEvent)
                                                .where(ImportEvent.batch_id == batch.id))
    if with_errors and session is not None:
        errors = session.execute(select(ImportRowError.sheet, ImportRowError.row, ImportRowError.column,
                                        ImportRowError.message)
                                 .where(ImportRowError.batch_id == batch.id).order_by(ImportRowError.id)
                                 .limit(ERRORS_SHOWN)).all()
        view["errors"] = [{"sheet": e.sheet, "row": e.row, "column": e.column, "message": e.message} for e in errors]
        view["errors_total"] = (len(errors) if len(errors) < ERRORS_SHOWN
                                else _error_counts(session, [batch.id]).get(batch.id, 0))
    elif errors_total is not None:
        view["errors_total"] = errors_total
    elif session is not None:
        view["errors_total"] = _error_counts(session, [batch.id]).get(batch.id, 0)
    return view


# -- one chunk of rows -------------------------------------------------------------------------
def import_rows(uow, book, clock, actor, batch_id, offset, rows, dry_run=False):
    """Rows ``offset`` … of the import, in one transaction: ``{processed, created, skipped, invalid}``
    of the import so far.

    Every row is checked and built before anything of it is written, so a row in error writes
    nothing; the rows that stand are flushed together, a group at a time (a person met twice
    closes the group: the second decision stacks on the first's periods).  Should the database
    still refuse the group (a 文号 or a person registered meanwhile by another request), the
    chunk is rolled back and done again row by row, each row in a savepoint of its own."""
    actor = _importer(actor)
    chunk = load(CHUNK_IN, {"batch_id": batch_id, "offset": offset, "rows": rows, "dry_run": dry_run})
    try:
        return _apply(uow, book, clock, actor, chunk, grouped=True)
    except IntegrityError as exc:
        uow.rollback()
        log.warning("import %s rows %s…: %s; done again row by row", chunk["batch_id"], chunk["offset"],
                    str(exc).splitlines()[0][:200])
        return _apply(uow, book, clock, actor, chunk, grouped=False)


def _apply(uow, book, clock, actor, chunk, grouped):
    session = uow.session
    batch = _batch(session, chunk["batch_id"])
    if batch.state != "running" or batch.dry_run != chunk["dry_run"]:
        raise Conflict("该导入已结束，或试运行与正式导入不符", {"batch_id": [str(batch.id)]})
    if chunk["offset"] < batch.processed:     # applied already: a redelivered or retried call
        return _progress(batch)
    if chunk["offset"] != batch.processed or chunk["offset"] + len(chunk["rows"]) > batch.rows:
        raise Conflict(f"导入进度不符：已处理 {batch.processed} 行，本批从第 {chunk['offset']} 行起",
                       {"offset": [str(chunk["offset"])]})
    # The chunk's first statement is a write, so the transaction has begun before the first
    # SAVEPOINT (pysqlite begins one only before a write; a SAVEPOINT outside a transaction
    # would commit at its RELEASE); and two callers of one chunk cannot both apply it.
    claimed = session.execute(update(ImportBatch).where(ImportBatch.id == batch.id,
                                                        ImportBatch.processed == chunk["offset"])
                              .values(processed=chunk["offset"] + len(chunk["rows"])))
    if claimed.rowcount != 1:       # another call of this chunk (a retry) claimed it meanwhile
        uow.rollback()
        batch = _batch(session, chunk["batch_id"])
        if batch.processed > chunk["offset"]:
            return _progress(batch)
        raise Conflict("该批行正由另一请求导入", {"offset": [str(chunk["offset"])]})
    importer = _Rows(session, book, clock, actor, batch.id, _taken(session, chunk["rows"]), grouped)
    if grouped:
        importer.people = _people(session, chunk["rows"])
    outer = session.begin_nested() if chunk["dry_run"] else None
    for row in chunk["rows"]:
        importer.one(row)
    importer.flush()
    if outer is not None:
        outer.rollback()            # a dry run writes nothing but the import's record
    elif importer.events:           # held until the import is done (release_events)
        now = utcnow()
        session.execute(insert(ImportEvent), [{"batch_id": batch.id, "event_type": event_type, "payload": payload,
                                               "created_at": now} for event_type, payload in importer.events])
    session.add_all(ImportRowError(batch_id=batch.id, **problem) for problem in importer.problems)
    outcomes = importer.outcomes
    session.execute(update(ImportBatch).where(ImportBatch.id == batch.id).values(
        created=ImportBatch.created + outcomes["created"], skipped=ImportBatch.skipped + outcomes["skipped"],
        invalid=ImportBatch.invalid + outcomes["invalid"], updated_at=utcnow()))
    uow.commit()
    session.refresh(batch)
    return _progress(batch)


def release_events(uow, limit=RELEASE_BATCH):
    """Move the held events of finished imports (and of imports idle ``IDLE_SECONDS``) into the
    outbox, oldest first, ``limit`` at a time; they are published after the commit.  How many."""
    session = uow.session
    idle = utcnow() - timedelta(seconds=IDLE_SECONDS)
    stmt = (select(ImportEvent).join(ImportBatch, ImportBatch.id == ImportEvent.batch_id)
            .where(or_(ImportBatch.state == "done", ImportBatch.updated_at < idle))
            .order_by(ImportEvent.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=ImportEvent)   # another case instance's are its
    held = session.scalars(stmt).all()
    if not held:
        uow.rollback()
        return 0
    taken = session.execute(delete(ImportEvent).where(ImportEvent.id.in_([e.id for e in held]))).rowcount
    if taken != len(held):          # another instance released some meanwhile (SQLite): next time
        uow.rollback()
        return 0
    uow.emit_many([(event.event_type, event.payload) for event in held])
    uow.commit()
    return len(held)


def _progress(batch):
    return {key: getattr(batch, key) for key in ("id", "rows", "processed", "created", "skipped", "invalid")}


def _taken(session, rows):
    """The chunk's 文号 already registered."""
    docs = {_doc_number(r["payload"]) for r in rows} - {None}
    if not docs:
        return set()
    return set(session.scalars(select(Decision.doc_number).where(Decision.doc_number.in_(docs))))


def _people(session, rows):
    """{身份证号: Person or None} of the chunk's people, looked up at once."""
    numbers = set()
    for row in rows:
        person = row["payload"].get("person") if isinstance(row["payload"], dict) else None
        if isinstance(person, dict) and isinstance(person.get("id_number"), str):
            numbers.add(person["id_number"].strip().upper())
    found = {p.id_number: p for p in session.scalars(select(Person).where(Person.id_number.in_(numbers)))} if numbers else {}
    return {number: found.get(number) for number in numbers}


def _doc_number(payload):
    value = payload.get("doc_number") if isinstance(payload, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


class _Rows:
    """Imports rows one by one: checks each, builds it with the registration's code, and writes
    the group of rows that stand at once (``grouped``) or each in a savepoint; collects
    outcomes, problems and events."""

    def __init__(self, session, book, clock, actor, batch_id, taken, grouped=True):
        self.session, self.book, self.clock, self.actor = session, book, clock, actor
        self.batch_id, self.taken, self.grouped = batch_id, taken, grouped
        self.outcomes = Counter(created=0, skipped=0, invalid=0)
        self.problems = []      # {sheet, row, column, message}
        self.events = []        # (event_type, payload), in the order the rows made them
        self.items = {rule.name: rule for rule in book.items}
        self.group, self.grouped_people = [], set()     # built, not yet flushed; their 身份证号
        self.people = None      # {身份证号: Person or None}, the chunk's (grouped); else each looked up
        self.history = []       # the imported transitions of the group: (item, row) until its flush

    def one(self, row):
        number, payload = row["row"], row["payload"]
        doc_number = _doc_number(payload)
        if doc_number is not None and doc_number in self.taken:
            self.outcomes["skipped"] += 1
            return
        problems = [(DECISIONS_SHEET, number, p["field"], p["message"]) for p in row["problems"]]
        named = {p["field"] for p in row["problems"]}
        data = sanctions = None
        try:
            data, sanctions = execution.checked_registration(self.book, self.clock, payload)
        except ValidationFailed as err:
            for path, messages in err.fields.items():
                field = field_of(path, payload)
                if field is None or field not in named:     # a cell's own problem says it once
                    problems.extend((DECISIONS_SHEET, number, field, message) for message in messages)
        done = self._progress(row["progress"], data, problems)
        if problems:
            return self._invalid(number, problems)
        id_number = data["person"]["id_number"]
        if id_number in self.grouped_people:
            self.flush()            # the person's earlier decision first: this one stacks on it
        replay = _Replay(self, number, done)
        with self.session.no_autoflush:
            try:
                decision = execution.build_decision(self.session, self.book, self.clock, self.actor, data,
                                                    sanctions, f"import:{self.batch_id}:{number}", self.people)
                misfit = replay.check(decision)
            except rules.RuleViolation as err:
                misfit = [(DECISIONS_SHEET, number, field_of(err.field, payload), err.message)]
            if misfit:
                self._forget(id_number)
                return self._invalid(number, misfit)
            if self.grouped:
                self.session.add(decision)
                replay.record(decision)
                self.group.append((decision, replay))
                self.grouped_people.add(id_number)
                if self.people is not None:
                    self.people[id_number] = decision.person
            elif not self._one_in_savepoint(decision, replay):
                return
        self.taken.add(data["doc_number"])
        self.outcomes["created"] += 1

    def _one_in_savepoint(self, decision, replay):
        savepoint = self.session.begin_nested()
        try:
            self.session.add(decision)
            replay.record(decision)
            self.session.flush()
            self._write_history()
            self._announce(decision, replay)
            self.session.flush()
            savepoint.commit()
        except IntegrityError:
            savepoint.rollback()
            self.events = self.events[:replay.events_from]
            if execution._doc_number_taken(self.session, decision.doc_number):
                self.outcomes["skipped"] += 1     # registered meanwhile by another request
                self.taken.add(decision.doc_number)
                return False
            raise
        return True

    def flush(self):
        """Write the group built so far, then open what is ready and announce each decision."""
        if not self.group:
            return
        self.session.flush()
        self._write_history()
        for decision, replay in self.group:
            self._announce(decision, replay)
        self.group, self.grouped_people = [], set()

    def _write_history(self):
        """The group's imported transitions, in one statement now its items have ids."""
        if self.history:
            self.session.execute(insert(ItemTransition), [dict(row, item_id=item.id) for item, row in self.history])
        self.history = []

    def _announce(self, decision, replay):
        work = _RowWork(self.session)
        execution.announce_registration(work, self.clock, self.actor, decision)
        replay.events_from = len(self.events)
        self.events.extend(replay.announced(work.events, decision))

    def _forget(self, id_number):
        """A known person the row's build gave its particulars: as they were (the row is not written)."""
        for obj in list(self.session.identity_map.values()):
            if isinstance(obj, Person) and obj.id_number == id_number and self.session.is_modified(obj):
                self.session.expire(obj)

    def _invalid(self, number, problems):
        self.outcomes["invalid"] += 1
        sheets = {sheet for sheet, *_ in problems}
        if sheets == {PROGRESS_SHEET}:
            rows = "、".join(str(r) for r in sorted({r for s, r, *_ in problems}))
            problems = [(DECISIONS_SHEET, number, None, f"执行进度（第{rows}行）有误，本行未导入"), *problems]
        for sheet, row, field, message in problems:
            self.problems.append({"sheet": sheet, "row": row, "column": column_of(field, sheet),
                                  "message": message})

    def _progress(self, entries, data, problems):
        """The progress rows of one decision as ``{(code, cycle): (performed_on, row)}``; what
        is wrong with them joins ``problems``."""
        done, seen = {}, {}
        today = self.clock.today()
        for entry in entries:
            number = entry["row"]
            problems.extend((PROGRESS_SHEET, number, p["field"], p["message"]) for p in entry["problems"])
            named = {p["field"] for p in entry["problems"]}
            rule, cycle = self._rule(entry, number, named, problems)
            on = entry["performed_on"]
            if on is None and "performed_on" not in named:
                problems.append((PROGRESS_SHEET, number, "performed_on", "必填"))
            elif on is not None and on > today:
                problems.append((PROGRESS_SHEET, number, "performed_on", f"办结日期 {on} 不能晚于今天"))
            elif on is not None and data is not None and on < data["decision_date"]:
                problems.append((PROGRESS_SHEET, number, "performed_on",
                                 f"办结日期 {on} 早于决定日期 {data['decision_date']}"))
            if rule is None:
                continue
            key = (rule.code, cycle)
            if key in seen:
                problems.append((PROGRESS_SHEET, number, "item",
                                 f"与第{seen[key]}行重复：同一事项只填写一次"))
                continue
            seen[key] = number
            if on is not None:
                done[key] = (on, number)
        return done

    def _rule(self, entry, number, named, problems):
        text = entry["item"]
        if not text:
            if "item" not in named:
                problems.append((PROGRESS_SHEET, number, "item", "必填"))
            return None, None
        name, cycle = unicodedata.normalize("NFKC", text).strip(), entry["cycle"]
        yearly = YEARLY_NAME.match(name)
        rule = self.items.get(name) or self.items.get(text.strip())
        if rule is None and yearly:
            rule = self.items.get(yearly["name"])
            if rule is not None and cycle is not None and cycle != int(yearly["year"]):
                problems.append((PROGRESS_SHEET, number, "cycle",
                                 f"考核年度 {cycle} 与事项名称中的 {yearly['year']} 年度不符"))
                return None, None
            cycle = int(yearly["year"])
        if rule is None:
            problems.append((PROGRESS_SHEET, number, "item",
                             f"未知的执行事项：{text}（可选：{'、'.join(self.items)}）"))
            return None, None
        if rule.each_year_end and cycle is None:
            if "cycle" not in named:
                problems.append((PROGRESS_SHEET, number, "cycle", f"{rule.name}须填写考核年度"))
            return None, None
        if not rule.each_year_end and cycle is not None:
            problems.append((PROGRESS_SHEET, number, "cycle", f"{rule.name}不按年度办理，考核年度应留空"))
            return None, None
        return rule, cycle


class _RowWork:
    """What the registration's announcement sees as its unit of work: the session, and the
    events kept for the chunk to emit together once the rows stand."""

    def __init__(self, session):
        self.session = session
        self.events = []

    def emit(self, event_type, payload):
        self.events.append((event_type, payload))


def _noon(day):
    """The instant a historic day is recorded at: noon UTC is that same date in every zone
    within ±11 hours (Asia/Shanghai: 20:00)."""
    return datetime.combine(day, time(12, 0), tzinfo=timezone.utc).replace(tzinfo=None)


class _Replay:
    """A row's items done before: checked against the items the rule book generated for the
    decision (``check``), then recorded as opened and approved on their days (``record``)."""

    def __init__(self, rows, number, done):
        self.rows, self.number, self.done = rows, number, done
        self.matched = {}           # item -> (the day it was done, its progress row)
        self.approved = {}          # item -> the day it was done
        self.events_from = 0        # where the row's events begin in the chunk's

    def check(self, decision):
        """The progress's problems against the decision's items: [] when it fits."""
        items = decision.items
        by_key = {(item.code, item.cycle if item.cycle is not None else None): item for item in items}
        done, problems = {}, []
        for (code, cycle), (on, number) in sorted(self.done.items(), key=lambda kv: kv[1][1]):
            item = by_key.get((code, cycle))
            if item is None:
                rule = self.rows.book.item(code)
                message = (f"该决定的影响期内没有 {cycle} 年度考核，不生成“{rule.name}（{cycle}年度）”"
                           if rule.each_year_end else f"按规则库，该决定不生成“{rule.name}”事项")
                problems.append((PROGRESS_SHEET, number, "item", message))
                continue
            done[item] = (on, number)
        for item, (on, number) in done.items():
            for earlier in (i for i in items if i.code in item.after):
                if earlier not in done:
                    problems.append((PROGRESS_SHEET, number, "performed_on",
                                     f"“{item.name}”须在前序事项“{earlier.name}”办结之后，但“{earlier.name}”未填写办结日期"))
                elif done[earlier][0] > on:
                    problems.append((PROGRESS_SHEET, number, "performed_on",
                                     f"办结日期 {on} 早于前序事项“{earlier.name}”的办结日期 {done[earlier][0]}"))
            if item.opens_on is not None and on < item.opens_on:
                problems.append((PROGRESS_SHEET, number, "performed_on",
                                 f"办结日期 {on} 早于“{item.name}”按规则库开启的日期 {item.opens_on}"))
        self.matched = done
        return problems

    def record(self, decision):
        """The matched items opened and approved on their days (``imported`` transitions), in
        the rule book's order; the decision completed when nothing is left."""
        rows, today, done = self.rows, self.rows.clock.today(), self.matched
        moved = True
        while moved:
            moved = False
            for item in decision.items:
                if item not in done or item.state != rules.LOCKED \
                        or not rules.ready_to_open(item, decision.items, today):
                    continue
                on, number = done[item]
                earlier = [done[i][0] for i in decision.items if i.code in item.after]
                opened_on = max([decision.decision_date, *earlier])
                item.opened_at = _noon(opened_on)
                self._move(item, rules.OPEN, _noon(opened_on),
                           "历史数据导入：前序事项已办结" if item.after else "历史数据导入：决定登记")
                self._move(item, rules.APPROVED, _noon(on),
                           f"历史数据导入（导入 #{rows.batch_id} 第{self.number}行、执行进度第{number}行）："
                           f"已于 {on} 办结，无上报材料")
                self.approved[item] = on
                moved = True
        if rules.all_approved(decision.items):
            decision.status = "completed"

    def _move(self, item, to_state, at, reason):
        from_state, item.state = item.state, to_state
        item.version += 1
        actor = self.rows.actor
        self.rows.history.append((item, {"from_state": from_state, "to_state": to_state, "at": at,
                                         "actor_user_id": actor.user_id, "actor_role": actor.role,
                                         "reason": reason, "imported": True}))

    def announced(self, events, decision):
        """The row's events: the registration's first, marked as imported, each imported item
        with the day it was done, and the day case registered it (``registered_on``: a time gate
        already passed then needs no announcing, case opens the item when what it awaits is
        approved); then the items opened (which it already names in their states, so a listener
        meeting them after it has nothing to wait for); decision_completed when nothing is left."""
        registered, others = [], []
        approved = {item.id: on for item, on in self.approved.items()}
        for event_type, payload in events:
            if event_type == "decision_registered":
                payload = dict(payload, imported=True, import_batch_id=self.rows.batch_id,
                               registered_on=self.rows.clock.today().isoformat())
                payload["items"] = [dict(item, imported=True, approved_on=approved[item["item_id"]].isoformat())
                                    if item.get("item_id") in approved else item
                                    for item in payload.get("items") or []]
                registered.append((event_type, payload))
            else:
                others.append((event_type, payload))
        if decision.status == "completed":
            others.append(("decision_completed", {"decision_id": decision.id, "unit_id": decision.unit_id}))
        return registered + others


# -- the export (GET /decisions?format=xlsx) ----------------------------------------------------
EXPORT_PAGE = 200
MAX_EXPORT = 100_000


def export_rows(session, actor, query, zone):
    """Every decision the list's filters select, within the actor's scope, as the import's rows:
    ``{"decisions": [{field: value}], "progress": [{doc_number, item, cycle, performed_on}]}``
    (progress: each approved item, on the day it was approved, in the platform's zone)."""
    actor = Actor.load(actor)
    params = {key: value for key, value in (query or {}).items() if key not in ("page", "per_page", "format")}
    decisions, progress = [], []
    page = 1
    while True:
        found, total = execution.list_decisions(session, actor, dict(params, page=page, per_page=EXPORT_PAGE),
                                                 with_items=True)
        if total > MAX_EXPORT:
            raise ValidationFailed(f"导出最多 {MAX_EXPORT} 条，当前筛选有 {total} 条，请缩小范围",
                                   {"format": ["导出条数过多"]})
        for decision in found:
            decisions.append(_export_decision(decision))
            progress.extend(_export_progress(decision, zone))
        if not found or page * EXPORT_PAGE >= total:
            break
        page += 1
    decisions.sort(key=lambda d: (d["decision_date"], d["doc_number"]))
    return {"decisions": decisions, "progress": progress}


def _export_decision(decision):
    person = decision.person
    row = {"person.name": person.name, "person.id_number": person.id_number, "person.gender": person.gender,
           "person.unit_id": person.unit_id, "person.post": person.post,
           "person.political_status": person.political_status,
           "person.democratic_party": person.democratic_party, "person.category": person.category,
           "doc_number": decision.doc_number, "decided_by": decision.decided_by,
           "decision_date": decision.decision_date.isoformat(),
           "illicit_gains.amount": f"{decision.illicit_amount:.2f}" if decision.illicit_amount is not None else None,
           "illicit_gains.disposition": decision.illicit_disposition,
           "org_handling": "、".join(decision.org_handling or []), "letters": "、".join(decision.letters or []),
           "facts": decision.facts or None}
    for sanction in decision.sanctions:
        row[f"sanctions.{sanction.kind}.type"] = sanction.type
        row[f"sanctions.{sanction.kind}.months"] = sanction.months
    return row


def _export_progress(decision, zone):
    rows = []
    for item in decision.items:
        if item.state != rules.APPROVED:
            continue
        approvals = [t.at for t in item.history if t.to_state == rules.APPROVED]
        if not approvals:
            continue
        at = approvals[-1].replace(tzinfo=timezone.utc).astimezone(zone).date()
        name = YEARLY_NAME.match(unicodedata.normalize("NFKC", item.name))
        rows.append({"doc_number": decision.doc_number, "item": name["name"] if name else item.name,
                     "cycle": item.cycle, "performed_on": at.isoformat()})
    return rows
