"""Schemas for the case service's RPC payloads and events: primitives only, ISO dates,
money as strings."""
import re

from marshmallow import (Schema, ValidationError, fields, post_load, validate, validates, validates_schema,
                         pre_load)

from services.common.schemas import EARLIEST, Id, Money, Name, Page, Text, capped_list

from .identity import id_number_problem

POLITICAL_STATUSES = ("中共党员", "民主党派", "群众")
DEMOCRATIC_PARTIES = ("民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟")
CATEGORIES = ("公务员", "参照公务员法管理", "事业单位", "国有企业", "村(社区)干部", "其他")
DISPOSITIONS = ("收缴", "没收", "追缴", "责令退赔", "退赔")
MAX_ORG_HANDLING = 20   # 组织处理 measures on one decision
MAX_LETTERS = 20        # 纪检监察建议书 and the like


class PersonIn(Schema):
    name = Name(required=True, validate=validate.Length(min=1, max=64), metadata={"label": "姓名"})
    id_number = Text(required=True, metadata={"label": "身份证号"})
    gender = fields.String(load_default=None, validate=validate.OneOf(("男", "女")), allow_none=True)
    unit_id = Id(required=True)
    post = Text(load_default=None, allow_none=True, validate=validate.Length(max=128),
                metadata={"label": "职务"})
    political_status = fields.String(required=True, validate=validate.OneOf(POLITICAL_STATUSES))
    democratic_party = fields.String(load_default=None, allow_none=True,
                                     validate=validate.OneOf(DEMOCRATIC_PARTIES))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    # The kind of the person's unit as the gateway's directory knows it (case keeps no units):
    # decisions are registered only for people of responsible units (主体责任部门).
    unit_kind = fields.String(load_default=None, allow_none=True, validate=validate.Equal(
        "responsible", error="只能为主体责任部门的人员登记处分决定"))

    @post_load
    def drop_unit_kind(self, data, **_):
        data.pop("unit_kind", None)
        return data

    @pre_load
    def normalise_id(self, data, **_):
        if isinstance(data, dict) and isinstance(data.get("id_number"), str):
            data = dict(data, id_number=data["id_number"].strip().upper())
        return data

    @validates("id_number")
    def check_id_number(self, value, **_):
        problem = id_number_problem(value)
        if problem:
            raise ValidationError(problem)

    @validates_schema
    def check_party(self, data, **_):
        is_democratic = data.get("political_status") == "民主党派"
        if is_democratic and not data.get("democratic_party"):
            raise ValidationError("民主党派成员须写明所属党派", "democratic_party")
        if not is_democratic and data.get("democratic_party"):
            raise ValidationError("非民主党派成员不应填写所属党派", "democratic_party")


class SanctionIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("party", "government")))
    type = Text(required=True, validate=validate.Length(min=1, max=16), metadata={"label": "处分种类"})
    months = fields.Integer(load_default=None, allow_none=True, strict=True,
                            validate=validate.Range(min=1, max=1200, error="月数应为1至1200"))


class IllicitGainsIn(Schema):
    amount = Money(required=True, validate=validate.Range(min=0, min_inclusive=False,
                                                          error="金额必须大于0"))
    disposition = fields.String(required=True, validate=validate.OneOf(DISPOSITIONS))


class DecisionIn(Schema):
    person = fields.Nested(PersonIn, required=True)
    doc_number = Text(required=True, validate=validate.Length(min=1, max=128), metadata={"label": "文号"})
    decided_by = Text(required=True, validate=validate.Length(min=1, max=128), metadata={"label": "决定机关"})
    # From 1978 (the commissions' re-establishment); "not in the future" is checked against the clock.
    decision_date = fields.Date(required=True, validate=validate.Range(
        min=EARLIEST, error=f"处分决定日期不能早于 {EARLIEST}"))
    sanctions = fields.List(fields.Nested(SanctionIn), required=True,
                            validate=validate.Length(min=1, max=2, error="须有1至2项处分"))
    illicit_gains = fields.Nested(IllicitGainsIn, load_default=None, allow_none=True)
    org_handling = capped_list(Text(validate=validate.Length(min=1, max=32), metadata={"label": "组织处理"}),
                               MAX_ORG_HANDLING, load_default=list)
    letters = capped_list(Text(validate=validate.Length(min=1, max=32), metadata={"label": "文书"}),
                          MAX_LETTERS, load_default=list)
    facts = Text(load_default="", multiline=True, validate=validate.Length(max=20000),
                 metadata={"label": "违纪事实"})


class ListQuery(Schema):
    unit_id = Id(load_default=None, allow_none=True, strict=False)
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(("executing", "completed")))
    sanction = Text(load_default=None, allow_none=True, validate=validate.Length(max=16))
    q = Text(load_default=None, allow_none=True, validate=validate.Length(max=100))
    page = Page()
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class DueDateIn(Schema):
    due_date = fields.Date(required=True)


class StatsQuery(Schema):
    subject = fields.String(required=True, validate=validate.OneOf(("decisions", "items")))
    by = Text(required=True, validate=validate.Length(max=16))

    @validates_schema
    def known_dimension(self, data, **_):
        allowed = {"decisions": ("unit", "status", "sanction", "year", "month"),
                   "items": ("code", "state", "unit")}[data["subject"]]
        if data["by"] not in allowed:
            raise ValidationError(f"可选：{', '.join(allowed)}", "by")


# -- out ------------------------------------------------------------------------------
class PersonOut(Schema):
    id = fields.Integer()
    name = fields.String()
    id_number = fields.String()
    gender = fields.String()
    unit_id = fields.Integer()
    post = fields.String()
    political_status = fields.String()
    democratic_party = fields.String()
    category = fields.String()


class SanctionOut(Schema):
    kind = fields.String()
    type = fields.String()
    months = fields.Integer()


class PeriodOut(Schema):
    kind = fields.String()
    sanction_type = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    months = fields.Integer()
    stacked = fields.Boolean()


class TransitionOut(Schema):
    from_state = fields.String()
    to_state = fields.String()
    actor_user_id = fields.Integer()
    actor_role = fields.String()
    reason = fields.String()
    at = fields.DateTime()
    imported = fields.Boolean()           # recorded by the batch import: done before, no report


class ItemOut(Schema):
    id = fields.Integer()
    decision_id = fields.Integer()      # the decision it executes, or null for a reform task
    reform_id = fields.Integer()        # the reform case (以案促改) it belongs to, or null
    unit_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    seq = fields.Integer()
    state = fields.String()
    version = fields.Integer()
    after = fields.List(fields.String())
    opens_on = fields.Date()
    due_date = fields.Date()
    extension_limit = fields.Date()
    cycle = fields.Integer()
    legal_basis = fields.List(fields.Dict())
    partners = fields.List(fields.String())


class ItemDetailOut(ItemOut):
    history = fields.List(fields.Nested(TransitionOut))


class DecisionSummaryOut(Schema):
    id = fields.Integer()
    doc_number = fields.String()
    decided_by = fields.String()
    decision_date = fields.Date()
    status = fields.String()
    unit_id = fields.Integer()
    person = fields.Nested(PersonOut, only=("id", "name", "unit_id", "post", "political_status"))
    sanctions = fields.List(fields.Nested(SanctionOut))


class DecisionOut(DecisionSummaryOut):
    person = fields.Nested(PersonOut)
    facts = fields.String()
    impact_periods = fields.List(fields.Nested(PeriodOut), attribute="periods")
    illicit_gains = fields.Method("dump_gains")
    org_handling = fields.List(fields.String())
    letters = fields.List(fields.String())
    items = fields.List(fields.Nested(ItemOut))

    def dump_gains(self, decision):
        if decision.illicit_amount is None:
            return None
        return {"amount": f"{decision.illicit_amount:.2f}", "disposition": decision.illicit_disposition}


# -- events ---------------------------------------------------------------------------
class ItemEvent(Schema):
    item_id = fields.Integer(attribute="id")
    decision_id = fields.Integer()      # exactly one of decision_id and reform_id is set
    reform_id = fields.Integer()
    unit_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    state = fields.String()
    version = fields.Integer()
    opens_on = fields.Date()
    due_date = fields.Date()
    cycle = fields.Integer()
    partners = fields.List(fields.String())


class DecisionRegisteredEvent(Schema):
    decision_id = fields.Integer(attribute="id")
    unit_id = fields.Integer()
    person_id = fields.Integer()
    doc_number = fields.String()
    decision_date = fields.Date()
    political_status = fields.Function(lambda d: d.person.political_status)
    # The facts the statistics group by (deadline's projection): 人员类别 and the sanctions.
    category = fields.Function(lambda d: d.person.category)
    sanctions = fields.List(fields.Nested(SanctionOut, only=("kind", "type")))
    impact_periods = fields.List(fields.Nested(PeriodOut), attribute="periods")
    items = fields.List(fields.Nested(ItemEvent))


# -- people across cases and the impact-period check (人员, 影响期查询) ---------------------------
ID_SUFFIX_MIN = 4       # the last digits of a 身份证号 a search may give
CHECK_HORIZON_YEARS = 10  # the check answers for days up to this far before or after today


def _digits_or_x(value):
    """Digits, the last possibly X: a 身份证号 or its last digits."""
    return re.fullmatch(r"[0-9]*[0-9X]", value) is not None


class PeopleQuery(Schema):
    """``q``: a name (or part of one), a 身份证号, or its last digits (at least 4)."""
    q = Text(required=True, validate=validate.Length(min=1, max=64), metadata={"label": "查询内容"})
    page = Page()
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))

    @post_load
    def match(self, data, **_):
        q = data["q"].upper()
        if _digits_or_x(q):
            if len(q) < ID_SUFFIX_MIN:
                raise ValidationError(f"按身份证号查询至少输入后{ID_SUFFIX_MIN}位", "q")
            return dict(data, q=q, match="id_number" if len(q) == 18 else "id_suffix")
        return dict(data, match="name")


class CheckQuery(Schema):
    """影响期查询: a 身份证号, the day (default today) and the purpose (checked against the rule book)."""
    id_number = Text(required=True, validate=validate.Length(max=32), metadata={"label": "身份证号"})
    on = fields.Date(load_default=None)
    purpose = Text(required=True, validate=validate.Length(min=1, max=32), metadata={"label": "用途"})

    @pre_load
    def normalise_id(self, data, **_):
        if isinstance(data, dict) and isinstance(data.get("id_number"), str):
            data = dict(data, id_number=data["id_number"].strip().upper())
        return data

    @validates("id_number")
    def check_id_number(self, value, **_):
        problem = id_number_problem(value)
        if problem:
            raise ValidationError(problem)


class StandingPeriodOut(Schema):
    """A period as the check and the standing name it: no decision, no facts."""
    kind = fields.String()
    sanction_type = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    stacked = fields.Boolean()


class AnswerOut(Schema):
    purpose = fields.String()
    name = fields.String()
    allowed = fields.Boolean()
    until = fields.Date()                 # allowed again from this day (期满之日); null: open
    open_ended = fields.String()          # restore (until a restore decision) | permanent
    not_before = fields.Date()            # open until a restore: the earliest it could end
    rule = fields.String()
    source = fields.String()              # F | S | P | I (rule book)
    basis = fields.Dict()                 # {regulation, article}
    bases = fields.List(fields.Dict())


class RightsOut(Schema):
    state = fields.String()               # on_probation | awaiting_restore | restored
    sanction_type = fields.String()
    period_ends_on = fields.Date()
    restored_on = fields.Date()


class StandingOut(Schema):
    on = fields.Date()
    in_impact_period = fields.Boolean()
    until = fields.Date()
    periods = fields.List(fields.Nested(StandingPeriodOut))
    restrictions = fields.List(fields.Nested(AnswerOut), attribute="answers")
    party_rights = fields.Nested(RightsOut, attribute="rights", allow_none=True)


class CheckOut(Schema):
    id_number = fields.String()           # masked: 110105********123X
    on = fields.Date()
    purpose = fields.String()
    known = fields.Boolean()
    in_impact_period = fields.Boolean()
    periods = fields.List(fields.Nested(StandingPeriodOut))
    restrictions = fields.List(fields.Nested(AnswerOut))


class PersonRowOut(Schema):
    id = fields.Integer()
    name = fields.String()
    id_number = fields.String()           # masked in a list
    unit_id = fields.Integer()
    post = fields.String()
    category = fields.String()
    political_status = fields.String()
    decisions = fields.Integer()
    in_impact_period = fields.Boolean()
    until = fields.Date()


class PersonPeriodOut(PeriodOut):
    id = fields.Integer()
    decision_id = fields.Integer()
    doc_number = fields.String()
    stacked_on = fields.Integer()         # the period this one was added to (第21条, 第15条), if seen
    ended = fields.Boolean()
    ended_announced_at = fields.DateTime()


class PersonItemOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    seq = fields.Integer()
    state = fields.String()
    opens_on = fields.Date()
    due_date = fields.Date()
    cycle = fields.Integer()


class PersonDecisionOut(Schema):
    id = fields.Integer()
    doc_number = fields.String()
    decided_by = fields.String()
    decision_date = fields.Date()
    status = fields.String()
    unit_id = fields.Integer()
    sanctions = fields.List(fields.Nested(SanctionOut))
    items = fields.List(fields.Nested(PersonItemOut))


class PersonDetailOut(PersonOut):
    decisions = fields.List(fields.Nested(PersonDecisionOut))
    impact_periods = fields.List(fields.Nested(PersonPeriodOut))
    standing = fields.Nested(StandingOut)


class ImpactPeriodEndedEvent(Schema):
    """case.impact_period_ended: who (the 身份证号 is the key partner systems keep), which period,
    and where the person stands now; no facts of the case."""
    period_id = fields.Integer()
    person_id = fields.Integer()
    decision_id = fields.Integer()
    unit_id = fields.Integer()
    person_name = fields.String()
    id_number = fields.String()
    id_number_masked = fields.String()
    kind = fields.String()
    kind_name = fields.String()           # 党纪 | 政务
    sanction_type = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    stacked = fields.Boolean()
    in_impact_period = fields.Boolean()   # another period still covers the day of the announcement
    impact_period_until = fields.Date()
    awaiting_restore = fields.Boolean()   # rights still wait for a restore decision (留党察看)
    restrictions = fields.List(fields.Nested(AnswerOut, only=("purpose", "name", "allowed", "until",
                                                              "open_ended", "not_before")))
    summary = fields.String()             # where the person stands now, in a sentence (notice texts)
    partners = fields.List(fields.String())


# -- reform cases (以案促改) -------------------------------------------------------------------------
MAX_REFORM_DECISIONS = 50   # decisions one reform case arises from


class ReformIn(Schema):
    """登记以案促改: the unit, the decisions it arises from, its basis (checked against the rule
    book's reform bases), 文号, issue date, requirements and the deadline the suggestion sets.
    "Not in the future" and "not before the issue date" are checked against the clock."""
    unit_id = Id(required=True)
    decision_ids = capped_list(Id(), MAX_REFORM_DECISIONS, load_default=list)
    basis = Text(required=True, validate=validate.Length(min=1, max=16), metadata={"label": "依据"})
    doc_number = Text(required=True, validate=validate.Length(min=1, max=128), metadata={"label": "文号"})
    issued_on = fields.Date(required=True, validate=validate.Range(
        min=EARLIEST, error=f"下发日期不能早于 {EARLIEST}"))
    requirements = Text(required=True, multiline=True, validate=validate.Length(min=1, max=20000),
                        metadata={"label": "整改要求"})
    due_date = fields.Date(load_default=None, allow_none=True)
    party_group = fields.Boolean(load_default=True)
    # The kind of the unit as the gateway's directory knows it (case keeps no units).
    unit_kind = fields.String(load_default=None, allow_none=True, validate=validate.Equal(
        "responsible", error="只能为主体责任部门登记以案促改"))

    @post_load
    def tidy(self, data, **_):
        data.pop("unit_kind", None)
        data["decision_ids"] = list(dict.fromkeys(data["decision_ids"]))
        return data


class ReformListQuery(Schema):
    unit_id = Id(load_default=None, allow_none=True, strict=False)
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(("executing", "completed")))
    decision_id = Id(load_default=None, allow_none=True, strict=False)
    q = Text(load_default=None, allow_none=True, validate=validate.Length(max=100))
    page = Page()
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class ReformDecisionOut(Schema):
    """A decision a reform case arises from, as its page names it."""
    id = fields.Integer()
    doc_number = fields.String()
    decision_date = fields.Date()
    decided_by = fields.String()
    unit_id = fields.Integer()
    person = fields.Nested(PersonOut, only=("id", "name", "post"))
    sanctions = fields.List(fields.Nested(SanctionOut))


class ReformSummaryOut(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    basis = fields.String()
    doc_number = fields.String()
    issued_on = fields.Date()
    due_date = fields.Date()
    party_group = fields.Boolean()
    status = fields.String()
    decision_ids = fields.Function(lambda r: [d.id for d in r.decisions])
    tasks_total = fields.Function(lambda r: len(r.items))
    tasks_approved = fields.Function(lambda r: sum(1 for i in r.items if i.state == "approved"))
    created_at = fields.DateTime()


class ReformOut(ReformSummaryOut):
    requirements = fields.String()
    registered_by = fields.Integer()
    decisions = fields.List(fields.Nested(ReformDecisionOut))
    items = fields.List(fields.Nested(ItemOut))     # the tasks, in the shape of a decision's items


class ReformRegisteredEvent(Schema):
    reform_id = fields.Integer(attribute="id")
    unit_id = fields.Integer()
    basis = fields.String()
    doc_number = fields.String()
    issued_on = fields.Date()
    due_date = fields.Date()
    decision_ids = fields.Function(lambda r: [d.id for d in r.decisions])
    items = fields.List(fields.Nested(ItemEvent))
