"""Errors that cross RPC typed, and map to the HTTP error shape in one place.

Every service raises these (or subclasses in its own ``exceptions.py``).  They are
registered with nameko's ``deserialize_to_instance``, so a caller's RPC proxy
re-raises the same type with the same ``message`` and ``fields``; the gateway's
HTTP entrypoint turns them into ``{"error", "message", "fields"}`` with ``status``.
"""
from nameko.exceptions import deserialize_to_instance

from .messages import to_chinese


class PlatformError(Exception):
    status = 500
    code = "INTERNAL"

    def __init__(self, message="", fields=None):
        # Both go into ``args`` so nameko serialises and rebuilds them.
        super().__init__(message, fields or {})
        self.message = message
        self.fields = fields or {}

    def __str__(self):
        return self.message

    def to_dict(self):
        body = {"error": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


@deserialize_to_instance
class ValidationFailed(PlatformError):
    """400: the input is malformed; ``fields`` maps a path to its problems."""
    status, code = 400, "VALIDATION_FAILED"


@deserialize_to_instance
class Unauthenticated(PlatformError):
    status, code = 401, "UNAUTHENTICATED"


@deserialize_to_instance
class Forbidden(PlatformError):
    status, code = 403, "FORBIDDEN"


@deserialize_to_instance
class NotFound(PlatformError):
    """404, also for records outside the actor's unit scope (never reveal they exist)."""
    status, code = 404, "NOT_FOUND"


@deserialize_to_instance
class Conflict(PlatformError):
    """409: gating, stale version, duplicate."""
    status, code = 409, "CONFLICT"


@deserialize_to_instance
class RuleRefused(PlatformError):
    """422: well-formed, but a rule of the domain refuses it."""
    status, code = 422, "RULE_REFUSED"


@deserialize_to_instance
class TooManyAttempts(PlatformError):
    status, code = 429, "TOO_MANY_ATTEMPTS"


def from_marshmallow(err, message="输入有误"):
    """Turn a marshmallow ValidationError into ValidationFailed with dotted field paths."""
    return ValidationFailed(message, flatten_messages(err.messages))


def flatten_messages(messages, prefix=""):
    flat = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                flat.update(flatten_messages(value, path))
            else:
                values = value if isinstance(value, (list, tuple)) else [value]
                flat[path] = [to_chinese(str(v)) for v in values]
    else:
        flat[prefix or "_schema"] = [to_chinese(str(m)) for m in messages]
    return flat
