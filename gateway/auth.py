"""Authentication: argon2 password hashes, signed tokens checked against live users, login
throttling, and the verb each route needs.

A token (JWT, HS256) carries only the user's id (``sub``), its own id (``jti``) and its
times.  Each request looks the token up among those issued (``auth_token``: missing or
revoked is a 401) and the user up among the active ones; the actor every RPC call receives
is built from the user's row (role, unit, the unit's partner role), never from the token,
so a role change or a deactivation takes effect at once and ``system`` can never be claimed.

``TOKEN_SECRET`` is checked at start-up: the demo value, anything containing ``change-me``
or shorter than 32 bytes stops the gateway unless it runs in demo mode (``DEMO_MODE``,
set from ``PLATFORM_DEMO``).

Failed logins are rows (``login_failure``), counted per (account, client address) and per
address: after ``LOGIN_FREE_FAILURES`` failures the pair waits ``LOGIN_DELAY_SECONDS``,
doubling with each further failure up to ``LOGIN_MAX_DELAY_SECONDS``; an address with
``LOGIN_ADDRESS_MAX_FAILURES`` failures (any usernames) within
``LOGIN_ADDRESS_WINDOW_SECONDS`` waits until the oldest ages out.  The account itself is
never locked, so its owner logs in from elsewhere.  An unknown username is verified
against a dummy hash, so it costs the same time as a wrong password.
"""
import ipaddress
import logging
import math
import secrets
import uuid
from collections import namedtuple
from datetime import timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from nameko.extensions import DependencyProvider
from sqlalchemy import delete, func, select, update

from services.common import metrics, permissions
from services.common.actor import ROLES
from services.common.clock import utcnow
from services.common.errors import Forbidden, Unauthenticated

from .models import AuthToken, LoginFailure, Unit, User

log = logging.getLogger(__name__)

_hasher = PasswordHasher()

MIN_SECRET_BYTES = 32
DEMO_SECRETS = frozenset({"local-demo-only-secret-change-me-in-production", "change-me", "changeme",
                          "secret", "test-secret"})
MAX_ID = 2 ** 31 - 1   # ids are 32-bit integers in every table

THROTTLE_DEFAULTS = {
    "LOGIN_FREE_FAILURES": 5,
    "LOGIN_DELAY_SECONDS": 30,
    "LOGIN_MAX_DELAY_SECONDS": 900,
    "LOGIN_FAILURE_MEMORY_SECONDS": 86400,
    "LOGIN_ADDRESS_MAX_FAILURES": 20,
    "LOGIN_ADDRESS_WINDOW_SECONDS": 900,
}

# Every route of the gateway: the verb it needs (None: public) and what the audit trail
# calls it.  A route not named here is checked only by the roles it passes.
Route = namedtuple("Route", "verb action")
ROUTES = {
    "login": Route(None, "登录"),
    "logout": Route("account.self", "退出登录"),
    "me": Route("account.self", "查看本人信息"),
    "change_password": Route("account.password", "修改本人密码"),
    "list_units": Route("unit.read", "查看单位"),
    "create_unit": Route("unit.manage", "新建单位"),
    "list_users": Route("user.read", "查看用户"),
    "create_user": Route("user.manage", "新建用户"),
    "update_user": Route("user.manage", "修改用户"),
    "register_decision": Route("decision.register", "登记处分决定"),
    "list_decisions": Route("decision.read", "查询处分决定"),
    "get_decision": Route("decision.read", "查看处分决定"),
    "get_item": Route("item.read", "查看执行事项"),
    "register_reform": Route("reform.register", "登记以案促改"),
    "list_reforms": Route("reform.read", "查询以案促改"),
    "get_reform": Route("reform.read", "查看以案促改"),
    "reform_statistics": Route("analysis.read", "查看以案促改统计"),
    "case_statistics": Route("stats.read", "查看统计"),
    "rulebook": Route("rulebook.read", "查看规则库"),
    "alerts": Route("alert.read", "查看预警"),
    "deadline_forecast": Route("alert.read", "预测到期事项"),
    "unit_lights": Route("lights.read", "查看单位亮灯"),
    "failed_events": Route("event.read", "查看失败事件"),
    "replay_failed_event": Route("event.replay", "重放失败事件"),
    "library_search": Route("library.read", "检索资料袋"),
    "library_search_posted": Route("library.read", "检索资料袋"),
    "library_regulations": Route("library.read", "查看法规目录"),
    "library_regulation": Route("library.read", "查看法规"),
    "library_article": Route("library.read", "查看法规条文"),
    "list_templates": Route("library.read", "查看文书模板"),
    "render_template": Route("template.render", "生成文书"),
    "inbox": Route("notice.list", "查看通知"),
    "mark_read": Route("notice.read", "标记通知已读"),
    "acknowledge": Route("notice.ack", "回执通知"),
    "subscriptions": Route("subscription.read", "查看订阅"),
    "subscribe": Route("subscription.manage", "新建订阅"),
    "deliveries": Route("subscription.read", "查看投递记录"),
    "redeliver": Route("subscription.manage", "重新投递"),
    "health": Route(None, "健康检查"),
    "prometheus_metrics": Route(None, "读取监控指标"),
    "audit_trail": Route("audit.read", "查看审计记录"),
    "verify_audit": Route("audit.verify", "校验审计链"),
    "submit_report": Route("report.submit", "上报执行情况"),
    "evidence_checklist": Route("item.read", "查看证明材料清单"),
    "approve_report": Route("report.review", "审核通过上报"),
    "reject_report": Route("report.review", "驳回上报"),
    "review_queue": Route("review.queue", "查看待审队列"),
    "request_extension": Route("extension.request", "申请延期"),
    "approve_extension": Route("extension.decide", "批准延期"),
    "refuse_extension": Route("extension.decide", "不予延期"),
    "issue_guidance": Route("guidance.issue", "发出指导意见"),
    "list_guidance": Route("guidance.read", "查看指导意见"),
    "upload_attachment": Route("attachment.upload", "上传附件"),
    "download_attachment": Route("attachment.read", "下载附件"),
    "review_statistics": Route("stats.read", "查看审核统计"),
    "stats_cube": Route("analysis.read", "多维分析"),
    "stats_dashboard": Route("analysis.read", "查看领导驾驶舱"),
    "openapi_json": Route(None, "读取接口说明"),
    "docs_page": Route(None, "查看接口文档"),
    "docs_asset": Route(None, "读取接口文档资源"),
    "search_people": Route("person.read", "查询人员"),
    "get_person": Route("person.read", "查看人员"),
    "check_person": Route("person.check", "影响期查询"),
    "import_template": Route("import.read", "下载批量导入模板"),
    "import_decisions": Route("decision.import", "批量导入处分决定"),
    "list_imports": Route("import.read", "查看批量导入记录"),
    "get_import": Route("import.read", "查看批量导入结果"),
}


class InsecureSecret(RuntimeError):
    """The gateway will not sign tokens with a secret anyone can read in the repository."""


def hash_password(password):
    return _hasher.hash(password)


def password_matches(password_hash, password):
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def demo_mode(config):
    value = config.get("DEMO_MODE")
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def secret_problem(secret):
    """Why ``secret`` must not sign tokens, or None."""
    if not isinstance(secret, str) or not secret:
        return "is not set"
    if secret in DEMO_SECRETS or "change-me" in secret.lower():
        return "is the demo value shipped with the platform"
    if len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
        return f"is shorter than {MIN_SECRET_BYTES} bytes"
    return None


def checked_secret(secret, demo):
    problem = secret_problem(secret)
    if problem is None:
        return secret
    if not demo:
        raise InsecureSecret(
            f"TOKEN_SECRET {problem}: anyone could sign an admin token with it.  Set TOKEN_SECRET "
            f"to a random value of at least {MIN_SECRET_BYTES} bytes (openssl rand -hex 32), or run "
            f"in demo mode (PLATFORM_DEMO=1 / DEMO_MODE: true) on a machine no one else reaches.")
    log.warning("DEMO MODE: TOKEN_SECRET %s; tokens are signed with a secret anyone can read", problem)
    # Unset in demo mode: a random secret for this process (tokens end with it).
    return secret if isinstance(secret, str) and secret else secrets.token_hex(MIN_SECRET_BYTES)


def trusted_networks(value):
    """``TRUSTED_PROXIES`` (a list or comma-separated addresses/CIDRs) as networks."""
    if not value:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    return tuple(ipaddress.ip_network(str(item).strip(), strict=False) for item in items if str(item).strip())


def client_address(request, trusted=()):
    """The client's address: the peer's, or behind a trusted proxy the right-most address
    of X-Forwarded-For that is not a trusted proxy itself."""
    peer = request.remote_addr or ""
    if not trusted or not _in(peer, trusted):
        return peer[:64]
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted):
            return hop[:64]
    return peer[:64]


def _in(address, networks):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def account_key(username):
    return str(username).strip().casefold()[:64]


class Auth(DependencyProvider):
    def __init__(self, db_attr="db"):
        self.db_attr = db_attr   # the service's Database: tokens and failures live in it

    def setup(self):
        config = self.container.config
        self.demo = demo_mode(config)
        self.secret = checked_secret(config.get("TOKEN_SECRET"), self.demo)
        self.ttl = int(config.get("TOKEN_TTL_SECONDS", 28800))
        self.limits = {key: int(config.get(key, default)) for key, default in THROTTLE_DEFAULTS.items()}
        self.trusted = trusted_networks(config.get("TRUSTED_PROXIES"))
        # Verified instead of a real hash when the username is unknown: the same cost.
        self.dummy_hash = _hasher.hash(secrets.token_urlsafe(24))

    def get_dependency(self, worker_ctx):
        return Authenticator(self, worker_ctx)


class Authenticator:
    def __init__(self, provider, worker_ctx):
        self._p = provider
        self._worker_ctx = worker_ctx
        self.jti = None   # the token of this request, once ``actor`` accepted it

    @property
    def _session(self):
        return getattr(self._worker_ctx.service, self._p.db_attr).session

    # -- passwords and throttling ------------------------------------------------------
    def password_ok(self, user, password):
        """True for an active user's password; an unknown or inactive user costs the same."""
        if user is None:
            password_matches(self._p.dummy_hash, password)
            return False
        matches = password_matches(user.password_hash, password)
        return matches and user.active

    def client(self, request):
        return client_address(request, self._p.trusted)

    def login_wait(self, username, request):
        """Seconds the (account, address) pair or the address must still wait; 0 if none."""
        limits, now, address = self._p.limits, utcnow(), self.client(request)
        count, last = self._session.execute(
            select(func.count(LoginFailure.id), func.max(LoginFailure.at)).where(
                LoginFailure.account == account_key(username), LoginFailure.remote_addr == address,
                LoginFailure.at > now - timedelta(seconds=limits["LOGIN_FAILURE_MEMORY_SECONDS"]))).one()
        wait = 0.0
        if count >= limits["LOGIN_FREE_FAILURES"]:
            delay = min(limits["LOGIN_DELAY_SECONDS"] * 2 ** (count - limits["LOGIN_FREE_FAILURES"]),
                        limits["LOGIN_MAX_DELAY_SECONDS"])
            wait = delay - (now - last).total_seconds()
        window = limits["LOGIN_ADDRESS_WINDOW_SECONDS"]
        recent = self._session.scalars(
            select(LoginFailure.at).where(LoginFailure.remote_addr == address,
                                          LoginFailure.at > now - timedelta(seconds=window))
            .order_by(LoginFailure.at.desc()).limit(limits["LOGIN_ADDRESS_MAX_FAILURES"])).all()
        if recent and len(recent) >= limits["LOGIN_ADDRESS_MAX_FAILURES"]:
            wait = max(wait, window - (now - recent[-1]).total_seconds())
        if wait > 0:
            metrics.LOGIN_THROTTLED.inc()     # the caller answers 429
        return math.ceil(wait) if wait > 0 else 0

    def note_failure(self, username, request):
        """Record a failed attempt in the request's transaction (commit it with the audit row)."""
        metrics.LOGIN_FAILURES.inc()
        now = utcnow()
        session = self._session
        session.execute(delete(LoginFailure).where(
            LoginFailure.at < now - timedelta(seconds=max(self._p.limits["LOGIN_FAILURE_MEMORY_SECONDS"],
                                                          self._p.limits["LOGIN_ADDRESS_WINDOW_SECONDS"]))))
        session.add(LoginFailure(account=account_key(username), remote_addr=self.client(request), at=now))

    def forget_failures(self, username, request):
        self._session.execute(delete(LoginFailure).where(
            LoginFailure.account == account_key(username), LoginFailure.remote_addr == self.client(request)))

    # -- tokens -------------------------------------------------------------------------
    def issue(self, user):
        """A new token for ``user``, its row added to the request's transaction."""
        now = utcnow()
        jti = uuid.uuid4().hex
        expires = now + timedelta(seconds=self._p.ttl)
        session = self._session
        session.execute(delete(AuthToken).where(AuthToken.expires_at < now - timedelta(days=1)))
        session.add(AuthToken(jti=jti, user_id=user.id, issued_at=now, expires_at=expires))
        claims = {"sub": str(user.id), "jti": jti, "iat": int(now.timestamp()),
                  "exp": int(expires.timestamp())}
        return jwt.encode(claims, self._p.secret, algorithm="HS256")

    def revoke(self, jti, reason):
        return self._session.execute(update(AuthToken).where(
            AuthToken.jti == jti, AuthToken.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_reason=reason)).rowcount

    def revoke_all(self, user_id, reason, keep=None):
        """Revoke every live token of ``user_id`` (but ``keep``); how many were."""
        stmt = update(AuthToken).where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None),
                                       AuthToken.expires_at > utcnow())
        if keep is not None:
            stmt = stmt.where(AuthToken.jti != keep)
        return self._session.execute(stmt.values(revoked_at=utcnow(), revoked_reason=reason)).rowcount

    # -- who is asking ------------------------------------------------------------------
    def identify(self, user=None, username=None):
        """Attribute this request in the audit trail: a user, or the username a login tried."""
        self._worker_ctx.audit_who = {
            "user_id": user.id if user is not None else None,
            "username": (user.username if user is not None else str(username or ""))[:64] or None,
            "name": user.name if user is not None else None}

    def actor(self, request, *roles):
        """The caller as an actor dict; 401 without a valid token of an active user, 403 when
        the route's verb (``ROUTES``) is not the role's or the role is outside ``roles``."""
        claims = self._claims(request)
        user, partner_role = self._live_user(claims)
        self.identify(user)
        self.jti = claims["jti"]
        actor = {"user_id": user.id, "role": user.role, "unit_id": user.unit_id,
                 "partner_role": partner_role}
        route = ROUTES.get(self._worker_ctx.entrypoint.method_name)
        if route is not None and route.verb and not permissions.allowed(user.role, route.verb):
            raise Forbidden(f"当前角色无权{permissions.describe(route.verb)}",
                            {"role": [user.role], "permission": [route.verb]})
        if roles and user.role not in roles:
            raise Forbidden("当前角色无权执行此操作", {"role": [user.role]})
        return actor

    def _claims(self, request):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise Unauthenticated("请先登录", {"Authorization": ["缺少令牌"]})
        try:
            claims = jwt.decode(header[len("Bearer "):], self._p.secret, algorithms=["HS256"],
                                options={"require": ["exp", "sub"]})
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("登录已过期，请重新登录", {"Authorization": ["令牌已过期"]})
        except jwt.InvalidTokenError:
            raise Unauthenticated("令牌无效", {"Authorization": ["令牌无效"]})
        sub, jti = claims.get("sub"), claims.get("jti")
        if not (isinstance(sub, str) and sub.isdigit() and 0 < int(sub) <= MAX_ID
                and isinstance(jti, str) and 0 < len(jti) <= 32):
            raise Unauthenticated("令牌无效", {"Authorization": ["令牌无效"]})
        return claims

    def _live_user(self, claims):
        session = self._session
        row = session.execute(select(User, Unit.partner_role).outerjoin(Unit, Unit.id == User.unit_id)
                              .where(User.id == int(claims["sub"]))).first()
        token = session.get(AuthToken, claims["jti"])
        if row is None or token is None or token.user_id != row[0].id:
            raise Unauthenticated("令牌无效", {"Authorization": ["令牌无效"]})
        user, partner_role = row
        if token.revoked_at is not None:
            raise Unauthenticated("令牌已注销，请重新登录", {"Authorization": ["令牌已注销"]})
        if not user.active or user.role not in ROLES:
            raise Unauthenticated("账户已停用", {"Authorization": ["账户已停用"]})
        return user, partner_role
