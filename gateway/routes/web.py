"""The web client (网页端): the single-page app's built files, served by the gateway.

The client is a Vite project in ``gateway/web`` (Vue 3, Element Plus, ECharts), built into
``gateway/web/dist`` by ``scripts/build-web.sh`` (``make run`` builds it when it is missing or
older than its sources).  ``/`` is the page; ``/static/<path>`` its scripts, style sheets and
images (the build names them by content hash).  Every response carries an ETag and
``Cache-Control: no-cache`` (the browser keeps its copy and revalidates it, so a new release
shows at once while an unchanged file costs a 304).  Only files inside the build folder with a
known type are served: anything else is a 404, never a read outside.  Without a build, ``/``
answers 503 saying how to build it.
"""
import hashlib
from pathlib import Path

from werkzeug.security import safe_join
from werkzeug.wrappers import Response

from services.common.errors import NotFound

from ..entrypoints import http

WEB_ROOT = Path(__file__).resolve().parent.parent / "web" / "dist"
INDEX = "index.html"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
}

# The page runs only its own scripts and styles, served by the gateway (no CDN, no other
# origin: the platform runs on isolated networks), and never evaluates strings as code (no
# 'unsafe-eval'): a slip that let user data into markup could still not load or run anything.
# blob: in img-src and worker-src for downloads the page builds itself (exports, previews).
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
               "font-src 'self'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
NOT_BUILT = ("网页端尚未构建：请运行 scripts/build-web.sh（需要 Node.js 20 或更高版本），"
             "或用 make run 启动，它会自动构建。")


class WebRoutes:
    @http("GET", "/")
    def web_page(self, request):
        index = WEB_ROOT / INDEX
        if not index.is_file():
            return Response(NOT_BUILT, status=503, content_type="text/plain; charset=utf-8",
                            headers={"Cache-Control": "no-store", "Retry-After": "60"})
        return static_response(request, index, {"Content-Security-Policy": PAGE_POLICY})

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
