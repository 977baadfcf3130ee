"""The deadline service (期限监控): a thin nameko adapter over tracking and the sweep."""
import logging

from nameko.events import event_handler
from nameko.rpc import rpc
from nameko.timer import timer

from services.common.actor import Actor
from services.common.clock import Clock
from services.common.db import Database
from services.common.health import HealthMixin
from services.common.metrics import Metrics
from services.common.schemas import load
from services.common.startup import BuiltAtStartup
from services.common.startup_rpc import case_rulebook

from . import sweep, tracking
from .schemas import AlertsQuery, ForecastQuery
from .thresholds import Settings

log = logging.getLogger(__name__)
FORECAST_QUERY, ALERTS_QUERY = ForecastQuery(), AlertsQuery()


def thresholds_of(config):
    """The thresholds: the settings of the rule book, asked of case (their one owner) at start-up."""
    return Settings.from_rulebook(case_rulebook(config)["settings"])


class DeadlineService(HealthMixin):
    name = "deadline"

    db = Database("DEADLINE_DB_URL")
    clock = Clock()
    settings = BuiltAtStartup(thresholds_of)
    metrics = Metrics()

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
    def unit_lights(self, actor):
        return sweep.unit_lights(self.db.session, self.settings, Actor.load(actor), self.clock.today())

    # -- keeping countdowns from events -----------------------------------------------
    @event_handler("case", "decision_registered")
    def on_decision_registered(self, payload):
        self._handle(payload, "registered", tracking.decision_registered, payload)

    @event_handler("case", "item_state_changed")
    def on_item_state_changed(self, payload):
        self._handle(payload, "state", tracking.state_changed, payload.get("item_id"), payload.get("state"))

    @event_handler("review", "item_rejected")
    def on_item_rejected(self, payload):
        self._handle(payload, "rejected", tracking.state_changed, payload.get("item_id"), "rejected",
                     payload.get("rectify_by"))

    @event_handler("case", "item_due_date_changed")
    def on_due_date_changed(self, payload):
        self._handle(payload, "due", tracking.due_date_changed, payload.get("item_id"), payload.get("due_date"))

    def _handle(self, payload, name, use_case, *args):
        """Once per event id; an event for an unknown item is logged and dropped."""
        if not self.db.first_time(payload.get("event_id"), f"deadline.{name}"):
            return
        try:
            use_case(self.db, self.settings, self.clock.today(), *args)
        except (KeyError, TypeError, ValueError):
            log.exception("malformed %s event dropped: %r", name, payload)
            self.db.rollback()
            return
        self.db.commit()
