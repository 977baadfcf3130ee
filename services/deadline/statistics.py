"""The statistics cube (多维分析) and the leaders' cockpit (领导驾驶舱), over the read model that
services/deadline/projection.py keeps from events.

A measure counts one kind of fact, each dated by its own day:

| fact | table | its date (month, quarter, year, from/to) | measures |
|---|---|---|---|
| decision 处分决定 | stat_decision | decision date | decisions |
| item 执行事项 | deadline (the countdowns) | due date (extended, if so) | items, open, overdue, on_time_rate, avg_delay_days |
| review 审核 | stat_review | the day of the review | reviewed, rejected, correction_rate |
| guidance 指导意见 | stat_guidance | the day it was issued | guidance |

A dimension a fact does not have (the item code of a decision, the light of a review, anything
but unit and time for guidance) leaves that measure ``null`` in the answer, named in
``not_applicable``, and so does a filter it cannot be narrowed by; ``reforms`` (以案促改) are
``null`` until reform cases exist and announce themselves.

How a figure is computed: one GROUP BY per fact over its own table, by the *base* columns the
dimensions need (unit id, code, category, the party and government sanction, month, light,
problem category), in the database; the few resulting groups are then folded into the keys
asked for (a unit's kind, a month's quarter or year, a decision's one or two sanction types),
and the totals are the sum over those groups, in which every fact is counted exactly once.
Rates are fractions (0.25 = 25%), rounded to four places; ``null`` where nothing was counted.
"""
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Integer, String, and_, case, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from services.common.actor import Actor
from services.common.errors import NotFound, ValidationFailed
from services.common.schemas import load

from .models import Deadline, StatDecision, StatGuidance, StatReview
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
class month_of(FunctionElement):
    """The month of a date, for grouping: a timestamp (PostgreSQL) or 'YYYY-MM' (SQLite);
    :func:`month_key` makes either 'YYYY-MM'."""
    type = String()
    inherit_cache = True


@compiles(month_of)
def _month_of_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of, "postgresql")
def _month_of_postgresql(element, compiler, **kw):
    return f"date_trunc('month', {compiler.process(element.clauses, **kw)})"


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
    if value is None:
        return None
    if isinstance(value, str):
        return value[:7]
    return f"{value.year:04d}-{value.month:02d}"


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
    components: dict                            # component -> a function of the context: per-row value
    counted: tuple                              # the measures it counts


def _light(ctx):
    return case(
        (Deadline.state.in_(ACTIVE), case((Deadline.target_date < ctx.today, "red"),
                                          (Deadline.target_date <= ctx.warn_until, "yellow"), else_="green")),
        (Deadline.state.in_(DONE), "green"), else_=None)


def _light_rank(ctx):
    return case(
        (Deadline.state.in_(ACTIVE), case((Deadline.target_date < ctx.today, 3),
                                          (Deadline.target_date <= ctx.warn_until, 2), else_=1)),
        (Deadline.state.in_(DONE), 1), else_=0)


def _flag(condition):
    return case((condition, 1), else_=0)


def _sanction_columns(model):
    return lambda ctx: [model.party_type, model.government_type]


ITEM = Fact(
    "item", Deadline, Deadline.due_date,
    bases={"unit": lambda ctx: [Deadline.unit_id], "code": lambda ctx: [Deadline.code],
           "category": lambda ctx: [Deadline.category], "sanction": _sanction_columns(Deadline),
           "month": lambda ctx: [month_of(Deadline.due_date)], "light": lambda ctx: [_light(ctx)]},
    components={
        "items": lambda ctx: literal(1),
        "open": lambda ctx: _flag(Deadline.state.in_(OPEN)),
        "overdue": lambda ctx: _flag(and_(Deadline.state.in_(ACTIVE), Deadline.target_date < ctx.today)),
        "approved": lambda ctx: _flag(Deadline.approved_on.is_not(None)),
        "on_time": lambda ctx: _flag(Deadline.approved_on <= Deadline.due_date),
        "late": lambda ctx: _flag(Deadline.approved_on > Deadline.due_date),
        "delay": lambda ctx: case((Deadline.approved_on > Deadline.due_date,
                                   days_between(Deadline.approved_on, Deadline.due_date)), else_=0),
    },
    counted=("items", "open", "overdue", "on_time_rate", "avg_delay_days"))

DECISION = Fact(
    "decision", StatDecision, StatDecision.decision_date,
    bases={"unit": lambda ctx: [StatDecision.unit_id], "category": lambda ctx: [StatDecision.category],
           "sanction": _sanction_columns(StatDecision),
           "month": lambda ctx: [month_of(StatDecision.decision_date)],
           "light": lambda ctx: [ctx.decision_rank]},     # its worst item's (see _decision_lights)
    components={"decisions": lambda ctx: literal(1),
                "executing": lambda ctx: _flag(StatDecision.completed.is_(False))},
    counted=("decisions",))

REVIEW = Fact(
    "review", StatReview, StatReview.reviewed_on,
    bases={"unit": lambda ctx: [StatReview.unit_id], "code": lambda ctx: [StatReview.code],
           "category": lambda ctx: [StatReview.category], "sanction": _sanction_columns(StatReview),
           "month": lambda ctx: [month_of(StatReview.reviewed_on)], "problem": lambda ctx: [StatReview.problem]},
    components={"reviewed": lambda ctx: literal(1),
                "rejected": lambda ctx: _flag(StatReview.outcome == "rejected")},
    counted=("reviewed", "rejected", "correction_rate"))

GUIDANCE = Fact(
    "guidance", StatGuidance, StatGuidance.issued_on,
    bases={"unit": lambda ctx: [StatGuidance.unit_id], "month": lambda ctx: [month_of(StatGuidance.issued_on)]},
    components={"guidance": lambda ctx: literal(1)},
    counted=("guidance",))

FACTS = (DECISION, ITEM, REVIEW, GUIDANCE)
FACT_OF = {measure: fact for fact in FACTS for measure in fact.counted}


def _ratio(numerator, denominator, places=4):
    return round(numerator / denominator, places) if denominator else None


VALUE = {
    "decisions": lambda c: c["decisions"], "items": lambda c: c["items"], "open": lambda c: c["open"],
    "overdue": lambda c: c["overdue"], "on_time_rate": lambda c: _ratio(c["on_time"], c["approved"]),
    "avg_delay_days": lambda c: _ratio(c["delay"], c["late"], 1), "reviewed": lambda c: c["reviewed"],
    "rejected": lambda c: c["rejected"], "correction_rate": lambda c: _ratio(c["rejected"], c["reviewed"]),
    "guidance": lambda c: c["guidance"],
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
    """``{by, measures, rows, totals, ...}``; ``unit_kinds`` ({unit id: kind}, from the
    gateway's directory) when ``by`` has ``unit_kind``.  Unit names are the gateway's to add."""
    actor.require(*ROLES)
    q = parse_query(query, book, today)
    _check_unit(actor, q["unit_id"])
    ctx = Context(today=today, warn_until=today + timedelta(days=settings.warning_days_before_due))
    kinds = {int(k): v for k, v in (unit_kinds or {}).items()}
    bases = list(dict.fromkeys(BASE[d] for d in q["by"]))
    filters = [name for name in FILTER_BASE if q[name] is not None]
    cells, totals, not_applicable = defaultdict(lambda: defaultdict(int)), defaultdict(int), []
    facts = list(dict.fromkeys(FACT_OF[m] for m in q["measures"] if m in FACT_OF))
    for fact in facts:
        if not all(b in fact.bases for b in bases) or not all(FILTER_BASE[f] in fact.bases for f in filters):
            not_applicable.extend(m for m in q["measures"] if FACT_OF.get(m) is fact)
            continue
        for values, components in _grouped(session, fact, ctx, actor, q, bases):
            for name, value in components.items():
                totals[name] += value
            for key in _keys(q["by"], dict(zip(bases, values)), kinds):
                cell = cells[key]
                for name, value in components.items():
                    cell[name] += value
    if "reforms" in q["measures"]:
        not_applicable.append("reforms")
    rows = [_row(q, key, cell, not_applicable, book, kinds) for key, cell in
            sorted(cells.items(), key=lambda kv: _sort_key(q["by"], kv[0], book))]
    return {"by": q["by"], "measures": q["measures"], "rows": rows,
            "totals": _values(q["measures"], totals, not_applicable),
            "not_applicable": not_applicable, "as_of": today.isoformat(),
            "filters": _filters(q, book), "labels": _labels(q)}


def _check_unit(actor, unit_id):
    """Another unit's figures are a 404 for an operator, as another unit's records are."""
    if unit_id is not None and not actor.may_see_unit(unit_id):
        raise NotFound("单位不存在", {"unit_id": [str(unit_id)]})


def _grouped(session, fact, ctx, actor, q, bases):
    """One GROUP BY over the fact's table: ``[(base values, {component: sum})]``."""
    model = fact.model
    if fact is DECISION and "light" in bases:
        ranks = _decision_lights(ctx)
        ctx = Context(ctx.today, ctx.warn_until, func.coalesce(ranks.c.rank, 0))
    columns = [(b, i, col) for b in bases for i, col in enumerate(fact.bases[b](ctx))]
    inner = select(*[col.label(f"b_{b}_{i}") for b, i, col in columns],
                   *[make(ctx).label(f"c_{name}") for name, make in fact.components.items()])
    if fact is DECISION and "light" in bases:
        inner = inner.select_from(StatDecision).outerjoin(ranks, ranks.c.decision_id == StatDecision.decision_id)
    inner = actor.scope(inner, model.unit_id)
    inner = inner.where(*_conditions(fact, q)).subquery()
    keys = [inner.c[f"b_{b}_{i}"] for b, i, _ in columns]
    stmt = select(*keys, *[func.coalesce(func.sum(inner.c[f"c_{name}"]), 0) for name in fact.components])
    if keys:
        stmt = stmt.group_by(*keys)
    widths = {b: sum(1 for base, _, _ in columns if base == b) for b in bases}
    result = []
    for row in session.execute(stmt):
        values, position = [], 0
        for b in bases:
            part = row[position:position + widths[b]]
            values.append(tuple(part) if b == "sanction" else part[0])
            position += widths[b]
        result.append((values, {name: int(v or 0) for name, v in zip(fact.components, row[len(keys):])}))
    return result


def _decision_lights(ctx):
    """Each decision's light as a rank (3 red … 0 none): its worst item's."""
    return (select(Deadline.decision_id.label("decision_id"), func.max(_light_rank(ctx)).label("rank"))
            .group_by(Deadline.decision_id).subquery())


def _conditions(fact, q):
    model, conditions = fact.model, []
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


def _keys(by, base, kinds):
    """The requested dimensions' keys of one group (a decision with two sanctions has two
    sanction types): their product."""
    per_dim = []
    for dim in by:
        value = base[BASE[dim]]
        if dim == "unit":
            keys = [value]
        elif dim == "unit_kind":
            keys = [kinds.get(value)]
        elif dim in ("month", "quarter", "year"):
            month = month_key(value)
            keys = [_period(dim, month)]
        elif dim == "light":
            keys = [RANK_LIGHT.get(value, value) if isinstance(value, int) else value]
        elif dim == "sanction_kind":
            keys = [kind for kind, kind_type in zip(("party", "government"), value) if kind_type]
        elif dim == "sanction_type":
            keys = [f"{kind}:{kind_type}" for kind, kind_type in zip(("party", "government"), value) if kind_type]
        else:
            keys = [value]
        per_dim.append(keys)
    return itertools.product(*per_dim)


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


def _sort_key(by, key, book):
    order = []
    for dim, value in zip(by, key):
        if dim == "code":
            position = list(book.items).index(value) if value in book.items else len(book.items)
        elif dim == "sanction_type":
            pair = tuple(value.split(":", 1))
            position = list(book.sanctions).index(pair) if pair in book.sanctions else len(book.sanctions)
        elif dim == "sanction_kind":
            position = ("party", "government").index(value) if value in ("party", "government") else 2
        elif dim == "category":
            position = book.categories.index(value) if value in book.categories else len(book.categories)
        elif dim == "light":
            position = LIGHT_ORDER.index(value) if value in LIGHT_ORDER else len(LIGHT_ORDER)
        elif dim == "unit_kind":
            position = UNIT_KIND_ORDER.index(value) if value in UNIT_KIND_ORDER else len(UNIT_KIND_ORDER)
        else:
            position = 0
        order.append((value is None, position, value if value is not None else ""))
    return order


def _values(measures, components, not_applicable):
    c = defaultdict(int, components)
    return {m: (None if m in not_applicable else VALUE[m](c)) for m in measures}


def _row(q, key, cell, not_applicable, book, kinds):
    row = {}
    for dim, value in zip(q["by"], key):
        row[dim] = value
        row[f"{dim}_name"] = label(dim, value, book)
    row.update(_values(q["measures"], cell, not_applicable))
    return row


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

    units = _units(session, ctx, actor, q["unit_id"])
    executing = session.scalar(_scoped(select(func.count()).select_from(StatDecision).where(
        StatDecision.completed.is_(False)), StatDecision, actor, q["unit_id"]))
    reviews = {month_key(m): (n, int(r or 0)) for m, n, r in session.execute(_scoped(
        select(month_of(StatReview.reviewed_on).label("m"), func.count(), func.sum(_flag(StatReview.outcome == "rejected")))
        .where(StatReview.reviewed_on >= since, StatReview.reviewed_on <= today), StatReview, actor, q["unit_id"])
        .group_by("m"))}
    problems = session.execute(_scoped(
        select(StatReview.problem, func.count().label("n"))
        .where(StatReview.outcome == "rejected", StatReview.reviewed_on >= since, StatReview.reviewed_on <= today),
        StatReview, actor, q["unit_id"]).group_by(StatReview.problem).order_by(func.count().desc(), StatReview.problem)).all()

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
    """Per unit, in one pass over the countdowns: open, overdue, approved, on time, and the
    active items' lights."""
    active = Deadline.state.in_(ACTIVE)
    inner = select(
        Deadline.unit_id.label("unit"),
        _flag(Deadline.state.in_(OPEN)).label("open"),
        _flag(and_(active, Deadline.target_date < ctx.today)).label("red"),
        _flag(and_(active, Deadline.target_date >= ctx.today, Deadline.target_date <= ctx.warn_until)).label("yellow"),
        _flag(and_(active, Deadline.target_date > ctx.warn_until)).label("green"),
        _flag(Deadline.approved_on.is_not(None)).label("approved"),
        _flag(Deadline.approved_on <= Deadline.due_date).label("on_time"))
    inner = _scoped(inner, Deadline, actor, unit_id).subquery()
    names = ("open", "red", "yellow", "green", "approved", "on_time")
    stmt = select(inner.c.unit, *[func.sum(inner.c[n]) for n in names]).group_by(inner.c.unit).order_by(inner.c.unit)
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
