"""Login and logout, the current user and their password, units and users (admin).

Every route here changes only the gateway's own tables, so each commits its outcome and
its audit row in one transaction (``self.audit.commit``).
"""
from services.common.errors import Forbidden, TooManyAttempts, Unauthenticated
from services.common.schemas import load

from .. import directory
from ..entrypoints import API, http, json_response, read_json
from ..schemas import LoginIn, PasswordIn, UnitIn, UnitOut, UserIn, UserOut, UserPatch


def too_many_attempts(wait, field):
    """429 with ``Retry-After``: the (account, address) pair or the address waits ``wait`` s."""
    error = TooManyAttempts(f"尝试次数过多，请 {wait} 秒后再试", {field: ["尝试次数过多"]})
    return json_response(dict(error.to_dict(), retry_after=wait), status=429,
                         headers={"Retry-After": str(wait)})


class AccountRoutes:
    @http("POST", API + "/auth/login")
    def login(self, request):
        """``{username, password}`` → ``{token, user}``; 401 for a wrong pair, 429 with
        Retry-After while this account from this address (or this address) must wait."""
        body = load(LoginIn(), read_json(request))
        username = body["username"]
        self.auth.identify(username=username)   # a failure is audited with the name tried
        self.audit.about(f"账户 {username}")
        wait = self.auth.login_wait(username, request)
        if wait:
            return too_many_attempts(wait, "username")
        user = directory.find_user(self.db.session, username)
        if not self.auth.password_ok(user, body["password"]):
            self.auth.note_failure(username, request)
            self.audit.commit(self.db, status=401)
            raise Unauthenticated("用户名或密码错误", {"password": ["用户名或密码错误"]})
        self.auth.forget_failures(username, request)
        self.auth.identify(user)
        token = self.auth.issue(user)
        self.audit.commit(self.db, status=200)
        return json_response({"token": token, "user": UserOut().dump(user)})

    @http("POST", API + "/auth/logout")
    def logout(self, request):
        """Revoke the token of this request: it is refused from now on."""
        self.auth.actor(request)
        self.auth.revoke(self.auth.jti, "logout")
        self.audit.commit(self.db, status=200)
        return json_response({"logged_out": True})

    @http("GET", API + "/me")
    def me(self, request):
        actor = self.auth.actor(request)
        return json_response(UserOut().dump(directory.get_user(self.db.session, actor["user_id"])))

    @http("POST", API + "/me/password")
    def change_password(self, request):
        """``{old, new}``: 403 when ``old`` is wrong (throttled as logins are); the user's
        other tokens are revoked, this one stays valid."""
        actor = self.auth.actor(request)
        data = load(PasswordIn(), read_json(request))
        user = directory.get_user(self.db.session, actor["user_id"])
        wait = self.auth.login_wait(user.username, request)
        if wait:
            return too_many_attempts(wait, "old")
        if not self.auth.password_ok(user, data["old"]):
            self.auth.note_failure(user.username, request)
            self.audit.commit(self.db, status=403)
            raise Forbidden("当前密码不正确", {"old": ["当前密码不正确"]})
        directory.set_password(user, data["new"])
        self.auth.forget_failures(user.username, request)
        revoked = self.auth.revoke_all(user.id, "password", keep=self.auth.jti)
        self.audit.commit(self.db, status=200)
        return json_response({"changed": True, "revoked_tokens": revoked})

    @http("GET", API + "/units")
    def list_units(self, request):
        # Every signed-in user may read the unit names (forms and notices show them).
        self.auth.actor(request)
        return json_response({"items": UnitOut(many=True).dump(directory.list_units(self.db.session))})

    @http("POST", API + "/units")
    def create_unit(self, request):
        self.auth.actor(request, "admin")
        unit = directory.create_unit(self.db.session, load(UnitIn(), read_json(request)))
        self.audit.about(f"单位 {unit.name}")
        self.audit.commit(self.db, status=201)
        return json_response(UnitOut().dump(unit), status=201)

    @http("GET", API + "/users")
    def list_users(self, request):
        self.auth.actor(request, "admin")
        return json_response({"items": UserOut(many=True).dump(directory.list_users(self.db.session))})

    @http("POST", API + "/users")
    def create_user(self, request):
        self.auth.actor(request, "admin")
        user = directory.create_user(self.db.session, load(UserIn(), read_json(request)))
        self.audit.about(f"用户 {user.username}（{user.name}）")
        self.audit.commit(self.db, status=201)
        return json_response(UserOut().dump(user), status=201)

    @http("PATCH", API + "/users/<int:user_id>")
    def update_user(self, request, user_id):
        """``{active, role, unit_id, name}`` (any of them); a deactivated user's tokens are
        revoked and refused at once.  422 SELF_CHANGE for one's own account."""
        actor = self.auth.actor(request, "admin")
        data = load(UserPatch(), read_json(request))
        user = directory.get_user(self.db.session, user_id)
        self.audit.about(f"用户 {user.username}（{user.name}）")
        if directory.update_user(self.db.session, user, data, actor["user_id"]):
            self.auth.revoke_all(user.id, "deactivated")
        self.audit.commit(self.db, status=200)
        return json_response(UserOut().dump(user))
