"""Document templates (文书模板): .docx files filled from a decision or a reform case with docxtpl.

The catalogue (``templates/catalog.yaml``) names each template and what it is filled from
(``subject``: a decision, or a reform case 以案促改); :func:`context` turns the decision dict of
the case service into the fields the templates use (dates in Chinese style, sums in capitals,
legal bases as 《title》第X条 with their text), :func:`reform_context` a reform case with its
decisions, its tasks and what each task's report said; :func:`render` fills one template in a
sandboxed, auto-escaping Jinja environment (templates are data a district may replace, so they
are not trusted).
"""
import io
from dataclasses import dataclass
from pathlib import Path

import yaml
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

from .corpus import parse_article_ref
from .numerals import amount_cn, date_cn, months_cn

FOLDER = Path(__file__).parent / "templates"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

KIND_LABELS = {"party": "党纪处分", "government": "政务处分"}
PERIOD_LABELS = {"party": "党纪处分影响期", "government": "政务处分期"}
STATE_LABELS = {"locked": "未开启", "open": "办理中", "submitted": "已上报待审核",
                "approved": "已审核通过", "rejected": "已驳回整改"}
PARTNER_NAMES = {"organization": "同级党委组织部", "united_front": "同级党委统战部",
                 "hr": "组织人事部门", "finance": "财政部门"}
BLANK = "　　　　"


SUBJECTS = ("decision", "reform")


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    file: str
    description: str = ""
    item: str | None = None
    subject: str = "decision"     # what it is filled from: a decision, or a reform case (以案促改)

    def summary(self):
        return {"id": self.id, "name": self.name, "description": self.description,
                "item": self.item, "subject": self.subject, "format": "docx"}


def load_catalog(folder=FOLDER):
    """{id: Template} from ``catalog.yaml``; every listed file must exist."""
    folder = Path(folder)
    entries = yaml.safe_load((folder / "catalog.yaml").read_text(encoding="utf-8")) or []
    catalog = {}
    for entry in entries:
        template = Template(id=entry["id"], name=entry["name"], file=entry["file"],
                            description=entry.get("description", ""), item=entry.get("item"),
                            subject=entry.get("subject", "decision"))
        if template.subject not in SUBJECTS:
            raise ValueError(f"template {template.id}: subject must be one of {SUBJECTS}")
        if not (folder / template.file).is_file():
            raise FileNotFoundError(f"template {template.id}: {folder / template.file} is missing")
        catalog[template.id] = template
    return catalog


# -- the fields a template may use -----------------------------------------------------
def context(decision, corpus, today, unit_names=None, sanction_bases=None, doc_number=None):
    """Template fields for one decision.

    ``corpus`` resolves legal-basis references; ``sanction_bases`` maps
    ``(kind, type)`` to the rule book's references for that sanction; ``unit_names`` maps a
    unit id (as text) to its name."""
    person = decision.get("person") or {}
    unit_name = (unit_names or {}).get(str(person.get("unit_id") or decision.get("unit_id")), "")
    items = [_item(item, corpus) for item in sorted(decision.get("items") or [],
                                                   key=lambda i: i.get("seq") or 0)]
    by_code = {item["code"]: item for item in items}
    periods = [_period(p) for p in decision.get("impact_periods") or []]
    sanctions = [_sanction(s) for s in decision.get("sanctions") or []]
    gains = _gains(decision.get("illicit_gains"))
    org = "、".join(decision.get("org_handling") or [])
    return {
        "doc": {"number": doc_number or f"〔{today.year}〕{BLANK}号", "date_cn": date_cn(today)},
        "decision": {"id": decision.get("id"), "doc_number": decision.get("doc_number") or "",
                     "decided_by": decision.get("decided_by") or "",
                     "decision_date": decision.get("decision_date") or "",
                     "decision_date_cn": date_cn(decision.get("decision_date")),
                     "facts": decision.get("facts") or "", "status": decision.get("status") or ""},
        "person": _person(person, unit_name),
        "sanctions": sanctions,
        "sanctions_text": "、".join(s["text"] for s in sanctions) or "处分",
        "periods": periods,
        "periods_text": "；".join(p["text"] for p in periods) or "无影响期",
        "probation_text": next((p["span"] for p in periods if p["sanction_type"] == "留党察看"), ""),
        "restrictions_text": _restrictions(decision.get("sanctions") or [], corpus, sanction_bases),
        "gains": gains,
        "gains_text": gains["text"],
        "gains_sentence": (f"对违纪违法所得人民币{gains['amount']}元（{gains['amount_cn']}）"
                           f"予以{gains['disposition']}。") if gains["present"] else "",
        "org_handling_text": org or "无",
        "org_handling_sentence": f"同时给予{org}的组织处理。" if org else "",
        "letters_text": "、".join(decision.get("letters") or []) or "无",
        "facts_brief": _brief(decision.get("facts")),
        "items": items,
        "items_text": "；".join(f"{i['name']}（{i['due_date_cn']}前）" for i in items) or "按规定办理",
        "copy_to": _copy_to(by_code.get("COPY"), person),
        "serve_due_cn": by_code.get("SERVE", {}).get("due_date_cn", ""),
        "archive_due_cn": by_code.get("ARCHIVE", {}).get("due_date_cn", ""),
        "treatment_due_cn": by_code.get("TREATMENT", {}).get("due_date_cn", ""),
        "assets_due_cn": by_code.get("ASSETS", {}).get("due_date_cn", ""),
        "report_due_cn": by_code.get("REPORT", {}).get("due_date_cn", ""),
        "treatment_basis": by_code.get("TREATMENT", {}).get("basis_text", ""),
        "restore_basis": by_code.get("RESTORE", {}).get("basis_text", ""),
        "today_cn": date_cn(today),
    }


def reform_context(reform, corpus, today, unit_names=None, reports=None, doc_number=None):
    """Template fields for one reform case (以案促改整改报告): the case, the decisions it arises
    from, its tasks in order with their state, dates and legal basis, and what each task's last
    report said (``reports``: review's ``latest_reports``, ``[{item_id, evidence: [{label, text}],
    performed_on, state, rejections}]``)."""
    unit_name = (unit_names or {}).get(str(reform.get("unit_id")), "") or "我单位"
    said = {r.get("item_id"): r for r in reports or ()}
    decisions = [_reform_decision(d) for d in reform.get("decisions") or []]
    tasks = [_task(task, corpus, said.get(task.get("id"))) for task in
             sorted(reform.get("items") or [], key=lambda i: i.get("seq") or 0)]
    people = "、".join(dict.fromkeys(d["person_name"] for d in decisions if d["person_name"]))
    if decisions:
        cases_text = (f"针对我单位{people}违纪违法案件（{'、'.join(d['doc_number'] for d in decisions)}）"
                      f"暴露出的问题")
    else:
        cases_text = "针对我单位在廉政建设、监督管理、制度执行等方面存在的问题"
    issuer = next((d["decided_by"] for d in decisions if d["decided_by"]), "") or f"{BLANK}纪委监委"
    done = [t for t in tasks if t["state"] == "approved"]
    return {
        "doc": {"number": doc_number or f"〔{today.year}〕{BLANK}号", "date_cn": date_cn(today)},
        "unit": {"id": reform.get("unit_id"), "name": unit_name},
        "reform": {"id": reform.get("id"), "basis": reform.get("basis") or "",
                   "doc_number": reform.get("doc_number") or "", "issued_on": reform.get("issued_on") or "",
                   "issued_on_cn": date_cn(reform.get("issued_on")), "due_date_cn": date_cn(reform.get("due_date")),
                   "requirements": reform.get("requirements") or "", "status": reform.get("status") or "",
                   "issuer": issuer, "cases_text": cases_text,
                   "deadline_text": (f"要求于{date_cn(reform.get('due_date'))}前整改到位"
                                     if reform.get("due_date") else "未规定统一的整改期限")},
        "decisions": decisions,
        "decisions_text": "；".join(f"{d['person_name']}（{d['doc_number']}，{d['sanctions_text']}）"
                                    for d in decisions) or "无（针对单位本身的监察建议）",
        "tasks": tasks,
        "items": tasks,
        "tasks_text": "；".join(f"{t['name']}（{t['state_label']}）" for t in tasks),
        "progress_text": f"共{len(tasks)}项整改任务，已审核通过{len(done)}项",
        "today_cn": date_cn(today),
    }


def _reform_decision(decision):
    person = decision.get("person") or {}
    sanctions = [_sanction(s) for s in decision.get("sanctions") or []]
    return {"id": decision.get("id"), "doc_number": decision.get("doc_number") or "",
            "decided_by": decision.get("decided_by") or "",
            "decision_date_cn": date_cn(decision.get("decision_date")),
            "person_name": person.get("name") or "", "person_post": person.get("post") or "",
            "sanctions_text": "、".join(s["text"] for s in sanctions) or "处分"}


def _task(task, corpus, report):
    row = _item(task, corpus)
    evidence = (report or {}).get("evidence") or []
    row.update(
        performed_on_cn=date_cn(report.get("performed_on")) if report else "",
        report_text="；".join(f"{e['label']}：{e['text']}" for e in evidence) if report else "尚未上报",
        rejections=(report or {}).get("rejections") or 0,
        rejections_text=f"（经{report['rejections']}次驳回整改）" if report and report.get("rejections") else "")
    return row


def _person(person, unit_name):
    party = person.get("democratic_party")
    status = person.get("political_status") or ""
    return {"name": person.get("name") or "", "gender": person.get("gender") or "",
            "post": person.get("post") or "", "unit_id": person.get("unit_id"),
            "unit_name": unit_name or "所在单位", "political_status": status,
            "democratic_party": party or "",
            "political_label": f"{party}成员" if party else status,
            "category": person.get("category") or "",
            "id_number_masked": _mask(person.get("id_number"))}


def _mask(id_number):
    return f"{id_number[:6]}********{id_number[-4:]}" if id_number and len(id_number) == 18 else ""


def _sanction(sanction):
    months = sanction.get("months")
    kind = KIND_LABELS.get(sanction.get("kind"), "处分")
    text = f"{sanction.get('type', '')}{months_cn(months) if months else ''}"
    return {"kind": sanction.get("kind"), "kind_label": kind, "type": sanction.get("type", ""),
            "months": months, "text": f"{text}（{kind}）"}


def _period(period):
    span = (f"{date_cn(period.get('starts_on'))}至{date_cn(period.get('ends_on'))}"
            f"（{months_cn(period.get('months'))}）")
    label = PERIOD_LABELS.get(period.get("kind"), "影响期")
    return {"kind": period.get("kind"), "kind_label": label,
            "sanction_type": period.get("sanction_type", ""),
            "starts_on_cn": date_cn(period.get("starts_on")),
            "ends_on_cn": date_cn(period.get("ends_on")), "months_cn": months_cn(period.get("months")),
            "span": span, "text": f"{label}（{period.get('sanction_type', '')}）自{span}"}


def _gains(gains):
    if not gains:
        return {"present": False, "amount": "", "amount_cn": "", "disposition": "", "text": "无"}
    amount = str(gains.get("amount") or "")
    capitals = amount_cn(amount)
    return {"present": True, "amount": amount, "amount_cn": capitals,
            "disposition": gains.get("disposition") or "",
            "text": f"人民币{amount}元（{capitals}），{gains.get('disposition') or ''}"}


def _item(item, corpus):
    return {"seq": item.get("seq"), "code": item.get("code"), "name": item.get("name") or "",
            "state": item.get("state"), "state_label": STATE_LABELS.get(item.get("state"), ""),
            "opens_on_cn": date_cn(item.get("opens_on")),
            "due_date": item.get("due_date") or "", "due_date_cn": date_cn(item.get("due_date")),
            "basis_text": "；".join(cite(ref, corpus) for ref in item.get("legal_basis") or []),
            "partners": list(item.get("partners") or [])}


def cite(ref, corpus):
    """《title》第X条 for a legal-basis reference (the reference as written if unresolved)."""
    try:
        number, sub = parse_article_ref(ref.get("article"))
    except (ValueError, AttributeError):
        return str(ref)
    regulation = corpus.get(str(ref.get("regulation")))
    article = regulation.article(number, sub) if regulation else None
    if article is None:
        return f"{ref.get('regulation')} 第{ref.get('article')}条"
    return f"《{regulation.title}》{article.label}"


def _restrictions(sanctions, corpus, sanction_bases):
    """Each sanction's legal basis with the article's text (影响期内的限制)."""
    parts = []
    for sanction in sanctions:
        for ref in (sanction_bases or {}).get((sanction.get("kind"), sanction.get("type")), []):
            regulation = corpus.get(str(ref.get("regulation")))
            try:
                article = regulation.article(*parse_article_ref(ref.get("article"))) if regulation else None
            except ValueError:
                article = None
            if article is not None:
                parts.append(f"{cite(ref, corpus)}：{article.text.replace(chr(10), '')}")
    return "；".join(dict.fromkeys(parts)) or "按照有关规定执行。"


def _copy_to(copy_item, person):
    partners = (copy_item or {}).get("partners") or ["organization"]
    names = [PARTNER_NAMES.get(p, p) for p in partners]
    if person.get("democratic_party"):
        names.append(f"{person['democratic_party']}相关组织")
    return "、".join(dict.fromkeys(names))


def _brief(facts):
    text = (facts or "").strip().replace("\n", "")
    first = text.split("。")[0]
    return (first[:60] + "……") if len(first) > 60 else (first or "违纪违法")


# -- rendering --------------------------------------------------------------------------
def render(template, fields, folder=FOLDER):
    """The filled .docx of ``template`` as bytes."""
    document = DocxTemplate(str(Path(folder) / template.file))
    document.render(fields, jinja_env=SandboxedEnvironment(autoescape=True), autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def file_name(template, fields):
    if "reform" in fields:
        return f"{template.name}-{fields['reform']['doc_number'] or fields['reform']['id']}.docx"
    return f"{template.name}-{fields['person']['name'] or fields['decision']['id']}.docx"
