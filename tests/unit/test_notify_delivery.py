"""Who a delivery concerns, the email message, reply deadlines in working days, item names,
and every route of routing.yaml rendering in Chinese from the events of the contract."""
from datetime import date
from types import SimpleNamespace

import pytest

from services.notify.deliveries import concerns
from services.notify.mail import SmtpSettings, compose
from services.notify.routing import (RoutingError, addressees, load_routing, render, reply_due,
                                     with_item_name)

ROUTING = load_routing()

# One payload per event of the contract (events.md), as the publishers send them.
EVENTS = {
    "case.decision_registered": {"decision_id": 5, "unit_id": 3, "doc_number": "东纪发〔2021〕1号"},
    "case.item_opened": {"item_id": 7, "decision_id": 5, "unit_id": 3, "code": "COPY", "name": "抄送",
                         "due_date": "2021-04-01", "partners": ["organization"]},
    "review.item_submitted": {"report_id": 1, "item_id": 7, "decision_id": 5, "unit_id": 3, "code": "COPY",
                              "round": 2, "performed_on": "2021-03-10", "findings": []},
    "review.item_approved": {"report_id": 1, "item_id": 7, "decision_id": 5, "unit_id": 3, "code": "COPY"},
    "review.item_rejected": {"report_id": 1, "item_id": 7, "decision_id": 5, "unit_id": 3, "code": "COPY",
                             "problem_category": "送达部门遗漏", "requirement": "补送统战部",
                             "rectify_by": "2021-04-10", "round": 1},
    "review.guidance_issued": {"guidance_id": 1, "unit_id": 3, "decision_id": None, "item_id": None,
                               "text": "请规范宣布程序"},
    "review.extension_approved": {"extension_id": 1, "item_id": 7, "decision_id": 5, "unit_id": 3,
                                  "code": "TREATMENT", "days": 30, "new_due_date": "2021-05-01"},
    **{f"deadline.deadline_{level}": {"item_id": 7, "decision_id": 5, "unit_id": 3, "code": "COPY", "name": "抄送",
                                      "due_date": "2021-04-01", "level": level, "days_left": -2, "as_of": "2021-04-03"}
       for level in ("reminder", "warning", "overdue")},
    "case.reform_registered": {"reform_id": 2, "unit_id": 3, "basis": "纪律检查建议书", "doc_number": "东纪建〔2021〕3号",
                               "issued_on": "2021-04-01", "due_date": None, "decision_ids": [5], "items": []},
    "case.impact_period_ended": {"period_id": 4, "person_id": 2, "decision_id": 5, "unit_id": 3,
                                 "person_name": "张三", "id_number_masked": "110105********123X",
                                 "kind": "government", "kind_name": "政务", "sanction_type": "记过",
                                 "ends_on": "2022-03-01", "summary": "现已不在影响期内",
                                 "partners": ["organization", "hr"]},
}
ITEM_NAMES = {"COPY": "抄送", "TREATMENT": "调整待遇"}


@pytest.mark.parametrize("route", ROUTING.routes, ids=lambda r: r.event)
def test_every_route_reads_as_chinese_with_every_field_filled(route):
    payload = with_item_name(EVENTS[route.event], ITEM_NAMES)
    texts = dict(payload, reply_due="2021-03-12")
    title, body = render(route.title, texts), render(route.body, texts)
    assert "—" not in title + body and "{" not in title + body
    assert route.sender and addressees(route, payload)


def test_review_events_name_the_item_from_the_rule_book():
    route, = ROUTING.for_event("review", "item_rejected")
    payload = with_item_name(EVENTS["review.item_rejected"], ITEM_NAMES)
    assert "抄送" in render(route.body, payload) and "COPY" not in render(route.body, payload)
    assert with_item_name({"code": "X", "name": "既有"}, ITEM_NAMES)["name"] == "既有"


@pytest.mark.parametrize("event,kinds", [
    ("review.item_submitted", ["review"]), ("review.item_approved", ["unit"]), ("review.item_rejected", ["unit"]),
    ("review.guidance_issued", ["unit"]), ("deadline.deadline_warning", ["unit"]),
    ("deadline.deadline_overdue", ["unit", "review"]),
])
def test_each_event_reaches_whom_the_issue_names(event, kinds):
    source, event_type = event.split(".")
    found = [a.kind for r in ROUTING.for_event(source, event_type) for a in addressees(r, EVENTS[event])]
    assert found == kinds


def test_a_partner_notice_asks_for_an_answer_within_working_days():
    route = next(r for r in ROUTING.for_event("case", "item_opened") if "partners" in r.to)
    assert route.asks_reply and "{reply_due}" in route.body
    # 5 working days from 30 September 2021 skip the National Day holiday (1-7 October).
    assert reply_due(date(2021, 9, 30), ROUTING, True) == date(2021, 10, 13)
    assert reply_due(date(2021, 3, 5), ROUTING, True) == date(2021, 3, 12)
    assert reply_due(date(2021, 3, 5), ROUTING, False) is None


def test_a_malformed_routing_file_is_refused_naming_the_entry(tmp_path):
    bad = tmp_path / "routing.yaml"
    bad.write_text("reply_workdays: 5\nreply_reminder: {title: t, body: b}\nwebhooks: {}\n"
                   "routes:\n  - {event: case.item_opened, to: [everyone], title: t, body: b}\n", encoding="utf-8")
    with pytest.raises(RoutingError, match=r"routes\[0\]"):
        load_routing(bad)


def sub(**fields):
    return SimpleNamespace(**{"unit_id": 9, "unit_kind": "responsible", "partner_role": None, **fields})


def notice(**fields):
    return SimpleNamespace(**{"kind": "unit", "unit_id": 3, "role": None, **fields})


def test_a_subscriber_receives_what_its_unit_inbox_would_hold():
    assert concerns(sub(unit_id=3), notice())
    assert not concerns(sub(unit_id=4), notice())
    assert concerns(sub(unit_kind="partner", partner_role="hr"), notice(kind="partner", unit_id=None, role="hr"))
    assert not concerns(sub(unit_kind="partner", partner_role="finance"),
                        notice(kind="partner", unit_id=None, role="hr"))
    assert not concerns(sub(), notice(kind="partner", unit_id=None, role="hr"))
    assert concerns(sub(unit_kind="review"), notice(kind="review", unit_id=None))
    assert not concerns(sub(unit_kind="responsible"), notice(kind="review", unit_id=None))


def test_email_is_off_unless_a_host_is_configured():
    assert SmtpSettings.from_config({}) is None
    assert SmtpSettings.from_config({"NOTIFY_SMTP_HOST": ""}) is None
    on = SmtpSettings.from_config({"NOTIFY_SMTP_HOST": "mail.local", "NOTIFY_SMTP_PORT": "2525",
                                   "NOTIFY_SMTP_STARTTLS": "true"})
    assert (on.host, on.port, on.starttls) == ("mail.local", 2525, True)


def test_a_mail_carries_the_delivery_id_for_dropping_duplicates():
    message = compose(SmtpSettings("mail.local"), "zuzhi@example.org", "请配合办理：抄送", "正文", "d-42")
    assert message["X-Platform-Delivery"] == "d-42" and "d-42" in message["Message-ID"]
    assert message["Subject"] == "请配合办理：抄送" and message.get_content().strip() == "正文"
