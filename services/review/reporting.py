"""Reports and their review (上报与审核): the use cases over the unit of work.

Item state is owned by the case service: every step here moves the item there first
(with the item's version), so "only an approval opens the next item" is enforced in one
place.  A review claims the report row before calling case, so of two reviewers acting
at once exactly one proceeds; if case refuses, the claim is released.
"""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from services.common.actor import Actor
from services.common.clock import utcnow
from services.common.errors import Conflict, NotFound, ValidationFailed
from services.common.schemas import load

from .checks import ReportFacts, precheck
from .exceptions import AlreadyReviewed, ItemNotReportable
from .models import LIVE_STATES, Attachment, Report
from .records import finding_categories, present, reports_of
from .schemas import ApproveIn, RejectIn, ReportEvent, ReportIn

REPORT_IN, APPROVE_IN, REJECT_IN = ReportIn(), ApproveIn(), RejectIn()
REPORT_EVENT = ReportEvent()
REPORTABLE = ("open", "rejected")
CLAIMED = ("approving", "rejecting")
CLAIM_TIMEOUT = 120   # seconds; config REVIEW_CLAIM_TIMEOUT_SECONDS
RECTIFY_WITHIN_YEARS = 2   # 整改期限: from today to two years ahead


def submit(uow, case, clock, checklist, actor: Actor, item_id, payload):
    """上报: validate the evidence, run the pre-checks, move the item to submitted."""
    actor.require("operator")
    item = case.get_item(actor.dump(), item_id)
    waiting = _waiting_report(uow.session, item_id)
    if waiting is not None:
        raise ItemNotReportable(f"事项“{item['name']}”已上报（第{waiting.round}轮），正在等待审核",
                                {"item_id": [item["state"]]})
    # Submitted in case with no report here: a submission died between case's commit and
    # ours.  The unit may report again, without moving the item a second time.
    orphaned = item["state"] == "submitted"
    if item["state"] not in REPORTABLE and not orphaned:
        raise ItemNotReportable(_not_reportable(case, actor, item), {"item_id": [item["state"]]})
    data = load(REPORT_IN, payload)
    schema = checklist.evidence_schema(item["code"])
    evidence = _load_evidence(schema, data["evidence"])
    _check_attachments(uow.session, actor, data["attachments"], checklist)
    owner = owner_of(case, actor, item)
    _check_performed_on(data["performed_on"], clock, owner)
    findings = precheck(_facts(item, evidence, data["performed_on"], owner), checklist)
    previous = reports_of(uow.session, item_id)
    item_version = item["version"]
    if not orphaned:
        item_version = case.transition_item(actor.dump(), item_id, "submitted", item["version"], "上报")["version"]
    report = Report(
        item_id=item_id, decision_id=item.get("decision_id"), reform_id=item.get("reform_id"),
        unit_id=item["unit_id"], code=item["code"], item_name=item["name"],
        person_name=(owner.get("person") or {}).get("name"), doc_number=owner["doc_number"],
        due_date=date.fromisoformat(item["due_date"]), round=len(previous) + 1,
        performed_on=data["performed_on"], evidence=schema.dump(evidence), attachments=data["attachments"],
        findings=findings, finding_categories=finding_categories(findings), state="submitted", version=1,
        submitted_by=actor.user_id, submitted_at=clock.now())
    _store_live(uow, report, item)
    uow.emit("item_submitted", _event(report, item_version))
    uow.commit()
    return present(uow.session, [report], previous=previous[-1] if previous else None)[0]


def _store_live(uow, report, item):
    """Insert the item's live report; the database refuses a second one (``uq_report_live_item``),
    so of two submissions at once — one of them recovering the other's half-finished
    submission — exactly one is stored and the other gets 409."""
    uow.session.add(report)
    try:
        uow.session.flush()
    except IntegrityError:
        uow.rollback()
        raise ItemNotReportable(f"事项“{item['name']}”已上报，正在等待审核", {"item_id": ["submitted"]})


def _waiting_report(session, item_id):
    """The round waiting for (or under) review, if any: a unit never has two at once."""
    return session.scalar(select(Report).where(
        Report.item_id == item_id, Report.state.in_(LIVE_STATES)).limit(1))


def _not_reportable(case, actor, item):
    """409's message: a locked item names the items still awaiting approval before it."""
    if item["state"] != "locked":
        return f"事项“{item['name']}”当前为{item['state']}，不能上报"
    siblings = owner_of(case, actor, item)["items"]
    awaited = [f"{s['name']}（{s['code']}）" for s in siblings
               if s["code"] in (item.get("after") or ()) and s["state"] != "approved"]
    if awaited:
        return f"事项“{item['name']}”尚未开启，须先审核通过：{'、'.join(awaited)}"
    return f"事项“{item['name']}”将于 {item.get('opens_on') or '规定日期'} 开启，届时方可上报"


def owner_of(case, actor, item):
    """The item's owner as case answers it: its decision, or the reform case (以案促改) of a task
    (``reform_id``); either has ``doc_number``, ``unit_id`` and ``items``."""
    if item.get("reform_id") is not None:
        return case.get_reform(actor.dump(), item["reform_id"])
    return case.get_decision(actor.dump(), item["decision_id"])


def _check_performed_on(performed_on, clock, owner):
    if performed_on > clock.today():
        raise ValidationFailed("办理日期不能晚于今天", {"performed_on": ["不能是将来的日期"]})
    start, what = ((owner["issued_on"], "以案促改下发日期") if "issued_on" in owner
                   else (owner["decision_date"], "处分决定日期"))
    if performed_on < date.fromisoformat(start):
        raise ValidationFailed(f"办理日期不能早于{what}", {"performed_on": [f"不能早于 {start}"]})


def _load_evidence(schema, evidence):
    try:
        return load(schema, evidence)
    except ValidationFailed as err:
        raise ValidationFailed("报送材料不完整或有误",
                               {f"evidence.{path}": problems for path, problems in err.fields.items()})


def _check_attachments(session, actor, ids, checklist):
    if len(ids) > checklist.attachments["max_per_report"]:
        raise ValidationFailed("附件过多", {"attachments": [f"最多{checklist.attachments['max_per_report']}个"]})
    found = {a.id: a for a in session.scalars(select(Attachment).where(Attachment.id.in_(ids)))}
    unknown = [i for i in ids if i not in found or found[i].unit_id != actor.unit_id]
    if unknown:
        raise ValidationFailed("附件不存在", {"attachments": [f"未知附件：{i}" for i in unknown]})


def _facts(item, evidence, performed_on, decision):
    """What the pre-checks look at; a reform task's owner has no person, sanctions or gains."""
    gains = decision.get("illicit_gains") or {}
    person = decision.get("person") or {"name": "", "political_status": "", "category": ""}
    return ReportFacts(
        code=item["code"], evidence=evidence, performed_on=performed_on,
        due_date=date.fromisoformat(item["due_date"]), partners=tuple(item.get("partners") or ()),
        person_name=person["name"], political_status=person["political_status"],
        category=person["category"],
        sanctions=tuple((s["kind"], s["type"]) for s in decision.get("sanctions") or ()),
        illicit_amount=Decimal(gains["amount"]) if gains.get("amount") else None)


# -- review ---------------------------------------------------------------------------
def approve(uow, case, clock, actor: Actor, report_id, payload, claim_timeout=CLAIM_TIMEOUT):
    """审核通过: the item is approved and whatever it unlocks opens (in case)."""
    actor.require("reviewer")
    data = load(APPROVE_IN, payload)
    report = _claim(uow, actor, report_id, data["version"], "approving", claim_timeout)
    item_version = _move_item(uow, case, actor, report, "approved", data["comment"] or "审核通过")
    report.comment = data["comment"]
    return _finish(uow, clock, actor, report, "approved", "item_approved", item_version)


def reject(uow, case, clock, checklist, actor: Actor, report_id, payload, claim_timeout=CLAIM_TIMEOUT):
    """驳回: the item goes back to the unit with a problem, a requirement and a date."""
    actor.require("reviewer")
    data = load(REJECT_IN, payload)
    category = checklist.problem_category(data["problem_category"])
    if category is None:
        raise ValidationFailed("问题类别不在规定范围内", {"problem": [
            "须为以下之一：" + "、".join(checklist.problem_categories)]})
    if data["rectify_by"] < clock.today():
        raise ValidationFailed("整改期限不能早于今天", {"rectify_by": ["不能是过去的日期"]})
    latest = _years_after(clock.today(), RECTIFY_WITHIN_YEARS)
    if data["rectify_by"] > latest:
        raise ValidationFailed(f"整改期限最长为两年（不晚于 {latest}）", {"rectify_by": [f"最长两年，不能晚于 {latest}"]})
    report = _claim(uow, actor, report_id, data["version"], "rejecting", claim_timeout)
    item_version = _move_item(uow, case, actor, report, "rejected", f"驳回：{category}")
    report.problem_category = category
    report.requirement = data["requirement"]
    report.rectify_by = data["rectify_by"]
    return _finish(uow, clock, actor, report, "rejected", "item_rejected", item_version)


def _years_after(day, years):
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _claim(uow, actor, report_id, version, claim_state, timeout):
    """Atomically take a submitted report for review; a second reviewer gets 409.

    A claim older than ``timeout`` seconds was left by a request that died half-way
    (a worker killed between the claim and the verdict): another reviewer may take it over.
    """
    report = _visible_report(uow.session, actor, report_id)
    now = utcnow()
    abandoned = report.state in CLAIMED and (report.claimed_at or now) < now - timedelta(seconds=timeout)
    if not (report.state == "submitted" or abandoned) or (version is not None and version != report.version):
        raise AlreadyReviewed("该报送已被审核或正由他人审核", {"report": [report.state]})
    claimed = uow.session.execute(
        update(Report).where(Report.id == report.id, Report.state == report.state,
                             Report.version == report.version)
        .values(state=claim_state, version=Report.version + 1, claimed_at=now)).rowcount
    if not claimed:
        uow.rollback()
        raise AlreadyReviewed("该报送已被他人审核", {"report": ["已被他人处理"]})
    uow.session.commit()   # visible to other reviewers before case is asked
    uow.session.refresh(report)
    return report


def _move_item(uow, case, actor, report, to_state, reason):
    """Move the item in case; if case refuses, release the claim — unless the item already
    holds this verdict (a request that died after case moved it): then it is recorded.
    Returns the item's version after the move, for the event."""
    try:
        return case.transition_item(actor.dump(), report.item_id, to_state, None, reason)["version"]
    except Conflict:
        item = case.get_item(actor.dump(), report.item_id)
        if item["state"] == to_state:
            return item["version"]
        _release(uow, report)
        raise
    except Exception:
        _release(uow, report)
        raise


def _release(uow, report):
    report.state, report.version, report.claimed_at = "submitted", report.version + 1, None
    uow.session.commit()


def _finish(uow, clock, actor, report, state, event_type, item_version):
    report.state = state
    report.version += 1
    report.reviewed_by, report.reviewed_at = actor.user_id, clock.now()
    uow.emit(event_type, _event(report, item_version))
    uow.commit()
    return report


def _event(report, item_version):
    """The report's event, with case's item version after the move: consumers keeping
    state from several queues tell a late event from a current one by it."""
    return dict(REPORT_EVENT.dump(report), item_version=item_version)


def _visible_report(session, actor, report_id):
    report = session.get(Report, report_id) if isinstance(report_id, int) else None
    if report is None or not actor.may_see_unit(report.unit_id):
        raise NotFound("报送记录不存在", {"report_id": [str(report_id)]})
    return report
