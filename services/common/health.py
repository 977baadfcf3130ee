"""``health`` RPC shared by every service: answers, checks its database if it has one, and says
where this year's and next year's working days come from (``calendar``): a year whose
State Council arrangement (调休) is not entered yet is counted from the statutory rule alone."""
from datetime import date

from nameko.rpc import rpc
from sqlalchemy import text

from services.common.calendar import year_status


class HealthMixin:
    @rpc
    def health(self):
        db = getattr(self, "db", None)
        if db is not None:
            db.session.execute(text("SELECT 1"))
        clock = getattr(self, "clock", None)
        year = (clock.today() if clock is not None else date.today()).year
        return {"service": self.name, "ok": True,
                "calendar": [year_status(year), year_status(year + 1)]}
