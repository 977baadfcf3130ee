"""Units and users (单位与用户): the gateway's own records, as plain functions over a session."""
from sqlalchemy import func, select

from services.common.clock import utcnow
from services.common.errors import Conflict, ValidationFailed
from services.common.schemas import normalise_name

from .auth import hash_password
from .models import Unit, User


def list_units(session):
    return session.scalars(select(Unit).order_by(Unit.id)).all()


def create_unit(session, data):
    # Unique on the normalised form (NFKC, trimmed): a look-alike of a unit is that unit.
    name = normalise_name(data["name"])
    if any(normalise_name(existing) == name for existing in session.scalars(select(Unit.name))):
        raise Conflict("单位名称已存在", {"name": ["重复"]})
    unit = Unit(**data)
    session.add(unit)
    session.flush()
    return unit


def require_unit(session, unit_id, field, kinds=None):
    """400 naming ``field`` unless ``unit_id`` is a known unit (of one of ``kinds``)."""
    unit = session.get(Unit, unit_id) if isinstance(unit_id, int) and not isinstance(unit_id, bool) else None
    if unit is None:
        raise ValidationFailed("单位不存在", {field: [f"未知单位：{unit_id}"]})
    if kinds and unit.kind not in kinds:
        raise ValidationFailed("单位类型不符", {field: [f"应为 {'/'.join(kinds)} 类单位"]})
    return unit


def list_users(session):
    return session.scalars(select(User).order_by(User.id)).all()


def create_user(session, data):
    # Unique case-insensitively on the normalised form: ADMIN beside admin is refused.
    username = normalise_name(data["username"]).lower()
    if session.scalar(select(User.id).where(func.lower(User.username) == username)):
        raise Conflict("用户名已存在", {"username": ["重复"]})
    if data.get("unit_id") is not None:
        kinds = ("partner",) if data["role"] == "partner" else None
        require_unit(session, data["unit_id"], "unit_id", kinds)
    user = User(username=data["username"], password_hash=hash_password(data["password"]),
                name=data["name"], role=data["role"], unit_id=data.get("unit_id"),
                active=True, created_at=utcnow())
    session.add(user)
    session.flush()
    return user


def find_user(session, username):
    return session.scalar(select(User).where(User.username == username))
