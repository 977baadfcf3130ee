"""Authentication: argon2 password hashes, signed expiring tokens, login throttling.

A token (JWT, HS256) carries the user's id, role and unit; the actor built from it is
what every RPC call receives.  Five failed logins for a username within 15 minutes
refuse further attempts (429) until the window passes.
"""
import time
from collections import defaultdict, deque

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from nameko.extensions import DependencyProvider

from services.common.errors import Forbidden, TooManyAttempts, Unauthenticated

_hasher = PasswordHasher()

MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 15 * 60


def hash_password(password):
    return _hasher.hash(password)


def password_matches(password_hash, password):
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class Auth(DependencyProvider):
    def setup(self):
        config = self.container.config
        self.secret = config["TOKEN_SECRET"]
        self.ttl = int(config.get("TOKEN_TTL_SECONDS", 28800))
        self.failures = defaultdict(deque)

    def get_dependency(self, worker_ctx):
        return Authenticator(self, worker_ctx)


class Authenticator:
    def __init__(self, provider, worker_ctx):
        self._p = provider
        self._worker_ctx = worker_ctx

    def issue(self, user, partner_role=None):
        now = int(time.time())
        claims = {"sub": str(user.id), "role": user.role, "unit_id": user.unit_id,
                  "partner_role": partner_role, "iat": now, "exp": now + self._p.ttl}
        return jwt.encode(claims, self._p.secret, algorithm="HS256")

    def identify(self, user_id):
        """Attribute this request to a user in the audit trail (a login before its token)."""
        self._worker_ctx.audit_user_id = user_id

    def actor(self, request, *roles):
        """The caller as an actor dict; 401 without a valid token, 403 outside ``roles``."""
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
        actor = {"user_id": int(claims["sub"]), "role": claims["role"],
                 "unit_id": claims.get("unit_id"), "partner_role": claims.get("partner_role")}
        self._worker_ctx.audit_user_id = actor["user_id"]
        if roles and actor["role"] not in roles:
            raise Forbidden("当前角色无权执行此操作", {"role": [actor["role"]]})
        return actor

    def throttle(self, username):
        attempts = self._recent_failures(username)
        if len(attempts) >= MAX_FAILURES:
            raise TooManyAttempts("登录失败次数过多，请15分钟后再试", {"username": ["尝试次数过多"]})

    def note_failure(self, username):
        self._recent_failures(username).append(time.monotonic())

    def forget_failures(self, username):
        self._p.failures.pop(username, None)

    def _recent_failures(self, username):
        attempts = self._p.failures[username]
        while attempts and time.monotonic() - attempts[0] > FAILURE_WINDOW_SECONDS:
            attempts.popleft()
        return attempts
