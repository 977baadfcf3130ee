"""The web client (网页端): the single-page app's files, served by the gateway.

``/`` is the page; ``/static/<path>`` its modules, style sheet and images.  No build step:
the files under ``gateway/web`` are what the browser gets.  Every response carries an
ETag and ``Cache-Control: no-cache`` (the browser keeps its copy and revalidates it, so
a new release shows at once while an unchanged file costs a 304).  Only files inside the
web folder with a known type are served: anything else is a 404, never a read outside.
"""
import hashlib
from pathlib import Path

from werkzeug.security import safe_join
from werkzeug.wrappers import Response

from services.common.errors import NotFound

from ..entrypoints import http

WEB_ROOT = Path(__file__).resolve().parent.parent / "web"
INDEX = "index.html"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}

# The page runs only its own scripts and styles: a slip that let user data into markup
# could still not load or run anything.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
               "frame-ancestors 'none'")


class WebRoutes:
    @http("GET", "/")
    def web_page(self, request):
        return static_response(request, WEB_ROOT / INDEX, {"Content-Security-Policy": PAGE_POLICY})

    @http("GET", "/static/<path:path>")
    def web_static(self, request, path):
        return static_response(request, resolve_static(path))


def resolve_static(path):
    """The file ``path`` names inside the web folder, or NotFound."""
    refused = NotFound("文件不存在", {"path": ["文件不存在"]})
    if "\x00" in path or "\\" in path or any(part.startswith(".") for part in path.split("/")):
        raise refused
    joined = safe_join(str(WEB_ROOT), path)
    if joined is None:
        raise refused
    file = Path(joined).resolve()
    if not file.is_relative_to(WEB_ROOT) or not file.is_file() or file.suffix not in CONTENT_TYPES:
        raise refused
    return file


def static_response(request, file, headers=None):
    body = file.read_bytes()
    etag = hashlib.sha256(body).hexdigest()[:32]
    headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "same-origin", **(headers or {})}
    if etag in request.if_none_match:
        response = Response(status=304, headers=headers)
    else:
        response = Response(body, headers=headers, content_type=CONTENT_TYPES[file.suffix])
    response.set_etag(etag)
    return response
