"""The OpenAPI 3 description of the HTTP contract, generated from the code (apispec).

:func:`http_routes` walks the gateway's HTTP entrypoints: every method of ``GatewayService``
(or any class given) decorated with ``http(...)``, so a route added to any mixin is in the
description at once.  What a route takes and answers is said once, in :data:`OPERATIONS`,
keyed by the method's name, with the marshmallow schemas the code already uses (the
services' ``*In``/``*Query``/``*Out``, the gateway's in ``gateway/schemas.py``); apispec's
marshmallow plugin turns them into JSON Schema.  A route missing from :data:`OPERATIONS` is
still described (its path, parameters, bearer auth and error responses), marked
``x-undescribed``, and ``tests/unit/test_openapi.py`` names it: adding a route means adding
one entry below.

Response schemas are lenient where the code is: every field of a response may be null (a
dumped attribute that is None) and may be accompanied by fields not listed (a route that
merges several services' answers); request bodies are strict (unknown fields are a 400).
"""
import functools
import inspect
import re
from dataclasses import dataclass, field

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from marshmallow import Schema, fields

from services.case.import_schemas import (ImportDetailOut, ImportFormatQuery, ImportOut, ImportsQuery,
                                          ImportUploadQuery)
from services.case.schemas import DecisionIn, ListQuery, ReformIn, ReformListQuery
from services.case.schemas import CheckOut, CheckQuery, PeopleQuery, PersonDetailOut, PersonRowOut
from services.common.schemas import MAX_ID, MONEY_INTEGER_DIGITS, Money, Text
from services.deadline.schemas import AlertsQuery, CubeOut, CubeQuery, DashboardOut, DashboardQuery, ForecastQuery
from services.library.schemas import SearchIn
from services.notify.schemas import AckIn, InboxQuery, NoticeOut
from services.review.schemas import (ApproveIn, AttachmentOut, ExtensionIn, ExtensionOut, FiguresQuery,
                                     GuidanceIn, GuidanceOut, QueueQuery, RejectIn, ReportIn)

from . import schemas as gw
from .entrypoints import JsonHttpEntrypoint

TITLE = "处分决定执行记实监督平台 API"
VERSION = "1.0"
OPENAPI_VERSION = "3.0.3"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_STATUSES = {400: "输入有误（VALIDATION_FAILED，fields 指明字段）", 401: "未登录或令牌无效",
                  403: "无权进行此操作", 404: "不存在（含其他单位的记录）", 405: "该地址不支持此方法",
                  409: "冲突（状态不允许、版本过期、重复）", 422: "业务规则不允许", 429: "尝试次数过多",
                  503: "所需服务暂不可用"}


@dataclass(frozen=True)
class Op:
    """What one route takes and answers.

    ``roles``: who may call it (empty: any signed-in user); ``public``: no token needed;
    ``query``/``body``: schema classes; ``response``: a schema class, or a media type string
    for a file (``"text/html"``…); ``status``: the success status; ``errors``: the statuses
    beyond those every route may answer (400 with input, 401, 403 with roles, 404 with ids);
    ``extra``: responses by status that are not the error shape; ``body`` may be a media type
    (a file as the body, or as multipart field ``file``); ``also``: media types the success
    may come in besides (``format=xlsx``)."""
    summary: str
    tag: str
    response: object = None
    body: object = None
    query: object = None
    roles: tuple = ()
    public: bool = False
    status: int = 200
    errors: tuple = ()
    description: str = ""
    multipart: bool = False
    extra: dict = field(default_factory=dict)
    also: tuple = ()


ANY = ()
TAGS = [("accounts", "登录、用户与单位"), ("decisions", "处分决定与执行事项"), ("review", "上报与审核、延期、指导意见"),
        ("deadlines", "期限与亮灯"), ("notices", "通知、回执与订阅"), ("library", "资料袋"),
        ("statistics", "统计与驾驶舱"), ("people", "人员与影响期查询"), ("operations", "运维与审计"),
        ("web", "网页端与本说明"), ("undescribed", "尚无说明的接口")]
REVIEW_READERS = ("reviewer", "leader", "admin")

OPERATIONS = {
    # -- accounts (gateway/routes/accounts.py) ------------------------------------------------
    "login": Op("登录", "accounts", gw.LoginOut, body=gw.LoginIn, public=True, errors=(429,),
                description="429 TOO_MANY_ATTEMPTS 带 Retry-After：同一账户与地址连续失败后须等待"),
    "logout": Op("退出登录：本令牌随即作废", "accounts", gw.Schema.from_dict(
        {"logged_out": fields.Boolean()}, name="LogoutOut")),
    "me": Op("当前用户", "accounts", gw.UserOut),
    "change_password": Op("修改本人密码", "accounts", gw.Schema.from_dict(
        {"changed": fields.Boolean(), "revoked_tokens": fields.Integer()}, name="PasswordChangedOut"),
        body="PasswordIn", errors=(429,), description="当前密码不正确为 403；本人其他令牌随即作废"),
    "list_units": Op("单位列表", "accounts", gw.UnitsOut),
    "create_unit": Op("新建单位", "accounts", gw.UnitOut, body=gw.UnitIn, roles=("admin",), status=201,
                      errors=(409,), description="名称按 NFKC 规范化并去除首尾空白后判重"),
    "list_users": Op("用户列表", "accounts", gw.UsersOut, roles=("admin",)),
    "create_user": Op("新建用户", "accounts", gw.UserOut, body=gw.UserIn, roles=("admin",), status=201,
                      errors=(409,), description="用户名不区分大小写判重（ADMIN 与 admin 为同一用户名）"),
    "update_user": Op("修改用户：停用、角色、单位、姓名", "accounts", gw.UserOut, body="UserPatch",
                      roles=("admin",), errors=(422,),
                      description="停用的用户的令牌随即失效；不能停用或降级自己（422 SELF_CHANGE）"),
    # -- decisions and items (gateway/routes/decisions.py) ------------------------------------
    "register_decision": Op("登记处分决定", "decisions", gw.DecisionView, body=DecisionIn,
                            roles=("reviewer", "admin"), status=201, errors=(409,),
                            description="201：决定、影响期与生成的执行事项；文号重复为 409 DUPLICATE_DECISION"),
    "list_decisions": Op("处分决定列表（本单位范围）", "decisions", gw.DecisionPageOut, query=ListQuery, also=(XLSX,),
                         description="format=xlsx：按筛选条件导出全部处分决定（不分页），列与批量导入模板相同"
                                     "（“处分决定”与“执行进度”两表），导出的工作簿可直接导入"),
    "get_decision": Op("处分决定详情：人员、处分、影响期、执行事项及亮灯", "decisions", gw.DecisionView),
    "get_item": Op("执行事项：历史、上报与审核、延期、协作部门回执", "decisions", gw.ItemPageOut),
    "case_statistics": Op("统计（按一个维度计数）", "statistics", gw.StatsOut, query=gw.StatsQuery,
                          roles=REVIEW_READERS),
    "rulebook": Op("规则库：事项、处分种类与表单词汇", "decisions", gw.RulebookOut),
    # -- 以案促改 (gateway/routes/reforms.py): the tasks are items (/items, /reports) -------------
    "register_reform": Op("登记以案促改", "decisions", gw.ReformView, body=ReformIn, roles=("reviewer",),
                          status=201, errors=(409,),
                          description="201：以案促改及规则库生成的整改任务（执行事项，带 reform_id）；"
                                      "decision_ids 须为该单位的处分决定（依据为监察建议书时不关联）；"
                                      "文号重复为 409 DUPLICATE_REFORM"),
    "list_reforms": Op("以案促改列表（本单位范围）", "decisions", gw.ReformPageOut, query=ReformListQuery),
    "get_reform": Op("以案促改详情：所涉处分决定、整改任务及亮灯", "decisions", gw.ReformView,
                     description="整改任务与处分决定的执行事项形状相同，另有 reform_id；"
                                 "经 /items/{id}、/items/{id}/reports、/reports/{id}/approve|reject 办理"),
    "reform_statistics": Op("以案促改统计：各单位未完成、已完成、按期完成、超期、有驳回", "statistics",
                            gw.ReformFiguresOut, query=gw.ReformStatsQuery,
                            roles=("reviewer", "leader", "admin", "operator"), also=(XLSX,),
                            description="按下发日期统计（from/to）；operator 仅本单位；format=xlsx 返回 Excel"),
    # -- review (gateway/routes/review.py) ------------------------------------------------------
    "submit_report": Op("上报执行情况", "review", gw.ReportView, body=ReportIn, roles=("operator",),
                        status=201, errors=(409, 422), description="事项未开启为 409；结果含智能预审发现"),
    "evidence_checklist": Op("报送材料清单", "review", gw.ChecklistOut),
    "approve_report": Op("审核通过", "review", gw.ReportView, body=ApproveIn, roles=("reviewer",),
                         errors=(409,)),
    "reject_report": Op("驳回", "review", gw.ReportView, body=RejectIn, roles=("reviewer",), errors=(409,),
                        description="rectify_by 自今日起至两年内"),
    "review_queue": Op("待审核的上报", "review", gw.QueueOut, query=QueueQuery, roles=REVIEW_READERS),
    "request_extension": Op("申请延期", "review", ExtensionOut, body=ExtensionIn, roles=("operator",),
                            status=201, errors=(409, 422)),
    "approve_extension": Op("批准延期", "review", ExtensionOut, roles=("reviewer",), errors=(409, 422)),
    "refuse_extension": Op("不批准延期", "review", ExtensionOut, roles=("reviewer",), errors=(409,)),
    "issue_guidance": Op("发出指导意见", "review", GuidanceOut, body=GuidanceIn, roles=("reviewer",),
                         status=201),
    "list_guidance": Op("指导意见（本单位范围）", "review", gw.GuidancePageOut, query=gw.GuidanceQuery),
    "upload_attachment": Op("上传附件（PDF、JPEG、PNG、DOCX）", "review", AttachmentOut, body=gw.UploadIn,
                            multipart=True, roles=("operator",), status=201, errors=(422,)),
    "download_attachment": Op("下载附件", "review", "application/octet-stream"),
    "review_statistics": Op("审核与纠错率", "statistics", gw.FiguresOut, query=FiguresQuery,
                            roles=REVIEW_READERS),
    # -- deadlines (gateway/routes/deadlines.py) ----------------------------------------------
    "alerts": Op("预警与超期", "deadlines", gw.AlertsOut, query=AlertsQuery),
    "deadline_forecast": Op("到期预测", "deadlines", gw.ForecastOut, query=ForecastQuery),
    "unit_lights": Op("各单位亮灯", "deadlines", gw.Schema.from_dict(
        {}, name="UnitLightsOut"), roles=REVIEW_READERS, description="{单位编号: green|yellow|red}"),
    # -- statistics (gateway/routes/stats.py) -------------------------------------------------
    "stats_cube": Op("多维分析：一至两个维度 × 指标，含中文名称与合计", "statistics", CubeOut, query=CubeQuery,
                     roles=("reviewer", "leader", "admin", "operator"),
                     description="by: unit, unit_kind, code, sanction_kind, sanction_type, category, month, quarter, "
                                 "year, light, problem（至多两个）；measures: decisions, items, open, overdue, "
                                 "on_time_rate, avg_delay_days, reviewed, rejected, correction_rate, guidance, "
                                 "reforms；operator 仅本单位（他单位为 404）；format=xlsx 返回 Excel"),
    "stats_dashboard": Op("领导驾驶舱：核心指标、各单位亮灯、纠错率趋势、按期办结率排名、驳回问题类别", "statistics",
                          DashboardOut, query=DashboardQuery, roles=("reviewer", "leader", "admin", "operator"),
                          description="operator 仅本单位；format=xlsx 返回 Excel（每表一页）"),
    # -- library (gateway/routes/library.py) --------------------------------------------------
    "library_search": Op("资料袋检索（条文级）", "library", gw.SearchOut, query=SearchIn),
    "library_search_posted": Op("资料袋检索（检索词在请求体中）", "library", gw.SearchOut, body=SearchIn),
    "library_regulations": Op("法规列表", "library", gw.RegulationsOut),
    "library_regulation": Op("法规全文", "library", gw.Schema.from_dict({}, name="RegulationOut")),
    "library_article": Op("条文", "library", gw.Schema.from_dict({}, name="ArticleOut")),
    "list_templates": Op("文书模板", "library", gw.TemplatesOut),
    "render_template": Op("生成文书（.docx）", "library", DOCX, body=gw.RenderIn,
                          description="处分决定的文书用 decision_id；以案促改整改报告（subject: reform）用 reform_id"),
    # -- notices (gateway/routes/notices.py) --------------------------------------------------
    "inbox": Op("通知（本单位或本职能）", "notices", gw.InboxOut, query=InboxQuery),
    "mark_read": Op("标为已读", "notices", NoticeOut),
    "acknowledge": Op("回执", "notices", NoticeOut, body=AckIn, errors=(409,)),
    "subscriptions": Op("订阅列表", "notices", gw.SubscriptionsOut, roles=("admin",)),
    "subscribe": Op("订阅（webhook 或邮件）", "notices", gw.SubscriptionOut, body=gw.SubscribeIn,
                    roles=("admin",), status=201,
                    description="webhook 网址须为 http(s)，端口 1–65535，不得指向链路本地、元数据、"
                                "运营商级NAT（100.64.0.0/10）及（未获允许时）内网地址"),
    "deliveries": Op("推送记录", "notices", gw.DeliveriesOut, query=gw.DeliveriesQuery, roles=("admin",)),
    "redeliver": Op("重新推送", "notices", gw.DeliveryOut, roles=("admin",), errors=(409,)),
    # -- dead letters (gateway/routes/events.py) ----------------------------------------------
    "failed_events": Op("未处理事件", "operations", gw.FailedEventsOut, query=gw.FailedEventsQuery,
                        roles=("admin",)),
    "replay_failed_event": Op("重放未处理事件", "operations", gw.Schema.from_dict(
        {"service": fields.String(), "event_id": fields.String(), "handler": fields.String(),
         "applied": fields.Boolean()}, name="ReplayOut"), body=gw.ReplayIn, roles=("admin",)),
    # -- operations (gateway/routes/operations.py) --------------------------------------------
    "health": Op("健康检查", "operations", gw.HealthOut, public=True, errors=(503,),
                 description="503：某服务未应答（services 中指明）"),
    "prometheus_metrics": Op("Prometheus 指标", "operations", "text/plain", public=True),
    "audit_trail": Op("审计记录", "operations", gw.AuditPageOut, query=gw.AuditQuery, roles=("admin", "leader")),
    "verify_audit": Op("校验审计记录哈希链", "operations", gw.Schema.from_dict(
        {"ok": fields.Boolean(), "entries": fields.Integer(), "first_bad": fields.Raw(allow_none=True),
         "head": fields.Raw(allow_none=True)}, name="AuditVerifyOut"), roles=("admin",)),
    # -- people and the impact-period check (gateway/routes/people.py) ------------------------
    "search_people": Op("人员查询：姓名、身份证号或其后几位（本单位范围）", "people", gw.Schema.from_dict(
        {"items": fields.List(fields.Nested(PersonRowOut)), "total": fields.Integer()}, name="PeoplePageOut"),
        query=PeopleQuery, roles=("reviewer", "leader", "admin", "operator"),
        description="身份证号在列表中打码；后几位至少4位"),
    "get_person": Op("人员：跨案件的处分决定、影响期（含叠加）、执行事项与当前状态", "people", PersonDetailOut,
                     roles=("reviewer", "leader", "admin", "operator"),
                     description="其他单位的人员为 404；standing 按各用途给出是否受限、至何日与依据"),
    # -- batch import of historic records (gateway/routes/imports.py) -------------------------
    "import_template": Op("批量导入模板（.xlsx）", "decisions", XLSX, roles=("reviewer", "admin"),
                          description="“处分决定”“执行进度”两表（中文表头、示例行、规则库词汇与主体责任部门的下拉列表）"
                                      "及“填写说明”"),
    "import_decisions": Op("批量导入历史处分决定（正文为 .xlsx）", "decisions", ImportDetailOut, body=XLSX,
                           query=ImportUploadQuery, roles=("reviewer", "admin"), status=201, errors=(409,),
                           description="每行按 POST /decisions 的规则校验；有误的行不写入，其余照常导入；已登记的文号跳过；"
                                       "errors 为 [{sheet, row, column, message}]（行号为表格中的行号，列为表头文字）。"
                                       "dry_run=true 只检查不写入（200）。文件不是 .xlsx、缺少工作表或列、为空、超过 10 MB"
                                       "或解压后过大为 400。Idempotency-Key 标识本次导入：导入进行中可凭"
                                       " GET /imports?request_id= 查看进度，同一请求重发则续导或返回结果"),
    "list_imports": Op("导入记录", "decisions", gw.Schema.from_dict(
        {"items": fields.List(fields.Nested(ImportOut)), "total": fields.Integer()}, name="ImportPageOut"),
        query=ImportsQuery, roles=("reviewer", "admin"),
        description="新的在前；processed 为已处理的行数（导入进行中的进度）"),
    "get_import": Op("导入结果：计数与每行的问题", "decisions", ImportDetailOut, query=ImportFormatQuery,
                     roles=("reviewer", "admin"), also=(XLSX,), description="format=xlsx：问题清单的 Excel 工作簿"),
    "check_person": Op("影响期查询：某日是否在影响期内，某用途是否受限、至何日、依据", "people", CheckOut,
                       query=CheckQuery, roles=("reviewer", "leader", "partner"),
                       description="purpose: promotion 晋升职务职级 | rating 考核等次 | award 评先评优 | "
                                   "party_rights 党员权利；on 默认今天，前后10年以内；协作部门限组织、人事"
                                   "（其他为 403）；未登记的人员为 200 known: false；until 为恢复之日（期满之日），"
                                   "open_ended: restore 待恢复党员权利决定、permanent 永久；每次查询均记入审计"),
    "web_page": Op("网页端", "web", "text/html", public=True, extra={"503": {
        "description": "网页端尚未构建（scripts/build-web.sh）", "content": {"text/plain": {"schema": {"type": "string"}}}}}),
    "web_static": Op("网页端静态文件", "web", "application/octet-stream", public=True),
    "openapi_json": Op("本说明（OpenAPI 3）", "web", "application/json", public=True),
    "docs_page": Op("阅读本说明的网页", "web", "text/html", public=True),
    "docs_asset": Op("说明网页的静态文件（由网关提供，不依赖外网）", "web", "application/octet-stream", public=True),
}


# -- the routes -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    name: str          # the method's name on the service class
    method: str        # GET, POST…
    url: str           # werkzeug's rule, /api/v1/decisions/<int:decision_id>
    function: object

    @property
    def path(self):
        return openapi_path(self.url)[0]

    def __str__(self):
        return f"{self.method} {self.url} ({self.name})"


def http_routes(service_cls=None):
    """Every HTTP entrypoint of ``service_cls`` (default ``GatewayService``), in path order."""
    if service_cls is None:
        from .service import GatewayService as service_cls
    routes = []
    for name, function in inspect.getmembers(service_cls, callable):
        for entrypoint in getattr(function, "nameko_entrypoints", ()):
            if isinstance(entrypoint, JsonHttpEntrypoint):
                for method in entrypoint.method.split(","):
                    routes.append(Route(name, method.strip().upper(), entrypoint.url, function))
    return sorted(routes, key=lambda r: (r.url, r.method))


RULE_PART = re.compile(r"<(?:(?P<converter>[a-zA-Z_]+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def openapi_path(url):
    """``/items/<int:item_id>`` → ``("/items/{item_id}", [its path parameter])``."""
    parameters = []

    def replace(match):
        converter, args, name = match.group("converter") or "default", match.group("args"), match.group("name")
        if converter == "int":
            schema = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}
        elif converter == "any":
            schema = {"type": "string", "enum": [a.strip().strip("'\"") for a in args.split(",")]}
        elif converter == "path":
            schema = {"type": "string", "minLength": 1}
        else:
            schema = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
        parameters.append({"in": "path", "name": name, "required": True, "schema": schema})
        return "{" + name + "}"

    return RULE_PART.sub(replace, url), parameters


# -- the description ------------------------------------------------------------------------
def schema_name(schema):
    """Component names: the class's, with ``Brief`` for a nested ``only=`` view of it."""
    cls = resolve_schema_cls(schema)
    name = cls.__name__
    if isinstance(schema, Schema) and (schema.only or schema.exclude):
        name += "Brief"
    return name


def response_classes():
    """Every schema class a response uses, nested ones included."""
    found = set()
    pending = [op.response for op in OPERATIONS.values() if _is_schema(op.response)] + [gw.ErrorOut]
    while pending:
        cls = pending.pop()
        if cls in found:
            continue
        found.add(cls)
        for declared in cls._declared_fields.values():
            for inner in _nested_schemas(declared):
                pending.append(resolve_schema_cls(inner))
    return found


def _nested_schemas(declared):
    if isinstance(declared, fields.Nested):
        yield declared.nested
    elif isinstance(declared, fields.List):
        yield from _nested_schemas(declared.inner)
    elif isinstance(declared, fields.Dict) and declared.value_field is not None:
        yield from _nested_schemas(declared.value_field)


def _is_schema(value):
    return inspect.isclass(value) and issubclass(value, Schema)


def _schema_of(value):
    """A schema class, or one named in gateway/schemas.py by a string (a schema of a route
    being built at the same time); None if it is not there."""
    if isinstance(value, str):
        return getattr(gw, value, None)
    return value


@functools.lru_cache(maxsize=4)
def build_spec(service_cls=None):
    """The OpenAPI description of every HTTP route, as a dict (cached: the code does not change)."""
    responses = response_classes()
    plugin = MarshmallowPlugin(schema_name_resolver=schema_name)
    spec = APISpec(title=TITLE, version=VERSION, openapi_version=OPENAPI_VERSION, plugins=[plugin],
                   info={"description": _INFO},
                   servers=[{"url": "/", "description": "本网关"}])
    plugin.converter.map_to_openapi_type(Money, "string", "decimal")
    plugin.converter.add_attribute_function(_money)
    plugin.converter.add_attribute_function(_text)
    plugin.converter.add_attribute_function(_naive_datetime)
    plugin.converter.add_attribute_function(_nullable_in_responses(responses))
    for name, text in TAGS:
        spec.tag({"name": name, "description": text})
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("ErrorOut", schema=gw.ErrorOut)
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for status, text in ERROR_STATUSES.items():
        spec.components.response(f"E{status}", {"description": text, "content": error})
    spec.components.response("Error", {"description": "错误（统一格式）", "content": error})

    by_path = {}
    for route in http_routes(service_cls):
        by_path.setdefault(route.path, []).append(route)
    for path, routes in by_path.items():
        operations = {route.method.lower(): _operation(route) for route in routes if route.method != "HEAD"}
        spec.path(path=path, operations=operations, parameters=openapi_path(routes[0].url)[1])
    document = spec.to_dict()
    for path_item in document["paths"].values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", ()) if isinstance(operation, dict) else ():
                _plain_query_parameter(parameter)
    names = {schema_name(cls) for cls in responses}
    for name, component in document["components"]["schemas"].items():
        if name in names or name.rstrip("0123456789") in names:
            component.pop("additionalProperties", None)   # a response may carry more
    return document


def _operation(route):
    op = OPERATIONS.get(route.name)
    if op is None:
        return _undescribed(route)
    operation = {"operationId": route.name, "summary": op.summary, "tags": [op.tag],
                 "description": _description(route, op), "responses": {}}
    if not op.public:
        operation["security"] = [{"bearerAuth": []}]
    query = _schema_of(op.query)
    if query is not None:
        operation["parameters"] = [{"in": "query", "schema": query}]
    body = _schema_of(op.body)
    if body is not None:
        media = "multipart/form-data" if op.multipart else "application/json"
        operation["requestBody"] = {"required": True, "content": {media: {"schema": body}}}
    elif isinstance(op.body, str) and "/" in op.body:
        operation["requestBody"] = _file_body(op.body)
    operation["responses"][str(op.status)] = _success(_schema_of(op.response))
    for media in op.also:
        operation["responses"][str(op.status)].setdefault("content", {})[media] = {
            "schema": {"type": "string", "format": "binary"}}
    for status in _error_statuses(route, op, query is not None or body is not None):
        operation["responses"][str(status)] = {"$ref": f"#/components/responses/E{status}"}
    operation["responses"]["default"] = {"$ref": "#/components/responses/Error"}
    operation["responses"].update(op.extra)
    return operation


def _file_body(media):
    """A file as the body: the file itself (``media``), or multipart/form-data field ``file``."""
    binary = {"type": "string", "format": "binary"}
    return {"required": True, "content": {
        media: {"schema": binary},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {"file": binary}}}}}


def _undescribed(route):
    """A route nobody described yet: its path, bearer auth and the error shape, flagged."""
    return {"operationId": route.name, "summary": f"{route.name}（尚无说明）", "tags": ["undescribed"],
            "x-undescribed": True, "security": [{"bearerAuth": []}],
            "responses": {"200": {"description": "成功"},
                          "default": {"$ref": "#/components/responses/Error"}}}


def _description(route, op):
    who = "无需登录" if op.public else ("角色：" + "、".join(op.roles) if op.roles else "任何已登录用户")
    doc = inspect.getdoc(route.function) or ""
    return "\n\n".join(part for part in (op.description, who, doc) if part)


def _success(response):
    if response is None:
        return {"description": "成功"}
    if isinstance(response, str):
        if response == "application/json":
            return {"description": "成功", "content": {response: {"schema": {"type": "object"}}}}
        kind = {"type": "string"} if response.startswith("text/") else {"type": "string", "format": "binary"}
        return {"description": "成功", "content": {response: {"schema": kind}}}
    return {"description": "成功", "content": {"application/json": {"schema": response}}}


def _error_statuses(route, op, takes_input):
    statuses = set(op.errors)
    if takes_input:
        statuses.add(400)
    if not op.public:
        statuses.add(401)
    if op.roles:
        statuses.add(403)
    if "<" in route.url:
        statuses.add(404)
    if op.public and route.name in ("health",):
        statuses.add(503)
    return sorted(statuses)


def _naive_datetime(self, field, ret, **kwargs):
    """Times are UTC, ISO 8601, written without an offset (``2026-06-15T08:30:00``): not RFC 3339's
    ``date-time``, so described by a pattern."""
    if not isinstance(field, fields.DateTime) or ret.get("format") != "date-time":
        return {}
    ret.pop("format")
    return {"pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$",
            "description": ((ret.get("description") or "") + " UTC，ISO 8601（不带时区）").strip()}


# What services.common.schemas.Text refuses, as an ECMA 262 character class (for clients and
# the fuzzer; the server's check is unsafe_character).
_REFUSED = "\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff"
_REFUSED_MULTILINE = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069"


def _text(self, field, ret, **kwargs):
    """A Text field says which characters it refuses (control, bidi, invisible on one line)."""
    if not isinstance(field, Text) or "pattern" in ret:
        return {}
    return {"pattern": f"^[^{_REFUSED_MULTILINE if field.multiline else _REFUSED}]*$"}


def _money(self, field, ret, **kwargs):
    """Money is a string of at most 12 integer digits and 2 decimals (a JSON number is read too)."""
    if not isinstance(field, Money):
        return {}
    for bound in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        ret.pop(bound, None)
    return {"pattern": rf"^\d{{1,{MONEY_INTEGER_DIGITS}}}(\.\d{{1,2}})?$", "example": "12000.00"}


def _plain_query_parameter(parameter):
    """A query parameter is absent or has a value: no ``null`` (it cannot be sent)."""
    if parameter.get("in") != "query":
        return
    schema = parameter.get("schema", {})
    schema.pop("nullable", None)
    if schema.get("default", 0) is None:
        schema.pop("default")
    if "enum" in schema:
        schema["enum"] = [value for value in schema["enum"] if value is not None]


def _nullable_in_responses(response_schemas):
    """An attribute function: a field of a response schema may be null (OpenAPI 3.0 style)."""

    def nullable_in_responses(self, field, ret, **kwargs):
        root = getattr(field, "root", None)
        if type(root) not in response_schemas or field.required or field.allow_none or ret.get("nullable"):
            return {}
        if "$ref" in ret:
            return {"anyOf": [{"type": "object", "nullable": True}, {"$ref": ret.pop("$ref")}]}
        if "allOf" in ret:
            return {"anyOf": [*ret.pop("allOf"), {"type": "object", "nullable": True}]}
        return {"nullable": True}

    return nullable_in_responses


_INFO = """处分决定执行记实监督平台的 HTTP 接口。所有路径前缀 /api/v1，JSON 进出，
除登录、健康检查与本说明外均须 `Authorization: Bearer <token>`。

错误统一为 `{"error": "CODE", "message": "…", "fields": {"字段路径": ["问题"]}}`：
400 输入有误，401 未登录，403 无权，404 不存在（含其他单位的记录，以及未知地址 NOT_FOUND），
405 方法不允许（METHOD_NOT_ALLOWED，带 Allow），409 冲突，422 业务规则不允许，429 尝试过多，
503 服务不可用。

输入限制：JSON 最多嵌套 20 层；编号为 1 至 2^63−1 的整数（路径中超出为 404，查询参数与请求体中为 400）；
文本不得含控制字符（NUL、ESC…）、双向文本控制字符（RLO…），单行文本不得含不可见字符（零宽空格…），
首尾空白去除；人名、单位名、用户名按 NFKC 规范化，单位名与用户名按规范化形式判重（用户名不区分大小写）；
金额最多 12 位整数、2 位小数，超出即拒绝而非四舍五入；处分决定日期自 1978-01-01 至今日，
整改期限自今日起两年内，其他日期 1978-01-01 至 2099-12-31；列表有上限（组织处理、文书 20 项，
附件 20 个，送达对象等 50 项，订阅事件 50 项）。日期 YYYY-MM-DD，金额为字符串。"""
