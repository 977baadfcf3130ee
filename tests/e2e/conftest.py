"""The whole platform through HTTP: a runner with the gateway and the services under test.

``platform(*extra_service_classes)`` starts the gateway, the case, review, deadline and notify services
(the gateway's decision and item pages need them all; plus any others), seeds the district's units and an admin, and returns a :class:`Platform` client.
"""
import pytest
from sqlalchemy.orm import Session

from gateway.seed import seed
from gateway.service import GatewayService
from services.case.service import CaseService
from services.common.db import make_engine
from services.deadline.service import DeadlineService
from services.notify.service import NotifyService
from services.review.service import ReviewService
from tests.helpers import RESPONSIBLE

ADMIN_PASSWORD = "admin-test-pw"
# The district's people: created on first use, so a test pays only for those it logs in as.
DISTRICT_USERS = {
    "shen": ("reviewer", "东河区纪委监委案件审理室"),
    "shen2": ("reviewer", "东河区纪委监委案件审理室"),
    "min": ("operator", RESPONSIBLE),
    "jiao": ("operator", "东河区教育局"),
    "zuzhi": ("partner", "中共东河区委组织部"),
    "tongzhan": ("partner", "中共东河区委统战部"),
    "caizheng": ("partner", "东河区财政局"),
}


class Platform:
    def __init__(self, http, config):
        self.http = http
        self.config = config
        self._tokens = {}
        self.units = {u["name"]: u["id"] for u in self.get("/api/v1/units", "admin").json()["items"]}
        self.unit_id = self.units[RESPONSIBLE]

    def token(self, username, password=None):
        if username not in self._tokens:
            if username in DISTRICT_USERS:
                self.user(username, *DISTRICT_USERS[username])
            reply = self.http.post("/api/v1/auth/login", json={
                "username": username, "password": password or _password(username)})
            assert reply.status_code == 200, reply.text
            self._tokens[username] = reply.json()["token"]
        return self._tokens[username]

    def headers(self, username):
        return {"Authorization": f"Bearer {self.token(username)}"}

    def user(self, username, role, unit_name=None):
        """Create a user through the admin API (idempotent per test)."""
        reply = self.post("/api/v1/users", "admin", json={
            "username": username, "password": _password(username), "name": username, "role": role,
            "unit_id": self.units[unit_name] if unit_name else None})
        assert reply.status_code in (201, 409), reply.text
        return username

    def get(self, path, username, **kwargs):
        return self.http.get(path, headers=self.headers(username), **kwargs)

    def post(self, path, username, **kwargs):
        return self.http.post(path, headers=self.headers(username), **kwargs)


def _password(username):
    return ADMIN_PASSWORD if username == "admin" else f"{username}-pw-123"


@pytest.fixture
def platform(platform_config, runner_factory, web_session):
    def start(*extra_services):
        engine = make_engine(platform_config["GATEWAY_DB_URL"])
        with Session(engine) as session:
            seed(session, ADMIN_PASSWORD)
        engine.dispose()
        runner = runner_factory(platform_config, GatewayService, CaseService, ReviewService,
                                DeadlineService, NotifyService, *extra_services)
        runner.start()
        return Platform(web_session, platform_config)
    return start


@pytest.fixture
def api(platform):
    """The platform with the district's units; its people log in as they are needed."""
    return platform()
