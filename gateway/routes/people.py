"""People across cases (人员) and the impact-period check (影响期查询).

``GET /people?q`` and ``GET /people/{id}`` are scoped (an operator sees the people of their own
unit's decisions; another unit's person is a 404); partners ask only the check.  ``GET
/people/check`` is for the review office, leaders and the partner departments case's rule book
names (``restrictions.partners``: organization, hr; case refuses a partner of another role with
403).  Every check is audited with whom it asked about (the masked 身份证号), the purpose and
the day, refused ones included.
"""
from nameko.rpc import RpcProxy

from ..entrypoints import API, http, json_response

PEOPLE_READERS = ("reviewer", "leader", "admin", "operator")
CHECKERS = ("reviewer", "leader", "partner")


def masked(id_number):
    """As the audit names whom a check asked about: 110105********123X."""
    text = (id_number or "").strip().upper()[:32]
    return text[:6] + "*" * (len(text) - 10) + text[-4:] if len(text) >= 10 else "*" * len(text)


class PeopleRoutes:
    case = RpcProxy("case")

    @http("GET", API + "/people")
    def search_people(self, request):
        """``?q=`` a name (or part of one), a 身份证号 or its last digits (4 or more), ``page``,
        ``per_page`` (at most 100): ``{items: [{id, name, id_number (masked), unit_id, post,
        category, political_status, decisions, in_impact_period, until}], total}``."""
        actor = self.auth.actor(request, *PEOPLE_READERS)
        args = request.args
        return json_response(self.case.search_people(actor, args.get("q"), args.get("page"),
                                                     args.get("per_page")))

    @http("GET", API + "/people/<int:person_id>")
    def get_person(self, request, person_id):
        """The person, every decision in scope with its sanctions and items, every impact period
        (``stacked``, ``stacked_on``) and the standing today (per purpose, party rights)."""
        actor = self.auth.actor(request, *PEOPLE_READERS)
        return json_response(self.case.get_person(actor, person_id))

    @http("GET", API + "/people/check")
    def check_person(self, request):
        """``?id_number&on=YYYY-MM-DD&purpose=promotion|rating|award|party_rights``:
        ``{id_number (masked), on, purpose, known, in_impact_period, periods: [{kind,
        sanction_type, starts_on, ends_on, stacked}], restrictions: [{purpose, name, allowed,
        until, open_ended, not_before, rule, source, basis: {regulation, article}, bases}]}``."""
        args = request.args
        id_number, on, purpose = args.get("id_number"), args.get("on"), args.get("purpose")
        # Never str.format over the caller's text: "{" in ?on= was a 500 (the contract fuzzer).
        def about(what):
            return f"影响期查询：身份证号 {masked(id_number)}，{what}，{on or '当日'}"
        self.audit.about(about(f"用途 {purpose or '未填'}"))      # a refused check too
        actor = self.auth.actor(request, *CHECKERS)
        answer = self.case.check_person(actor, id_number, on, purpose)
        self.audit.about(about(answer["restrictions"][0]["name"]))
        return json_response(answer)
