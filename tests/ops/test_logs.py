"""The log formats (services/common/logs.py) and how config.yaml selects them; the correlation
id's way onto an event (the outbox's header) and the gauges' reset of vanished labels."""
import json
import logging
import logging.config
import os

import yaml
from nameko.cli.main import setup_yaml_parser
from prometheus_client import Gauge

from services.common import logs, metrics
from services.common.db import _with_headers
from tests.ops.promql import ROOT


def record(message="rpc %s done", *args, exc=False, **fields):
    made = logging.LogRecord("services.case", logging.INFO, __file__, 1, message, args or ("x",), None)
    made.fields = fields
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            import sys
            made.exc_info = sys.exc_info()
    return made


def test_a_json_line_has_the_context_the_fields_and_the_exception():
    logs.bind(service="case", correlation_id="abc123")
    try:
        line = json.loads(logs.JsonFormatter().format(record(kind="rpc", duration_ms=1.5, exc=True)))
    finally:
        logs.clear()
    assert line["message"] == "rpc x done" and line["level"] == "INFO" and line["logger"] == "services.case"
    assert (line["service"], line["correlation_id"], line["kind"], line["duration_ms"]) == ("case", "abc123", "rpc", 1.5)
    assert "ValueError: boom" in line["exc"] and line["ts"].endswith("+00:00")
    assert "\n" not in logs.JsonFormatter().format(record(exc=True)), "one line, the traceback inside"


def test_the_plain_line_is_readable():
    logs.bind(correlation_id="abc123")
    try:
        text = logs.PlainFormatter().format(record(kind="rpc", outcome="ok"))
    finally:
        logs.clear()
    assert text.endswith("INFO services.case [abc123]: rpc x done kind=rpc outcome=ok")


def test_a_request_id_is_the_callers_plain_token_or_a_new_one():
    assert logs.request_id("req-42.a:b_c") == "req-42.a:b_c"
    for bad in (None, "", "has space", "x" * 65, "new\nline", "<script>", "中文"):
        made = logs.request_id(bad)
        assert len(made) == 32 and made != bad


def test_the_outbox_publishes_the_correlation_id_as_a_header_not_in_the_body():
    body, headers = _with_headers({"event_id": "e1", "item_id": 3, "correlation_id": "abc"})
    assert body == {"event_id": "e1", "item_id": 3}
    assert headers == {"nameko.correlation_id": "abc"}
    assert _with_headers({"event_id": "e1"}) == ({"event_id": "e1"}, {})


def test_config_yaml_logs_json_and_plain_when_asked(monkeypatch, capsys):
    setup_yaml_parser()
    for wanted, formatter in (("", logs.JsonFormatter), ("plain", logs.PlainFormatter)):
        if wanted:
            monkeypatch.setenv("LOG_FORMAT", wanted)
        else:
            monkeypatch.delenv("LOG_FORMAT", raising=False)
        config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))["LOGGING"]
        root = logging.getLogger()
        saved = root.handlers[:], root.level
        try:
            logging.config.dictConfig(config)
            [handler] = root.handlers
            assert isinstance(handler.formatter, formatter), wanted
            assert logging.getLogger("nameko.web.server").level == logging.WARNING
        finally:
            root.handlers[:], _ = saved
            root.setLevel(saved[1])
    assert os.environ.get("LOG_FORMAT") == "plain"


def test_a_gauge_label_that_vanished_reads_zero():
    gauge = Gauge("ops_test_states", "test", ["state"], registry=None)
    metrics.set_gauges(gauge, {"pending": 3, "odd": 1}, ("pending", "dead"))
    metrics.set_gauges(gauge, {}, ("pending", "dead"))
    values = {s.labels["state"]: s.value for s in next(iter(gauge.collect())).samples}
    assert values == {"pending": 0, "dead": 0, "odd": 0}
