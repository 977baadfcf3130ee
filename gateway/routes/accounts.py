"""Login, the current user, units and users (admin)."""
from services.common.errors import NotFound, Unauthenticated
from services.common.schemas import load

from .. import directory
from ..auth import password_matches
from ..entrypoints import API, http, json_response, read_json
from ..models import Unit, User
from ..schemas import LoginIn, UnitIn, UnitOut, UserIn, UserOut


class AccountRoutes:
    @http("POST", API + "/auth/login")
    def login(self, request):
        body = load(LoginIn(), read_json(request))
        self.auth.throttle(body["username"])
        user = directory.find_user(self.db.session, body["username"])
        if user is None or not user.active or not password_matches(user.password_hash, body["password"]):
            self.auth.note_failure(body["username"])
            raise Unauthenticated("用户名或密码错误", {"password": ["用户名或密码错误"]})
        self.auth.forget_failures(body["username"])
        self.auth.identify(user.id)
        unit = self.db.session.get(Unit, user.unit_id) if user.unit_id else None
        token = self.auth.issue(user, unit.partner_role if unit else None)
        return json_response({"token": token, "user": UserOut().dump(user)})

    @http("GET", API + "/me")
    def me(self, request):
        actor = self.auth.actor(request)
        user = self.db.session.get(User, actor["user_id"])
        if user is None:
            raise NotFound("用户不存在")
        return json_response(UserOut().dump(user))

    @http("GET", API + "/units")
    def list_units(self, request):
        # Every signed-in user may read the unit names (forms and notices show them).
        self.auth.actor(request)
        return json_response({"items": UnitOut(many=True).dump(directory.list_units(self.db.session))})

    @http("POST", API + "/units")
    def create_unit(self, request):
        self.auth.actor(request, "admin")
        unit = directory.create_unit(self.db.session, load(UnitIn(), read_json(request)))
        self.db.commit()
        return json_response(UnitOut().dump(unit), status=201)

    @http("GET", API + "/users")
    def list_users(self, request):
        self.auth.actor(request, "admin")
        return json_response({"items": UserOut(many=True).dump(directory.list_users(self.db.session))})

    @http("POST", API + "/users")
    def create_user(self, request):
        self.auth.actor(request, "admin")
        user = directory.create_user(self.db.session, load(UserIn(), read_json(request)))
        self.db.commit()
        return json_response(UserOut().dump(user), status=201)
