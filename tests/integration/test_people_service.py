"""People across cases and the impact-period check, in a real case container on a real RabbitMQ
and database: search and the person's page within scope, the check per purpose on the day
before and after a period ends (留党察看's restore included), every refusal changing nothing,
and impact_period_ended announced once per period."""
from datetime import date

import eventlet
import pytest
from nameko.events import event_handler
from nameko.testing.services import entrypoint_hook
from nameko.testing.utils import get_extension
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from services.case.service import CaseService
from services.common.clock import Clock, FixedClock
from services.common.errors import Forbidden, NotFound, ValidationFailed
from tests.helpers import count_rows, decision_payload, eventually, id_number

REVIEWER = {"user_id": 1, "role": "reviewer", "unit_id": 1}
LEADER = {"user_id": 4, "role": "leader", "unit_id": None}
OPERATOR = {"user_id": 2, "role": "operator", "unit_id": 2}
OTHER_OPERATOR = {"user_id": 3, "role": "operator", "unit_id": 3}
NO_UNIT_OPERATOR = {"user_id": 9, "role": "operator", "unit_id": None}
ORGANIZATION = {"user_id": 5, "role": "partner", "unit_id": 6, "partner_role": "organization"}
HR = {"user_id": 6, "role": "partner", "unit_id": 7, "partner_role": "hr"}
FINANCE = {"user_id": 7, "role": "partner", "unit_id": 8, "partner_role": "finance"}
ADMIN = {"user_id": 8, "role": "admin", "unit_id": None}
SYSTEM = {"user_id": None, "role": "system", "unit_id": None}
TABLES = ("person", "decision", "sanction", "impact_period", "execution_item", "item_transition", "outbox")


class Listener:
    name = "people_listener"
    seen = []

    @event_handler("case", "impact_period_ended")
    def on_period_ended(self, payload):
        Listener.seen.append(payload)


def call(container, method, *args, **kwargs):
    with entrypoint_hook(container, method) as hook:
        return hook(*args, **kwargs)


@pytest.fixture
def clock():
    return FixedClock("2022-03-05")


@pytest.fixture
def case(platform_config, container_factory, clock):
    container = container_factory(CaseService, platform_config)
    container.start()
    get_extension(container, Clock).clock = clock      # every worker now runs on this day
    return container


def register(case, n, sanctions, decision_date="2021-03-01", **overrides):
    return call(case, "register_decision", REVIEWER, decision_payload(
        n, sanctions=sanctions, decision_date=decision_date, illicit_gains=None, org_handling=[],
        letters=[], **overrides))


def check(case, actor, n, on, purpose):
    return call(case, "check_person", actor, id_number(n), on, purpose)


def approve(case, decision, *codes):
    items = {i["code"]: i for i in call(case, "get_decision", REVIEWER, decision["id"])["items"]}
    for code in codes:
        call(case, "transition_item", OPERATOR, items[code]["id"], "submitted")
        call(case, "transition_item", REVIEWER, items[code]["id"], "approved")


# -- the check ------------------------------------------------------------------------------------
def test_the_check_answers_each_purpose_the_day_before_and_after_the_end(case):
    register(case, 1, [{"kind": "government", "type": "记过"}])          # ends 2022-03-01
    before = check(case, HR, 1, "2022-02-28", "promotion")
    assert before["known"] and before["in_impact_period"]
    assert before["id_number"] == id_number(1)[:6] + "********" + id_number(1)[-4:]
    assert before["periods"] == [{"kind": "government", "sanction_type": "记过", "starts_on": "2021-03-01",
                                  "ends_on": "2022-03-01", "stacked": False}]
    (answer,) = before["restrictions"]
    assert (answer["purpose"], answer["allowed"], answer["until"]) == ("promotion", False, "2022-03-01")
    assert answer["basis"] == {"regulation": "L01", "article": 19}
    assert {"regulation": "L05", "article": 64} in answer["bases"]
    rating = check(case, ORGANIZATION, 1, "2022-02-28", "rating")["restrictions"][0]
    assert not rating["allowed"] and rating["rule"] == "政务处分期内参加年度考核，不确定等次"
    assert check(case, LEADER, 1, "2022-02-28", "party_rights")["restrictions"][0]["allowed"]
    after = check(case, REVIEWER, 1, "2022-03-02", "promotion")
    assert not after["in_impact_period"] and after["periods"] == []
    assert after["restrictions"][0]["allowed"] and after["restrictions"][0]["until"] is None


def test_the_answer_names_no_decision_and_no_fact(case):
    register(case, 1, [{"kind": "party", "type": "警告"}], facts="违规发放补贴，数额较大")
    body = check(case, HR, 1, "2021-06-01", "award")
    assert set(body) == {"id_number", "on", "purpose", "known", "in_impact_period", "periods", "restrictions"}
    text_of = repr(body)
    for leak in ("违规", "东纪发", "decision", "张三", id_number(1)):
        assert leak not in text_of


def test_the_check_defaults_to_today(case):
    register(case, 1, [{"kind": "party", "type": "严重警告"}])
    body = call(case, "check_person", HR, id_number(1), None, "promotion")
    assert body["on"] == "2022-03-05" and body["restrictions"][0]["until"] == "2022-09-01"


def test_an_unknown_person_is_an_answer(case):
    body = check(case, HR, 77, "2022-01-01", "promotion")
    assert body["known"] is False and body["in_impact_period"] is False and body["periods"] == []
    assert body["restrictions"][0]["allowed"] is True


def test_probation_and_its_restore(case, clock):
    """留党察看 12 months from 2021-03-01: party rights wait for the restore, which the review
    office approves on 2022-03-05; promotion stays barred two years after it."""
    decision = register(case, 1, [{"kind": "party", "type": "留党察看", "months": 12}])
    eve = check(case, HR, 1, "2022-02-28", "party_rights")["restrictions"][0]
    assert (eve["allowed"], eve["until"], eve["open_ended"], eve["not_before"]) == (
        False, None, "restore", "2022-03-01")
    ended = check(case, HR, 1, "2022-03-02", "party_rights")
    assert not ended["in_impact_period"] and ended["restrictions"][0]["open_ended"] == "restore"
    approve(case, decision, "SERVE", "ANNOUNCE", "COPY", "ARCHIVE", "RESTORE")   # on 2022-03-05
    restored = check(case, HR, 1, "2022-03-06", "party_rights")["restrictions"][0]
    assert restored["allowed"]
    assert check(case, HR, 1, "2022-03-04", "party_rights")["restrictions"][0]["until"] == "2022-03-05"
    promotion = check(case, ORGANIZATION, 1, "2022-03-06", "promotion")["restrictions"][0]
    assert (promotion["allowed"], promotion["until"]) == (False, "2024-03-05")
    assert check(case, ORGANIZATION, 1, "2024-03-06", "promotion")["restrictions"][0]["allowed"]
    person = call(case, "get_person", REVIEWER, call(case, "search_people", REVIEWER, "张三1")["items"][0]["id"])
    assert person["standing"]["party_rights"] == {"state": "restored", "sanction_type": "留党察看",
                                                  "period_ends_on": "2022-03-01", "restored_on": "2022-03-05"}


def test_stacking_carries_the_answer_to_the_new_end(case):
    register(case, 1, [{"kind": "party", "type": "警告"}])
    register(case, 1, [{"kind": "party", "type": "严重警告"}], decision_date="2021-09-01",
             doc_number="东纪发〔2021〕99号")
    body = check(case, ORGANIZATION, 1, "2022-03-02", "promotion")
    assert [p["sanction_type"] for p in body["periods"]] == ["严重警告"] and body["periods"][0]["stacked"]
    assert body["restrictions"][0]["until"] == "2023-09-01"
    assert check(case, ORGANIZATION, 1, "2023-09-02", "promotion")["restrictions"][0]["allowed"]


REFUSALS = [
    ("malformed 身份证号", REVIEWER, ("15020219800101123X", "2022-01-01", "promotion"), ValidationFailed, "id_number"),
    ("unknown purpose", REVIEWER, (None, "2022-01-01", "holiday"), ValidationFailed, "purpose"),
    ("no purpose", REVIEWER, (None, "2022-01-01", None), ValidationFailed, "purpose"),
    ("over 10 years ahead", REVIEWER, (None, "2032-03-06", "promotion"), ValidationFailed, "on"),
    ("over 10 years back", REVIEWER, (None, "2012-03-04", "promotion"), ValidationFailed, "on"),
    ("not a date", REVIEWER, (None, "2022-02-30", "promotion"), ValidationFailed, "on"),
    ("an operator", OPERATOR, (None, "2022-01-01", "promotion"), Forbidden, "role"),
    ("an admin", ADMIN, (None, "2022-01-01", "promotion"), Forbidden, "role"),
    ("a partner of another role", FINANCE, (None, "2022-01-01", "promotion"), Forbidden, "partner_role"),
]


@pytest.mark.parametrize("what,actor,args,error,field", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refused_checks_change_nothing(case, platform_config, what, actor, args, error, field):
    register(case, 1, [{"kind": "government", "type": "记过"}])
    before = count_rows(platform_config["CASE_DB_URL"], *TABLES)
    id_no, on, purpose = args
    with pytest.raises(error) as err:
        call(case, "check_person", actor, id_no or id_number(1), on, purpose)
    assert field in (err.value.fields or {})
    assert count_rows(platform_config["CASE_DB_URL"], *TABLES) == before


def test_the_horizon_is_ten_years_either_side(case):
    assert check(case, REVIEWER, 1, "2032-03-05", "promotion")["known"] is False
    assert check(case, REVIEWER, 1, "2012-03-05", "promotion")["known"] is False


# -- search and the person's page -----------------------------------------------------------------
def test_search_by_name_id_number_and_last_digits_within_scope(case):
    register(case, 1, [{"kind": "government", "type": "记过"}])
    register(case, 2, [{"kind": "government", "type": "警告"}], person__unit_id=3)
    by_name = call(case, "search_people", REVIEWER, "张三")
    assert by_name["total"] == 2
    row = next(r for r in by_name["items"] if r["name"] == "张三1")
    assert row["id_number"].count("*") == 8 and row["decisions"] == 1
    assert row["in_impact_period"] is False       # 记过 ended on 2022-03-01, today is 2022-03-05
    assert call(case, "search_people", REVIEWER, id_number(1))["items"][0]["name"] == "张三1"
    assert call(case, "search_people", REVIEWER, id_number(1)[-6:].lower())["total"] == 1
    assert call(case, "search_people", OPERATOR, "张三")["total"] == 1
    assert call(case, "search_people", OTHER_OPERATOR, "张三1")["total"] == 0
    assert call(case, "search_people", NO_UNIT_OPERATOR, "张三1")["total"] == 0
    assert call(case, "search_people", REVIEWER, "张三", 2, 1)["items"][0]["name"] == "张三2"
    assert call(case, "search_people", REVIEWER, "%")["total"] == 0        # LIKE characters are text


@pytest.mark.parametrize("q,field", [("", "q"), ("123", "q"), ("x" * 65, "q"), (None, "q")])
def test_bad_searches_are_400(case, q, field):
    with pytest.raises(ValidationFailed) as err:
        call(case, "search_people", REVIEWER, q)
    assert field in err.value.fields


def test_partners_search_nobody_they_ask_the_check(case):
    register(case, 1, [{"kind": "government", "type": "记过"}])
    with pytest.raises(Forbidden):
        call(case, "search_people", HR, "张三")
    with pytest.raises(Forbidden):
        call(case, "get_person", HR, 1)


def test_the_person_page_across_cases_with_stacking_and_standing(case):
    first = register(case, 1, [{"kind": "party", "type": "警告"}, {"kind": "government", "type": "记过"}])
    second = register(case, 1, [{"kind": "party", "type": "严重警告"}], decision_date="2021-09-01",
                      doc_number="东纪发〔2021〕99号")
    person_id = first["person"]["id"]
    person = call(case, "get_person", OPERATOR, person_id)
    assert person["id_number"] == id_number(1)
    assert [d["doc_number"] for d in person["decisions"]] == ["东纪发〔2021〕1号", "东纪发〔2021〕99号"]
    assert "facts" not in person["decisions"][0]
    assert person["decisions"][0]["items"][0]["code"] == "SERVE"
    periods = {p["sanction_type"]: p for p in person["impact_periods"]}
    assert periods["严重警告"]["stacked"] and periods["严重警告"]["stacked_on"] == periods["警告"]["id"]
    assert periods["严重警告"]["ends_on"] == "2023-09-01" and periods["警告"]["ended"]
    assert periods["严重警告"]["decision_id"] == second["id"]
    view = person["standing"]
    assert view["on"] == "2022-03-05" and view["in_impact_period"] and view["until"] == "2023-09-01"
    answers = {a["purpose"]: a for a in view["restrictions"]}
    assert list(answers) == ["promotion", "rating", "award", "party_rights"]
    assert answers["promotion"]["until"] == "2023-09-01" and answers["party_rights"]["allowed"]
    assert view["party_rights"] is None
    for outsider in (OTHER_OPERATOR, NO_UNIT_OPERATOR):
        with pytest.raises(NotFound):
            call(case, "get_person", outsider, person_id)
    with pytest.raises(NotFound):
        call(case, "get_person", REVIEWER, 999)


# -- impact_period_ended --------------------------------------------------------------------------
def ended_events(platform_config):
    engine = create_engine(platform_config["CASE_DB_URL"], poolclass=NullPool)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT payload FROM outbox WHERE event_type = 'impact_period_ended'")).all()
    engine.dispose()
    import json
    return [row[0] if isinstance(row[0], dict) else json.loads(row[0]) for row in rows]


def test_each_period_is_announced_once_on_the_day_it_ends(case, clock, platform_config, container_factory):
    listener = container_factory(Listener, platform_config)
    listener.start()
    Listener.seen.clear()
    clock.set("2021-08-31")
    register(case, 1, [{"kind": "government", "type": "警告"}])                   # ends 2021-09-01
    register(case, 2, [{"kind": "party", "type": "留党察看", "months": 12}])      # ends 2022-03-01
    register(case, 3, [{"kind": "government", "type": "警告"}], decision_date="2020-09-01")  # ended 2021-03-01
    call(case, "announce_ended_periods", SYSTEM)
    assert ended_events(platform_config) == []                  # 2021-03-01 is past the 30 days
    clock.set("2021-09-01")
    assert call(case, "announce_ended_periods", ADMIN) == {"announced": 1}
    assert call(case, "announce_ended_periods", SYSTEM) == {"announced": 0}
    with pytest.raises(Forbidden):
        call(case, "announce_ended_periods", OPERATOR)
    clock.set("2021-09-02")
    call(case, "announce_ended_periods", SYSTEM)
    (event,) = ended_events(platform_config)
    assert (event["kind"], event["sanction_type"], event["ends_on"]) == ("government", "警告", "2021-09-01")
    assert event["id_number"] == id_number(1) and event["person_name"] == "张三1"
    assert event["in_impact_period"] is False and event["awaiting_restore"] is False
    assert event["partners"] == ["organization", "hr"] and event["unit_id"] == 2
    assert all(r["allowed"] for r in event["restrictions"] if r["purpose"] != "rating")
    assert "facts" not in event and "doc_number" not in event
    assert event["summary"] == "现已不在影响期内" and event["kind_name"] == "政务"
    clock.set("2022-03-01")
    call(case, "announce_ended_periods", SYSTEM)
    probation = next(e for e in ended_events(platform_config) if e["sanction_type"] == "留党察看")
    assert probation["awaiting_restore"] is True and probation["summary"].endswith("党员权利须经党组织决定恢复")
    assert next(r for r in probation["restrictions"] if r["purpose"] == "party_rights")["open_ended"] == "restore"
    seen = eventually(lambda: list(Listener.seen), lambda s: len(s) == 2)
    assert sorted(e["sanction_type"] for e in seen) == ["留党察看", "警告"]


def test_two_sweeps_at_once_announce_each_period_once(case, clock, platform_config):
    clock.set("2021-08-31")
    for n in range(1, 6):
        register(case, n, [{"kind": "government", "type": "警告"}])
    clock.set("2021-09-01")
    sweeps = [eventlet.spawn(call, case, "announce_ended_periods", SYSTEM) for _ in range(3)]
    for sweep in sweeps:
        sweep.wait()
    assert sorted(e["period_id"] for e in ended_events(platform_config)) == sorted(
        {e["period_id"] for e in ended_events(platform_config)})
    assert len(ended_events(platform_config)) == 5
    assert count_rows(platform_config["CASE_DB_URL"], "impact_period")["impact_period"] == 5


@pytest.mark.today("2026-06-15")
def test_the_timer_runs_on_the_platforms_day(platform_config, container_factory):
    """Without a test clock: the pinned CLOCK_TODAY, a period that ended three days before."""
    container = container_factory(CaseService, platform_config)
    container.start()
    call(container, "register_decision", REVIEWER, decision_payload(
        1, sanctions=[{"kind": "government", "type": "警告"}], decision_date="2025-12-12",
        illicit_gains=None, org_handling=[], letters=[]))
    call(container, "announce_ended_periods", SYSTEM)
    assert [e["ends_on"] for e in ended_events(platform_config)] == ["2026-06-12"]
    assert date.fromisoformat(platform_config["CLOCK_TODAY"]) == date(2026, 6, 15)
