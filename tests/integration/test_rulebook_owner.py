"""The rule book has one owner: case, started on a district's own RULEBOOK_PATH, serves it, and
that is what review, deadline, notify and library see (none of them reads the file)."""
from datetime import date, timedelta

import pytest
from nameko.testing.services import entrypoint_hook
from nameko.testing.utils import get_extension

from services.case.service import CaseService
from services.common.clock import Clock, FixedClock
from services.common.startup import BuiltAtStartup
from services.deadline.service import DeadlineService
from services.library.service import LibraryService
from services.notify.service import NotifyService
from services.review.service import ReviewService
from tests.helpers import decision_payload, eventually
from tests.unit.test_library_support import RULEBOOK, shared_index_dir

REVIEWER = {"user_id": 1, "role": "reviewer", "unit_id": 1}
OPERATOR = {"user_id": 2, "role": "operator", "unit_id": 2}
SYSTEM = {"role": "system"}
SERVED = "送达（东河区规则库）"      # the district's name for 送达
SERVE = {"served_on": "2021-03-05", "recipients": ["张三1", "东河区民政局"], "receipt_signed": True,
         "unit_seal": True}


@pytest.fixture
def district_rulebook(tmp_path):
    """A copy of the shipped rule book with 送达 renamed and 警告's legal basis moved to another article."""
    shipped = RULEBOOK.read_text(encoding="utf-8")
    changed = shipped.replace("    name: 送达\n", f"    name: {SERVED}\n", 1).replace(
        "    警告: {months: 12, legal_basis: [{regulation: P01, article: 10}]}",
        "    警告: {months: 12, legal_basis: [{regulation: P01, article: 11}]}", 1)
    assert changed.count(SERVED) == 1 and "article: 11}]}" in changed.split("严重警告")[0]
    path = tmp_path / "district-rulebook.yaml"
    path.write_text(changed, encoding="utf-8")
    return path


@pytest.fixture
def platform(platform_config, container_factory, district_rulebook, tmp_path_factory):
    platform_config.update(RULEBOOK_PATH=str(district_rulebook), STARTUP_WAIT_SECONDS=60,
                           LIBRARY_INDEX_DIR=str(shared_index_dir(str(tmp_path_factory.getbasetemp()))))
    clock = FixedClock("2021-03-01")
    started = {"clock": clock}
    for cls in (CaseService, ReviewService, DeadlineService, NotifyService, LibraryService):
        started[cls.name] = container_factory(cls, platform_config)
        started[cls.name].start()
        if cls is not LibraryService:
            get_extension(started[cls.name], Clock).clock = clock
    return started


def call(container, method, *args):
    with entrypoint_hook(container, method) as hook:
        return hook(*args)


def notice_titles(notify, actor):
    return [n["title"] for n in call(notify, "inbox", actor, {"per_page": 100})["items"]]


def assert_notice(notify, actor, title):
    """The actor's inbox comes to hold a notice of that title (events are handled asynchronously)."""
    titles = eventually(lambda: notice_titles(notify, actor), lambda found: title in found)
    assert title in titles


def test_what_case_serves_is_what_every_service_sees(platform):
    case, review, deadline, notify = (platform[name] for name in ("case", "review", "deadline", "notify"))
    book = call(case, "rulebook_summary", REVIEWER)
    assert book["items"][0]["name"] == SERVED

    serve = call(case, "register_decision", REVIEWER, decision_payload())["items"][0]
    assert serve["name"] == SERVED
    # notify: case's item_opened names the item as the district's rule book does.
    assert_notice(notify, OPERATOR, f"执行事项已开启：{SERVED}")

    # deadline: ten idle days later the reminder (the alert and its event) carries the name.
    lights = eventually(lambda: call(deadline, "lights_for", REVIEWER, [serve["id"]]),
                        lambda found: found.get(serve["id"], {}).get("state") == "open")
    assert lights[serve["id"]]["state"] == "open"
    platform["clock"].set(date(2021, 3, 1) + timedelta(days=11))
    call(deadline, "sweep", SYSTEM)
    alert, = [a for a in call(deadline, "alerts", REVIEWER)["items"] if a["item_id"] == serve["id"]]
    assert alert["name"] == SERVED
    assert_notice(notify, OPERATOR, f"提醒：{SERVED} 已较长时间未办理")

    # review: the report's event names the item, so does the review office's notice.
    call(review, "submit_report", OPERATOR, serve["id"], {"performed_on": "2021-03-05", "evidence": SERVE})
    assert_notice(notify, REVIEWER, f"新的上报待审核：{SERVED}")

    # notify's fallback names and library's legal bases are the district's too.
    routing = get_extension(notify, BuiltAtStartup, attr_name="routing").value
    assert routing.item_names["SERVE"] == SERVED
    library = get_extension(platform["library"], BuiltAtStartup, attr_name="library").value
    assert library.sanction_bases[("party", "警告")] == [{"regulation": "P01", "article": 11}]


def test_review_refuses_to_start_on_a_rule_book_item_it_has_no_checklist_for(platform_config, container_factory,
                                                                                tmp_path):
    """A district adds an item to its rule book but not to evidence.yaml: case starts, review
    stops naming the item (before, every report on it was a 500)."""
    from services.review.checklist import ChecklistError

    extra = ("\n  - code: HOME_VISIT\n    name: 家访\n    when: {always: true}\n    after: [ARCHIVE]\n"
             "    due: {from: decision_date, months: 2}\n    legal_basis: [{regulation: P05, article: 37}]\n")
    path = tmp_path / "rulebook-with-home-visit.yaml"
    path.write_text(RULEBOOK.read_text(encoding="utf-8").rstrip("\n") + "\n" + extra, encoding="utf-8")
    platform_config.update(RULEBOOK_PATH=str(path), STARTUP_WAIT_SECONDS=30)
    container_factory(CaseService, platform_config).start()
    review = container_factory(ReviewService, platform_config)
    with pytest.raises(ChecklistError, match=r"no evidence checklist for the rule book's item HOME_VISIT \(家访\)"):
        review.start()
