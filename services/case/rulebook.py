"""Loading and validating the rule book (规则库).  Plain Python, no nameko.

The YAML is checked once at start-up; any bad entry stops the service with a message
naming it (``items[4] TREATMENT: due.from 'decsion_date' ...``).  Conditions are
compiled here into predicates over a :class:`Facts` context so the planner in
``rules.py`` never interprets raw YAML.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ANCHORS = ("decision_date", "period_end", "year_end")
# A reform task's due date is counted from the suggestion's issue date or from its deadline
# (the suggestion's own, else issue date + reforms.settings.default_deadline_months).
REFORM_ANCHORS = ("issued_on", "deadline")
REFORM_DECISIONS = ("required", "none")
REFORM_SETTINGS = {"default_deadline_months": int, "cap_at_suggestion_deadline": bool}
PERIOD_CHOICES = ("party", "government", "latest")
PARTNER_ROLES = ("organization", "hr", "finance", "united_front")
SANCTION_KINDS = ("party", "government")
STACKING = ("add_remaining", "add_remaining_capped")
# 影响期查询: what an `until` is counted from, and how firm a rule's source is.
UNTIL_ANCHORS = ("period_end", "restored", "decision_date", "year_after_decision")
RULE_SOURCES = ("F", "S", "P", "I")
PURPOSE_ID = re.compile(r"[a-z][a-z_]{0,31}")
CONDITION_KEYS = ("always", "sanction", "illicit_gains", "org_handling", "letters",
                  "impact_period", "political_status", "category", "setting",
                  "year_end_in_period", "any", "all")


class RuleBookError(ValueError):
    """The rule book is malformed; the message names the entry."""


@dataclass(frozen=True)
class Offset:
    """A date rule: ``anchor`` moved by months, days and working days."""
    anchor: str
    months: int = 0
    days: int = 0
    workdays: int = 0


@dataclass(frozen=True)
class SanctionRule:
    kind: str
    type: str
    months: int | None            # fixed period; None when the decision chooses
    months_choices: tuple = ()
    legal_basis: tuple = ()


@dataclass(frozen=True)
class ItemRule:
    code: str
    name: str
    when: object                  # compiled predicate: Facts -> bool
    after: tuple
    due: Offset
    opens: Offset | None = None   # time gate, if any
    each_year_end: tuple | None = None   # (month, day) the yearly item opens
    periods: tuple = ("latest",)
    extension_max: Offset | None = None
    legal_basis: tuple = ()
    partners: tuple = ()          # ((role, predicate), ...)
    note: str = ""

    @property
    def time_gated(self):
        return self.opens is not None or self.each_year_end is not None


@dataclass(frozen=True)
class Until:
    """Until when a restriction holds: ``anchor`` moved by ``months``; no anchor: for good."""
    anchor: str | None
    months: int = 0


@dataclass(frozen=True)
class RestrictionRule:
    """What one or more sanctions rule out for one purpose (影响期查询)."""
    purpose: str
    sanctions: frozenset          # {(kind, type)}
    categories: frozenset | None  # the person's 人员类别 it applies to; None: every one
    until: Until
    rule: str
    source: str                   # F | S | P | I
    legal_basis: tuple

    def applies(self, kind, type_, category):
        return (kind, type_) in self.sanctions and (self.categories is None or category in self.categories)


@dataclass(frozen=True)
class Restrictions:
    partners: tuple               # partner roles that may ask the check and hear of period ends
    announce_ended_within_days: int
    restore_item: str             # the item whose approval restores a 留党察看 member's rights
    purposes: dict                # purpose id -> name, in the rule book's order
    rules: tuple


@dataclass(frozen=True)
class ReformBasis:
    """What a reform case is registered on (依据) and whether it names the decisions it arises from."""
    name: str
    decisions: str                # required | none


@dataclass(frozen=True)
class TaskRule:
    """One task (以案促改任务) every reform case generates, in ``order``."""
    code: str
    name: str
    order: int
    after: tuple
    due: Offset                   # from issued_on | deadline
    extension_max: Offset | None = None
    legal_basis: tuple = ()
    note: str = ""
    name_without_party_group: str | None = None

    def name_for(self, party_group):
        return self.name if party_group or not self.name_without_party_group else self.name_without_party_group


@dataclass(frozen=True)
class Reforms:
    """The rule book's reform section (以案促改)."""
    settings: dict
    legal_basis: tuple
    bases: tuple                  # ReformBasis, in the rule book's order
    tasks: tuple                  # TaskRule, by order

    def basis(self, name):
        return next((b for b in self.bases if b.name == name), None)


@dataclass(frozen=True)
class RuleBook:
    settings: dict
    eligibility: dict
    sanctions: dict               # {(kind, type): SanctionRule}
    stacking: dict
    items: tuple
    source: str = ""
    codes: frozenset = field(default=frozenset())
    restrictions: Restrictions | None = None
    reforms: Reforms | None = None

    def sanction(self, kind, type_):
        return self.sanctions.get((kind, type_))

    def item(self, code):
        return next(rule for rule in self.items if rule.code == code)


def load_rulebook(path) -> RuleBook:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise RuleBookError(f"rule book {path}: cannot read: {err}") from err
    return parse_rulebook(raw, source=str(path))


def parse_rulebook(raw, source="<rule book>") -> RuleBook:
    if not isinstance(raw, dict):
        raise RuleBookError(f"{source}: the top level must be a mapping")
    settings = _mapping(raw, "settings", source)
    sanctions = _parse_sanctions(_mapping(raw, "sanctions", source), source)
    stacking = _mapping(raw, "stacking", source)
    for kind, mode in stacking.items():
        if kind not in SANCTION_KINDS or mode not in STACKING:
            raise RuleBookError(f"{source}: stacking.{kind}: '{mode}' is not one of {STACKING}")
    ctx = _ParseContext(source, settings, sanctions)
    items = _parse_items(raw.get("items"), ctx)
    codes = frozenset(rule.code for rule in items)
    return RuleBook(settings=settings, eligibility=raw.get("eligibility") or {},
                    sanctions=sanctions, stacking=stacking, items=items, source=source,
                    codes=codes, restrictions=_parse_restrictions(raw.get("restrictions"), ctx, codes),
                    reforms=_parse_reforms(raw.get("reforms"), ctx, codes))


@dataclass
class _ParseContext:
    source: str
    settings: dict
    sanctions: dict


def _mapping(raw, key, source):
    value = raw.get(key)
    if not isinstance(value, dict):
        raise RuleBookError(f"{source}: '{key}' must be a mapping")
    return value


def _parse_sanctions(raw, source):
    table = {}
    for kind, types in raw.items():
        if kind not in SANCTION_KINDS or not isinstance(types, dict):
            raise RuleBookError(f"{source}: sanctions.{kind}: unknown kind or not a mapping")
        for type_, spec in types.items():
            where = f"{source}: sanctions.{kind}.{type_}"
            choices = tuple(spec.get("months_choices") or ())
            months = spec.get("months")
            if (months is None) == (not choices):
                raise RuleBookError(f"{where}: give exactly one of months, months_choices")
            if any(not isinstance(m, int) or m < 0 for m in (*choices, months or 0)):
                raise RuleBookError(f"{where}: months must be whole numbers >= 0")
            table[(kind, type_)] = SanctionRule(kind, type_, months, choices,
                                                _parse_basis(spec.get("legal_basis"), where))
    return table


def _parse_basis(raw, where):
    refs = []
    for ref in raw or ():
        if not (isinstance(ref, dict) and isinstance(ref.get("regulation"), str)
                and isinstance(ref.get("article"), int)):
            raise RuleBookError(f"{where}: legal_basis entries need regulation (text) and article (number)")
        refs.append({"regulation": ref["regulation"], "article": ref["article"]})
    return tuple(refs)


def _parse_items(raw, ctx):
    if not isinstance(raw, list) or not raw:
        raise RuleBookError(f"{ctx.source}: 'items' must be a non-empty list")
    items, seen = [], set()
    for index, entry in enumerate(raw):
        where = f"{ctx.source}: items[{index}] {entry.get('code', '?') if isinstance(entry, dict) else ''}"
        rule = _parse_item(entry, where, ctx, seen)
        seen.add(rule.code)
        items.append(rule)
    return tuple(items)


def _parse_item(entry, where, ctx, earlier):
    if not isinstance(entry, dict):
        raise RuleBookError(f"{where}: must be a mapping")
    for key in ("code", "name", "when", "due"):
        if key not in entry:
            raise RuleBookError(f"{where}: '{key}' is required")
    code = entry["code"]
    if code in earlier:
        raise RuleBookError(f"{where}: duplicate code")
    after = tuple(entry.get("after") or ())
    unknown = [c for c in after if c not in earlier and c != code]
    if unknown or code in after:
        # Only earlier items may be awaited: this keeps the order acyclic by construction.
        raise RuleBookError(f"{where}: after names {unknown or [code]}, which is not an earlier item")
    periods = entry.get("period", "latest")
    periods = tuple(periods if isinstance(periods, list) else [periods])
    if any(p not in PERIOD_CHOICES for p in periods):
        raise RuleBookError(f"{where}: period must be among {PERIOD_CHOICES}")
    opens, each_year_end = _parse_opens(entry.get("opens"), where)
    return ItemRule(
        code=code, name=entry["name"], when=compile_condition(entry["when"], f"{where}: when", ctx),
        after=after, due=_parse_offset(entry["due"], f"{where}: due"), opens=opens,
        each_year_end=each_year_end, periods=periods,
        extension_max=_parse_offset(entry["extension_max"], f"{where}: extension_max")
        if "extension_max" in entry else None,
        legal_basis=_parse_basis(entry.get("legal_basis"), where),
        partners=_parse_partners(entry.get("partners"), where, ctx), note=entry.get("note", ""))


def _parse_opens(raw, where):
    if raw is None:
        return None, None
    if isinstance(raw, dict) and "each_year_end" in raw:
        spec = raw["each_year_end"]
        try:
            return None, (int(spec["month"]), int(spec["day"]))
        except (TypeError, KeyError, ValueError):
            raise RuleBookError(f"{where}: opens.each_year_end needs month and day")
    return _parse_offset(raw, f"{where}: opens"), None


def _parse_offset(raw, where, anchors=ANCHORS):
    if not isinstance(raw, dict) or raw.get("from") not in anchors:
        raise RuleBookError(f"{where}.from must be one of {anchors}")
    extra = set(raw) - {"from", "months", "days", "workdays"}
    if extra:
        raise RuleBookError(f"{where}: unknown keys {sorted(extra)}")
    values = {k: raw.get(k, 0) for k in ("months", "days", "workdays")}
    if any(not isinstance(v, int) for v in values.values()):
        raise RuleBookError(f"{where}: months, days and workdays must be whole numbers")
    return Offset(anchor=raw["from"], **values)


def _parse_partners(raw, where, ctx):
    partners = []
    for entry in raw or ():
        role = entry.get("role") if isinstance(entry, dict) else None
        if role not in PARTNER_ROLES:
            raise RuleBookError(f"{where}: partner role '{role}' is not one of {PARTNER_ROLES}")
        cond = entry.get("when", {"always": True})
        partners.append((role, compile_condition(cond, f"{where}: partners.{role}.when", ctx)))
    return tuple(partners)


# -- conditions ---------------------------------------------------------------------
def compile_condition(node, where, ctx):
    """YAML condition -> predicate(facts).  Unknown keys and sanction types fail here."""
    if not isinstance(node, dict) or len(node) != 1:
        raise RuleBookError(f"{where}: a condition is a mapping with exactly one of {CONDITION_KEYS}")
    (key, value), = node.items()
    if key not in CONDITION_KEYS:
        raise RuleBookError(f"{where}: unknown condition '{key}'")
    if key in ("any", "all"):
        if not isinstance(value, list) or not value:
            raise RuleBookError(f"{where}.{key}: must be a non-empty list")
        parts = [compile_condition(v, f"{where}.{key}[{i}]", ctx) for i, v in enumerate(value)]
        combine = any if key == "any" else all
        return lambda facts: combine(p(facts) for p in parts)
    if key == "sanction":
        return _compile_sanction(value, where, ctx)
    if key in ("political_status", "category"):
        allowed = frozenset(value if isinstance(value, list) else [value])
        return lambda facts: getattr(facts, key) in allowed
    if key == "always":
        return lambda facts: bool(value)
    if key == "setting":
        if value not in ctx.settings:
            raise RuleBookError(f"{where}: setting '{value}' is not in settings")
        return lambda facts: bool(facts.settings.get(value))
    expected = bool(value)
    return lambda facts: getattr(facts, key) == expected


def _compile_sanction(value, where, ctx):
    if not isinstance(value, dict):
        raise RuleBookError(f"{where}.sanction: map a kind to a list of types")
    wanted = set()
    for kind, types in value.items():
        for type_ in types:
            if (kind, type_) not in ctx.sanctions:
                raise RuleBookError(f"{where}.sanction: unknown sanction {kind}/{type_}")
            wanted.add((kind, type_))
    return lambda facts: any((s.kind, s.type) in wanted for s in facts.sanctions)


# -- restrictions (影响期查询) ----------------------------------------------------------------
def _parse_restrictions(raw, ctx, codes):
    where = f"{ctx.source}: restrictions"
    if not isinstance(raw, dict):
        raise RuleBookError(f"{where}: must be a mapping (partners, announce_ended_within_days, "
                            f"restore_item, purposes, rules): it says what an impact period rules out")
    partners = raw.get("partners")
    if not isinstance(partners, list) or not partners or any(p not in PARTNER_ROLES for p in partners):
        raise RuleBookError(f"{where}.partners: a non-empty list among {PARTNER_ROLES}")
    within = raw.get("announce_ended_within_days")
    if not isinstance(within, int) or isinstance(within, bool) or within < 1:
        raise RuleBookError(f"{where}.announce_ended_within_days: a whole number of days >= 1")
    if raw.get("restore_item") not in codes:
        raise RuleBookError(f"{where}.restore_item: '{raw.get('restore_item')}' is not an item code")
    purposes = raw.get("purposes")
    if not isinstance(purposes, dict) or not purposes:
        raise RuleBookError(f"{where}.purposes: a mapping of purpose id to its name")
    for purpose, name in purposes.items():
        if not (isinstance(purpose, str) and PURPOSE_ID.fullmatch(purpose)) or not (isinstance(name, str) and name):
            raise RuleBookError(f"{where}.purposes.{purpose}: the id is lower-case letters and _, the name a text")
    entries = raw.get("rules")
    if not isinstance(entries, list) or not entries:
        raise RuleBookError(f"{where}.rules: a non-empty list")
    rules = tuple(_parse_restriction(entry, f"{where}.rules[{index}]", ctx, purposes)
                  for index, entry in enumerate(entries))
    named = set().union(*(r.sanctions for r in rules))
    for kind, type_ in ctx.sanctions:
        if (kind, type_) not in named:
            raise RuleBookError(f"{where}: sanction {kind}/{type_} is named by no rule: say what it rules out")
    return Restrictions(tuple(partners), within, raw["restore_item"], dict(purposes), rules)


def _parse_restriction(entry, where, ctx, purposes):
    from .schemas import CATEGORIES
    if not isinstance(entry, dict):
        raise RuleBookError(f"{where}: must be a mapping")
    extra = set(entry) - {"purpose", "sanction", "category", "until", "rule", "source", "legal_basis"}
    if extra:
        raise RuleBookError(f"{where}: unknown keys {sorted(extra)}")
    purpose = entry.get("purpose")
    where = f"{where} {purpose}"
    if purpose not in purposes:
        raise RuleBookError(f"{where}: purpose must be one of {list(purposes)}")
    sanctions = _restricted_sanctions(entry.get("sanction"), where, ctx)
    categories = entry.get("category")
    if categories is not None:
        categories = categories if isinstance(categories, list) else [categories]
        unknown = [c for c in categories if c not in CATEGORIES]
        if not categories or unknown:
            raise RuleBookError(f"{where}: category {unknown or categories} is not among {CATEGORIES}")
        categories = frozenset(categories)
    until = _parse_until(entry.get("until", "period_end"), where)
    if until.anchor == "period_end":
        without = sorted(f"{k}/{t}" for k, t in sanctions if not _has_period(ctx.sanctions[(k, t)]))
        if without:
            raise RuleBookError(f"{where}: until period_end, but {', '.join(without)} has no impact period")
    if not isinstance(entry.get("rule"), str) or not entry["rule"].strip():
        raise RuleBookError(f"{where}: 'rule' (what it rules out) is required")
    if entry.get("source") not in RULE_SOURCES:
        raise RuleBookError(f"{where}: source must be one of {RULE_SOURCES}")
    basis = _parse_basis(entry.get("legal_basis"), where)
    if not basis:
        raise RuleBookError(f"{where}: legal_basis is required (the article that says so)")
    return RestrictionRule(purpose, sanctions, categories, until, entry["rule"].strip(), entry["source"], basis)


def _restricted_sanctions(value, where, ctx):
    if not isinstance(value, dict) or not value:
        raise RuleBookError(f"{where}: sanction maps a kind to a list of types")
    found = set()
    for kind, types in value.items():
        for type_ in types if isinstance(types, list) else [types]:
            if (kind, type_) not in ctx.sanctions:
                raise RuleBookError(f"{where}: unknown sanction {kind}/{type_}")
            found.add((kind, type_))
    return frozenset(found)


def _has_period(rule):
    return bool(rule.months_choices) or bool(rule.months)


def _parse_until(raw, where):
    if raw == "never":
        return Until(None)
    if raw in UNTIL_ANCHORS:
        return Until(raw)
    if isinstance(raw, dict) and raw.get("from") in UNTIL_ANCHORS and set(raw) <= {"from", "months"}:
        months = raw.get("months", 0)
        if isinstance(months, int) and not isinstance(months, bool) and months >= 0:
            return Until(raw["from"], months)
    raise RuleBookError(f"{where}: until must be never, one of {UNTIL_ANCHORS}, "
                        f"or {{from: one of them, months: N}}")


# -- reforms (以案促改) -----------------------------------------------------------------------------
def _parse_reforms(raw, ctx, item_codes):
    where = f"{ctx.source}: reforms"
    if not isinstance(raw, dict):
        raise RuleBookError(f"{where}: must be a mapping (settings, legal_basis, bases, tasks): "
                            f"the reform cases' tasks (以案促改)")
    extra = set(raw) - {"settings", "legal_basis", "bases", "tasks"}
    if extra:
        raise RuleBookError(f"{where}: unknown keys {sorted(extra)}")
    settings = raw.get("settings")
    if not isinstance(settings, dict):
        raise RuleBookError(f"{where}.settings: must be a mapping with {sorted(REFORM_SETTINGS)}")
    for key, kind in REFORM_SETTINGS.items():
        value = settings.get(key)
        if not isinstance(value, kind) or (kind is int and (isinstance(value, bool) or value < 1)):
            raise RuleBookError(f"{where}.settings.{key}: must be {'a whole number >= 1' if kind is int else 'true or false'}")
    bases = []
    for index, entry in enumerate(raw.get("bases") or ()):
        if not (isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"].strip()
                and entry.get("decisions") in REFORM_DECISIONS):
            raise RuleBookError(f"{where}.bases[{index}]: needs a name and decisions: one of {REFORM_DECISIONS}")
        bases.append(ReformBasis(entry["name"].strip(), entry["decisions"]))
    if not bases or len({b.name for b in bases}) != len(bases):
        raise RuleBookError(f"{where}.bases: a non-empty list of distinct names")
    tasks = _parse_tasks(raw.get("tasks"), where, item_codes)
    return Reforms(dict(settings), _parse_basis(raw.get("legal_basis"), f"{where}.legal_basis"),
                   tuple(bases), tasks)


def _parse_tasks(raw, where, item_codes):
    if not isinstance(raw, list) or not raw:
        raise RuleBookError(f"{where}.tasks: a non-empty list")
    parsed = []
    for index, entry in enumerate(raw):
        at = f"{where}.tasks[{index}] {entry.get('code', '?') if isinstance(entry, dict) else ''}"
        if not isinstance(entry, dict):
            raise RuleBookError(f"{at}: must be a mapping")
        extra = set(entry) - {"code", "name", "order", "after", "due", "extension_max", "legal_basis", "note",
                              "name_without_party_group"}
        if extra:
            raise RuleBookError(f"{at}: unknown keys {sorted(extra)}")
        for key in ("code", "name", "order", "due"):
            if key not in entry:
                raise RuleBookError(f"{at}: '{key}' is required")
        code, order = entry["code"], entry["order"]
        if not (isinstance(code, str) and re.fullmatch(r"[A-Z][A-Z0-9_]{0,15}", code)):
            raise RuleBookError(f"{at}: code must be upper-case letters, digits and _ (at most 16)")
        if code in item_codes:
            raise RuleBookError(f"{at}: code is an execution item's too: a task's code must be its own")
        if not isinstance(order, int) or isinstance(order, bool) or order < 1:
            raise RuleBookError(f"{at}: order must be a whole number >= 1")
        if not isinstance(entry["name"], str) or not entry["name"].strip():
            raise RuleBookError(f"{at}: name must be a text")
        basis = _parse_basis(entry.get("legal_basis"), at)
        if not basis:
            raise RuleBookError(f"{at}: legal_basis is required (the article that asks for it)")
        parsed.append(TaskRule(
            code=code, name=entry["name"].strip(), order=order, after=tuple(entry.get("after") or ()),
            due=_parse_offset(entry["due"], f"{at}: due", REFORM_ANCHORS),
            extension_max=_parse_offset(entry["extension_max"], f"{at}: extension_max", REFORM_ANCHORS)
            if "extension_max" in entry else None,
            legal_basis=basis, note=entry.get("note", ""),
            name_without_party_group=entry.get("name_without_party_group")))
    codes = [t.code for t in parsed]
    if len(set(codes)) != len(codes):
        raise RuleBookError(f"{where}.tasks: duplicate code {sorted({c for c in codes if codes.count(c) > 1})}")
    orders = [t.order for t in parsed]
    if len(set(orders)) != len(orders):
        raise RuleBookError(f"{where}.tasks: two tasks have the same order")
    order_of = {t.code: t.order for t in parsed}
    for task in parsed:
        # Only tasks of lower order may be awaited: the order is acyclic by construction.
        wrong = [c for c in task.after if order_of.get(c, task.order) >= task.order]
        if wrong:
            raise RuleBookError(f"{where}.tasks {task.code}: after names {wrong}, which is not a task of lower order")
    return tuple(sorted(parsed, key=lambda t: t.order))


# Suggestions the registration form offers (the decision may name others): 组织处理 and "三书".
ORG_MEASURES = ("停职检查", "调整职务", "责令辞职", "免职", "降职")
LETTERS = ("纪检监察建议书", "监察建议书", "纪律检查建议书")


def rulebook_summary(book: RuleBook):
    """The rule book as its readers need it, primitives only (RPC ``case.rulebook_summary``):
    the web client's registration form (sanctions, vocabularies), deadline (settings), library
    (every legal basis), review (item codes) and notify (item names, partner roles).  Case is
    the only service that reads the YAML; the others ask for this at start-up."""
    from .schemas import CATEGORIES, DEMOCRATIC_PARTIES, DISPOSITIONS, POLITICAL_STATUSES
    return {
        "items": [{"code": r.code, "name": r.name, "time_gated": r.time_gated, "after": list(r.after),
                   "legal_basis": list(r.legal_basis), "partners": _roles(r), "note": r.note}
                  for r in book.items],
        "sanctions": [{"kind": s.kind, "type": s.type, "months": s.months,
                       "months_choices": list(s.months_choices), "legal_basis": list(s.legal_basis)}
                      for s in book.sanctions.values()],
        "settings": dict(book.settings),
        "eligibility": book.eligibility,
        # The partner roles some item names (in PARTNER_ROLES order): the departments notify
        # must be able to address.
        "partner_roles": [role for role in PARTNER_ROLES if any(role in _roles(r) for r in book.items)],
        "restrictions": _restrictions_summary(book.restrictions),
        "reforms": _reforms_summary(book.reforms),
        "vocabularies": {"political_status": list(POLITICAL_STATUSES),
                         "democratic_party": list(DEMOCRATIC_PARTIES),
                         "category": list(CATEGORIES), "disposition": list(DISPOSITIONS),
                         "org_handling": list(ORG_MEASURES), "letters": list(LETTERS)},
    }


def _roles(rule):
    """The partner roles an item names, each once, in the rule book's order."""
    return list(dict.fromkeys(role for role, _ in rule.partners))


def _reforms_summary(reforms):
    """以案促改: the bases a reform case is registered on and the tasks it generates, with every
    legal basis (the library checks them; review checks each task has its checklist)."""
    if reforms is None:
        return None
    return {
        "settings": dict(reforms.settings),
        "legal_basis": list(reforms.legal_basis),
        "bases": [{"name": b.name, "decisions": b.decisions} for b in reforms.bases],
        "tasks": [{"code": t.code, "name": t.name, "order": t.order, "after": list(t.after),
                   "name_without_party_group": t.name_without_party_group,
                   "legal_basis": list(t.legal_basis), "note": t.note, "partners": []}
                  for t in reforms.tasks],
    }


def _restrictions_summary(restrictions):
    """What an impact period rules out (影响期查询), with every legal basis (the library checks them)."""
    if restrictions is None:
        return None
    return {
        "partners": list(restrictions.partners),
        "restore_item": restrictions.restore_item,
        "purposes": [{"id": purpose, "name": name} for purpose, name in restrictions.purposes.items()],
        "rules": [{"purpose": r.purpose,
                   "sanctions": [{"kind": k, "type": t} for k, t in sorted(r.sanctions)],
                   "categories": sorted(r.categories) if r.categories is not None else None,
                   "until": {"from": r.until.anchor, "months": r.until.months} if r.until.anchor else "never",
                   "rule": r.rule, "source": r.source, "legal_basis": list(r.legal_basis)}
                  for r in restrictions.rules],
    }
