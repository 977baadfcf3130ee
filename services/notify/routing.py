"""Routing events to notices (点对点通知): plain functions over routing.yaml.

The rule book (case's, asked at start-up) names the partner roles of each item; every one of
them must have a route (:func:`check_partner_routes`), or a partner department would never
hear of the items it must act on.
"""
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import yaml

from services.common.calendar import add_workdays

RECIPIENT_KINDS = ("unit", "partners", "review")
ROUTING = Path(__file__).with_name("routing.yaml")
PARTNER_EVENT = "case.item_opened"     # the event that brings an item to its partner departments


class RoutingError(ValueError):
    """routing.yaml is malformed; the message names the entry."""


@dataclass(frozen=True)
class Route:
    event: str                  # "<service>.<event_type>"
    to: tuple
    title: str
    body: str
    asks_reply: bool = False
    sender: str = ""            # 发出单位 as the inbox shows it
    roles: tuple = ()           # the partner roles a `partners` route addresses (empty: every one)

    def addresses_role(self, role):
        return "partners" in self.to and (not self.roles or role in self.roles)


@dataclass(frozen=True)
class Routing:
    routes: tuple
    reply_workdays: int
    unanswered_reminder: bool
    reply_reminder: Route
    webhooks: dict
    item_names: dict = field(default_factory=dict)   # item code -> name, from case's rule book

    def for_event(self, source, event_type):
        key = f"{source}.{event_type}"
        return [r for r in self.routes if r.event == key]

    @property
    def event_types(self):
        """Event types some route turns into notices (what a subscription may ask for)."""
        return sorted({r.event.split(".", 1)[1] for r in self.routes})


def load_routing(path=ROUTING) -> Routing:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    routes = tuple(_route(entry, f"{path}: routes[{index}]") for index, entry in enumerate(raw.get("routes") or ()))
    reminder = raw["reply_reminder"]
    return Routing(routes, int(raw["reply_workdays"]), bool(raw.get("unanswered_reminder")),
                   Route("notify.reply_overdue", ("same",), reminder["title"], reminder["body"],
                         sender=reminder.get("from", "")),
                   dict(raw["webhooks"]))


def _route(entry, where):
    to = tuple(entry.get("to") or ())
    if not to or any(kind not in RECIPIENT_KINDS for kind in to) or "." not in entry.get("event", ""):
        raise RoutingError(f"{where} needs event 'service.type' and to among {RECIPIENT_KINDS}")
    if not entry.get("title") or not entry.get("body"):
        raise RoutingError(f"{where} needs a title and a body")
    roles = tuple(entry.get("roles") or ())
    if roles and "partners" not in to:
        raise RoutingError(f"{where}: roles is for a route to partners")
    return Route(entry["event"], to, entry["title"], entry["body"], bool(entry.get("asks_reply")),
                 entry.get("from", ""), roles)


def check_partner_routes(routing, book, source=ROUTING):
    """Every partner role an item of the rule book names (``book``: the rule book as case
    serves it) is addressed by some route of PARTNER_EVENT; RoutingError naming the role and
    the item otherwise."""
    routes = routing.for_event(*PARTNER_EVENT.split("."))
    for item in book.get("items") or ():
        for role in item.get("partners") or ():
            if not any(route.addresses_role(role) for route in routes):
                raise RoutingError(
                    f"{source}: no route of {PARTNER_EVENT} addresses partner role '{role}', which the "
                    f"rule book names on item {item['code']} ({item.get('name', '')}): add a route "
                    f"to: [partners] (with the role among its roles, if it lists any)")


def with_rulebook(routing, book, source=ROUTING):
    """The routing checked against case's rule book, with its item names (for an event that
    carries only an item's code: every event names its item, but one queued before they did)."""
    check_partner_routes(routing, book, source)
    tasks = (book.get("reforms") or {}).get("tasks") or ()      # 以案促改: tasks are items too
    return replace(routing, item_names={item["code"]: item["name"] for item in [*(book.get("items") or ()), *tasks]})


@dataclass(frozen=True)
class Addressee:
    kind: str                   # unit | partner | review
    unit_id: int | None = None
    role: str | None = None


def addressees(route: Route, payload):
    """Who a route sends a notice to for this event."""
    found = []
    for kind in route.to:
        if kind == "unit" and payload.get("unit_id") is not None:
            found.append(Addressee("unit", unit_id=payload["unit_id"]))
        elif kind == "partners":
            found.extend(Addressee("partner", role=role) for role in payload.get("partners") or ()
                         if route.addresses_role(role))
        elif kind == "review":
            found.append(Addressee("review"))
    return found


def with_item_name(payload, item_names):
    """The event's fields, with the item's name from the rule book if the event lacks one."""
    if payload.get("name") or payload.get("code") not in item_names:
        return payload
    return dict(payload, name=item_names[payload["code"]])


class _Blank(dict):
    def __missing__(self, key):
        return "—"


def render(template, payload):
    """A notice text from the event's fields; a field the event lacks shows as —."""
    return template.format_map(_Blank({k: v for k, v in payload.items() if v is not None}))


def reply_due(today: date, routing: Routing, asks_reply: bool):
    """回执期限: so many working days from the day the notice went out."""
    return add_workdays(today, routing.reply_workdays) if asks_reply else None
