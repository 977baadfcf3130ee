"""The deadline service (期限监控): a thin nameko adapter over tracking and the sweep."""
import logging

from nameko.dependency_providers import Config
from nameko.rpc import rpc
from nameko.timer import timer

from services.common import inbox
from services.common.actor import Actor
from services.common.clock import Clock, platform_zone
from services.common.db import Database
from services.common.health import HealthMixin
from services.common.inbox import Inbox, reliable_handler
from services.common.metrics import Metrics
from services.common.schemas import load
from services.common.startup import BuiltAtStartup
from services.common.startup_rpc import case_rulebook

from . import projection, reform_figures, statistics, sweep, tracking
from .schemas import AlertsQuery, ForecastQuery
from .statistics import Vocabulary
from .thresholds import Settings

log = logging.getLogger(__name__)
FORECAST_QUERY, ALERTS_QUERY = ForecastQuery(), AlertsQuery()


def thresholds_of(config):
    """The thresholds: the settings of the rule book, asked of case (their one owner) at start-up."""
    return Settings.from_rulebook(case_rulebook(config)["settings"])


def vocabulary_of(config):
    """Item names, sanction types and person categories for the statistics' labels and checks."""
    return Vocabulary.from_rulebook(case_rulebook(config))


class DeadlineService(HealthMixin, Inbox):
    name = "deadline"

    db = Database("DEADLINE_DB_URL")
    clock = Clock()
    settings = BuiltAtStartup(thresholds_of)
    vocabulary = BuiltAtStartup(vocabulary_of)
    zone = BuiltAtStartup(lambda config: platform_zone(config.get("CLOCK_TZ") or None))
    metrics = Metrics()
    inbox_config = Config()

    # -- the sweep --------------------------------------------------------------------
    @timer(interval=60, eager=True)   # eager: alerts are current right after a (re)start
    def sweep_timer(self):
        sweep.sweep(self.db, self.settings, self.clock.today())

    @rpc
    def sweep(self, actor):
        Actor.load(actor).require("admin", "system")
        return {"handled": sweep.sweep(self.db, self.settings, self.clock.today())}

    # -- queries ----------------------------------------------------------------------
    @rpc
    def alerts(self, actor, level=None):
        query = load(ALERTS_QUERY, {"level": level})
        rows = sweep.alerts(self.db.session, self.settings, Actor.load(actor), self.clock.today(), query["level"])
        return {"items": rows, "total": len(rows)}

    @rpc
    def forecast(self, actor, as_of, decision_id=None):
        query = load(FORECAST_QUERY, {"as_of": as_of, "decision_id": decision_id})
        return sweep.forecast(self.db.session, self.settings, Actor.load(actor), self.clock.today(),
                              query["as_of"], query["decision_id"])

    @rpc
    def lights_for(self, actor, item_ids):
        return sweep.lights_for(self.db.session, self.settings, Actor.load(actor), self.clock.today(),
                                list(item_ids))

    @rpc
    def decision_lights(self, actor, decision_ids):
        return sweep.decision_lights(self.db.session, self.settings, Actor.load(actor), self.clock.today(),
                                     list(decision_ids))

    @rpc
    def reform_lights(self, actor, reform_ids):
        """Each reform case's light (以案促改): its worst task's."""
        return sweep.reform_lights(self.db.session, self.settings, Actor.load(actor), self.clock.today(),
                                   list(reform_ids))

    @rpc
    def reform_statistics(self, actor, query=None):
        """以案促改 per unit: open, completed, on time, overdue, rejected (reform_figures.py)."""
        return reform_figures.reform_figures(self.db.session, self.settings, Actor.load(actor),
                                             self.clock.today(), query)

    @rpc
    def unit_lights(self, actor):
        return sweep.unit_lights(self.db.session, self.settings, Actor.load(actor), self.clock.today())

    # -- statistics (多维分析, 驾驶舱) over the read model --------------------------------
    @rpc
    def cube(self, actor, query, unit_kinds=None):
        """GET /stats/cube; ``unit_kinds`` {unit id: kind} from the gateway's directory."""
        return statistics.cube(self.db.session, self.settings, self.vocabulary, Actor.load(actor),
                               self.clock.today(), query, unit_kinds)

    @rpc
    def dashboard(self, actor, query=None):
        return statistics.dashboard(self.db.session, self.settings, self.vocabulary, Actor.load(actor),
                                    self.clock.today(), query)

    # -- keeping countdowns (and the statistics' facts) from events ----------------------
    @reliable_handler("case", "decision_registered")
    def on_decision_registered(self, payload):
        """Every item's countdown, and the decision's facts for the statistics (one transaction)."""
        self._handle("on_decision_registered", "registered", payload, projection.on_decision_registered, payload)

    @reliable_handler("case", "reform_registered")
    def on_reform_registered(self, payload):
        """Every task's countdown (以案促改: tasks are items), and the reform's facts, in one transaction."""
        self._handle("on_reform_registered", "reform_registered", payload, projection.on_reform_registered,
                     payload)

    @reliable_handler("case", "item_state_changed")
    def on_item_state_changed(self, payload):
        self._handle("on_item_state_changed", "state", payload, tracking.state_changed,
                     payload.get("item_id"), payload.get("state"), None, payload.get("version"))

    @reliable_handler("review", "item_rejected")
    def on_item_rejected(self, payload):
        self._handle("on_item_rejected", "rejected", payload, tracking.state_changed, payload.get("item_id"),
                     "rejected", payload.get("rectify_by"), payload.get("item_version"))

    # -- the statistics' facts (projection.py): handlers of their own, so a countdown never
    # waits for the statistics; each waits (NotYetApplicable) for the countdown it describes.
    @reliable_handler("review", "item_rejected")
    def on_rejection_counted(self, payload):
        self._facts("on_rejection_counted", "stat_rejected", payload,
                    lambda: projection.review_recorded(self.db, payload, "rejected", self.zone))

    @reliable_handler("review", "item_approved")
    def on_item_approved(self, payload):
        """The review is counted and dates the item's completion (case's item_state_changed
        moves the countdown)."""
        self._facts("on_item_approved", "stat_approved", payload,
                    lambda: projection.review_recorded(self.db, payload, "approved", self.zone))

    @reliable_handler("review", "guidance_issued")
    def on_guidance_issued(self, payload):
        self._facts("on_guidance_issued", "stat_guidance", payload,
                    lambda: projection.guidance_issued(self.db, payload, self.zone))

    @reliable_handler("case", "decision_completed")
    def on_decision_completed(self, payload):
        self._facts("on_decision_completed", "stat_completed", payload,
                    lambda: projection.decision_completed(self.db, payload))

    @reliable_handler("case", "reform_completed")
    def on_reform_completed(self, payload):
        self._facts("on_reform_completed", "stat_reform_completed", payload,
                    lambda: projection.reform_completed(self.db, payload))

    @reliable_handler("case", "item_due_date_changed")
    def on_due_date_changed(self, payload):
        self._handle("on_due_date_changed", "due", payload, tracking.due_date_changed, payload.get("item_id"),
                     payload.get("due_date"), payload.get("version"))

    def _handle(self, handler, mark, payload, use_case, *args):
        """Once per event id, in any order; a failure is parked and retried (services/common/inbox.py)."""
        inbox.apply(self.db, handler, f"deadline.{mark}", payload,
                    lambda: use_case(self.db, self.settings, self.clock.today(), *args), self.inbox_config)

    def _facts(self, handler, mark, payload, work):
        inbox.apply(self.db, handler, f"deadline.{mark}", payload, work, self.inbox_config)
