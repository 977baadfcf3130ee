"""Logs: one JSON object a line, each naming the request it serves (``correlation_id``).

The gateway gives every HTTP request a correlation id (the caller's ``X-Request-Id`` when it
is a plain token, else a new one) and answers with it in ``X-Request-Id``.  It travels:

- on RPC, in nameko's context data (``worker_ctx.data`` becomes the ``nameko.*`` headers of
  every call the worker makes, and the called worker's ``data`` again);
- on events, in the ``nameko.correlation_id`` header the outbox publishes with (and in the
  outbox row, so the relay's republish carries it too), which nameko hands the handling
  worker as its context data;
- a worker that arrives without one (a timer, a call from a script) is given a new one, so
  what it causes can be followed as well.

:class:`services.common.metrics.Metrics` binds the worker's id to its green thread; every log
record written there carries it.  Lines written on purpose — one per HTTP request (gateway),
per RPC worker and per handled event — say what happened in fields (``kind``, ``route``,
``status``, ``duration_ms`` …), so ``jq 'select(.correlation_id == "…")'`` over every
service's log follows one decision from HTTP through case, deadline and notify.

config.yaml's ``LOGGING`` picks the formatter: ``json`` (:class:`JsonFormatter`, the default)
or ``plain`` (:class:`PlainFormatter`, readable in a terminal: ``LOG_FORMAT=plain``).
"""
import json
import logging
import re
import uuid
from datetime import datetime, timezone

from eventlet import corolocal

_local = corolocal.local()     # one per green thread: a worker's context is its own
_process = {}                  # the process's own fields (``service`` under ``nameko run``)

REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")
HEADER = "X-Request-Id"
KEY = "correlation_id"         # the key in nameko's context data, the log field, the outbox row

# What a record carries that is not a field of its own (logging.LogRecord's attributes).
_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "fields", "cid"}


def new_id():
    return uuid.uuid4().hex


def request_id(value):
    """The caller's request id when it is a plain token of at most 64 characters, else a new id."""
    if isinstance(value, str) and REQUEST_ID.match(value.strip()):
        return value.strip()
    return new_id()


def set_process(**fields):
    """Fields every record of this process carries (its service, for a process of one); a
    field given as None is dropped."""
    for key, value in fields.items():
        if value is None:
            _process.pop(key, None)
        else:
            _process[key] = value


def bind(**fields):
    """The current green thread's context (replacing what it had)."""
    _local.fields = {k: v for k, v in fields.items() if v is not None}


def clear():
    _local.fields = {}


def current():
    return dict(getattr(_local, "fields", None) or {})


def correlation_id():
    return (getattr(_local, "fields", None) or {}).get(KEY)


def line(logger, message, *args, level=logging.INFO, **fields):
    """One record with ``fields`` as its own keys (JSON) or ``key=value`` (plain)."""
    logger.log(level, message, *args, extra={"fields": fields})


def _fields(record):
    found = dict(_process)
    found.update(current())
    found.update(getattr(record, "fields", None) or {})
    for key, value in vars(record).items():       # ``extra={...}`` of any caller
        if key not in _RESERVED and not key.startswith("_"):
            found.setdefault(key, value)
    return found


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message", "service", "correlation_id", …fields, "exc"}``."""

    def format(self, record):
        out = {"ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        for key, value in _fields(record).items():
            out.setdefault(key, value)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """``2026-06-15 10:00:00,123 INFO gateway.entrypoints [3f2a…] message key=value …``."""

    def __init__(self, fmt=None, datefmt=None, style="%", **kwargs):
        super().__init__(fmt or "%(asctime)s %(levelname)s %(name)s%(cid)s: %(message)s", datefmt, style, **kwargs)

    def format(self, record):
        fields = _fields(record)
        cid = fields.pop(KEY, None)
        fields.pop("service", None)
        record.cid = f" [{cid}]" if cid else ""
        text = super().format(record)
        extra = " ".join(f"{k}={v}" for k, v in fields.items())
        if extra:
            first, sep, rest = text.partition("\n")
            text = f"{first} {extra}{sep}{rest}"
        return text


def parse(lines):
    """The JSON records of a log's text (other lines skipped): for tests and tools."""
    records = []
    for text in lines.splitlines() if isinstance(lines, str) else lines:
        text = text.strip()
        if text.startswith("{"):
            try:
                records.append(json.loads(text))
            except ValueError:
                continue
    return records
