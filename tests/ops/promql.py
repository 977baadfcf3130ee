"""What the operations tests share: promtool, the metric names PromQL expressions use, and
the catalogue of the metrics the platform exports."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
RULES = PROMETHEUS_DIR / "rules.yml"
DASHBOARDS = ROOT / "deploy" / "grafana" / "dashboards"
RUNBOOK = ROOT / "deploy" / "RUNBOOK.md"

# Series Prometheus makes itself: a scrape's own, and the alerts' state.
BUILTIN = {"up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds", "scrape_samples_scraped"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless",
            "bool", "offset", "inf", "nan", "le"}
# Grafana's variables, as a query has them once Grafana filled them in.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def tool(name):
    """The path of ``promtool`` / ``prometheus`` (Debian's ``prometheus`` package; .ci/run
    installs it), or a skip (a failure in CI)."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            raise RuntimeError(f"{name} is not installed (apt-get install prometheus; .ci/run does)")
        pytest.skip(f"{name} is not installed here (Debian's prometheus package gives it)")
    return found


def promtool(*args, cwd=None):
    done = subprocess.run([tool("promtool"), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)
    return done.returncode, done.stdout + done.stderr


def metric_names(expr):
    """The metric (and recording rule) names a PromQL expression selects."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)                   # strings
    text = re.sub(r"\{[^}]*\}", " ", text)                            # label matchers
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)                           # ranges
    names = set()
    for match in re.finditer(r"(?<![\w:.$])([A-Za-z_:][\w:]*)(\s*\()?", text):
        name, call = match.group(1), match.group(2)
        if call or name in KEYWORDS or re.fullmatch(r"\d+[smhdwy]", name):
            continue
        names.add(name)
    return names


def fill_grafana_variables(expr):
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return expr


def rules():
    return yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]


def recorded_names():
    return {rule["record"] for group in rules() for rule in group["rules"] if "record" in rule}


def exported_names():
    """Every sample name the platform's processes export (``_total``, ``_bucket`` … included):
    the metrics of services/common/metrics.py and of the services' own modules, the pool's."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.metrics import MetricWrapperBase

    from services.common import metrics
    from services.notify import deliveries, service as notify_service

    registry = CollectorRegistry(auto_describe=True)
    seen = set()
    for module in (metrics, deliveries, notify_service):
        for value in vars(module).values():
            if isinstance(value, MetricWrapperBase) and id(value) not in seen:
                seen.add(id(value))
                registry.register(value)
    names = set(registry._names_to_collectors)
    # A counter's or histogram's family name is not a series of its own.
    names = {n for n in names if not ({f"{n}_total", f"{n}_bucket"} & names)}
    names |= {"platform_db_pool_connections", "platform_db_pool_capacity"}
    return names
