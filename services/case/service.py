"""The case service (案件/处分决定): a thin nameko adapter over ``execution``."""
from nameko.dependency_providers import Config
from nameko.rpc import rpc
from nameko.timer import timer

from services.common import inbox
from services.common.actor import SYSTEM, Actor
from services.common.clock import Clock, platform_zone
from services.common.db import Database
from services.common.health import HealthMixin
from services.common.history import EventHistory
from services.common.inbox import Inbox, reliable_handler
from services.common.metrics import Metrics
from services.common.schemas import load
from services.common.startup import BuiltAtStartup

from . import execution, people, reforms, statistics
from . import imports
from .import_schemas import ImportDetailOut, ImportOut
from .rulebook import load_rulebook, rulebook_summary
from .schemas import DecisionOut, DecisionSummaryOut, ItemDetailOut, ItemOut, StatsQuery
from .schemas import CheckOut, PersonDetailOut, PersonRowOut
from .schemas import ReformOut, ReformSummaryOut

# Built once: marshmallow deep-copies declared fields for every new schema instance.
DECISION_OUT, SUMMARIES_OUT = DecisionOut(), DecisionSummaryOut(many=True)
ITEM_OUT, ITEMS_OUT, ITEM_DETAIL_OUT = ItemOut(), ItemOut(many=True), ItemDetailOut()
STATS_QUERY = StatsQuery()
PERSON_ROWS_OUT, PERSON_OUT, CHECK_OUT = PersonRowOut(many=True), PersonDetailOut(), CheckOut()
IMPORT_OUT, IMPORTS_OUT, IMPORT_DETAIL_OUT = ImportOut(), ImportOut(many=True), ImportDetailOut()
REFORM_OUT, REFORM_SUMMARIES_OUT = ReformOut(), ReformSummaryOut(many=True)


class CaseService(HealthMixin, Inbox, EventHistory):
    name = "case"

    db = Database("CASE_DB_URL")
    clock = Clock()
    # Loaded and validated at start-up: a bad entry stops the service with its name.
    rulebook = BuiltAtStartup(lambda config: load_rulebook(config["RULEBOOK_PATH"]))
    metrics = Metrics()
    inbox_config = Config()
    zone = BuiltAtStartup(lambda config: platform_zone(config.get("CLOCK_TZ") or None))

    @rpc
    def register_decision(self, actor, payload, request_id=None):
        """``request_id``: the registering request's idempotency key; the same request again
        answers the decision it created (execution.register_decision)."""
        decision = execution.register_decision(self.db, self.rulebook, self.clock,
                                               Actor.load(actor), payload, request_id)
        return DECISION_OUT.dump(decision)

    @rpc
    def get_decision(self, actor, decision_id):
        return DECISION_OUT.dump(execution.get_decision(self.db.session, Actor.load(actor), decision_id))

    @rpc
    def list_decisions(self, actor, query=None):
        page, total = execution.list_decisions(self.db.session, Actor.load(actor), query)
        return {"items": SUMMARIES_OUT.dump(page), "total": total}

    # -- reform cases (以案促改, reforms.py): their tasks are items like any other ----------------
    @rpc
    def register_reform(self, actor, payload, request_id=None):
        """登记以案促改: the reform case with its tasks (items with ``reform_id``)."""
        reform = reforms.register_reform(self.db, self.rulebook, self.clock, Actor.load(actor), payload,
                                         request_id)
        return REFORM_OUT.dump(reform)

    @rpc
    def get_reform(self, actor, reform_id):
        return REFORM_OUT.dump(reforms.get_reform(self.db.session, Actor.load(actor), reform_id))

    @rpc
    def list_reforms(self, actor, query=None):
        page, total = reforms.list_reforms(self.db.session, Actor.load(actor), query)
        return {"items": REFORM_SUMMARIES_OUT.dump(page), "total": total}

    @rpc
    def get_item(self, actor, item_id):
        return ITEM_DETAIL_OUT.dump(execution.get_item(self.db.session, Actor.load(actor), item_id))

    @rpc
    def transition_item(self, actor, item_id, to_state, expected_version=None, reason=""):
        item = execution.transition_item(self.db, self.clock, Actor.load(actor), item_id,
                                         to_state, expected_version, reason)
        return ITEM_OUT.dump(item)

    @rpc
    def extend_due_date(self, actor, item_id, new_due_date, from_due_date=None):
        """延期 approved by the review office: the new due date, within the legal limit;
        already there is success (a retried approval)."""
        return ITEM_OUT.dump(execution.extend_due_date(self.db, self.clock, Actor.load(actor),
                                                       item_id, new_due_date, from_due_date))

    @rpc
    def open_due_items(self, actor):
        Actor.load(actor).require("admin", "system")
        return ITEMS_OUT.dump(execution.open_due_items(self.db, self.clock, SYSTEM))

    @rpc
    def statistics(self, actor, subject, by):
        """Counts of decisions or items grouped by one dimension, within the actor's scope."""
        actor = Actor.load(actor)
        query = load(STATS_QUERY, {"subject": subject, "by": by})
        count = statistics.decision_counts if query["subject"] == "decisions" else statistics.item_counts
        return {"subject": subject, "by": by, "rows": count(self.db.session, actor, query["by"])}

    @rpc
    def rulebook_summary(self, actor):
        """The rule book as every reader needs it (rulebook.rulebook_summary): the web client's
        form, and deadline, library, review and notify at their start-up (no other service
        reads RULEBOOK_PATH)."""
        Actor.load(actor)
        return rulebook_summary(self.rulebook)

    # -- people across cases and the impact-period check (people.py) ------------------------
    @rpc
    def search_people(self, actor, q, page=None, per_page=None):
        """``{items, total}``: people by name, 身份证号 or its last digits, within scope."""
        query = _given(q=q, page=page, per_page=per_page)
        found = people.search_people(self.db.session, Actor.load(actor), self.rulebook, self.clock, query)
        return {"items": PERSON_ROWS_OUT.dump(found["items"]), "total": found["total"]}

    @rpc
    def get_person(self, actor, person_id):
        """The person with every decision, impact period and item in scope, and their standing."""
        return PERSON_OUT.dump(people.get_person(self.db.session, Actor.load(actor), self.rulebook,
                                                 self.clock, person_id))

    @rpc
    def check_person(self, actor, id_number, on=None, purpose=None):
        """影响期查询: in an impact period on ``on``, and what it rules out for ``purpose``."""
        query = _given(id_number=id_number, on=on, purpose=purpose)
        return CHECK_OUT.dump(people.check_person(self.db.session, Actor.load(actor), self.rulebook,
                                                  self.clock, query))

    # -- batch import of historic records (批量导入, imports.py) ------------------------------
    @rpc
    def start_import(self, actor, meta, request_id=None):
        """The import an upload is (``import_batch``); the same request id answers the one it made."""
        return IMPORT_OUT.dump(imports.start_import(self.db, self.clock, actor, meta, request_id))

    @rpc
    def import_decisions(self, actor, batch_id, offset, rows, dry_run=False):
        """Rows ``offset`` … of an import, in one transaction, each checked and registered as
        ``register_decision`` would (a 文号 already registered is skipped); a dry run writes
        nothing but the import's record.  ``{id, rows, processed, created, skipped, invalid}``."""
        return imports.import_rows(self.db, self.rulebook, self.clock, actor, batch_id, offset, rows, dry_run)

    @rpc
    def finish_import(self, actor, batch_id):
        return IMPORT_DETAIL_OUT.dump(imports.finish_import(self.db, self.clock, actor, batch_id))

    @rpc
    def list_imports(self, actor, query=None):
        found = imports.list_imports(self.db.session, actor, query)
        return {"items": IMPORTS_OUT.dump(found["items"]), "total": found["total"]}

    @rpc
    def get_import(self, actor, batch_id):
        return IMPORT_DETAIL_OUT.dump(imports.get_import(self.db.session, actor, batch_id))

    @rpc
    def export_decisions(self, actor, query=None):
        """The decisions the list's filters select, in scope, as the import workbook's rows."""
        return imports.export_rows(self.db.session, actor, query, self.zone)

    @timer(interval=1)
    def release_import_events_timer(self):
        """The events of finished imports into the outbox and out, a couple of thousand a second."""
        imports.release_events(self.db)

    @timer(interval=3600, eager=True)
    def announce_ended_periods_timer(self):
        """impact_period_ended for every period whose end has come (each once, whatever the
        number of instances or restarts)."""
        people.announce_ended_periods(self.db, self.rulebook, self.clock)

    @rpc
    def announce_ended_periods(self, actor):
        """The same at once, for operations (and tests): ``{"announced": n}``."""
        Actor.load(actor).require("admin", "system")
        return {"announced": people.announce_ended_periods(self.db, self.rulebook, self.clock)}

    @reliable_handler("deadline", "deadline_due_date_reached")
    def on_due_date_reached(self, payload):
        """A time-gated item (RATING, EDU_VISIT, RESTORE) reached its opening date.  If an
        approval moved the decision's items meanwhile (StaleVersion), the inbox tries again."""
        item_id = payload.get("item_id")

        def open_item():
            if not isinstance(item_id, int):
                raise ValueError(f"deadline_due_date_reached without an item id: {item_id!r}")
            execution.open_due_items(self.db, self.clock, SYSTEM, item_ids=[item_id])

        inbox.apply(self.db, "on_due_date_reached", "case.on_due_date_reached", payload, open_item,
                    self.inbox_config)


def _given(**params):
    """The parameters a caller gave (None: not given), for the schema to default."""
    return {key: value for key, value in params.items() if value is not None}
