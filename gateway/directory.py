"""Units and users (单位与用户): the gateway's own records, as plain functions over a session."""
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.common.clock import utcnow
from services.common.errors import Conflict, NotFound, RuleRefused, ValidationFailed
from services.common.schemas import normalise_name

from .auth import MAX_ID, hash_password
from .models import Unit, User

KIND_NAMES = {"review": "审理室", "responsible": "主体责任部门", "partner": "协作部门"}
ROLE_NAMES = {"admin": "系统管理员", "reviewer": "审理人员", "operator": "经办人", "partner": "协作部门用户",
              "leader": "领导"}
# A user of these roles belongs to a unit of this kind; admin and leader to any or none.
UNIT_KIND_OF_ROLE = {"operator": "responsible", "partner": "partner", "reviewer": "review"}


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
        wanted = "或".join(KIND_NAMES.get(k, k) for k in kinds)
        raise ValidationFailed(f"单位类型不符：{unit.name}是{KIND_NAMES.get(unit.kind, unit.kind)}，此处应为{wanted}",
                               {field: [f"应为{wanted}"]})
    return unit


def require_unit_for_role(session, role, unit_id, field="unit_id"):
    """Users only in units of their kind: an operator in a responsible unit, a partner user
    in a partner department, a reviewer in the review office; admin and leader anywhere."""
    kind = UNIT_KIND_OF_ROLE.get(role)
    if unit_id is None:
        if kind:
            raise ValidationFailed(f"{ROLE_NAMES[role]}须属于一个{KIND_NAMES[kind]}", {field: ["必填"]})
        return None
    return require_unit(session, unit_id, field, (kind,) if kind else None)


def list_users(session):
    return session.scalars(select(User).order_by(User.id)).all()


def create_user(session, data):
    # Unique case-insensitively on the normalised form: ADMIN beside admin is refused.
    username = normalise_name(data["username"]).lower()
    if session.scalar(select(User.id).where(func.lower(User.username) == username)):
        raise Conflict("用户名已存在", {"username": ["重复"]})
    require_unit_for_role(session, data["role"], data.get("unit_id"))
    user = User(username=data["username"], password_hash=hash_password(data["password"]),
                name=data["name"], role=data["role"], unit_id=data.get("unit_id"),
                active=True, created_at=utcnow())
    # Two requests creating one username at once both pass the check above: the unique index
    # decides.  (No savepoint: on SQLite, pysqlite would commit at its RELEASE, before the
    # request's audit row.)  The rollback leaves the session usable for the audit of the 409.
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Conflict("用户名已存在", {"username": ["重复"]})
    return user


def find_user(session, username):
    return session.scalar(select(User).where(User.username == username))


def get_user(session, user_id):
    user = session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if user is None:
        raise NotFound("用户不存在", {"user_id": [str(user_id)]})
    return user


def update_user(session, user, data, acting_user_id):
    """PATCH a user: ``active``, ``role``, ``unit_id``, ``name``.  True when this deactivated
    them (their tokens are then revoked by the caller).  Nobody deactivates or demotes
    themselves (422 SELF_CHANGE)."""
    role = data.get("role", user.role)
    unit_id = data["unit_id"] if "unit_id" in data else user.unit_id
    active = data.get("active", user.active)
    if "role" in data or "unit_id" in data:
        require_unit_for_role(session, role, unit_id)
    # The admin asking stays an active admin, so one always remains.
    if user.id == acting_user_id and (not active or role != user.role):
        raise RuleRefused("不能停用自己的账户或更改自己的角色", {"user_id": ["本人账户"]}, code="SELF_CHANGE")
    deactivated = user.active and not active
    user.role, user.unit_id, user.active = role, unit_id, active
    if "name" in data:
        user.name = data["name"]
    session.flush()
    return deactivated


def set_password(user, password):
    user.password_hash = hash_password(password)
