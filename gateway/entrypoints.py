"""The gateway's HTTP entrypoint: JSON in and out, one place that maps errors.

Routes raise (or let RPC calls raise) the platform's typed errors; this turns them into
``{"error": CODE, "message": ..., "fields": {...}}`` with the error's HTTP status, so no
route writes its own try/except.

Input limits at the edge, before a worker is spawned:

- bodies over ``MAX_BODY_BYTES`` are a 400;
- an id in the path past 64 bits (``MAX_ID``), or a path segment with a control character,
  is a 404 (no such record);
- a query string with a control character (NUL, which PostgreSQL cannot store or compare)
  or an integer past 64 bits is a 400 naming the parameter;
- an unknown route is a JSON 404 ``NOT_FOUND``, a known one with another method a 405
  ``METHOD_NOT_ALLOWED`` with ``Allow`` (werkzeug would answer HTML).

and in :func:`read_json`: strict UTF-8, JSON nested at most ``MAX_JSON_DEPTH`` levels, no
NaN/Infinity, no NUL or lone surrogate in any string or key, no integer past 64 bits; each
a 400 naming where.  What a field may hold beyond that is its schema's business
(``services.common.schemas``: text, names, ids, money, dates, list sizes).
"""
import json
import logging
import math
import re
import time

from nameko.exceptions import RemoteError
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge
from werkzeug.exceptions import NotFound as NoRoute
from werkzeug.wrappers import Request, Response

from services.common import logs, metrics
from services.common.errors import NotFound, PlatformError, ValidationFailed
from services.common.schemas import MAX_ID, unsafe_character

log = logging.getLogger(__name__)

API = "/api/v1"
MAX_JSON_DEPTH = 20
INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")   # NUL (PostgreSQL) and lone surrogates (not UTF-8)
PROBE_ROUTES = frozenset({"health", "prometheus_metrics"})   # logged at DEBUG: probes come every few seconds


def json_response(payload, status=200, headers=None):
    return Response(json.dumps(payload, ensure_ascii=False, default=str), status=status,
                    headers=headers, mimetype="application/json")


def error_response(error: PlatformError):
    return json_response(error.to_dict(), status=error.status)


class JsonWsgiApp(WsgiApp):
    """nameko's WSGI app, answering an unmatched route in the platform's error shape."""

    def __call__(self, environ, start_response):
        # As nameko's, the request shallow until the entrypoint reads it.
        request = Request(environ, shallow=True)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
            request.path_values = values
            response = provider.handle_request(request)
        except (NoRoute, MethodNotAllowed) as exc:
            response = route_error(exc, environ)
        except HTTPException as exc:    # a redirect to the canonical URL
            response = exc
        return response(environ, start_response)


def route_error(exc, environ):
    where = f"{environ.get('REQUEST_METHOD', '')} {environ.get('PATH_INFO', '')}"
    if isinstance(exc, MethodNotAllowed):
        allowed = sorted(set(exc.valid_methods or ()))
        return json_response({"error": "METHOD_NOT_ALLOWED",
                              "message": f"该地址不支持此方法：{where}（可用：{', '.join(allowed)}）"},
                             status=405, headers={"Allow": ", ".join(allowed)})
    return json_response({"error": "NOT_FOUND", "message": f"没有这个地址：{where}"}, status=404)


class JsonWebServer(WebServer):
    """The gateway's web server: nameko's, with :class:`JsonWsgiApp`."""

    def get_wsgi_app(self):
        return JsonWsgiApp(self)

    def context_data_from_headers(self, request):
        """The worker's context data: the request's correlation id, passed on every RPC call."""
        return {logs.KEY: getattr(request, "correlation_id", None) or logs.new_id()}


class JsonHttpEntrypoint(HttpRequestHandler):
    server = JsonWebServer()

    def __init__(self, method, url, max_body=None, **kwargs):
        # A route may carry more than JSON (an attachment upload): its own body ceiling.
        self.max_body = max_body
        super().__init__(method, url, **kwargs)

    def handle_request(self, request):
        """One request: its correlation id (``X-Request-Id``, echoed back), its metrics and
        its one log line (``kind: http``), around :meth:`_handle_request`."""
        started = time.perf_counter()
        request.correlation_id = logs.request_id(request.headers.get(logs.HEADER))
        logs.bind(service="gateway", correlation_id=request.correlation_id)
        response = None
        try:
            response = self._handle_request(request)
            return response
        finally:
            elapsed = time.perf_counter() - started
            status = response.status_code if response is not None else 500
            if response is not None:
                response.headers[logs.HEADER] = request.correlation_id
            metrics.observe_http(self.method_name, status, elapsed)
            level = (logging.WARNING if status >= 500 else
                     logging.DEBUG if self.method_name in PROBE_ROUTES else logging.INFO)
            logs.line(log, "%s %s %s %.1f ms", request.method, request.path, status, elapsed * 1000,
                      level=level, kind="http",
                      method=request.method, path=request.path, route=self.method_name, status=status,
                      duration_ms=round(elapsed * 1000, 1), client=request.remote_addr)
            logs.clear()

    def _handle_request(self, request):
        limit = self.max_body or int(self.container.config.get("MAX_BODY_BYTES", 262144))
        request.max_content_length = limit  # werkzeug refuses longer chunked bodies too
        if request.content_length and request.content_length > limit:
            return error_response(_too_large(limit))
        try:
            check_path(request.path_values)
            check_query(request.args)
        except PlatformError as exc:
            return error_response(exc)
        return super().handle_request(request)

    def response_from_exception(self, exc):
        if isinstance(exc, PlatformError):
            return error_response(exc)
        if isinstance(exc, RequestEntityTooLarge):
            return error_response(_too_large(self.max_body or self.container.config.get("MAX_BODY_BYTES")))
        if isinstance(exc, HTTPException) and exc.code and exc.code < 500:
            # werkzeug refusing the request itself (a malformed multipart body…)
            return json_response({"error": "BAD_REQUEST" if exc.code == 400 else type(exc).__name__.upper(),
                                  "message": f"请求无效：{exc.description or exc.name}"}, status=exc.code)
        if isinstance(exc, RemoteError):
            log.error("remote error behind %s %s: %s", self.method, self.url, exc)
        else:
            log.exception("unhandled error behind %s %s", self.method, self.url, exc_info=exc)
        return json_response({"error": "INTERNAL", "message": "服务器内部错误，请稍后重试"}, status=500)


def _too_large(limit):
    return ValidationFailed(f"请求体过大（上限 {limit} 字节）", {"_body": ["请求体过大"]})


def check_path(values):
    """A path id past 64 bits, or a path segment with a control character, names nothing: 404."""
    for name, value in (values or {}).items():
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            raise NotFound("记录不存在", {name: [f"编号超出范围（最大 {MAX_ID}）"]})
        if isinstance(value, str) and unsafe_character(value):
            raise NotFound("记录不存在", {name: ["含有不允许的字符"]})


def check_query(args):
    """Query parameters: no control or invisible character (NUL cannot reach PostgreSQL), no
    integer past 64 bits; else a 400 naming the parameter."""
    problems = {}
    for name, values in args.lists():
        for text in (name, *values):
            problem = unsafe_character(text, multiline=True)
            if problem:
                problems.setdefault(name, []).append(f"含有不允许的{problem}")
            elif INTEGER.match(text) and _past_64_bits(text):
                problems.setdefault(name, []).append("数值超出64位整数范围")
    if problems:
        raise ValidationFailed("查询参数有误", problems)


def _past_64_bits(text):
    digits = text.strip().lstrip("+-")
    return len(digits.lstrip("0")) > 19 or abs(int(digits)) > MAX_ID


def read_json(request):
    """The request body as a JSON object, or a 400 naming the problem (see the module's doc)."""
    try:
        body = json.loads(request.get_data().decode("utf-8") or "null", parse_constant=_no_constant)
    except RecursionError:
        raise _too_deep()
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("请求体不是有效的JSON", {"_body": ["不是有效的JSON"]})
    if not isinstance(body, dict):
        raise ValidationFailed("请求体应为JSON对象", {"_body": ["应为JSON对象"]})
    problems = json_problems(body)
    if problems:
        raise ValidationFailed("请求体有误", problems)
    return body


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def _too_deep():
    return ValidationFailed(f"请求体嵌套过深（最多 {MAX_JSON_DEPTH} 层）",
                            {"_body": [f"嵌套超过{MAX_JSON_DEPTH}层"]})


def json_problems(body):
    """Walk a parsed body without recursion: ``{path: [problem]}`` for what no field may hold."""
    problems = {}
    stack = [(body, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise _too_deep()
            pairs = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in pairs:
                child_path = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and _breaks_storage(key):
                    problems.setdefault(child_path, []).append("字段名含有不允许的字符")
                stack.append((child, child_path, depth + 1))
        elif isinstance(value, str):
            problem = _breaks_storage(value)
            if problem:
                problems.setdefault(path or "_body", []).append(f"含有不允许的{problem}")
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int) and not -MAX_ID - 1 <= value <= MAX_ID:
            problems.setdefault(path or "_body", []).append("数值超出64位整数范围")
        elif isinstance(value, float) and not math.isfinite(value):
            problems.setdefault(path or "_body", []).append("数值超出范围")
    return problems


def _breaks_storage(text):
    """NUL (PostgreSQL refuses it in text) and lone surrogates (not UTF-8): refused in any
    string; other characters are each field's schema's to judge."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    ch = found.group()
    return "控制字符 U+0000" if ch == "\x00" else f"无效的代理字符 U+{ord(ch):04X}"


http = JsonHttpEntrypoint.decorator
