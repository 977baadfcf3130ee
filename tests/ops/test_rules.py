"""The Prometheus rules (deploy/prometheus/rules.yml): promtool checks them and runs their unit
tests (deploy/prometheus/tests.yml); every alert has a Chinese summary and a runbook entry;
every metric a rule names is one the platform exports; the scrape configs are valid."""
import re

import yaml

from tests.ops.promql import (BUILTIN, PROMETHEUS_DIR, RULES, RUNBOOK, exported_names, metric_names,
                              promtool, recorded_names, rules)

CJK = re.compile(r"[\u4e00-\u9fff]")
# The alerts the issue asks for, by what they watch.
REQUIRED = {"ServiceDown", "OutboxNotDraining", "EventsDeadLettered", "SweepNotRun", "WebhookSubscriberDead",
            "ErrorRateHigh", "GatewayErrorRateHigh", "GatewayLatencyP99OverTarget", "RpcLatencyP99OverTarget"}


def alerts():
    return [rule for group in rules() for rule in group["rules"] if "alert" in rule]


def test_promtool_checks_the_rules():
    code, out = promtool("check", "rules", RULES)
    assert code == 0, out
    assert "SUCCESS" in out


def test_promtool_unit_tests_of_the_alerts_pass():
    """tests.yml: each alert on synthetic series, firing when it should (a service killed, an
    outbox that stops draining, a sweep that stops …) and silent when it should not."""
    code, out = promtool("test", "rules", "tests.yml", cwd=PROMETHEUS_DIR)
    assert code == 0, out
    tested = set(re.findall(r"alertname: (\w+)", (PROMETHEUS_DIR / "tests.yml").read_text(encoding="utf-8")))
    assert {rule["alert"] for rule in alerts()} <= tested, "every alert has a unit test"


def test_every_alert_has_a_severity_a_chinese_summary_and_a_runbook_entry():
    runbook = RUNBOOK.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (\w+)\n(.*?)(?=^## |\Z)", runbook, flags=re.S | re.M))
    names = [rule["alert"] for rule in alerts()]
    assert REQUIRED <= set(names)
    assert len(names) == len(set(names))
    for rule in alerts():
        name = rule["alert"]
        assert rule["labels"]["severity"] in ("critical", "warning"), name
        annotations = rule["annotations"]
        assert CJK.search(annotations["summary"]) and CJK.search(annotations["description"]), name
        assert annotations["runbook_url"] == f"deploy/RUNBOOK.md#{name.lower()}", name
        assert name in sections, f"{name} has no '## {name}' entry in deploy/RUNBOOK.md"
        for part in ("**What it means**", "**What to look at**", "**What to do**"):
            assert part in sections[name], f"{name}: the runbook entry lacks {part}"
    assert set(sections) <= set(names), "a runbook entry for an alert that does not exist"


def test_every_metric_a_rule_names_is_exported_or_recorded():
    known = exported_names() | recorded_names() | BUILTIN
    for group in rules():
        for rule in group["rules"]:
            unknown = metric_names(rule["expr"]) - known
            assert not unknown, f"{rule.get('record') or rule.get('alert')}: {unknown}"


def test_the_scrape_configs_are_valid_and_name_each_job_after_its_service():
    for name in ("prometheus.yml", "local.yml"):
        code, out = promtool("check", "config", PROMETHEUS_DIR / name)
        assert code == 0, f"{name}: {out}"
    jobs = {"case", "review", "deadline", "library", "notify", "gateway"}
    for name in ("prometheus.yml", "local.yml"):
        config = yaml.safe_load((PROMETHEUS_DIR / name).read_text(encoding="utf-8"))
        assert {job["job_name"] for job in config["scrape_configs"]} == jobs, name
        assert config["rule_files"] == ["rules.yml"]
    # Debian's promtool is built without Kubernetes discovery: the k8s config is checked by shape.
    k8s = yaml.safe_load((PROMETHEUS_DIR / "kubernetes.yml").read_text(encoding="utf-8"))
    relabel = k8s["scrape_configs"][0]["relabel_configs"]
    assert {"source_labels": ["__meta_kubernetes_pod_label_app"], "target_label": "job"} in relabel
