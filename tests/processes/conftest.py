"""A deployment of separate ``nameko run`` processes, with the district seeded."""
import pytest
import requests
from sqlalchemy.orm import Session

from gateway.seed import seed
from services.common.db import make_engine
from tests.e2e.conftest import ADMIN_PASSWORD, Platform
from tests.processes.harness import Deployment

DB_KEYS = ("CASE_DB_URL", "REVIEW_DB_URL", "DEADLINE_DB_URL", "NOTIFY_DB_URL", "GATEWAY_DB_URL")


@pytest.fixture
def deployment(platform_config, tmp_path):
    """``deployment(*services)`` starts them (the gateway included) and returns
    ``(Deployment, Platform)``; every process is stopped at teardown."""
    started = []

    def start(*services):
        for key in DB_KEYS:
            platform_config[key]          # created and migrated now, before any process runs
        engine = make_engine(platform_config["GATEWAY_DB_URL"])
        with Session(engine) as session:
            seed(session, ADMIN_PASSWORD)
        engine.dispose()
        deployed = Deployment(platform_config, tmp_path, services + ("gateway",))
        started.append(deployed)
        deployed.start()
        http = requests.Session()
        http.request = _based(http.request, deployed.base)
        return deployed, Platform(http, platform_config)

    yield start
    for deployed in started:
        deployed.stop_all()


def _based(request, base):
    def call(method, url, *args, **kwargs):
        return request(method, base + url, *args, **kwargs)
    return call
