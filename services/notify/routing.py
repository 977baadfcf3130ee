"""Routing events to notices (点对点通知): plain functions over routing.yaml."""
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

RECIPIENT_KINDS = ("unit", "partners", "review")


class RoutingError(ValueError):
    """routing.yaml is malformed; the message names the entry."""


@dataclass(frozen=True)
class Route:
    event: str                  # "<service>.<event_type>"
    to: tuple
    title: str
    body: str
    asks_reply: bool = False


@dataclass(frozen=True)
class Routing:
    routes: tuple
    reply_days: int
    unanswered_reminder: bool
    webhooks: dict

    def for_event(self, source, event_type):
        key = f"{source}.{event_type}"
        return [r for r in self.routes if r.event == key]

    @property
    def subscribed(self):
        """(service, event type) pairs some route listens to."""
        return sorted({tuple(r.event.split(".", 1)) for r in self.routes})


def load_routing(path=Path(__file__).with_name("routing.yaml")) -> Routing:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    routes = []
    for index, entry in enumerate(raw.get("routes") or ()):
        to = tuple(entry.get("to") or ())
        if not to or any(kind not in RECIPIENT_KINDS for kind in to) or "." not in entry.get("event", ""):
            raise RoutingError(f"{path}: routes[{index}] needs event 'service.type' and to among {RECIPIENT_KINDS}")
        routes.append(Route(entry["event"], to, entry["title"], entry["body"], bool(entry.get("asks_reply"))))
    return Routing(tuple(routes), int(raw["reply_days"]), bool(raw.get("unanswered_reminder")),
                   dict(raw["webhooks"]))


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
            found.extend(Addressee("partner", role=role) for role in payload.get("partners") or ())
        elif kind == "review":
            found.append(Addressee("review"))
    return found


class _Blank(dict):
    def __missing__(self, key):
        return "—"


def render(template, payload):
    """A notice text from the event's fields; a field the event lacks shows as —."""
    return template.format_map(_Blank({k: v for k, v in payload.items() if v is not None}))


def reply_due(today: date, routing: Routing, asks_reply: bool):
    return today + timedelta(days=routing.reply_days) if asks_reply else None
