"""The statistics' read model (多维统计的读模型), kept from the events deadline hears.

Measures span services: decisions and items are case's, reviews and guidance review's, the
countdowns and lights deadline's own.  Rather than asking each service for lists and joining
them, deadline keeps the facts the cube counts, in its own tables (``models.StatDecision``,
``StatReview``, ``StatGuidance``, ``StatReform`` and the statistics columns of the countdown
rows), each fact row carrying the attributes it is grouped by (unit, 人员类别, party and
government sanction), so a figure is one GROUP BY over one table (``statistics.py``,
``reform_figures.py``).  A reform case's (以案促改) facts are kept by the countdown handler of
``reform_registered`` as a decision's are; its tasks' reviews carry ``reform_id`` and no sanctions.

Each function here applies one event's facts, inside ``inbox.apply`` (once per event id,
parked and retried when it fails, waiting with ``NotYetApplicable`` for the countdown or
decision it describes).  A decision's facts are kept by the countdown handler of
``decision_registered``, in its transaction (its items' rows get the decision's attributes as
they are created: two handlers of one event would race); reviews, guidance and completions
have handlers of their own (``on_rejection_counted``, ``on_item_approved`` …), so the countdown
of a rejection never waits for the statistics.  Every function writes by natural key —
a decision, a report, a guidance opinion — setting values, never adding to them, so applying
an event twice, or replaying history over live events, changes nothing.

Rebuilding from history (``python -m services.deadline.projection rebuild``): case and review
keep every event they ever published in their outboxes and serve them, oldest first, in
pages (``event_history`` RPC, services/common/history.py); the rebuild empties the facts and
applies those events again with the same functions.  It rebuilds the statistics only: the
countdowns themselves (and their alerts) are deadline's own state and are left as they are.
"""
import argparse
import logging
import sys
from datetime import date, datetime, timezone

from sqlalchemy import delete, select, update

from services.common.clock import platform_zone
from services.common.inbox import NotYetApplicable

from . import tracking
from .models import Deadline, StatDecision, StatGuidance, StatReform, StatReview, month_number

log = logging.getLogger(__name__)

REVIEW_OUTCOMES = {"item_approved": "approved", "item_rejected": "rejected"}


# -- facts from events ------------------------------------------------------------------------
def decision_facts(payload):
    """The attributes of a decision the statistics group by, from ``decision_registered``."""
    sanctions = {s.get("kind"): s.get("type") for s in payload.get("sanctions") or []}
    decided = date.fromisoformat(payload["decision_date"]) if payload.get("decision_date") else None
    return {"unit_id": payload["unit_id"], "decision_date": decided, "decision_month": month_number(decided),
            "category": payload.get("category"), "party_type": sanctions.get("party"),
            "government_type": sanctions.get("government")}


def on_decision_registered(uow, settings, today, payload):
    """The handler's use case: the countdowns (tracking), then the facts on them."""
    tracking.decision_registered(uow, settings, today, payload)
    uow.session.flush()
    decision_registered(uow, payload)


def decision_registered(uow, payload):
    """A decision's facts, and the same attributes on each of its countdown rows (in a
    rebuild, a decision whose countdowns are not kept waits: it is skipped)."""
    facts = decision_facts(payload)
    decision_id = payload["decision_id"]
    if payload.get("items") and uow.session.scalar(
            select(Deadline.item_id).where(Deadline.decision_id == decision_id).limit(1)) is None:
        raise NotYetApplicable(f"decision {decision_id}: its countdowns are not kept yet")
    row = uow.session.get(StatDecision, decision_id)
    if row is None:
        row = StatDecision(decision_id=decision_id, completed=False)
        uow.session.add(row)
    for key, value in facts.items():
        setattr(row, key, value)
    uow.session.execute(update(Deadline).where(Deadline.decision_id == decision_id).values(
        category=facts["category"], party_type=facts["party_type"],
        government_type=facts["government_type"]))
    # A decision of the batch import names the day each item done before it was done: that
    # dates its completion, as review's approval dates the others (review_recorded).
    done = [{"item_id": item["item_id"], "approved_on": date.fromisoformat(item["approved_on"])}
            for item in payload.get("items") or () if item.get("approved_on") and item.get("item_id")]
    if done:
        uow.session.execute(update(Deadline), done)    # by primary key, one statement


def on_reform_registered(uow, settings, today, payload):
    """A reform case (以案促改): its tasks' countdowns (tracking), then its facts, in one transaction."""
    tracking.reform_registered(uow, settings, today, payload)
    uow.session.flush()
    reform_registered(uow, payload)


def reform_registered(uow, payload):
    """The reform case as the statistics count it (its tasks are countdown rows with
    ``reform_id``; in a rebuild, a reform whose countdowns are not kept waits: it is skipped)."""
    reform_id = payload.get("reform_id")
    if not isinstance(reform_id, int) or isinstance(reform_id, bool):
        raise ValueError(f"reform_registered without a reform id: {reform_id!r}")
    if payload.get("items") and uow.session.scalar(
            select(Deadline.item_id).where(Deadline.reform_id == reform_id).limit(1)) is None:
        raise NotYetApplicable(f"reform {reform_id}: its countdowns are not kept yet")
    row = uow.session.get(StatReform, reform_id)
    if row is None:
        row = StatReform(reform_id=reform_id, completed=False)
        uow.session.add(row)
    issued, due = payload.get("issued_on"), payload.get("due_date")
    row.unit_id, row.basis = payload["unit_id"], payload.get("basis")
    row.issued_on = date.fromisoformat(issued) if issued else None
    row.due_date = date.fromisoformat(due) if due else None


def reform_completed(uow, payload):
    """Every task of the reform case approved (case's ``reform_completed``)."""
    reform_id = payload.get("reform_id")
    if not isinstance(reform_id, int) or isinstance(reform_id, bool):
        raise ValueError(f"reform_completed without a reform id: {reform_id!r}")
    row = uow.session.get(StatReform, reform_id)
    if row is None:
        raise NotYetApplicable(f"reform {reform_id} not registered here yet")
    row.completed = True


def decision_completed(uow, payload):
    """Every item of the decision approved (case's ``decision_completed``)."""
    decision_id = payload.get("decision_id")
    row = uow.session.get(StatDecision, decision_id) if isinstance(decision_id, int) else None
    if row is None:
        if not isinstance(decision_id, int):
            raise ValueError(f"decision_completed without a decision id: {decision_id!r}")
        raise NotYetApplicable(f"decision {decision_id} not registered here yet")
    row.completed = True


def review_recorded(uow, payload, outcome, zone):
    """审核: an approval or a rejection of one report, on the day it was made; an approval
    also dates the item's completion (its on-time rate)."""
    item = tracking._row(uow, payload.get("item_id"))   # waits for the item's countdown
    report_id = payload.get("report_id")
    if not isinstance(report_id, int) or isinstance(report_id, bool):
        raise ValueError(f"{outcome} review without a report id: {report_id!r}")
    if item.reform_id is not None:
        decision = None             # a reform task (以案促改): no person, no sanctions to group by
        if uow.session.get(StatReform, item.reform_id) is None:
            raise NotYetApplicable(f"reform {item.reform_id}: its facts are not kept yet")
    else:
        decision = uow.session.get(StatDecision, item.decision_id)
        if decision is None:
            raise NotYetApplicable(f"decision {item.decision_id}: its facts are not kept yet")
    reviewed_on = day_of(payload.get("reviewed_at") or payload.get("occurred_at"), zone)
    row = uow.session.get(StatReview, report_id)
    if row is None:
        row = StatReview(report_id=report_id)
        uow.session.add(row)
    row.item_id, row.decision_id, row.unit_id = item.item_id, item.decision_id, payload.get("unit_id") or item.unit_id
    row.reform_id = item.reform_id
    row.code, row.reviewed_on, row.outcome = item.code, reviewed_on, outcome
    row.review_month = month_number(reviewed_on)
    row.problem = payload.get("problem_category") if outcome == "rejected" else None
    row.category, row.party_type, row.government_type = (
        (decision.category, decision.party_type, decision.government_type) if decision else (None, None, None))
    if outcome == "approved":
        item.approved_on = reviewed_on


def guidance_issued(uow, payload, zone):
    guidance_id = payload.get("guidance_id")
    if not isinstance(guidance_id, int) or isinstance(guidance_id, bool):
        raise ValueError(f"guidance_issued without a guidance id: {guidance_id!r}")
    row = uow.session.get(StatGuidance, guidance_id)
    if row is None:
        row = StatGuidance(guidance_id=guidance_id)
        uow.session.add(row)
    row.unit_id, row.decision_id, row.item_id = payload["unit_id"], payload.get("decision_id"), payload.get("item_id")
    row.issued_on = day_of(payload.get("issued_at") or payload.get("occurred_at"), zone)
    row.issued_month = month_number(row.issued_on)


def day_of(instant, zone):
    """The platform's date (``CLOCK_TZ``) of a stored instant (ISO, naive UTC as every
    service stores it), or of an ISO date."""
    if not instant:
        raise ValueError("the event says not when it happened")
    if len(instant) == 10:
        return date.fromisoformat(instant)
    moment = datetime.fromisoformat(instant)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone).date()


# -- rebuilding from history ------------------------------------------------------------------
# Which events of whose history feed the facts, in the order the sources are replayed (a
# review's facts are copied from its item, so case's history goes first).
HISTORY = (("case", ("decision_registered", "decision_completed", "reform_registered", "reform_completed")),
           ("review", ("item_approved", "item_rejected", "guidance_issued")))


def clear(uow):
    """Empty the facts (the countdowns stay; their statistics columns are reset)."""
    for model in (StatReview, StatGuidance, StatDecision, StatReform):
        uow.session.execute(delete(model))
    uow.session.execute(update(Deadline).values(category=None, party_type=None, government_type=None,
                                                approved_on=None))


def apply_historic(uow, event, zone):
    """One event of the history, as the live handler would apply its facts.  An event whose
    item or decision is not here (a countdown never kept) is skipped and counted."""
    kind = event.get("event_type")
    try:
        if kind == "decision_registered":
            decision_registered(uow, event)
        elif kind == "decision_completed":
            decision_completed(uow, event)
        elif kind == "reform_registered":
            reform_registered(uow, event)
        elif kind == "reform_completed":
            reform_completed(uow, event)
        elif kind in REVIEW_OUTCOMES:
            review_recorded(uow, event, REVIEW_OUTCOMES[kind], zone)
        elif kind == "guidance_issued":
            guidance_issued(uow, event, zone)
        else:
            return False
    except NotYetApplicable as exc:
        log.warning("rebuild: %s %s skipped: %s", kind, event.get("event_id"), exc)
        return False
    return True


def rebuild(uow, fetch_page, zone, page_size=500, report=print):
    """Empty the facts and apply the sources' history again.  ``fetch_page(service, types,
    after, limit)`` answers ``{"events": [...], "next": cursor or None}`` (the ``event_history``
    RPC).  Commits per page; returns ``{source: (events read, applied)}``."""
    clear(uow)
    uow.commit()
    counts = {}
    for service, types in HISTORY:
        after, read, applied = None, 0, 0
        while True:
            page = fetch_page(service, list(types), after, page_size)
            for event in page["events"]:
                read += 1
                applied += bool(apply_historic(uow, event, zone))
            uow.commit()
            after = page.get("next")
            if not after:
                break
        counts[service] = (read, applied)
        report(f"{service}: {read} events read, {applied} applied")
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m services.deadline.projection",
        description="rebuild deadline's statistics read model from case's and review's event history")
    parser.add_argument("command", choices=("rebuild",))
    parser.add_argument("--config", default="config.yaml")
    parser.add_argument("--page-size", type=int, default=500)
    args = parser.parse_args(argv)

    from nameko.standalone.rpc import ClusterRpcProxy
    from sqlalchemy.orm import sessionmaker

    from services.common.actor import SYSTEM
    from services.common.db import UnitOfWork, make_engine
    from services.common.migrate import load_config

    config = load_config(args.config)
    engine = make_engine(config["DEADLINE_DB_URL"])
    uow = UnitOfWork(sessionmaker(bind=engine, expire_on_commit=False)(), publish=lambda rows: None)
    zone = platform_zone(config.get("CLOCK_TZ") or None)
    with ClusterRpcProxy(config, timeout=120) as cluster:
        def fetch_page(service, types, after, limit):
            return getattr(cluster, service).event_history(SYSTEM.dump(), types, after, limit)
        rebuild(uow, fetch_page, zone, args.page_size)
    uow.close()
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
