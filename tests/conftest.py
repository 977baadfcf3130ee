"""Root test configuration.

eventlet must patch the standard library before anything else imports sockets.  The
fixtures here give every test real infrastructure: a fresh RabbitMQ vhost (nameko's
``rabbit_config``), and for each service its own fresh database, migrated with Alembic,
on SQLite and on PostgreSQL (``--db sqlite,postgresql``; PostgreSQL is skipped when not
reachable unless ``REQUIRE_POSTGRES=1``, as in CI).
"""
import eventlet

eventlet.monkey_patch()  # noqa: E402  (must run first)

import os  # noqa: E402
import threading  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urljoin  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from services.common import migrate  # noqa: E402
from tests.helpers import TODAY  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
PG_TEST_DB = "platform_test"
APP_NAME = f"pytest-{os.getpid()}"  # tags this process's PostgreSQL sessions


def pytest_addoption(parser):
    parser.addoption("--db", default=os.environ.get("TEST_DBS", "sqlite,postgresql"),
                     help="comma-separated database backends for integration/e2e tests")


def pytest_configure(config):
    config.addinivalue_line("markers", "today(day): the date the test's services run on (CLOCK_TODAY)")


def test_day(request):
    """The day a test's services run on: its ``today`` mark, else ``TODAY``."""
    mark = request.node.get_closest_marker("today")
    return str(mark.args[0]) if mark else TODAY.isoformat()


def pytest_generate_tests(metafunc):
    if "db_backend" in metafunc.fixturenames:
        backends = [b.strip() for b in metafunc.config.getoption("--db").split(",") if b.strip()]
        metafunc.parametrize("db_backend", backends, scope="session")


@pytest.fixture(scope="session")
def postgres_base_url():
    """A PostgreSQL database for tests; each test works in schemas of its own inside it."""
    try:
        admin = create_engine(PG_ADMIN_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": PG_TEST_DB})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{PG_TEST_DB}"'))
        admin.dispose()
    except Exception as exc:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_TEST_DB


class Databases:
    """One fresh database per service for one test, migrated to head."""

    def __init__(self, backend, tmp_path, pg_url):
        self.backend, self.tmp_path, self.pg_url = backend, tmp_path, pg_url
        self.schemas = []
        self.urls = {}
        # Services start in parallel greenlets; Alembic keeps module-level state, so two
        # migrations must never interleave (monkey-patched, this lock is green).
        self._lock = threading.Lock()

    def url(self, service):
        with self._lock:
            if service not in self.urls:
                url = self._create(service)
                migrate.upgrade(service, url)
                self.urls[service] = url
        return self.urls[service]

    def _create(self, service):
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp_path}/{service}.db"
        schema = f"t_{uuid.uuid4().hex[:12]}_{service}"
        engine = create_engine(self.pg_url, poolclass=NullPool)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        self.schemas.append(schema)
        return f"{self.pg_url}?options=-csearch_path%3D{schema}&application_name={APP_NAME}"

    def drop(self):
        if not self.schemas:
            return
        engine = create_engine(self.pg_url, poolclass=NullPool)
        with engine.begin() as conn:
            # A session of this process still open belongs to a service of this test that is
            # shutting down, and would deadlock the DROP; other processes' tests are left alone.
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE application_name = :app AND pid <> pg_backend_pid()"),
                         {"app": APP_NAME})
            for schema in self.schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture
def databases(request, db_backend, tmp_path):
    pg_url = request.getfixturevalue("postgres_base_url") if db_backend == "postgresql" else None
    dbs = Databases(db_backend, tmp_path, pg_url)
    yield dbs
    dbs.drop()


@pytest.fixture
def platform_config(request, rabbit_config, databases, tmp_path, web_config):
    """Config for any set of services: each database URL is created on first use.

    Request it *before* ``container_factory``/``runner_factory`` so that, at teardown,
    the services stop before their databases are dropped.
    """
    class LazyConfig(dict):
        def __missing__(self, key):
            service = {"CASE_DB_URL": "case", "REVIEW_DB_URL": "review",
                       "DEADLINE_DB_URL": "deadline", "NOTIFY_DB_URL": "notify",
                       "GATEWAY_DB_URL": "gateway"}.get(key)
            if service is None:
                raise KeyError(key)
            self[key] = databases.url(service)
            return self[key]

    config = LazyConfig(rabbit_config)
    config.update(web_config)
    config.update({
        "RULEBOOK_PATH": str(ROOT / "services/case/rulebook.yaml"),
        "LIBRARY_CORPUS_DIR": str(ROOT / "services/library/corpus"),
        "LIBRARY_INDEX_DIR": str(tmp_path / "library-index"),
        "ATTACHMENT_DIR": str(tmp_path / "attachments"),
        "TOKEN_SECRET": "test-secret-of-at-least-thirty-two-bytes",
        "TOKEN_TTL_SECONDS": 3600,
        "MAX_BODY_BYTES": 262144,
        "PLATFORM_SERVICES": ["case"],
        "max_workers": 10,
        "CLOCK_TODAY": test_day(request),
    })
    return config


@pytest.fixture
def web_session(web_config_port):
    """nameko's fixture uses werkzeug's url_join, gone in werkzeug 3."""
    from requests import Session

    base = f"http://127.0.0.1:{web_config_port}/"

    class WebSession(Session):
        def request(self, method, url, *args, **kwargs):
            return Session.request(self, method, urljoin(base, url.lstrip("/")), *args, **kwargs)

    with WebSession() as session:
        yield session
