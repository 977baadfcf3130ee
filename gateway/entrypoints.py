"""The gateway's HTTP entrypoint: JSON in and out, one place that maps errors.

Routes raise (or let RPC calls raise) the platform's typed errors; this turns them into
``{"error": CODE, "message": ..., "fields": {...}}`` with the error's HTTP status, so no
route writes its own try/except.  Bodies over ``MAX_BODY_BYTES`` are refused before a
worker is spawned.
"""
import json
import logging

from nameko.exceptions import RemoteError
from nameko.web.handlers import HttpRequestHandler
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from services.common.errors import PlatformError, ValidationFailed

log = logging.getLogger(__name__)

API = "/api/v1"


def json_response(payload, status=200, headers=None):
    return Response(json.dumps(payload, ensure_ascii=False, default=str), status=status,
                    headers=headers, mimetype="application/json")


def error_response(error: PlatformError):
    return json_response(error.to_dict(), status=error.status)


class JsonHttpEntrypoint(HttpRequestHandler):
    def __init__(self, method, url, max_body=None, **kwargs):
        # A route may carry more than JSON (an attachment upload): its own body ceiling.
        self.max_body = max_body
        super().__init__(method, url, **kwargs)

    def handle_request(self, request):
        limit = self.max_body or int(self.container.config.get("MAX_BODY_BYTES", 262144))
        request.max_content_length = limit  # werkzeug refuses longer chunked bodies too
        if request.content_length and request.content_length > limit:
            return error_response(_too_large(limit))
        return super().handle_request(request)

    def response_from_exception(self, exc):
        if isinstance(exc, PlatformError):
            return error_response(exc)
        if isinstance(exc, RequestEntityTooLarge):
            return error_response(_too_large(self.max_body or self.container.config.get("MAX_BODY_BYTES")))
        if isinstance(exc, RemoteError):
            log.error("remote error behind %s %s: %s", self.method, self.url, exc)
        else:
            log.exception("unhandled error behind %s %s", self.method, self.url, exc_info=exc)
        return json_response({"error": "INTERNAL", "message": "服务器内部错误，请稍后重试"}, status=500)


def _too_large(limit):
    return ValidationFailed(f"请求体过大（上限 {limit} 字节）", {"_body": ["请求体过大"]})


def read_json(request):
    """The request body as a JSON object, or a 400 naming the problem."""
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("请求体不是有效的JSON", {"_body": ["不是有效的JSON"]})
    if not isinstance(body, dict):
        raise ValidationFailed("请求体应为JSON对象", {"_body": ["应为JSON对象"]})
    return body


http = JsonHttpEntrypoint.decorator
