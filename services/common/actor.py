"""Actor context: who is asking, carried as the first argument of every RPC call.

The gateway authenticates the user and passes ``{"user_id", "role", "unit_id"}``;
services rebuild an :class:`Actor` and enforce unit scope themselves, so a bug in
the gateway cannot leak another unit's people.
"""
from dataclasses import dataclass, asdict

from marshmallow import Schema, fields, validate, ValidationError
from sqlalchemy import false

from . import permissions
from .errors import Forbidden, ValidationFailed

ROLES = ("admin", "reviewer", "operator", "partner", "leader")
# Roles that see every unit's records (审理室, 领导, 管理员).
GLOBAL_ROLES = frozenset({"admin", "reviewer", "leader"})


class ActorSchema(Schema):
    user_id = fields.Integer(allow_none=True, load_default=None)
    role = fields.String(required=True, validate=validate.OneOf(ROLES + ("system",)))
    unit_id = fields.Integer(allow_none=True, load_default=None)
    # The function of a partner user's unit (organization, hr, finance, united_front):
    # notices addressed to a partner role reach every unit that has it.
    partner_role = fields.String(allow_none=True, load_default=None)


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    role: str
    unit_id: int | None
    partner_role: str | None = None

    @classmethod
    def load(cls, data):
        if isinstance(data, Actor):
            return data
        try:
            return cls(**_ACTOR_SCHEMA.load(data or {}))
        except ValidationError as err:
            raise ValidationFailed("调用方身份无效", {"actor": [str(err.messages)]})

    def dump(self):
        return asdict(self)

    @property
    def sees_all_units(self):
        return self.role in GLOBAL_ROLES or self.role == "system"

    def may_see_unit(self, unit_id):
        """One record's check (``scope`` is the same rule for a query)."""
        return self.sees_all_units or (unit_id is not None and unit_id == self.unit_id)

    def in_own_unit(self, unit_column):
        """SQL condition: the row belongs to the actor's own unit, whatever the role; an
        actor without a unit owns no rows (never ``unit_column IS NULL``)."""
        return false() if self.unit_id is None else unit_column == self.unit_id

    def scope(self, stmt, unit_column):
        """``stmt`` limited to the rows the actor may see: all of them for the roles that see
        every unit, otherwise those whose ``unit_column`` is the actor's unit (none without one)."""
        return stmt if self.sees_all_units else stmt.where(self.in_own_unit(unit_column))

    def require(self, *roles):
        if self.role not in roles:
            raise Forbidden("当前角色无权执行此操作", {"role": [self.role]})

    def may(self, verb):
        """Whether the actor's role holds ``verb`` in the permission table."""
        return permissions.allowed(self.role, verb)

    def require_permission(self, verb):
        """403 unless the actor's role holds ``verb`` (``services.common.permissions``)."""
        if not self.may(verb):
            raise Forbidden(f"当前角色无权{permissions.describe(verb)}",
                            {"role": [self.role], "permission": [verb]})


_ACTOR_SCHEMA = ActorSchema()  # built once: every RPC call loads an actor
SYSTEM = Actor(user_id=None, role="system", unit_id=None)
