"""The statistics cube (多维分析) and the leaders' cockpit (领导驾驶舱), over the read model that
services/deadline/projection.py keeps from events.

A measure counts one kind of fact, each dated by its own day:

| fact | table | its date (month, quarter, year, from/to) | measures |
|---|---|---|---|
| decision 处分决定 | stat_decision | decision date | decisions |
| item 执行事项 | deadline (the countdowns) | due date (extended, if so) | items, open, overdue, on_time_rate, avg_delay_days |
| review 审核 | stat_review | the day of the review | reviewed, rejected, correction_rate |
| guidance 指导意见 | stat_guidance | the day it was issued | guidance |
| reform case 以案促改 | stat_reform | its issue date | reforms |

A dimension a fact does not have (the item code of a decision, the light of a review, anything
but unit and time for guidance) leaves that measure ``null`` in the answer, named in
``not_applicable``, and so does a filter it cannot be narrowed by.  Items are the execution
items of decisions; a reform case's tasks (以案促改, countdowns with ``reform_id``) count in
``reforms`` (the reform cases, by unit and the month of issue: reform_figures.py has the rest)
and their reviews in ``reviewed`` and ``rejected`` (every review the office made).

How a figure is computed: one GROUP BY per fact over its own table, by the *base* columns the
dimensions need (unit id, code, category, the party and government sanction, month, light,
problem category), in the database; the few resulting groups are then folded into the keys
asked for (a unit's kind, a month's quarter or year, a decision's one or two sanction types),
and the totals are the sum over those groups, in which every fact is counted exactly once.
Rates are fractions (0.25 = 25%), rounded to four places; ``null`` where nothing was counted.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Date, Integer, and_, case, func, literal, or_, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from services.common.actor import Actor
from services.common.errors import NotFound, ValidationFailed
from services.common.schemas import load

from .models import Deadline, StatDecision, StatGuidance, StatReform, StatReview
from .schemas import CubeQuery, DashboardQuery
from .thresholds import ACTIVE

CUBE_QUERY, DASHBOARD_QUERY = CubeQuery(), DashboardQuery()
ROLES = ("reviewer", "leader", "admin", "operator", "system")   # a partner sees no statistics
MAX_DIMENSIONS = 2
MAX_YEARS = 10
OPEN = ("open", "submitted", "rejected")    # 在办: opened, not yet approved
DONE = ("submitted", "approved")            # green once reported (thresholds.light)

DIMENSIONS = {
    "unit": "单位", "unit_kind": "单位类型", "code": "执行事项", "sanction_kind": "处分类别",
    "sanction_type": "处分种类", "category": "人员类别", "month": "月份", "quarter": "季度",
    "year": "年度", "light": "亮灯", "problem": "驳回问题类别",
}
MEASURES = {
    "decisions": "处分决定数", "items": "执行事项数", "open": "在办事项数", "overdue": "超期事项数",
    "on_time_rate": "按期办结率", "avg_delay_days": "平均超期天数", "reviewed": "审核数",
    "rejected": "驳回数", "correction_rate": "纠错率", "guidance": "指导意见数", "reforms": "以案促改数",
}
RATES = ("on_time_rate", "correction_rate")
# The base column each dimension is grouped by.
BASE = {"unit": "unit", "unit_kind": "unit", "code": "code", "sanction_kind": "sanction",
        "sanction_type": "sanction", "category": "category", "month": "month", "quarter": "month",
        "year": "month", "light": "light", "problem": "problem"}
FILTER_BASE = {"sanction": "sanction", "category": "category"}

KIND_NAMES = {"party": "党纪处分", "government": "政务处分"}
KIND_SHORT = {"party": "党纪", "government": "政务"}
LIGHT_NAMES = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", None: "未亮灯"}
LIGHT_ORDER = ("red", "yellow", "green", None)
RANK_LIGHT = {3: "red", 2: "yellow", 1: "green", 0: None}
UNIT_KIND_NAMES = {"review": "案件审理室", "responsible": "主体责任部门", "partner": "协作部门", None: "未知类型"}
UNIT_KIND_ORDER = ("review", "responsible", "partner", None)


# -- SQL helpers the two backends spell differently ---------------------------------------------
class month_number_of(FunctionElement):
    """202606 of a date, in SQL (for the small tables that keep no month column)."""
    type = Integer()
    inherit_cache = True


@compiles(month_number_of)
def _month_number_sqlite(element, compiler, **kw):
    return f"CAST(strftime('%Y%m', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(month_number_of, "postgresql")
def _month_number_postgresql(element, compiler, **kw):
    day = compiler.process(element.clauses, **kw)
    return f"CAST(EXTRACT(YEAR FROM {day}) * 100 + EXTRACT(MONTH FROM {day}) AS INTEGER)"


class days_between(FunctionElement):
    """``later - earlier`` in days."""
    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_postgresql(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"({later} - {earlier})"


def month_key(value):
    """'2026-06' of a month number (202606)."""
    return None if value is None else f"{value // 100:04d}-{value % 100:02d}"


def when(value):
    """A date written into the statement itself, so the same CASE in the select list and the
    GROUP BY is the same text (PostgreSQL groups by expressions, not by parameter values)."""
    return literal(value, Date, literal_execute=True)


# -- the rule book's vocabulary, for labels and checks -----------------------------------------
@dataclass(frozen=True)
class Vocabulary:
    """What the statistics need of case's rule book: item names in order, sanction types,
    person categories (taken at start-up, ``rulebook_summary``)."""
    items: dict = field(default_factory=dict)        # code -> name, in the rule book's order
    sanctions: tuple = ()                            # (kind, type), in order
    categories: tuple = ()

    @classmethod
    def from_rulebook(cls, summary):
        return cls(items={i["code"]: i["name"] for i in summary.get("items", [])},
                   sanctions=tuple((s["kind"], s["type"]) for s in summary.get("sanctions", [])),
                   categories=tuple((summary.get("vocabularies") or {}).get("category", [])))


# -- the facts -----------------------------------------------------------------------------------
@dataclass(eq=False)
class Fact:
    name: str
    model: type
    day: object                                 # the column dating a fact
    bases: dict                                 # base -> a function of the context: [column, ...]
    components: dict                            # component -> a function of the context: its aggregate
    counted: tuple                              # the measures it counts


def _light(ctx):
    return case(
        (Deadline.state.in_(ACTIVE), case((Deadline.target_date < when(ctx.today), "red"),
                                          (Deadline.target_date <= when(ctx.warn_until), "yellow"),
                                          else_="green")),
        (Deadline.state.in_(DONE), "green"), else_=None)


def _light_rank(ctx):
    return case(
        (Deadline.state.in_(ACTIVE), case((Deadline.target_date < ctx.today, 3),
                                          (Deadline.target_date <= ctx.warn_until, 2), else_=1)),
        (Deadline.state.in_(DONE), 1), else_=0)


def _count(condition=None):
    """count(*) FILTER (WHERE condition): cheaper than summing a CASE on both backends."""
    return func.count() if condition is None else func.count().filter(condition)


def _sanction_columns(model):
    return lambda ctx: [model.party_type, model.government_type]


ITEM = Fact(
    "item", Deadline, Deadline.due_date,
    bases={"unit": lambda ctx: [Deadline.unit_id], "code": lambda ctx: [Deadline.code],
           "category": lambda ctx: [Deadline.category], "sanction": _sanction_columns(Deadline),
           "month": lambda ctx: [Deadline.due_month], "light": lambda ctx: [_light(ctx)]},
    components={
        "items": lambda ctx: _count(),
        "open": lambda ctx: _count(Deadline.state.in_(OPEN)),
        "overdue": lambda ctx: _count(and_(Deadline.state.in_(ACTIVE), Deadline.target_date < ctx.today)),
        "approved": lambda ctx: _count(Deadline.approved_on.is_not(None)),
        "on_time": lambda ctx: _count(Deadline.approved_on <= Deadline.due_date),
        "late": lambda ctx: _count(Deadline.approved_on > Deadline.due_date),
        "delay": lambda ctx: func.coalesce(func.sum(days_between(Deadline.approved_on, Deadline.due_date))
                                           .filter(Deadline.approved_on > Deadline.due_date), 0),
    },
    counted=("items", "open", "overdue", "on_time_rate", "avg_delay_days"))

DECISION = Fact(
    "decision", StatDecision, StatDecision.decision_date,
    bases={"unit": lambda ctx: [StatDecision.unit_id], "category": lambda ctx: [StatDecision.category],
           "sanction": _sanction_columns(StatDecision),
           "month": lambda ctx: [StatDecision.decision_month],
           "light": lambda ctx: [ctx.decision_rank]},     # its worst item's (see _decision_lights)
    components={"decisions": lambda ctx: _count(),
                "executing": lambda ctx: _count(StatDecision.completed.is_(False))},
    counted=("decisions",))

REVIEW = Fact(
    "review", StatReview, StatReview.reviewed_on,
    bases={"unit": lambda ctx: [StatReview.unit_id], "code": lambda ctx: [StatReview.code],
           "category": lambda ctx: [StatReview.category], "sanction": _sanction_columns(StatReview),
           "month": lambda ctx: [StatReview.review_month], "problem": lambda ctx: [StatReview.problem]},
    components={"reviewed": lambda ctx: _count(),
                "rejected": lambda ctx: _count(StatReview.outcome == "rejected")},
    counted=("reviewed", "rejected", "correction_rate"))

GUIDANCE = Fact(
    "guidance", StatGuidance, StatGuidance.issued_on,
    bases={"unit": lambda ctx: [StatGuidance.unit_id], "month": lambda ctx: [StatGuidance.issued_month]},
    components={"guidance": lambda ctx: _count()},
    counted=("guidance",))

REFORM = Fact(
    "reform", StatReform, StatReform.issued_on,
    bases={"unit": lambda ctx: [StatReform.unit_id], "month": lambda ctx: [month_number_of(StatReform.issued_on)]},
    components={"reforms": lambda ctx: _count()},
    counted=("reforms",))

FACTS = (DECISION, ITEM, REVIEW, GUIDANCE, REFORM)
FACT_OF = {measure: fact for fact in FACTS for measure in fact.counted}


def _ratio(numerator, denominator, places=4):
    return round(numerator / denominator, places) if denominator else None


VALUE = {
    "decisions": lambda c: c.get("decisions", 0), "items": lambda c: c.get("items", 0),
    "open": lambda c: c.get("open", 0), "overdue": lambda c: c.get("overdue", 0),
    "on_time_rate": lambda c: _ratio(c.get("on_time", 0), c.get("approved", 0)),
    "avg_delay_days": lambda c: _ratio(c.get("delay", 0), c.get("late", 0), 1),
    "reviewed": lambda c: c.get("reviewed", 0), "rejected": lambda c: c.get("rejected", 0),
    "correction_rate": lambda c: _ratio(c.get("rejected", 0), c.get("reviewed", 0)),
    "guidance": lambda c: c.get("guidance", 0), "reforms": lambda c: c.get("reforms", 0),
}


@dataclass
class Context:
    today: date
    warn_until: date
    decision_rank: object = None


# -- the cube --------------------------------------------------------------------------------------
def parse_query(query, book: Vocabulary, today):
    """The cube's query, checked: 400 naming the parameter for an unknown or extra dimension,
    an unknown measure, a sanction or category the rule book does not know, ``from`` after
    ``to``, or a range past ten years."""
    q = load(CUBE_QUERY, query)
    by = [part.strip() for part in q["by"].split(",")]
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise ValidationFailed("未知的统计维度", {"by": [f"未知维度：{', '.join(unknown)}（可选：{', '.join(DIMENSIONS)}）"]})
    if len(by) > MAX_DIMENSIONS:
        raise ValidationFailed("最多按两个维度统计", {"by": [f"最多{MAX_DIMENSIONS}个维度，收到{len(by)}个"]})
    if len(set(by)) != len(by):
        raise ValidationFailed("统计维度重复", {"by": ["维度不能重复"]})
    if q["measures"]:
        measures = [part.strip() for part in q["measures"].split(",")]
        unknown = [m for m in measures if m not in MEASURES]
        if unknown:
            raise ValidationFailed("未知的统计指标", {"measures": [
                f"未知指标：{', '.join(unknown)}（可选：{', '.join(MEASURES)}）"]})
        measures = list(dict.fromkeys(measures))
    else:
        measures = list(MEASURES)
    _check_range(q["since"], q["until"], today)
    if q["sanction"] is not None:
        q["sanction_match"] = _sanction_match(q["sanction"], book)
    if q["category"] is not None and book.categories and q["category"] not in book.categories:
        raise ValidationFailed("未知的人员类别", {"category": [f"可选：{'、'.join(book.categories)}"]})
    q["by"], q["measures"] = by, measures
    return q


def _check_range(since, until, today):
    if since and until and since > until:
        raise ValidationFailed("起始日期晚于截止日期", {"from": ["不能晚于 to"], "to": ["不能早于 from"]})
    if since and _add_years(since, MAX_YEARS) < (until or today):
        raise ValidationFailed(f"统计区间不能超过{MAX_YEARS}年", {
            "from": [f"区间超过{MAX_YEARS}年"], "to": [f"区间超过{MAX_YEARS}年"]})


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:      # 29 February
        return day.replace(year=day.year + years, day=28)


def _sanction_match(value, book):
    """``kind:type`` (party:警告), a type (撤职, of whichever kind has it) or a kind (party)."""
    known = set(book.sanctions)
    if ":" in value:
        kind, kind_type = value.split(":", 1)
        if (kind, kind_type) in known:
            return [(kind, kind_type)]
    elif value in KIND_NAMES:
        return [(value, None)]
    else:
        found = [(kind, kind_type) for kind, kind_type in book.sanctions if kind_type == value]
        if found:
            return found
    choices = "、".join(dict.fromkeys(t for _, t in book.sanctions))
    raise ValidationFailed("未知的处分种类", {"sanction": [f"未知：{value}（可选：{choices}，或 party:警告 的写法）"]})


def cube(session, settings, book: Vocabulary, actor: Actor, today, query, unit_kinds=None):
    """``{by, measures, columns, data, names, totals, ...}`` (:func:`expand` makes the contract's
    ``rows``); ``unit_kinds`` ({unit id: kind}, from the gateway's directory) when ``by`` has
    ``unit_kind``.  Unit names are the gateway's to add."""
    actor.require(*ROLES)
    q = parse_query(query, book, today)
    _check_unit(actor, q["unit_id"])
    tune(session)
    ctx = Context(today=today, warn_until=today + timedelta(days=settings.warning_days_before_due))
    kinds = {int(k): v for k, v in (unit_kinds or {}).items()}
    by = q["by"]
    bases = list(dict.fromkeys(BASE[d] for d in by))
    filters = [name for name in FILTER_BASE if q[name] is not None]
    cells, totals, not_applicable = {}, {}, []
    facts = list(dict.fromkeys(FACT_OF[m] for m in q["measures"] if m in FACT_OF))
    for fact in facts:
        if not all(b in fact.bases for b in bases) or not all(FILTER_BASE[f] in fact.bases for f in filters):
            not_applicable.extend(m for m in q["measures"] if FACT_OF.get(m) is fact)
            continue
        rows, positions = _grouped(session, fact, ctx, actor, q, bases)
        names, width = list(fact.components), sum(len(p) for p in positions.values())
        for index, name in enumerate(names, start=width):
            totals[name] = sum(row[index] for row in rows)
        keys_of = _key_maker(by, positions, kinds, fact)
        for row in rows:
            components = row[width:]
            for key in keys_of(row):
                cell = cells.get(key)
                if cell is None:
                    cells[key] = cell = {}
                for name, value in zip(names, components):
                    cell[name] = cell.get(name, 0) + value
    measures = [(m, None if m in not_applicable else VALUE[m]) for m in q["measures"]]
    ordered = sorted(cells.items(), key=_sorter(by, book, cells))
    data = [[*key, *[None if value_of is None else value_of(cell) for _, value_of in measures]]
            for key, cell in ordered]
    names = {}
    for position, dim in enumerate(by):
        seen = dict.fromkeys(row[position] for row in data)
        names[dim] = [[key, label(dim, key, book)] for key in seen]
    return {"by": by, "measures": q["measures"], "columns": [*by, *q["measures"]], "data": data,
            "names": names,
            "totals": {m: (None if value_of is None else value_of(totals)) for m, value_of in measures},
            "not_applicable": not_applicable, "as_of": today.isoformat(),
            "filters": _filters(q, book), "labels": _labels(q)}


def expand(answer):
    """The cube as the HTTP contract has it, ``rows`` [{<dim>: key, <dim>_name: 中文名, <measure>:
    value}], from the compact answer the RPC carries (``columns`` and ``data``: a list per row,
    each key's name once in ``names``; a 12,600-row cube is a fifth of the bytes and of the time
    to encode).  Pure: the gateway and the tests call it."""
    by, measures = answer["by"], answer["measures"]
    names = {dim: {key: name for key, name in pairs} for dim, pairs in answer["names"].items()}
    width = len(by)
    rows = []
    for values in answer["data"]:
        row = {}
        for dim, key in zip(by, values):
            row[dim] = key
            row[f"{dim}_name"] = names[dim].get(key)
        row.update(zip(measures, values[width:]))
        rows.append(row)
    expanded = {k: v for k, v in answer.items() if k not in ("columns", "data", "names")}
    expanded["rows"] = rows
    return expanded


def _check_unit(actor, unit_id):
    """Another unit's figures are a 404 for an operator, as another unit's records are."""
    if unit_id is not None and not actor.may_see_unit(unit_id):
        raise NotFound("单位不存在", {"unit_id": [str(unit_id)]})


def _grouped(session, fact, ctx, actor, q, bases):
    """One GROUP BY over the fact's table by the ``bases`` columns: the rows (base values,
    then the components' aggregates, in ``fact.components`` order) and each base's positions."""
    decision_light = fact is DECISION and "light" in bases
    if decision_light:
        ranks = _decision_lights(ctx)
        ctx = Context(ctx.today, ctx.warn_until, func.coalesce(ranks.c.rank, 0))
    columns = [(b, col) for b in bases for col in fact.bases[b](ctx)]
    keys = [col for _, col in columns]
    stmt = select(*keys, *[make(ctx) for make in fact.components.values()])
    if decision_light:
        stmt = stmt.select_from(StatDecision).outerjoin(ranks, ranks.c.decision_id == StatDecision.decision_id)
    stmt = actor.scope(stmt, fact.model.unit_id).where(*_conditions(fact, q))
    if keys:
        stmt = stmt.group_by(*keys)
    positions = {}
    for position, (b, _) in enumerate(columns):
        positions.setdefault(b, []).append(position)
    return session.execute(stmt).all(), positions


def tune(session):
    """PostgreSQL, for this transaction: the groups' hash tables in memory (a sort spilled to
    disk at 4 MB), and no JIT (its compilation cost more than it saved on these scans)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL work_mem = '64MB'"))
        session.execute(text("SET LOCAL jit = off"))


def _decision_lights(ctx):
    """Each decision's light as a rank (3 red … 0 none): its worst item's."""
    return (select(Deadline.decision_id.label("decision_id"), func.max(_light_rank(ctx)).label("rank"))
            .group_by(Deadline.decision_id).subquery())


def _conditions(fact, q):
    model, conditions = fact.model, []
    if fact is ITEM:
        conditions.append(Deadline.decision_id.is_not(None))    # a reform task counts in reforms
    if q["since"]:
        conditions.append(fact.day >= q["since"])
    if q["until"]:
        conditions.append(fact.day <= q["until"])
    if q["unit_id"] is not None:
        conditions.append(model.unit_id == q["unit_id"])
    if q["category"] is not None:
        conditions.append(model.category == q["category"])
    if q["sanction"] is not None:
        column = {"party": model.party_type, "government": model.government_type}
        conditions.append(or_(*[column[kind].is_not(None) if kind_type is None else column[kind] == kind_type
                                for kind, kind_type in q["sanction_match"]]))
    return conditions


SANCTION_KINDS = ("party", "government")


def _key_maker(by, positions, kinds, fact):
    """A function of one grouped row: the keys of the requested dimensions it counts under (a
    decision with two sanctions counts under both types; a unit under its kind …)."""
    def one(dim):
        at = positions[BASE[dim]]
        first = at[0]
        if dim == "unit_kind":
            return lambda row: (kinds.get(row[first]),)
        if dim in ("month", "quarter", "year"):
            memo = {}

            def period(row):
                value = row[first]
                if value not in memo:
                    memo[value] = (_period(dim, month_key(value)),)
                return memo[value]
            return period
        if dim == "light" and fact is DECISION:
            return lambda row: (RANK_LIGHT.get(row[first]),)
        if dim == "sanction_kind":
            return lambda row: tuple(kind for kind, i in zip(SANCTION_KINDS, at) if row[i])
        if dim == "sanction_type":
            return lambda row: tuple(f"{kind}:{row[i]}" for kind, i in zip(SANCTION_KINDS, at) if row[i])
        return lambda row: (row[first],)

    makers = [one(dim) for dim in by]
    if len(makers) == 1:
        only = makers[0]
        return lambda row: [(key,) for key in only(row)]
    first, second = makers
    return lambda row: [(a, b) for a in first(row) for b in second(row)]


def _period(dim, month):
    if month is None:
        return None
    year, number = month[:4], int(month[5:7])
    return {"month": month, "quarter": f"{year}-Q{(number - 1) // 3 + 1}", "year": year}[dim]


def label(dim, key, book: Vocabulary):
    """The Chinese label of a dimension's key (a unit's is the gateway's: its directory)."""
    if dim == "unit":
        return None
    if dim == "unit_kind":
        return UNIT_KIND_NAMES.get(key, key)
    if dim == "code":
        return book.items.get(key, key)
    if dim == "sanction_kind":
        return KIND_NAMES.get(key, key)
    if dim == "sanction_type":
        kind, kind_type = key.split(":", 1)
        return f"{KIND_SHORT.get(kind, kind)}·{kind_type}"
    if dim == "category":
        return key if key is not None else "未登记"
    if dim == "month":
        return f"{key[:4]}年{int(key[5:7])}月" if key else "未知"
    if dim == "quarter":
        return f"{key[:4]}年第{key[-1]}季度" if key else "未知"
    if dim == "year":
        return f"{key}年" if key else "未知"
    if dim == "light":
        return LIGHT_NAMES.get(key, key)
    if dim == "problem":
        return key if key is not None else "（未驳回）"
    return key


def _sorter(by, book, cells):
    """Rows in a reader's order: the rule book's for items, sanctions and categories, red
    before yellow before green for lights, by id or by time otherwise; unknown last.  Each
    dimension's few distinct keys are ranked once; a row sorts by its keys' ranks."""
    orders = {"code": list(book.items), "sanction_type": [f"{k}:{t}" for k, t in book.sanctions],
              "sanction_kind": list(SANCTION_KINDS), "category": list(book.categories),
              "light": list(LIGHT_ORDER), "unit_kind": list(UNIT_KIND_ORDER)}
    positions = []
    for index, dim in enumerate(by):
        order = {value: i for i, value in enumerate(orders.get(dim, ()))}
        distinct = {key[index] for key in cells}
        ranked = sorted(distinct, key=lambda v: (v is None, order.get(v, len(order)), "" if v is None else v))
        positions.append({value: i for i, value in enumerate(ranked)})
    if len(positions) == 1:
        (only,) = positions
        return lambda item: only[item[0][0]]
    first, second = positions
    return lambda item: (first[item[0][0]], second[item[0][1]])


def _filters(q, book):
    sanction_name = None
    if q["sanction"] is not None:
        sanction_name = "、".join(label("sanction_type", f"{k}:{t}", book) if t else KIND_NAMES[k]
                                 for k, t in q["sanction_match"])
    return {"from": q["since"].isoformat() if q["since"] else None,
            "to": q["until"].isoformat() if q["until"] else None,
            "unit_id": q["unit_id"], "sanction": q["sanction"], "sanction_name": sanction_name,
            "category": q["category"]}


def _labels(q):
    return {"dimensions": {d: DIMENSIONS[d] for d in q["by"]},
            "measures": {m: MEASURES[m] for m in q["measures"]}}


# -- the cockpit -----------------------------------------------------------------------------------
def dashboard(session, settings, book: Vocabulary, actor: Actor, today, query=None):
    """领导驾驶舱: headline figures, lights by unit, the correction rate month by month,
    units ranked by on-time rate, rejection categories (the trend's months)."""
    actor.require(*ROLES)
    q = load(DASHBOARD_QUERY, query or {})
    _check_unit(actor, q["unit_id"])
    ctx = Context(today=today, warn_until=today + timedelta(days=settings.warning_days_before_due))
    months = _months_back(today, q["months"])
    since = date.fromisoformat(months[0] + "-01")

    tune(session)
    units = _units(session, ctx, actor, q["unit_id"])
    executing = session.scalar(_scoped(select(func.count()).select_from(StatDecision).where(
        StatDecision.completed.is_(False)), StatDecision, actor, q["unit_id"]))
    # One pass over the window's reviews, by month and problem: the trend and the categories.
    reviews, by_problem = defaultdict(lambda: [0, 0]), defaultdict(int)
    for month, problem, reviewed, rejected in session.execute(_scoped(
            select(StatReview.review_month, StatReview.problem, func.count(),
                   _count(StatReview.outcome == "rejected"))
            .where(StatReview.reviewed_on >= since, StatReview.reviewed_on <= today), StatReview, actor,
            q["unit_id"]).group_by(StatReview.review_month, StatReview.problem)):
        cell = reviews[month_key(month)]
        cell[0] += reviewed
        cell[1] += rejected
        if rejected:
            by_problem[problem] += rejected
    problems = sorted(by_problem.items(), key=lambda pn: (-pn[1], pn[0] is None, pn[0] or ""))

    trend = [_correction(month, *reviews.get(month, (0, 0))) for month in months]
    totals = defaultdict(int)
    for unit in units:
        for key in ("open", "overdue", "approved", "on_time"):
            totals[key] += unit[key]
    rejected_total = sum(n for _, n in problems)
    ranked = sorted((u for u in units if u["approved"]),
                    key=lambda u: (-u["on_time_rate"], -u["approved"], u["unit"]))
    return {
        "as_of": today.isoformat(),
        "unit_id": q["unit_id"],
        "months": q["months"],
        "headline": {
            "decisions_executing": executing, "items_open": totals["open"], "items_overdue": totals["overdue"],
            "on_time_rate": _ratio(totals["on_time"], totals["approved"]),
            "correction_rate": trend[-1], "correction_rate_last_month": trend[-2],
            "correction_rate_change": (None if trend[-1]["correction_rate"] is None
                                       or trend[-2]["correction_rate"] is None
                                       else round(trend[-1]["correction_rate"] - trend[-2]["correction_rate"], 4)),
        },
        "lights_by_unit": sorted(
            ({"unit": u["unit"], "unit_name": None, "light": u["light"], "light_name": LIGHT_NAMES[u["light"]],
              "red": u["red"], "yellow": u["yellow"], "green": u["green"], "open": u["open"],
              "overdue": u["overdue"]} for u in units if u["open"] or u["red"] or u["yellow"] or u["green"]),
            key=lambda u: (LIGHT_ORDER.index(u["light"]), -u["red"], -u["yellow"], u["unit"])),
        "correction_trend": trend,
        "units_by_on_time_rate": [
            {"rank": rank, "unit": u["unit"], "unit_name": None, "approved": u["approved"],
             "on_time": u["on_time"], "on_time_rate": u["on_time_rate"]}
            for rank, u in enumerate(ranked, start=1)],
        "rejection_categories": [
            {"problem": p, "problem_name": label("problem", p, book), "count": n,
             "share": _ratio(n, rejected_total)} for p, n in problems],
        "labels": {"decisions_executing": "执行中的处分决定", "items_open": "在办事项", "items_overdue": "超期事项",
                   "on_time_rate": "按期办结率", "correction_rate": "本月纠错率",
                   "correction_rate_last_month": "上月纠错率"},
    }


def _units(session, ctx, actor, unit_id):
    """Per unit, in one pass over the decisions' items (a reform task is not one): open,
    overdue, approved, on time, and the active items' lights."""
    active = Deadline.state.in_(ACTIVE)
    names = ("open", "red", "yellow", "green", "approved", "on_time")
    stmt = _scoped(select(
        Deadline.unit_id,
        _count(Deadline.state.in_(OPEN)),
        _count(and_(active, Deadline.target_date < ctx.today)),
        _count(and_(active, Deadline.target_date >= ctx.today, Deadline.target_date <= ctx.warn_until)),
        _count(and_(active, Deadline.target_date > ctx.warn_until)),
        _count(Deadline.approved_on.is_not(None)),
        _count(Deadline.approved_on <= Deadline.due_date)).where(Deadline.decision_id.is_not(None)),
        Deadline, actor, unit_id)
    stmt = stmt.group_by(Deadline.unit_id).order_by(Deadline.unit_id)
    units = []
    for row in session.execute(stmt):
        unit = {"unit": row[0], **{n: int(v or 0) for n, v in zip(names, row[1:])}}
        unit["overdue"] = unit["red"]
        unit["light"] = "red" if unit["red"] else "yellow" if unit["yellow"] else "green" if unit["green"] else None
        unit["on_time_rate"] = _ratio(unit["on_time"], unit["approved"])
        units.append(unit)
    return units


def _scoped(stmt, model, actor, unit_id):
    stmt = actor.scope(stmt, model.unit_id)
    return stmt.where(model.unit_id == unit_id) if unit_id is not None else stmt


def _months_back(today, count):
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return months[::-1]


def _correction(month, reviewed, rejected):
    return {"month": month, "month_name": label("month", month, None), "reviewed": reviewed,
            "rejected": rejected, "correction_rate": _ratio(rejected, reviewed)}
