"""A service's published events, oldest first, in pages: for a read model rebuilt from history.

Every event a service publishes is first written to its own ``outbox`` table (services/common/
db.py) and the row is kept once published, so the outbox is the service's event history.
:class:`EventHistory` serves it over RPC (admin and system only), so another service rebuilds
its projection from the events themselves, never by reading this service's tables.

The cursor is the last row's ``created_at`` and id; rows written in the same instant are
ordered by id, so a page boundary never skips or repeats an event.
"""
from datetime import datetime

from nameko.rpc import rpc
from sqlalchemy import and_, or_, select

from .actor import Actor
from .errors import ValidationFailed
from .models import OutboxEvent

MAX_PAGE = 1000


def history_page(session, event_types=None, after=None, limit=500):
    """``{"events": [payload, ...], "next": cursor or None}``, oldest first."""
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed("每页条数无效", {"limit": [f"应为1至{MAX_PAGE}"]})
    stmt = select(OutboxEvent.id, OutboxEvent.created_at, OutboxEvent.payload)
    if event_types:
        stmt = stmt.where(OutboxEvent.event_type.in_(list(event_types)))
    if after:
        at, event_id = _cursor(after)
        stmt = stmt.where(or_(OutboxEvent.created_at > at,
                              and_(OutboxEvent.created_at == at, OutboxEvent.id > event_id)))
    rows = session.execute(stmt.order_by(OutboxEvent.created_at, OutboxEvent.id).limit(limit)).all()
    following = f"{rows[-1].created_at.isoformat()}|{rows[-1].id}" if len(rows) == limit else None
    return {"events": [row.payload for row in rows], "next": following}


def _cursor(after):
    try:
        at, event_id = str(after).split("|", 1)
        return datetime.fromisoformat(at), event_id
    except ValueError:
        raise ValidationFailed("游标无效", {"after": [str(after)[:80]]})


class EventHistory:
    """Mixin for a service with a ``db`` (services.common.db.Database): ``event_history``."""

    @rpc
    def event_history(self, actor, event_types=None, after=None, limit=500):
        Actor.load(actor).require("admin", "system")
        return history_page(self.db.session, event_types, after, limit)
