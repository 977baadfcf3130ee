"""The platform as deployed (each service its own ``nameko run``, metrics ports on, JSON logs)
on a RabbitMQ node of the test's own whose vhost has default queue type quorum, watched by a
real Prometheus (Debian's package) on a free port:

- Prometheus scrapes every service and the gateway and finds each metric the on-call
  questions need, with the labels promised (and no others);
- one registration is followed by its correlation id from the HTTP request through case,
  deadline and notify's logs;
- the services' durable RPC and event queues came up quorum, the reply queues classic, and a
  service restarted redeclares its quorum queues without a type and serves again.

One platform serves the three (starting it is most of the time), on PostgreSQL when the run
includes it (the production backend), else on SQLite.
"""
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
import yaml
from sqlalchemy.orm import Session

from gateway.seed import seed
from services.common import logs
from services.common.db import make_engine
from tests.conftest import ROOT, Databases
from tests.e2e.conftest import ADMIN_PASSWORD, Platform
from tests.faults.broker import SERVER, RabbitNode
from tests.helpers import TODAY, decision_payload
from tests.ops.promql import DASHBOARDS, RULES, metric_names, recorded_names, tool
from tests.processes.conftest import _based
from tests.processes.harness import Deployment, free_port

SERVICES = ("case", "review", "deadline", "notify", "library")
CTL = str(Path(SERVER).with_name("rabbitmqctl")) if SERVER else None

# Each metric the issue asks for, the job(s) that must export it, and its labels.
EXPECTED = {
    "platform_outbox_pending": ({"case", "review", "deadline", "notify"}, {"service"}),
    "platform_outbox_oldest_seconds": ({"case", "review", "deadline", "notify"}, {"service"}),
    "platform_outbox_published_total": ({"case"}, {"service"}),
    "platform_events_total": ({"case", "deadline", "notify"}, {"service", "handler", "outcome"}),
    "platform_event_retries_total": ({"deadline", "notify"}, {"service", "handler"}),
    "platform_event_dead_letters_total": ({"deadline", "notify"}, {"service", "handler"}),
    "platform_failed_events": ({"deadline", "notify"}, {"service", "state"}),
    "platform_event_lag_seconds_bucket": ({"deadline", "notify"}, {"service", "handler", "le"}),
    "deadline_sweep_last_run_timestamp_seconds": ({"deadline"}, set()),
    "deadline_sweep_interval_seconds": ({"deadline"}, set()),
    "deadline_sweep_duration_seconds_bucket": ({"deadline"}, {"le"}),
    "deadline_sweep_crossings_total": ({"deadline"}, {"level"}),
    "deadline_items": ({"deadline"}, {"light", "kind"}),
    "notify_notices_unanswered_overdue": ({"notify"}, {"role"}),
    "notify_deliveries": ({"notify"}, {"state"}),
    "notify_subscribers": ({"notify"}, {"state"}),
    "platform_rpc_client_seconds_bucket": ({"gateway"}, {"service", "method", "outcome", "le"}),
    "gateway_http_requests_total": ({"gateway"}, {"route", "status"}),
    "gateway_http_request_seconds_bucket": ({"gateway"}, {"route", "le"}),
    "gateway_login_failures_total": ({"gateway"}, set()),
    "gateway_login_throttled_total": ({"gateway"}, set()),
    "library_search_seconds_bucket": ({"library"}, {"outcome", "le"}),
    "platform_db_pool_connections": ({"case", "review", "deadline", "notify", "gateway"}, {"service", "state"}),
    "platform_db_pool_capacity": ({"case", "review", "deadline", "notify", "gateway"}, {"service"}),
    "platform_entrypoint_seconds_bucket": (set(SERVICES) | {"gateway"}, {"service", "entrypoint", "le"}),
    "platform_entrypoint_faults_total": (set(SERVICES) | {"gateway"}, {"service", "entrypoint"}),
    "platform_entrypoint_errors_total": ({"gateway"}, {"service", "entrypoint", "error"}),
}
# Every label the platform's metrics may have: bounded names, never an id.
ALLOWED_LABELS = {"__name__", "job", "instance", "service", "entrypoint", "error", "handler", "outcome", "state",
                  "method", "route", "status", "light", "kind", "level", "role", "le", "channel"}
OURS = ("platform_", "gateway_", "deadline_", "notify_", "library_")


def rabbitmqctl(node, *args):
    done = subprocess.run([CTL, "-n", node.name, *args], env=node.env, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


class Ops:
    def __init__(self, deployed, api, node, vhost, ports):
        self.deployed, self.api, self.node, self.vhost, self.ports = deployed, api, node, vhost, ports

    def records(self, name):
        return logs.parse(self.deployed.log(name))


@pytest.fixture(scope="module")
def ops(request, tmp_path_factory):
    if SERVER is None:
        if os.environ.get("CI"):
            raise RuntimeError("rabbitmq-server is not installed: the operations tests start their own node")
        pytest.skip("rabbitmq-server is not installed here (the operations tests start their own node)")
    backends = [b.strip() for b in request.config.getoption("--db").split(",") if b.strip()]
    backend = "postgresql" if "postgresql" in backends else backends[0]
    folder = tmp_path_factory.mktemp("ops")
    node = RabbitNode(folder / "rabbit").start()
    databases = None
    deployed = None
    try:
        vhost = "ops"
        rabbitmqctl(node, "add_vhost", vhost, "--default-queue-type", "quorum")
        rabbitmqctl(node, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        pg_url = request.getfixturevalue("postgres_base_url") if backend == "postgresql" else None
        databases = Databases(backend, folder, pg_url)
        ports = {service: free_port() for service in SERVICES}
        config = {
            "AMQP_URI": node.amqp_uri + vhost,
            **{f"{s.upper()}_DB_URL": databases.url(s) for s in ("case", "review", "deadline", "notify", "gateway")},
            "RULEBOOK_PATH": str(ROOT / "services/case/rulebook.yaml"),
            "LIBRARY_CORPUS_DIR": str(ROOT / "services/library/corpus"),
            "LIBRARY_INDEX_DIR": str(folder / "library-index"),
            "ATTACHMENT_DIR": str(folder / "attachments"),
            "TOKEN_SECRET": "test-secret-of-at-least-thirty-two-bytes",
            "TOKEN_TTL_SECONDS": 3600, "MAX_BODY_BYTES": 262144, "max_workers": 10,
            "CLOCK_TODAY": TODAY.isoformat(), "RPC_TIMEOUT_SECONDS": 10,
            "METRICS_PORTS": ports, "METRICS_ADDR": "127.0.0.1", "METRICS_PROBE_SECONDS": 1,
        }
        engine = make_engine(config["GATEWAY_DB_URL"])
        with Session(engine) as session:
            seed(session, ADMIN_PASSWORD)
        engine.dispose()
        deployed = Deployment(config, folder, SERVICES + ("gateway",))
        # As config.yaml: JSON lines at INFO (the harness's default is WARNING, plain).
        deployed.config["LOGGING"] = {
            "version": 1, "disable_existing_loggers": False,
            "formatters": {"json": {"()": "services.common.logs.JsonFormatter"}},
            "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
            "loggers": {"nameko.web.server": {"level": "WARNING"}},
            "root": {"level": "INFO", "handlers": ["console"]}}
        deployed.config_path.write_text(yaml.safe_dump(deployed.config, allow_unicode=True), encoding="utf-8")
        deployed.start()
        http = requests.Session()
        http.request = _based(http.request, deployed.base)
        yield Ops(deployed, Platform(http, config), node, vhost, ports)
    finally:
        if deployed is not None:
            deployed.stop_all()
        node.stop()
        if databases is not None:
            databases.drop()


def until(fetch, what, timeout=30.0, interval=0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


# -- Prometheus -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def prometheus(ops, tmp_path_factory):
    """Debian's prometheus on a free port, scraping every process each second, with rules.yml."""
    binary = tool("prometheus")
    folder = tmp_path_factory.mktemp("prometheus")
    jobs = [{"job_name": "gateway", "metrics_path": "/api/v1/metrics",
             "static_configs": [{"targets": [f"127.0.0.1:{ops.deployed.port}"]}]}]
    jobs += [{"job_name": s, "static_configs": [{"targets": [f"127.0.0.1:{p}"]}]} for s, p in ops.ports.items()]
    config = {"global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"},
              "rule_files": [str(RULES)], "scrape_configs": jobs}
    (folder / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    out = open(folder / "prometheus.log", "wb")
    proc = subprocess.Popen([binary, f"--config.file={folder / 'prometheus.yml'}", f"--storage.tsdb.path={folder / 'data'}",
                             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def ready():
        if proc.poll() is not None:
            raise RuntimeError((folder / "prometheus.log").read_text(errors="replace")[-2000:])
        try:
            return requests.get(base + "/-/ready", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    try:
        until(ready, "prometheus to be ready")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def query(base, expr):
    reply = requests.get(base + "/api/v1/query", params={"query": expr}, timeout=10).json()
    assert reply["status"] == "success", reply
    return reply["data"]["result"]


def series(base, name):
    reply = requests.get(base + "/api/v1/series", params={"match[]": name}, timeout=10).json()
    assert reply["status"] == "success", reply
    return reply["data"]


def test_prometheus_finds_every_metric_with_the_labels_promised(ops, prometheus):
    api = ops.api
    # What the on-call questions are about: a failed login, a search, a registration.
    assert api.http.post("/api/v1/auth/login", json={"username": "admin", "password": "wrong"}).status_code == 401
    assert api.get("/api/v1/library/search", "admin", params={"q": "处分"}).status_code == 200
    assert api.post("/api/v1/decisions", "shen", json=decision_payload(
        71, unit_id=api.unit_id, decision_date=TODAY.isoformat())).status_code == 201

    jobs = {"gateway", *SERVICES}
    until(lambda: {r["metric"]["job"] for r in query(prometheus, "up == 1")} >= jobs, "every target up")

    def complete():
        missing = {}
        for name, (wanted_jobs, labels) in EXPECTED.items():
            found = series(prometheus, name)
            have = {s["job"] for s in found if labels <= set(s)}
            if not wanted_jobs <= have:
                missing[name] = sorted(wanted_jobs - have)
        return missing

    until(lambda: not complete(), f"every metric: missing {complete()}", timeout=40)
    for name, (_, labels) in EXPECTED.items():
        for found in series(prometheus, name):
            assert set(found) - {"__name__", "job", "instance"} == labels, (name, found)

    # No metric of ours has a label beyond the bounded ones (no ids).
    names = requests.get(prometheus + "/api/v1/label/__name__/values", timeout=10).json()["data"]
    for name in (n for n in names if n.startswith(OURS)):
        for found in series(prometheus, name):
            assert set(found) <= ALLOWED_LABELS, (name, found)

    # What the registration did is in the figures: deadline applied it, the gateway timed case.
    assert query(prometheus, 'sum(platform_events_total{service="deadline",handler="on_decision_registered",'
                             'outcome="applied"}) >= 1')
    assert query(prometheus, 'sum(platform_rpc_client_seconds_count{service="case",method="register_decision",'
                             'outcome="ok"}) >= 1')
    until(lambda: query(prometheus, 'sum(deadline_items) > 0'), "the new decision's items counted by light")
    assert query(prometheus, "gateway_login_failures_total >= 1")

    # The recording rules evaluate over the real series, and every metric a dashboard names is scraped.
    until(lambda: query(prometheus, "service:platform_outbox_pending:max") and
          query(prometheus, "deadline:sweep_age_seconds < 120") and query(prometheus, "light_kind:deadline_items:max"),
          "the recording rules")
    names = set(requests.get(prometheus + "/api/v1/label/__name__/values", timeout=10).json()["data"])
    used = set()
    for path in DASHBOARDS.glob("*.json"):
        for panel in yaml.safe_load(path.read_text(encoding="utf-8"))["panels"]:
            for target in panel.get("targets", []):
                used |= metric_names(target["expr"].replace("$__rate_interval", "5m"))
    raw = {n for n in used - recorded_names() if n not in ("ALERTS",)}
    assert raw <= names, f"dashboards name metrics no process exports: {sorted(raw - names)}"
    # No alert fires on a healthy platform.
    firing = query(prometheus, 'ALERTS{alertstate="firing"}')
    assert not firing, firing


# -- logs: one request followed through every service ------------------------------------------------
def test_one_registration_is_followed_by_its_correlation_id_through_every_service(ops):
    api = ops.api
    request_id = f"ops-{uuid.uuid4().hex[:12]}"
    reply = api.http.post("/api/v1/decisions", json=decision_payload(72, unit_id=api.unit_id,
                                                                      decision_date=TODAY.isoformat()),
                          headers={**api.headers("shen"), "X-Request-Id": request_id})
    assert reply.status_code == 201, reply.text
    assert reply.headers["X-Request-Id"] == request_id
    decision_id = reply.json()["id"]

    def traced(name):
        return [r for r in ops.records(name) if r.get("correlation_id") == request_id]

    def everywhere():
        found = {name: traced(name) for name in ("gateway", "case", "deadline", "notify")}
        handled = {name: [r for r in rows if r.get("kind") == "event" and r.get("outcome") == "applied"]
                   for name, rows in found.items()}
        return found if all(handled[name] for name in ("deadline", "notify")) else None

    found = until(everywhere, "the request's id in deadline's and notify's logs")
    [http] = [r for r in found["gateway"] if r.get("kind") == "http"]
    assert (http["route"], http["status"], http["method"]) == ("register_decision", 201, "POST")
    assert http["service"] == "gateway" and http["duration_ms"] > 0
    rpc = [r for r in found["case"] if r.get("kind") == "rpc"]
    assert [r["method"] for r in rpc] == ["register_decision"] and rpc[0]["outcome"] == "ok"
    for name, handler in (("deadline", "on_decision_registered"), ("notify", "on_decision_registered")):
        events = [r for r in found[name] if r.get("kind") == "event" and r["handler"] == handler]
        assert events and all(r["outcome"] == "applied" and r["service"] == name for r in events), (name, events)
        assert all(r["lag_ms"] >= 0 and r["event_id"] for r in events)
    # Every line is one JSON object naming its service; nothing else of this request is untraced.
    for name in ("gateway", "case", "deadline", "notify"):
        lines = [line for line in ops.deployed.log(name).splitlines() if line.strip()]
        parsed = logs.parse(lines)
        assert len(parsed) >= 0.95 * len(lines), f"{name}: lines that are not JSON"
        assert all(r["service"] == name for r in parsed if "correlation_id" in r), name

    # Without X-Request-Id (or with one that is not a plain token) the gateway makes one.
    made = api.http.get(f"/api/v1/decisions/{decision_id}",
                        headers={**api.headers("shen"), "X-Request-Id": "not a token!"})
    assert made.status_code == 200 and made.headers["X-Request-Id"] not in ("", "not a token!")
    assert len(made.headers["X-Request-Id"]) == 32


# -- quorum queues -------------------------------------------------------------------------------------
def queue_types(ops):
    out = rabbitmqctl(ops.node, "list_queues", "-p", ops.vhost, "--quiet", "--no-table-headers",
                      "name", "type", "durable", "exclusive")
    return {name: (kind, durable, exclusive) for name, kind, durable, exclusive, *_ in
            (line.split("\t") + [""] * 4 for line in out.splitlines() if line.strip())}


def test_durable_queues_are_quorum_reply_queues_classic_and_a_restart_redeclares_them(ops):
    queues = queue_types(ops)
    rpc = {name for name in queues if name.startswith("rpc-")}
    events = {name for name in queues if name.startswith("evt-")}
    replies = {name for name in queues if name.startswith("rpc.reply-")}
    assert rpc >= {f"rpc-{s}" for s in SERVICES}
    assert len(events) >= 20
    assert {queues[name][0] for name in rpc | events} == {"quorum"}, {n: queues[n] for n in rpc | events}
    # The reply queues of the processes that call others (the gateway, review, library).
    assert {name.split("-")[1] for name in replies} >= {"gateway", "review"}
    assert {queues[name][0] for name in replies} == {"classic"}, {n: queues[n] for n in replies}

    # notify restarted: it declares its queues again (without a type) and gets them back.
    ops.deployed.stop("notify")
    ops.deployed.start("notify")
    ops.deployed.wait_healthy()
    assert ops.api.get("/api/v1/notices", "admin").status_code == 200
    again = queue_types(ops)
    assert {again[name][0] for name in events if "--notify." in name} == {"quorum"}
