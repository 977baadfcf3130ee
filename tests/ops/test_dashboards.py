"""The Grafana dashboards (deploy/grafana/dashboards, written by deploy/grafana/build.py):
valid JSON of the shape Grafana provisions, every panel's query parsed by promtool, every
metric a query names exported by the platform or recorded by the rules."""
import json
import runpy

import yaml

from tests.ops.promql import (BUILTIN, DASHBOARDS, ROOT, exported_names, fill_grafana_variables,
                              metric_names, promtool, recorded_names)

BUILD = ROOT / "deploy" / "grafana" / "build.py"
SERVICES = ("case", "review", "deadline", "library", "notify", "gateway")


def dashboards():
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(DASHBOARDS.glob("*.json"))}


def queries():
    for name, board in dashboards().items():
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                yield name, panel["title"], target["expr"]


def test_the_dashboards_are_what_build_py_writes():
    build = runpy.run_path(str(BUILD))
    assert build["main"](["--check"]) == 0, "run: .venv/bin/python deploy/grafana/build.py"


def test_an_overview_and_one_dashboard_per_service_each_well_formed():
    boards = dashboards()
    assert {board["uid"] for board in boards.values()} == {"platform-overview"} | {f"platform-{s}" for s in SERVICES}
    for name, board in boards.items():
        assert board["title"] and board["schemaVersion"] >= 30, name
        assert [v["name"] for v in board["templating"]["list"]] == ["datasource"], name
        ids = [panel["id"] for panel in board["panels"]]
        assert len(ids) == len(set(ids)), f"{name}: panel ids repeat"
        for panel in board["panels"]:
            grid = panel["gridPos"]
            assert 0 <= grid["x"] and grid["x"] + grid["w"] <= 24 and grid["h"] > 0, (name, panel["title"])
            if panel["type"] == "row":
                continue
            assert panel["type"] in ("timeseries", "stat", "table"), (name, panel["title"])
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            assert panel["targets"], (name, panel["title"])
            refs = [t["refId"] for t in panel["targets"]]
            assert len(refs) == len(set(refs))


def test_every_query_parses(tmp_path):
    """promtool parses each query as the expression of a recording rule."""
    exprs = sorted({fill_grafana_variables(expr) for _, _, expr in queries()})
    assert len(exprs) > 50
    rules = {"groups": [{"name": "dashboards", "rules": [
        {"record": f"dashboard:query_{n}", "expr": expr} for n, expr in enumerate(exprs)]}]}
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    code, out = promtool("check", "rules", path)
    assert code == 0, out


def test_every_metric_a_panel_names_exists():
    known = exported_names() | recorded_names() | BUILTIN
    for name, title, expr in queries():
        unknown = metric_names(fill_grafana_variables(expr)) - known
        assert not unknown, f"{name} «{title}»: {unknown}"


def test_grafana_provisioning_points_at_the_dashboards_compose_mounts():
    compose = yaml.safe_load((ROOT / "deploy/compose/docker-compose.yml").read_text(encoding="utf-8"))
    grafana = compose["services"]["grafana"]["volumes"]
    assert "../grafana/dashboards:/var/lib/grafana/dashboards:ro" in grafana
    provider = yaml.safe_load((ROOT / "deploy/grafana/provisioning/dashboards/platform.yml").read_text(encoding="utf-8"))
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    source = yaml.safe_load((ROOT / "deploy/grafana/provisioning/datasources/prometheus.yml").read_text(encoding="utf-8"))
    assert source["datasources"][0]["type"] == "prometheus"
    assert "../prometheus:/etc/prometheus:ro" in compose["services"]["prometheus"]["volumes"]


def test_the_compose_file_runs_n_instances_of_every_service_on_a_quorum_vhost():
    compose = yaml.safe_load((ROOT / "deploy/compose/docker-compose.yml").read_text(encoding="utf-8"))
    for service in SERVICES:
        spec = compose["services"][service]
        replicas = str(spec["deploy"]["replicas"])
        assert replicas.startswith("${") and replicas.endswith(":-2}"), service
        assert spec["depends_on"]["rabbitmq-vhost"] == {"condition": "service_completed_successfully"}
        assert spec["environment"]["AMQP_URI"].endswith("@rabbitmq:5672/platform"), service
    assert '"default_queue_type": "quorum"' in " ".join(compose["services"]["rabbitmq-vhost"]["command"])
