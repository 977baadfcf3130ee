"""Reading reports (上报记录): the review queue and an item's rounds, presented with their
attachments, their review and what changed since the round before."""
from sqlalchemy import func, select

from services.common.actor import Actor
from services.common.schemas import load

from .models import Attachment, Report
from .schemas import AttachmentOut, QueueQuery, ReportOut

QUEUE_QUERY, REPORT_OUT, ATTACHMENTS_OUT = QueueQuery(), ReportOut(), AttachmentOut(many=True)
# Evidence keys are compared one by one; these report fields are compared too.
COMPARED = ("performed_on", "attachments")


def finding_categories(findings):
    """``|送达部门遗漏|本人不表态|``: stored beside the findings so the queue filters in SQL."""
    return "".join(f"|{f['category']}" for f in findings) + "|" if findings else ""


def queue(session, actor: Actor, query):
    """审核队列: reports waiting, oldest first; by unit, decision, reform case, item, code or finding."""
    actor.require("reviewer", "leader", "admin")
    q = load(QUEUE_QUERY, query or {})
    stmt = select(Report).where(Report.state == "submitted")
    for column in (Report.unit_id, Report.decision_id, Report.reform_id, Report.item_id, Report.code):
        if q[column.key] is not None:
            stmt = stmt.where(column == q[column.key])
    if q["finding"]:
        stmt = stmt.where(Report.finding_categories.contains(f"|{q['finding']}|", autoescape=True))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(Report.submitted_at, Report.id)
                           .offset((q["page"] - 1) * q["per_page"]).limit(q["per_page"])).all()
    presented = present(session, rows)
    for row, report in zip(presented, rows):
        row["submitted_days_late"] = days_late(report)
    return presented, total


def days_late(report):
    """How late the report came in against its due date (0: on time), fixed when it was
    submitted: a report waiting for review has stopped the item's clock, so nothing here is
    counted from today (the item's light is green while it waits)."""
    if report.due_date is None or report.submitted_at is None:
        return None
    return max(0, (report.submitted_at.date() - report.due_date).days)


def reports_for_item(session, case, actor: Actor, item_id):
    """Every round reported on an item (scope checked by case: another unit's item is 404)."""
    case.get_item(actor.dump(), item_id)
    return present(session, reports_of(session, item_id), rounds=True)


def latest_reports(session, checklist, actor: Actor, item_ids):
    """What was reported on each item, for a filled document (以案促改整改报告): per item its last
    round, the evidence as ``[{key, label, text}]`` in its checklist's order and labels, its
    review, and how many rounds were rejected.  Within the actor's scope (another unit's items
    have no reports here)."""
    ids = [i for i in item_ids or () if isinstance(i, int) and not isinstance(i, bool)][:500]
    if not ids:
        return []
    rows = session.scalars(actor.scope(select(Report).where(Report.item_id.in_(ids)), Report.unit_id)
                           .order_by(Report.item_id, Report.round)).all()
    by_item = {}
    for report in rows:
        by_item.setdefault(report.item_id, []).append(report)
    out = []
    for item_id, reports in by_item.items():
        last = reports[-1]
        fields = {**(checklist.fields.get(last.code) or {}), **(checklist.common or {})}
        evidence = [{"key": key, "label": spec.get("label", key), "text": _text(last.evidence.get(key))}
                    for key, spec in fields.items() if last.evidence.get(key) not in (None, "", [])]
        out.append({"item_id": item_id, "code": last.code, "round": last.round, "state": last.state,
                    "performed_on": last.performed_on.isoformat(), "evidence": evidence,
                    "comment": last.comment or "",
                    "reviewed_at": last.reviewed_at.isoformat() if last.reviewed_at else None,
                    "rejections": sum(1 for r in reports if r.state == "rejected")})
    return out


def _text(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def reports_of(session, item_id):
    return session.scalars(select(Report).where(Report.item_id == item_id).order_by(Report.round)).all()


def present(session, reports, rounds=False, previous=None):
    """Reports as dicts with their attachments described; with ``rounds`` (one item's
    reports in order) or ``previous``, each names what changed since the round before."""
    described = _attachments(session, {a for r in reports for a in r.attachments or ()})
    out = []
    for n, report in enumerate(reports):
        before = reports[n - 1] if rounds and n else previous
        row = REPORT_OUT.dump(report)
        row["changes"] = changes(report, before) if before is not None else []
        row["attachments"] = [described.get(a, {"id": a}) for a in report.attachments or ()]
        out.append(row)
    return out


def changes(report, previous):
    """Evidence keys (and performed_on / attachments) that differ from the previous round."""
    keys = set(report.evidence) | set(previous.evidence)
    changed = {k for k in keys if report.evidence.get(k) != previous.evidence.get(k)}
    changed |= {f for f in COMPARED if getattr(report, f) != getattr(previous, f)}
    return sorted(changed)


def _attachments(session, ids):
    if not ids:
        return {}
    rows = session.scalars(select(Attachment).where(Attachment.id.in_(ids))).all()
    return {row["id"]: row for row in ATTACHMENTS_OUT.dump(rows)}
