"""Errors that cross RPC typed, and map to the HTTP error shape in one place.

Every service raises these (or subclasses in its own ``exceptions.py``).  An error carries
its ``code`` and ``status`` in its arguments, so whatever process receives it over RPC
rebuilds it from them: nameko's ``exceptions.registry`` is told here that any error raised
in the platform's packages (``services.*``, ``gateway.*``) is rebuilt by :func:`rebuild`,
as the same class where the caller has it loaded, else as the common class of the same
status (``Conflict`` for 409…) keeping the code.  So ``except Conflict`` in review catches
case's ``StaleVersion`` whether or not review ever imported case's exceptions: no process
depends on which modules it happened to import.  The gateway's HTTP entrypoint turns them
into ``{"error", "message", "fields"}`` with ``status``.
"""
from nameko import exceptions as nameko_exceptions

from .messages import to_chinese

PLATFORM_PACKAGES = ("services.", "gateway.")
_BY_CODE = {}      # code -> the first class loaded in this process that raises it
_BY_STATUS = {}    # status -> the common class for it (filled below)


class PlatformError(Exception):
    status = 500
    code = "INTERNAL"

    def __init__(self, message="", fields=None, code=None, status=None):
        # A rebuilt error keeps the sender's code and status even where its class is unknown.
        if code is not None:
            self.code = code
        if status is not None:
            self.status = int(status)
        # All four go into ``args``: nameko serialises ``args`` and the receiver rebuilds from them.
        super().__init__(message, fields or {}, self.code, self.status)
        self.message = message
        self.fields = fields or {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _BY_CODE.setdefault(cls.code, cls)

    def __str__(self):
        return self.message

    def to_dict(self):
        body = {"error": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class ValidationFailed(PlatformError):
    """400: the input is malformed; ``fields`` maps a path to its problems."""
    status, code = 400, "VALIDATION_FAILED"


class Unauthenticated(PlatformError):
    status, code = 401, "UNAUTHENTICATED"


class Forbidden(PlatformError):
    status, code = 403, "FORBIDDEN"


class NotFound(PlatformError):
    """404, also for records outside the actor's unit scope (never reveal they exist)."""
    status, code = 404, "NOT_FOUND"


class Conflict(PlatformError):
    """409: gating, stale version, duplicate."""
    status, code = 409, "CONFLICT"


class RuleRefused(PlatformError):
    """422: well-formed, but a rule of the domain refuses it."""
    status, code = 422, "RULE_REFUSED"


class TooManyAttempts(PlatformError):
    status, code = 429, "TOO_MANY_ATTEMPTS"


class Unavailable(PlatformError):
    """503: a service the request needs did not answer in time."""
    status, code = 503, "SERVICE_UNAVAILABLE"


_BY_STATUS.update({c.status: c for c in (ValidationFailed, Unauthenticated, Forbidden, NotFound,
                                           Conflict, RuleRefused, TooManyAttempts, Unavailable)})


def rebuild(exc_path, args):
    """The platform error that ``exc_path`` raised with ``args`` (message, fields, code,
    status), as a class this process has; anything else stays nameko's ``RemoteError``."""
    # nameko sends the status as text (``safe_for_serialization``).
    if len(args) != 4 or not isinstance(args[2], str) or not str(args[3]).isdigit():
        return nameko_exceptions.RemoteError(exc_path.rsplit(".", 1)[-1], str(args[0] if args else ""))
    message, fields, code, status = args[0], args[1], args[2], int(args[3])
    cls = _BY_CODE.get(code)
    if cls is None or cls.status != status:
        cls = _BY_STATUS.get(status, PlatformError)
    return cls(message, fields if isinstance(fields, dict) else {}, code, status)


class _PlatformRegistry(dict):
    """nameko's registry of errors rebuilt on arrival, widened to every platform error."""

    def __contains__(self, exc_path):
        return dict.__contains__(self, exc_path) or str(exc_path).startswith(PLATFORM_PACKAGES)

    def __getitem__(self, exc_path):
        if dict.__contains__(self, exc_path):
            return dict.__getitem__(self, exc_path)
        return lambda *args: rebuild(exc_path, args)


def install():
    """Idempotent; done on import, since every service imports this module to raise."""
    if not isinstance(nameko_exceptions.registry, _PlatformRegistry):
        nameko_exceptions.registry = _PlatformRegistry(nameko_exceptions.registry)


install()


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
