"""Actor.scope: the one unit-scope filter every list query goes through, run on an in-memory
SQLite table holding rows of two units and rows of no unit."""
import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select

from services.common.actor import GLOBAL_ROLES, Actor

METADATA = MetaData()
ROW = Table("row", METADATA, Column("id", Integer, primary_key=True), Column("unit_id", Integer))
ROWS = [(1, 10), (2, 10), (3, 20), (4, None)]   # unit 10, unit 20, and a row of no unit


@pytest.fixture(scope="module")
def conn():
    engine = create_engine("sqlite://")
    METADATA.create_all(engine)
    with engine.connect() as connection:
        connection.execute(insert(ROW), [{"id": i, "unit_id": u} for i, u in ROWS])
        yield connection
    engine.dispose()


def ids(conn, stmt):
    return sorted(conn.scalars(stmt))


def visible(conn, actor):
    return ids(conn, actor.scope(select(ROW.c.id), ROW.c.unit_id))


@pytest.mark.parametrize("role", sorted(GLOBAL_ROLES) + ["system"])
def test_global_roles_see_every_row_unfiltered(conn, role):
    actor = Actor(user_id=1, role=role, unit_id=10)
    stmt = select(ROW.c.id)
    assert actor.scope(stmt, ROW.c.unit_id) is stmt        # no WHERE added at all
    assert visible(conn, actor) == [1, 2, 3, 4]
    assert visible(conn, Actor(user_id=1, role=role, unit_id=None)) == [1, 2, 3, 4]


@pytest.mark.parametrize("role", ["operator", "partner"])
def test_a_unit_role_sees_its_own_units_rows_only(conn, role):
    assert visible(conn, Actor(user_id=2, role=role, unit_id=10)) == [1, 2]
    assert visible(conn, Actor(user_id=3, role=role, unit_id=20)) == [3]
    assert visible(conn, Actor(user_id=4, role=role, unit_id=30)) == []


@pytest.mark.parametrize("role", ["operator", "partner"])
def test_a_unit_role_without_a_unit_sees_nothing_not_the_rows_of_no_unit(conn, role):
    actor = Actor(user_id=5, role=role, unit_id=None)
    stmt = actor.scope(select(ROW.c.id), ROW.c.unit_id)
    assert "IS NULL" not in str(stmt.compile(conn))
    assert ids(conn, stmt) == []


def test_scope_keeps_the_statements_own_conditions(conn):
    actor = Actor(user_id=2, role="operator", unit_id=10)
    stmt = actor.scope(select(ROW.c.id).where(ROW.c.id > 1), ROW.c.unit_id).where(ROW.c.id < 9)
    assert ids(conn, stmt) == [2]


def test_in_own_unit_is_the_actors_own_unit_whatever_the_role(conn):
    """The inbox form: a reviewer's own unit, not every unit; no unit owns nothing."""
    def owned(actor):
        return ids(conn, select(ROW.c.id).where(actor.in_own_unit(ROW.c.unit_id)))

    assert owned(Actor(user_id=1, role="reviewer", unit_id=20)) == [3]
    assert owned(Actor(user_id=1, role="reviewer", unit_id=None)) == []
    assert owned(Actor(user_id=2, role="partner", unit_id=10)) == [1, 2]


def test_may_see_unit_agrees_with_scope(conn):
    for actor in (Actor(1, "reviewer", None), Actor(2, "operator", 10), Actor(3, "operator", None)):
        assert [i for i, u in ROWS if actor.may_see_unit(u)] == visible(conn, actor)
