"""Every event about an item carries the item's name as case's rule book spells it, so no
listener needs the rule book to say which item it is (notify once imported case's parser
for extension_approved, which carried only a code)."""
from datetime import date
from types import SimpleNamespace

from services.case.schemas import DecisionRegisteredEvent, ItemEvent
from services.common.actor import Actor
from services.common.clock import FixedClock
from services.deadline.tracking import alert_of
from services.review import extensions
from services.review.schemas import ReportEvent


def test_case_item_events_and_decision_registered_name_their_items():
    """item_opened, item_state_changed and item_due_date_changed are ItemEvent dumps;
    decision_registered nests one per item."""
    assert "name" in ItemEvent().fields
    assert DecisionRegisteredEvent().fields["items"].inner.nested is ItemEvent
    item = SimpleNamespace(id=11, decision_id=5, unit_id=2, code="SERVE", name="送达", state="open", version=1,
                           opens_on=None, due_date=date(2021, 4, 1), cycle=None, partners=[])
    assert ItemEvent().dump(item)["name"] == "送达"


def test_review_report_events_name_their_item():
    """item_submitted, item_approved and item_rejected are ReportEvent dumps of the report, which
    keeps the name case gave for the item."""
    report = SimpleNamespace(id=1, item_id=11, item_name="送达", decision_id=5, unit_id=2, code="SERVE", round=1,
                             performed_on=date(2021, 3, 5), findings=[], problem_category=None, requirement=None,
                             rectify_by=None)
    assert ReportEvent().dump(report)["name"] == "送达"


def test_extension_approved_names_its_item():
    emitted = []
    extension = SimpleNamespace(id=3, item_id=11, decision_id=5, reform_id=None, unit_id=2, code="TREATMENT", days=10,
                                state="requested", from_due_date=None)
    uow = SimpleNamespace(session=SimpleNamespace(get=lambda model, key: extension),
                          emit=lambda event_type, payload: emitted.append((event_type, payload)),
                          commit=lambda: None)
    item = {"id": 11, "decision_id": 5, "unit_id": 2, "code": "TREATMENT", "name": "调整待遇", "state": "open",
            "due_date": "2021-04-01", "extension_limit": "2021-09-01", "version": 2}
    case = SimpleNamespace(get_item=lambda actor, item_id: item, extend_due_date=lambda *args: item)
    extensions.approve(uow, case, FixedClock("2021-03-20"), Actor(1, "reviewer", 1), 3)
    (event_type, payload), = emitted
    assert event_type == "extension_approved"
    assert (payload["item_id"], payload["code"], payload["name"]) == (11, "TREATMENT", "调整待遇")


def test_deadline_alerts_name_their_item():
    row = SimpleNamespace(item_id=11, decision_id=5, reform_id=None, unit_id=2, code="SERVE", name="送达",
                          target_date=date(2021, 4, 1))
    _, payload = alert_of(row, "reminder", date(2021, 3, 11))
    assert payload["name"] == "送达"
