"""The contract's description: ``GET /api/v1/openapi.json`` (OpenAPI 3, generated from the
code by ``gateway.openapi``) and ``GET /api/v1/docs``, a page that renders it with Swagger UI.

The page's scripts and styles are served by the gateway itself, from the ``swagger-ui-bundle``
package (an isolated network reaches no CDN): only the files named in ``ASSETS`` are served,
and the page's Content-Security-Policy lets it load nothing else.
"""
import json

from swagger_ui_bundle import swagger_ui_path
from werkzeug.wrappers import Response

from services.common.errors import NotFound

from ..entrypoints import API, http
from ..openapi import build_spec
from .web import static_response

ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}
INIT_SCRIPT = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "%(spec)s", dom_id: "#swagger-ui", deepLinking: true, persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout"
  });
});
""" % {"spec": API + "/openapi.json"}
PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>处分决定执行记实监督平台 · 接口说明</title>
  <link rel="stylesheet" href="%(assets)s/swagger-ui.css">
  <link rel="icon" type="image/png" href="%(assets)s/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="%(assets)s/swagger-ui-bundle.js"></script>
  <script src="%(assets)s/swagger-ui-standalone-preset.js"></script>
  <script src="%(assets)s/docs-init.js"></script>
</body>
</html>
""" % {"assets": API + "/docs/assets"}
# Swagger UI sets style attributes, so styles may be inline; scripts come only from here.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
               "frame-ancestors 'none'")
HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


class DocsRoutes:
    @http("GET", API + "/openapi.json")
    def openapi_json(self, request):
        """The OpenAPI 3 description of every route of this gateway."""
        body = json.dumps(build_spec(type(self)), ensure_ascii=False)
        return Response(body, mimetype="application/json", headers=HEADERS)

    @http("GET", API + "/docs")
    def docs_page(self, request):
        return Response(PAGE, content_type="text/html; charset=utf-8",
                        headers={**HEADERS, "Content-Security-Policy": PAGE_POLICY})

    @http("GET", API + "/docs/assets/<string:name>")
    def docs_asset(self, request, name):
        if name == "docs-init.js":
            return Response(INIT_SCRIPT, content_type="text/javascript; charset=utf-8", headers=HEADERS)
        if name not in ASSETS:
            raise NotFound("文件不存在", {"name": ["文件不存在"]})
        response = static_response(request, swagger_ui_path / name)
        response.headers["Content-Type"] = ASSETS[name]
        return response
