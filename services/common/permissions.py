"""Roles by verb (权限表): the one table that says which role may do what.

Every verb is ``<record>.<action>`` and is either a read (it changes nothing) or a write.
The gateway checks the verb of each route (``gateway.auth.ROUTES``) before a service is
asked; the services check it again (``Actor.require_permission(verb)``), so a route that
forgot cannot write where the table says no.  Unit scope (which records) is a separate
rule: ``Actor.scope``.  The leader (领导) holds reads only; ``system`` (services calling
one another) holds every verb and never comes from a token.
"""

READ, WRITE = "read", "write"

# verb -> (read or write, what it is called)
VERBS = {
    # reads any signed-in user holds; unit scope still limits the records
    "account.self": (READ, "查看本人账户"),
    "unit.read": (READ, "查看单位"),
    "rulebook.read": (READ, "查看规则库"),
    "decision.read": (READ, "查看处分决定"),
    "item.read": (READ, "查看执行事项"),
    "reform.read": (READ, "查看以案促改"),
    "guidance.read": (READ, "查看指导意见"),
    "alert.read": (READ, "查看预警与期限"),
    "notice.list": (READ, "查看通知"),
    "library.read": (READ, "查阅资料袋"),
    "template.render": (READ, "生成文书"),
    "attachment.read": (READ, "查看附件"),
    # reads of the review office, leaders and administrators
    "review.queue": (READ, "查看待审队列"),
    "stats.read": (READ, "查看统计"),
    "analysis.read": (READ, "查看多维分析与驾驶舱"),   # an operator: their own unit's figures
    "lights.read": (READ, "查看单位亮灯"),
    "audit.read": (READ, "查看审计记录"),
    "person.read": (READ, "查看人员"),
    "person.check": (READ, "影响期查询"),
    "audit.verify": (READ, "校验审计链"),
    "event.read": (READ, "查看失败事件"),
    "import.read": (READ, "查看批量导入记录"),
    "subscription.read": (READ, "查看订阅与投递"),
    "user.read": (READ, "查看用户"),
    # writes
    "account.password": (WRITE, "修改本人密码"),
    "decision.register": (WRITE, "登记处分决定"),
    "decision.import": (WRITE, "批量导入处分决定"),
    "reform.register": (WRITE, "登记以案促改"),
    "report.submit": (WRITE, "上报执行情况"),
    "attachment.upload": (WRITE, "上传附件"),
    "report.review": (WRITE, "审核上报"),
    "extension.request": (WRITE, "申请延期"),
    "extension.decide": (WRITE, "审批延期"),
    "guidance.issue": (WRITE, "发出指导意见"),
    "notice.read": (WRITE, "标记通知已读"),
    "notice.ack": (WRITE, "回执"),
    "unit.manage": (WRITE, "管理单位"),
    "user.manage": (WRITE, "管理用户"),
    "subscription.manage": (WRITE, "管理订阅与投递"),
    "event.replay": (WRITE, "重放失败事件"),
}

_EVERYONE = frozenset({"account.self", "account.password", "unit.read", "rulebook.read",
                       "decision.read", "item.read", "reform.read", "guidance.read", "alert.read",
                       "notice.list", "library.read", "template.render", "attachment.read"})
_OVERSIGHT = frozenset({"review.queue", "stats.read", "lights.read", "analysis.read"})

# role -> the verbs it holds
PERMISSIONS = {
    # 审理室: registers decisions and reform cases (以案促改), reviews reports, extensions and guidance
    "reviewer": _EVERYONE | _OVERSIGHT | {"decision.register", "reform.register", "report.review",
                                          "extension.decide", "guidance.issue", "notice.read", "person.read",
                                          "person.check", "decision.import", "import.read"},
    # 主体责任部门: reports the items of its own unit
    "operator": _EVERYONE | {"report.submit", "attachment.upload", "extension.request", "notice.read",
                             "person.read", "analysis.read"},
    # 协作部门: reads and answers the notices addressed to it
    # (影响期查询: case lets only the partner roles of its rule book's restrictions.partners ask)
    "partner": _EVERYONE | {"notice.read", "notice.ack", "person.check"},
    # 领导: reads everything, writes nothing but their own password
    "leader": _EVERYONE | _OVERSIGHT | {"audit.read", "person.read", "person.check"},
    # 系统管理员: units, users, subscriptions, the audit trail; registers decisions (imports)
    "admin": _EVERYONE | _OVERSIGHT | {"decision.register", "unit.manage", "user.manage", "user.read",
                                       "subscription.manage", "subscription.read", "audit.read",
                                       "audit.verify", "event.read", "event.replay", "person.read",
                                       "decision.import", "import.read"},
    # services calling one another (never a user)
    "system": frozenset(VERBS),
}


def allowed(role, verb):
    """True when ``role`` holds ``verb``; an unknown verb is a programming error."""
    if verb not in VERBS:
        raise KeyError(f"unknown permission {verb!r}")
    return verb in PERMISSIONS.get(role, ())


def roles_with(verb, include_system=False):
    """The roles that hold ``verb``, in the table's order."""
    if verb not in VERBS:
        raise KeyError(f"unknown permission {verb!r}")
    return tuple(role for role, verbs in PERMISSIONS.items()
                 if verb in verbs and (include_system or role != "system"))


def describe(verb):
    return VERBS[verb][1]
