"""The sweep on a real database writes what the rules say: on PostgreSQL a batch is one
statement (countdowns, alerts and outbox rows from JSON arrays, sweep._WRITE_BACK), elsewhere
one statement each; both must leave the same countdowns, alerts and events as the generic
path on an in-memory database, and publish exactly the outbox rows they wrote."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.common.db import UnitOfWork, make_engine
from services.common.models import OutboxEvent
from services.deadline.models import Alert, Base as DeadlineBase, Deadline
from services.deadline.sweep import _SWEPT, sweep
from services.deadline.thresholds import Settings
from services.deadline.tracking import reschedule
from tests.fakes import FakeUnitOfWork

SETTINGS = Settings(reminder_idle_days=10, warning_days_before_due=5, overdue_repeat_days=1)
TODAY = date(2021, 3, 20)


def day(offset):
    return TODAY + timedelta(days=offset)


# One countdown per kind of crossing (and two that cross nothing), as the events leave them.
ROWS = [
    dict(item_id=1, state="open", due=day(70), last=day(-10)),                      # reminder
    dict(item_id=2, state="open", due=day(4), last=day(-2)),                        # warning
    dict(item_id=3, state="open", due=day(-10), last=day(-19)),                     # overdue + reminder
    dict(item_id=4, state="open", due=day(-10), last=day(-3), overdue_on=day(-2), reminded_on=day(-3)),
    dict(item_id=5, state="locked", due=day(40), last=day(-30), opens_on=day(-5)),  # gate reached
    dict(item_id=6, state="rejected", due=day(2), last=day(-1), reform_id=9),       # a reform task warned
    dict(item_id=7, state="open", due=day(60), last=day(-1)),                       # nothing yet
    dict(item_id=8, state="submitted", due=day(-5), last=day(-1)),                  # nothing pending
]


def countdown(spec):
    reform = spec.get("reform_id")
    row = Deadline(item_id=spec["item_id"], decision_id=None if reform else 100 + spec["item_id"],
                   reform_id=reform, unit_id=3, code="SERVE", name="送达", state=spec["state"], item_version=1,
                   due_date=spec["due"], target_date=spec["due"], opens_on=spec.get("opens_on"),
                   last_activity_on=spec["last"], reminded_on=spec.get("reminded_on"), warned=False,
                   overdue_on=spec.get("overdue_on"), gate_reached=False)
    reschedule(row, SETTINGS)
    return row


def swept(session):
    """What the sweep leaves: countdowns, alerts, events (ids and times left out)."""
    rows = {r.item_id: tuple(getattr(r, key) for key in _SWEPT)
            for r in session.scalars(select(Deadline).order_by(Deadline.item_id))}
    alerts = sorted((a.item_id, a.decision_id, a.reform_id, a.unit_id, a.level, a.raised_on, a.due_date,
                     a.days_left) for a in session.scalars(select(Alert)))
    events = sorted((e.event_type, sorted((k, str(v)) for k, v in e.payload.items()
                                          if k not in ("event_id", "occurred_at")))
                    for e in session.scalars(select(OutboxEvent)))
    return rows, alerts, events


@pytest.fixture
def reference():
    """The rows swept by the generic path (one statement each) on an in-memory database."""
    uow = FakeUnitOfWork(DeadlineBase.metadata)
    uow.session.add_all([countdown(spec) for spec in ROWS])
    uow.commit()
    handled = sweep(uow, SETTINGS, TODAY, batch=2)
    yield handled, swept(uow.committed())
    uow.dispose()


def test_a_sweep_in_batches_writes_what_the_rules_say(databases, reference):
    engine = make_engine(databases.url("deadline"))
    Session = sessionmaker(bind=engine, expire_on_commit=False)
    with Session() as session:
        session.add_all([countdown(spec) for spec in ROWS])
        session.commit()
    published = []
    uow = UnitOfWork(Session(), published.extend)
    try:
        handled = sweep(uow, SETTINGS, TODAY, batch=2)     # three batches, the last one short
    finally:
        uow.close()
    expected_handled, expected = reference
    with Session() as session:
        found = swept(session)
        outbox = {e.id: (e.event_type, e.payload) for e in session.scalars(select(OutboxEvent))}
    engine.dispose()

    assert handled == expected_handled == 6
    assert found == expected
    assert {level for _, _, _, _, level, *_ in found[1]} == {"reminder", "warning", "overdue"}
    assert any(kind == "deadline_due_date_reached" and ("item_id", "5") in body for kind, body in found[2])
    # Published after the commit: exactly the rows written, with the bodies stored.
    assert {event_id: (event_type, payload) for event_id, event_type, payload in published} == outbox
    # Swept once: the same day again crosses nothing.
    uow = UnitOfWork(Session(), published.extend)
    try:
        assert sweep(uow, SETTINGS, TODAY, batch=2) == 0
    finally:
        uow.close()


def test_alerts_by_level_read_only_the_rows_the_rules_keep(databases):
    """Each level asked reads fewer rows in SQL; what it answers is still the rules' (the
    sweep's level or the light's where worse), in due-date order."""
    from services.common.actor import Actor
    from services.deadline.sweep import alerts
    from services.deadline.thresholds import ACTIVE, light
    from services.deadline.tracking import countdown_of

    levels = [None, "reminder", "warning", "overdue"]
    specs = [dict(item_id=10 + n, state=state, due=day(due), last=day(-1)) for n, (state, due) in enumerate(
        [("open", 40), ("open", 3), ("open", -2), ("rejected", 5), ("rejected", -9), ("submitted", -3),
         ("open", 0), ("open", 6), ("locked", 2), ("open", 30)])]
    engine = make_engine(databases.url("deadline"))
    Session = sessionmaker(bind=engine, expire_on_commit=False)
    with Session() as session:
        rows = [countdown(spec) for spec in specs]
        for row, stored in zip(rows, [None, "reminder", "warning", "reminder", "warning", None, None, "overdue",
                                      None, "reminder"]):
            row.level = stored
        session.add_all(rows)
        session.commit()
        rank = {None: 0, "reminder": 1, "warning": 2, "overdue": 3}
        shade = {"red": "overdue", "yellow": "warning"}
        expected = {}
        for asked in levels:
            kept = []
            for row in sorted(rows, key=lambda r: (r.target_date, r.item_id)):
                if row.state not in ACTIVE:
                    continue
                by_light = shade.get(light(countdown_of(row), SETTINGS, TODAY))
                now = max(row.level, by_light, key=rank.get)
                if now and (not asked or now == asked):
                    kept.append((row.item_id, now))
            expected[asked] = kept
        found = {asked: [(a["item_id"], a["level"]) for a in alerts(session, SETTINGS, Actor(1, "reviewer", 1),
                                                                     TODAY, asked)] for asked in levels}
        unit = alerts(session, SETTINGS, Actor(2, "operator", 3), TODAY)
        elsewhere = alerts(session, SETTINGS, Actor(2, "operator", 4), TODAY)
    engine.dispose()
    assert found == expected
    assert {level for _, level in found[None]} == {"reminder", "warning", "overdue"}
    assert [a["item_id"] for a in unit] == [item_id for item_id, _ in expected[None]] and elsewhere == []
