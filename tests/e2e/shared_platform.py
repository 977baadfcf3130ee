"""One platform for a whole test module (``module_api``), for suites of many requests that
each change nothing (bad input) or do not depend on a fresh state (the contract fuzzer).

The same services and configuration as the ``api`` fixture (tests/e2e/conftest.py), started
once per module and database backend instead of once per test: a fresh RabbitMQ vhost, a
fresh database per service, the district's units and an admin.
"""
import pytest
from nameko.constants import WEB_SERVER_CONFIG_KEY
from nameko.runners import ServiceRunner
from nameko.testing.utils import find_free_port
from requests import Session
from sqlalchemy.orm import Session as DbSession

from gateway.seed import seed
from gateway.service import GatewayService
from services.case.service import CaseService
from services.common.db import make_engine
from services.deadline.service import DeadlineService
from services.notify.service import NotifyService
from services.review.service import ReviewService
from tests.conftest import ROOT, Databases
from tests.e2e.conftest import ADMIN_PASSWORD, Platform
from tests.helpers import TODAY

SERVICES = (GatewayService, CaseService, ReviewService, DeadlineService, NotifyService)


class BaseUrlSession(Session):
    def __init__(self, base):
        super().__init__()
        self.base = base

    def request(self, method, url, *args, **kwargs):
        return super().request(method, self.base + "/" + url.lstrip("/"), *args, **kwargs)


def module_config(request, vhost, databases, tmp_path, port):
    class LazyConfig(dict):
        def __missing__(self, key):
            service = {"CASE_DB_URL": "case", "REVIEW_DB_URL": "review", "DEADLINE_DB_URL": "deadline",
                       "NOTIFY_DB_URL": "notify", "GATEWAY_DB_URL": "gateway"}.get(key)
            if service is None:
                raise KeyError(key)
            self[key] = databases.url(service)
            return self[key]

    amqp = request.config.getoption("RABBIT_AMQP_URI")
    scheme, rest = amqp.split("://", 1)
    config = LazyConfig({"AMQP_URI": f"{scheme}://{rest.split('/', 1)[0]}/{vhost}", "vhost": vhost})
    config.update({
        WEB_SERVER_CONFIG_KEY: f"127.0.0.1:{port}",
        "RULEBOOK_PATH": str(ROOT / "services/case/rulebook.yaml"),
        "LIBRARY_CORPUS_DIR": str(ROOT / "services/library/corpus"),
        "LIBRARY_INDEX_DIR": str(tmp_path / "library-index"),
        "ATTACHMENT_DIR": str(tmp_path / "attachments"),
        "TOKEN_SECRET": "test-secret-of-at-least-thirty-two-bytes",
        "TOKEN_TTL_SECONDS": 3600,
        "MAX_BODY_BYTES": 262144,
        "PLATFORM_SERVICES": ["case"],
        "max_workers": 10,
        "CLOCK_TODAY": TODAY.isoformat(),
    })
    return config


@pytest.fixture(scope="module")
def module_platform(request, db_backend, vhost_pipeline, tmp_path_factory):
    """``start(*extra_services, **config)`` → a :class:`Platform`, stopped when the module ends."""
    pg_url = request.getfixturevalue("postgres_base_url") if db_backend == "postgresql" else None
    tmp_path = tmp_path_factory.mktemp(f"platform-{db_backend}")
    databases = Databases(db_backend, tmp_path, pg_url)
    runners = []
    with vhost_pipeline.get() as vhost:
        def start(*extra_services, **settings):
            port = find_free_port()
            config = module_config(request, vhost, databases, tmp_path, port)
            config.update(settings)
            engine = make_engine(config["GATEWAY_DB_URL"])
            with DbSession(engine) as session:
                seed(session, ADMIN_PASSWORD)
            engine.dispose()
            runner = ServiceRunner(config)
            for cls in SERVICES + extra_services:
                runner.add_service(cls)
            runners.append(runner)
            runner.start()
            return Platform(BaseUrlSession(f"http://127.0.0.1:{port}"), config)

        yield start
        for runner in runners:
            runner.kill()
    databases.drop()


@pytest.fixture(scope="module")
def module_api(module_platform):
    return module_platform()
