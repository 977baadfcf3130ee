"""Start-up cross-checks against case's rule book (the data ``case.rulebook_summary`` serves):
each service refuses to start on an entry it cannot serve, and the error names the entry.
No broker: the rule book is fed in as data."""
import copy
from dataclasses import replace

import pytest

from services.case.rulebook import load_rulebook, rulebook_summary
from services.deadline.thresholds import Settings
from services.library import basis, corpus as corpus_mod
from services.notify.routing import (Addressee, RoutingError, addressees, check_partner_routes, load_routing,
                                     with_rulebook)
from services.review.checklist import ChecklistError, MissingChecklist, check_covers, load_checklist
from tests.unit.test_library_support import CORPUS, RULEBOOK

BOOK = rulebook_summary(load_rulebook(RULEBOOK))
CHECKLIST = load_checklist()
ROUTING = load_routing()


def book_with(change):
    book = copy.deepcopy(BOOK)
    change(book)
    return book


def item(book, code):
    return next(i for i in book["items"] if i["code"] == code)


# -- review: every rule-book item has an evidence checklist ------------------------------
def test_the_shipped_checklists_cover_every_item_of_the_rule_book():
    check_covers(CHECKLIST, BOOK["items"])


def test_an_item_without_a_checklist_stops_review_naming_it():
    book = book_with(lambda b: b["items"].append({"code": "HOME_VISIT", "name": "家访", "legal_basis": []}))
    with pytest.raises(ChecklistError) as err:
        check_covers(CHECKLIST, book["items"])
    assert "no evidence checklist for the rule book's item HOME_VISIT (家访)" in str(err.value)
    assert "evidence.yaml" in str(err.value) and "SERVE" not in str(err.value)


def test_a_partner_role_review_cannot_recognise_among_recipients_stops_review_naming_it():
    without_finance = replace(CHECKLIST, partner_keywords={k: v for k, v in CHECKLIST.partner_keywords.items()
                                                           if k != "finance"})
    with pytest.raises(ChecklistError, match=r"partner role 'finance', which the rule book names on item ASSETS "
                                             r"\(涉案财物收缴退赔\), has no partner_keywords"):
        check_covers(without_finance, BOOK["items"])


def test_a_report_on_an_item_without_a_checklist_is_a_clear_refusal_not_a_500():
    with pytest.raises(MissingChecklist) as err:
        CHECKLIST.evidence_schema("HOME_VISIT")
    assert err.value.status == 422 and err.value.code == "NO_EVIDENCE_CHECKLIST"
    assert "HOME_VISIT" in err.value.message and "HOME_VISIT" in err.value.fields["code"][0]


# -- notify: every partner role the rule book names has a route ---------------------------
def test_the_shipped_routes_reach_every_partner_role_and_take_the_names():
    routing = with_rulebook(ROUTING, BOOK)
    assert routing.item_names["ASSETS"] == "涉案财物收缴退赔"


def test_a_partner_role_no_route_addresses_stops_notify_naming_role_and_item():
    only_some = replace(ROUTING, routes=tuple(
        replace(r, roles=("organization", "hr", "united_front")) if "partners" in r.to else r
        for r in ROUTING.routes))
    with pytest.raises(RoutingError) as err:
        check_partner_routes(only_some, BOOK)
    message = str(err.value)
    assert "partner role 'finance'" in message and "item ASSETS (涉案财物收缴退赔)" in message


def test_without_any_partner_route_the_first_role_named_is_reported():
    no_partners = replace(ROUTING, routes=tuple(r for r in ROUTING.routes if "partners" not in r.to))
    with pytest.raises(RoutingError, match=r"partner role 'organization', which the rule book names on item COPY"):
        check_partner_routes(no_partners, BOOK)


def test_a_route_limited_to_roles_addresses_only_those():
    route = replace(next(r for r in ROUTING.routes if "partners" in r.to), roles=("finance",))
    assert addressees(route, {"partners": ["organization", "finance"]}) == [Addressee("partner", role="finance")]


# -- library: every legal basis resolves --------------------------------------------------
def test_a_legal_basis_naming_no_article_stops_library_naming_the_entry():
    book = book_with(lambda b: item(b, "ASSETS")["legal_basis"].__setitem__(0, {"regulation": "S01", "article": 2090}))
    corpus = corpus_mod.load([CORPUS])
    basis.check_rulebook(corpus, BOOK)
    with pytest.raises(basis.BadReference, match=r"items\[6\] ASSETS legal_basis\[0\] \{regulation: S01, article: 2090\}"):
        basis.check_rulebook(corpus, book)


# -- deadline: the thresholds among the settings ------------------------------------------
def test_a_threshold_that_could_not_work_stops_deadline_naming_the_setting():
    Settings.from_rulebook(BOOK["settings"])
    book = book_with(lambda b: b["settings"].__setitem__("overdue_repeat_days", 0))
    with pytest.raises(ValueError, match=r"settings\.overdue_repeat_days"):
        Settings.from_rulebook(book["settings"])
