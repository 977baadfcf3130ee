"""``health`` RPC shared by every service: answers, and checks its database if it has one."""
from nameko.rpc import rpc
from sqlalchemy import text


class HealthMixin:
    @rpc
    def health(self):
        db = getattr(self, "db", None)
        if db is not None:
            db.session.execute(text("SELECT 1"))
        return {"service": self.name, "ok": True}
