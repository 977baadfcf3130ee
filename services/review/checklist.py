"""The evidence checklist (报送材料清单) as data: loading evidence.yaml and turning each
item code's fields into a marshmallow schema.  Plain Python, no nameko.

Every item of the rule book must have its checklist: :func:`check_covers` is run at start-up
on the items case serves, and an item without one stops the service naming it.
"""
import logging
from dataclasses import dataclass
from pathlib import Path

import yaml
from marshmallow import Schema, fields, validate

from services.common.errors import RuleRefused
from services.common.schemas import Day, Money, Text, capped_list

EVIDENCE = Path(__file__).with_name("evidence.yaml")
log = logging.getLogger(__name__)

FIELD_TYPES = ("date", "text", "texts", "bool", "int", "money", "choice")
MAX_LIST_ENTRIES = 50    # recipients, announcers, visitors, letters of one report
MAX_INT = 1_000_000      # a count or a year: far beyond any real value, never an overflow
# How each field type is entered in a form (the web client's input kinds).
FORM_TYPES = {"date": "date", "text": "textarea", "texts": "list", "bool": "checkbox",
              "int": "number", "money": "money", "choice": "select"}


class ChecklistError(ValueError):
    """evidence.yaml is malformed, or lacks an item of the rule book; the message names the entry."""


class MissingChecklist(RuleRefused):
    """422: an item has no evidence checklist (start-up refuses that; never a 500 if it happens)."""
    code = "NO_EVIDENCE_CHECKLIST"


@dataclass(frozen=True)
class Checklist:
    schemas: dict            # item code -> Schema instance for its evidence
    fields: dict             # item code -> {name: spec} (for clients that build forms)
    problem_categories: tuple
    attachments: dict
    rating_rules: tuple
    partner_keywords: dict
    problem_aliases: dict = None
    settings: dict = None     # pre-check settings (prechecks: in evidence.yaml)
    common: dict = None       # fields every report may carry: {name: spec}

    def evidence_schema(self, code):
        schema = self.schemas.get(code)
        if schema is None:
            raise MissingChecklist(f"事项 {code} 没有报送材料清单（evidence.yaml），暂不能上报，请联系系统管理员",
                                   {"code": [f"{code} 没有报送材料清单"]})
        return schema

    def problem_category(self, name):
        """The category's name in the fixed list (an alias is translated), or None."""
        name = (self.problem_aliases or {}).get(name, name)
        return name if name in self.problem_categories else None

    def form(self, code):
        """The item's evidence fields as a form description for clients."""
        return self.form_fields(self.fields.get(code, {}))

    @staticmethod
    def form_fields(specs):
        # A tick box is always answered (unticked is "no"), so a form never marks it required.
        return [{"key": name, "label": spec.get("label", name), "type": FORM_TYPES[spec["type"]],
                 "required": spec.get("required", True) and spec["type"] != "bool",
                 "options": spec.get("choices")}
                for name, spec in specs.items()]


def load_checklist(path=EVIDENCE) -> Checklist:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    try:
        specs, common = raw["evidence"], dict(raw.get("common_evidence") or {})
        checklist = Checklist(
            schemas={code: _schema_for(code, {**spec, **common}) for code, spec in specs.items()},
            fields=specs, problem_categories=tuple(raw["problem_categories"]),
            attachments=dict(raw["attachments"]), rating_rules=tuple(raw.get("rating_rules") or ()),
            partner_keywords=dict(raw.get("partner_keywords") or {}),
            problem_aliases=dict(raw.get("problem_aliases") or {}),
            settings=dict(raw["prechecks"]), common=common)
    except (KeyError, TypeError, AttributeError) as err:
        raise ChecklistError(f"{path}: missing or malformed section: {err}") from err
    _check_categories(path, checklist)
    return checklist


def reportable(book):
    """Every code of case's rule book (``case.rulebook_summary``) a unit reports on: the
    execution items, then the reform section's tasks (以案促改), each marked with its kind."""
    items = [dict(item, kind="item") for item in book.get("items") or ()]
    tasks = [dict(task, kind="reform task") for task in (book.get("reforms") or {}).get("tasks") or ()]
    return items + tasks


def check_covers(checklist, items, path=EVIDENCE):
    """Every rule-book item and reform task (``[{code, name, partners, kind?}, …]`` as case
    serves them, :func:`reportable`) has its checklist, and every partner role an item names
    has the words that find it among a copy's recipients (partner_keywords, for the 送达部门遗漏
    pre-check); ChecklistError naming each one that has none.  A checklist no item uses is
    only logged."""
    missing = [f"{item.get('kind', 'item')} {item['code']} ({item.get('name', '')})" for item in items
               if item["code"] not in checklist.schemas]
    if missing:
        raise ChecklistError(f"{path}: no evidence checklist for the rule book's "
                             f"{', '.join(missing)}: add it under evidence:")
    for item in items:
        for role in item.get("partners") or ():
            if not checklist.partner_keywords.get(role):
                raise ChecklistError(f"{path}: partner role '{role}', which the rule book names on item "
                                     f"{item['code']} ({item.get('name', '')}), has no partner_keywords")
    unused = sorted(set(checklist.schemas) - {item["code"] for item in items})
    if unused:
        log.info("review: evidence checklists of no rule-book item: %s", ", ".join(unused))


def _check_categories(path, checklist):
    """Every alias names a listed category, and 其他 is always offered."""
    if "其他" not in checklist.problem_categories:
        raise ChecklistError(f"{path}: problem_categories must include 其他")
    for alias, name in checklist.problem_aliases.items():
        if name not in checklist.problem_categories:
            raise ChecklistError(f"{path}: alias {alias} names unknown category {name}")


def _schema_for(code, spec):
    declared = {name: _field(f"{code}.{name}", field_spec) for name, field_spec in spec.items()}
    return Schema.from_dict(declared, name=f"{code}Evidence")()


def _field(where, spec):
    kind = spec.get("type")
    if kind not in FIELD_TYPES:
        raise ChecklistError(f"evidence {where}: type '{kind}' is not one of {FIELD_TYPES}")
    required = spec.get("required", True)
    options = {"required": required, "allow_none": not required,
               "metadata": {"label": spec.get("label", "")}}
    if kind == "date":
        return Day(**options)
    if kind == "text":
        return Text(multiline=True, validate=validate.Length(min=1 if required else 0, max=2000), **options)
    if kind == "texts":
        minimum = spec.get("min_items", 1 if required else 0)
        return capped_list(Text(validate=validate.Length(min=1, max=200), metadata=options["metadata"]),
                           MAX_LIST_ENTRIES, minimum, **options)
    if kind == "bool":
        # An unticked box is a fact ("not signed"), not a missing field: it defaults to False.
        return fields.Boolean(load_default=False, metadata=options["metadata"])
    if kind == "int":
        return fields.Integer(strict=False, validate=validate.Range(
            min=spec.get("min"), max=spec.get("max", MAX_INT)), **options)
    if kind == "money":
        return Money(validate=validate.Range(min=0, error="金额不能为负"), **options)
    return fields.String(validate=validate.OneOf(spec["choices"]), **options)
