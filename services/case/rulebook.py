"""Loading and validating the rule book (规则库).  Plain Python, no nameko.

The YAML is checked once at start-up; any bad entry stops the service with a message
naming it (``items[4] TREATMENT: due.from 'decsion_date' ...``).  Conditions are
compiled here into predicates over a :class:`Facts` context so the planner in
``rules.py`` never interprets raw YAML.
"""
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ANCHORS = ("decision_date", "period_end", "year_end")
PERIOD_CHOICES = ("party", "government", "latest")
PARTNER_ROLES = ("organization", "hr", "finance", "united_front")
SANCTION_KINDS = ("party", "government")
STACKING = ("add_remaining", "add_remaining_capped")
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
class RuleBook:
    settings: dict
    eligibility: dict
    sanctions: dict               # {(kind, type): SanctionRule}
    stacking: dict
    items: tuple
    source: str = ""
    codes: frozenset = field(default=frozenset())

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
    return RuleBook(settings=settings, eligibility=raw.get("eligibility") or {},
                    sanctions=sanctions, stacking=stacking, items=items, source=source,
                    codes=frozenset(rule.code for rule in items))


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


def _parse_offset(raw, where):
    if not isinstance(raw, dict) or raw.get("from") not in ANCHORS:
        raise RuleBookError(f"{where}.from must be one of {ANCHORS}")
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
        "vocabularies": {"political_status": list(POLITICAL_STATUSES),
                         "democratic_party": list(DEMOCRATIC_PARTIES),
                         "category": list(CATEGORIES), "disposition": list(DISPOSITIONS),
                         "org_handling": list(ORG_MEASURES), "letters": list(LETTERS)},
    }


def _roles(rule):
    """The partner roles an item names, each once, in the rule book's order."""
    return list(dict.fromkeys(role for role, _ in rule.partners))
