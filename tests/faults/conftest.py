"""The platform as ``make run`` runs it (supervisord, deploy/supervisord.conf), seeded, and a
RabbitMQ node of the test's own that it may restart."""
import os

import pytest
import requests
from sqlalchemy.orm import Session

from gateway.seed import seed
from services.common.db import make_engine
from tests.e2e.conftest import ADMIN_PASSWORD, Platform
from tests.faults.broker import SERVER, RabbitNode
from tests.processes.conftest import DB_KEYS, _based
from tests.processes.harness import SupervisedDeployment


@pytest.fixture
def rabbit_node(tmp_path):
    """A RabbitMQ node on free ports (never the shared one on 5672), stopped at teardown.
    Request it before ``supervised`` so the platform stops before its broker does."""
    if SERVER is None:
        if os.environ.get("CI"):
            raise RuntimeError("rabbitmq-server is not installed: the broker-restart fault cannot run")
        pytest.skip("rabbitmq-server is not installed here (the broker-restart fault starts its own node)")
    node = RabbitNode(tmp_path / "rabbit").start()
    yield node
    node.stop()


@pytest.fixture
def supervised(platform_config, tmp_path):
    """``supervised(amqp_uri=None, **settings)`` starts every service and the gateway under
    supervisord on this test's databases (and broker, when given) and returns
    ``(SupervisedDeployment, Platform)``; all stopped at teardown."""
    started = []

    def start(amqp_uri=None, **settings):
        for key in DB_KEYS:
            platform_config[key]          # created and migrated now, before any process runs
        engine = make_engine(platform_config["GATEWAY_DB_URL"])
        with Session(engine) as session:
            seed(session, ADMIN_PASSWORD)
        engine.dispose()
        config = dict(platform_config, **settings)
        if amqp_uri:
            config["AMQP_URI"] = amqp_uri
        deployed = SupervisedDeployment(config, tmp_path)
        started.append(deployed)
        deployed.start()
        http = requests.Session()
        http.request = _based(http.request, deployed.base)
        return deployed, Platform(http, platform_config)

    yield start
    for deployed in started:
        deployed.stop_all()
