"""资料袋 (library): article-level search, regulation texts, filled document templates."""
import base64
from urllib.parse import quote

from nameko.rpc import RpcProxy
from werkzeug.wrappers import Response

from .. import directory
from ..entrypoints import API, http, json_response, read_json

SEARCH_ARGS = ("category", "status", "regulation", "page", "per_page")


class LibraryRoutes:
    library = RpcProxy("library")

    @http("GET", API + "/library/search")
    def library_search(self, request):
        actor = self.auth.actor(request)
        args = {key: request.args.get(key) for key in SEARCH_ARGS if request.args.get(key)}
        return json_response(self.library.search(actor, request.args.get("q", ""), **args))

    @http("POST", API + "/library/search")
    def library_search_posted(self, request):
        """The same search with the query in a JSON body (for text too long for a URL)."""
        actor = self.auth.actor(request)
        body = read_json(request)
        args = {key: body[key] for key in SEARCH_ARGS if body.get(key) not in (None, "")}
        return json_response(self.library.search(actor, body.get("q", ""), **args))

    @http("GET", API + "/library/regulations")
    def library_regulations(self, request):
        actor = self.auth.actor(request)
        return json_response(self.library.list_regulations(actor))

    @http("GET", API + "/library/regulations/<string:regulation_id>")
    def library_regulation(self, request, regulation_id):
        actor = self.auth.actor(request)
        return json_response(self.library.get_regulation(actor, regulation_id))

    @http("GET", API + "/library/regulations/<string:regulation_id>/articles/<string:number>")
    def library_article(self, request, regulation_id, number):
        actor = self.auth.actor(request)
        return json_response(self.library.get_article(actor, regulation_id, number))

    @http("GET", API + "/templates")
    def list_templates(self, request):
        actor = self.auth.actor(request)
        return json_response(self.library.list_templates(actor))

    @http("POST", API + "/templates/<string:template_id>/render")
    def render_template(self, request, template_id):
        """The filled .docx itself, as an attachment named after the template and the person:
        ``{decision_id}`` for a decision's template, ``{reform_id}`` for a reform case's (以案促改
        整改报告: its decisions, its tasks and what each task's report said)."""
        actor = self.auth.actor(request)
        body = read_json(request)
        units = {str(unit.id): unit.name for unit in directory.list_units(self.db.session)}
        if "reform_id" in body and "decision_id" not in body:
            document = self.library.render_reform_template(actor, template_id, body.get("reform_id"),
                                                           {"unit_names": units})
            return docx_response(document, f"{template_id}-{body.get('reform_id')}.docx")
        document = self.library.render_template(actor, template_id, body.get("decision_id"),
                                                {"unit_names": units})
        return docx_response(document, f"{template_id}-{body.get('decision_id')}.docx")


def docx_response(document, fallback):
    """The document's bytes; the Chinese file name goes in ``filename*`` (RFC 6266), an ASCII
    one in ``filename`` for clients that do not read it."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in fallback)
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(document['filename'])}"
    return Response(base64.b64decode(document["content_base64"]), status=200,
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
                    content_type=document["content_type"])
