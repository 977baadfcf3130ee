"""Automatic pre-checks (智能预审): the defects district reviewers found by hand, as plain
functions.  Each takes the report's facts and returns findings; they warn, the reviewer
decides.  No nameko, no SQL.
"""
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class ReportFacts:
    """What a check looks at: the item, its evidence and the decision it executes (a reform
    task's has no person, sanctions or gains: empty values)."""
    code: str
    evidence: dict
    performed_on: date
    due_date: date
    partners: tuple            # partner roles the rule book names for the item
    person_name: str
    political_status: str
    category: str
    sanctions: tuple           # ((kind, type), ...)
    illicit_amount: Decimal | None


def finding(category, message):
    return {"category": category, "message": message}


def announce_replaced_by_serving(facts, checklist):
    """以送达代替宣布: an announcement with no meeting behind it."""
    ev = facts.evidence
    scope = ev.get("scope") or ""
    too_few = (ev.get("attendance") or 0) < checklist.settings["meeting_min_attendance"]
    if too_few or "送达" in scope or not scope.strip():
        return [finding("以送达代替宣布", "宣布应召开会议并记录参会范围和人数，不能以送达代替宣布")]
    return []


def serving_missed_a_recipient(facts, checklist):
    """送达部门遗漏: the person and their unit (送达), or a required partner (抄送)."""
    recipients = " ".join(facts.evidence.get("recipients") or ())
    if facts.code == "SERVE":
        if facts.person_name not in recipients or len(facts.evidence.get("recipients") or ()) < 2:
            return [finding("送达部门遗漏", "处分决定应同时送达被处分人本人及其所在单位")]
        return []
    missing = [role for role in facts.partners
               if not any(word in recipients for word in checklist.partner_keywords.get(role, ()))]
    if missing:
        names = "、".join(checklist.partner_keywords[r][0] for r in missing if r in checklist.partner_keywords)
        return [finding("送达部门遗漏", f"抄送单位中缺少：{names}")]
    return []


def receipt_incomplete(facts, checklist):
    """证明材料不全: a service without the signed receipt or the unit's seal."""
    ev = facts.evidence
    missing = [label for key, label in (("receipt_signed", "本人签收回执"), ("unit_seal", "单位公章"))
               if ev.get(key) is False]
    if missing:
        return [finding("证明材料不全", f"送达回证缺少：{'、'.join(missing)}")]
    return []


def no_statement(facts, checklist):
    """本人不表态: an announcement without the person's statement (a refusal is recorded)."""
    ev = facts.evidence
    if not (ev.get("statement") or "").strip() and not ev.get("refused_to_sign"):
        return [finding("本人不表态", "宣布记录中缺少本人表态；拒绝表态或签字的应如实记录")]
    return []


def filed_late(facts, checklist):
    """投档不及时: filed into the personnel file after the due date."""
    filed = facts.evidence.get("filed_on")
    if filed and filed > facts.due_date:
        return [finding("投档不及时", f"归档日期 {filed} 晚于期限 {facts.due_date}")]
    return []


def report_late(facts, checklist):
    """执行不报告: the execution report came after its deadline."""
    reported = facts.evidence.get("reported_on") or facts.performed_on
    if reported > facts.due_date:
        return [finding("执行不报告", f"执行情况报告 {reported} 晚于期限 {facts.due_date}")]
    return []


def letters_late(facts, checklist):
    """两书落实不及时."""
    done = facts.evidence.get("implemented_on") or facts.performed_on
    if done > facts.due_date:
        return [finding("两书落实不及时", f"文书落实日期 {done} 晚于期限 {facts.due_date}")]
    return []


def rating_not_allowed(facts, checklist):
    """年度考核运用不规范: a grade the sanction rules out inside its impact period."""
    grade = facts.evidence.get("grade")
    for rule in checklist.rating_rules:
        applies = any((rule["kind"], t) in facts.sanctions for t in rule["types"])
        if not applies or ("categories" in rule and facts.category not in rule["categories"]):
            continue
        if grade in rule.get("forbidden", ()) or ("only" in rule and grade not in rule["only"]):
            allowed = "、".join(rule["only"]) if "only" in rule else f"不得评为{'、'.join(rule['forbidden'])}"
            return [finding("年度考核运用不规范", f"影响期内考核等次应为：{allowed}（所报：{grade}）")]
    return []


def gains_not_recovered(facts, checklist):
    """违纪所得未退缴: less recovered than ordered (or than the decision's amount)."""
    ev = facts.evidence
    ordered = max(Decimal(ev.get("amount_ordered") or 0), facts.illicit_amount or Decimal(0))
    recovered = Decimal(ev.get("amount_recovered") or 0)
    if recovered < ordered:
        return [finding("违纪所得未退缴", f"应收缴退赔 {ordered:.2f} 元，已收缴 {recovered:.2f} 元")]
    return []


# -- 以案促改 (reform tasks) ---------------------------------------------------------------
def leaders_absent(facts, checklist):
    """领导班子未到会: a warning-education or special democratic-life meeting without the
    unit's leading group present is not the meeting the suggestion asks for."""
    ev = facts.evidence
    if not ev.get("leaders_present"):
        return [finding("领导班子未到会", "会议应有单位领导班子成员到会，未到会的不能视为已召开")]
    if "attendance" in ev and (ev.get("attendance") or 0) < checklist.settings["meeting_min_attendance"]:
        return [finding("领导班子未到会", f"参会人数 {ev.get('attendance')} 人，不能视为已召开会议")]
    return []


def no_measures_listed(facts, checklist):
    """未列明整改措施: a rectification report (or plan) that lists no measure."""
    if not [m for m in facts.evidence.get("measures") or () if str(m).strip()]:
        return [finding("未列明整改措施", "报告未逐项列明整改措施及完成情况")]
    return []


def measures_without_deadline(facts, checklist):
    """整改措施无完成时限: a rectification plan whose measures do not each state a deadline."""
    pattern = re.compile(checklist.settings["measure_deadline_pattern"])
    missing = [m for m in facts.evidence.get("measures") or () if not pattern.search(str(m))]
    if missing:
        shown = "；".join(str(m) for m in missing[:3]) + ("……" if len(missing) > 3 else "")
        return [finding("整改措施无完成时限", f"{len(missing)} 项整改措施未写明完成时限：{shown}")]
    return []


CHECKS = {
    "SERVE": (serving_missed_a_recipient, receipt_incomplete),
    "ANNOUNCE": (announce_replaced_by_serving, no_statement),
    "COPY": (serving_missed_a_recipient,),
    "ARCHIVE": (filed_late,),
    "REPORT": (report_late,),
    "LETTERS": (letters_late,),
    "RATING": (rating_not_allowed,),
    "ASSETS": (gains_not_recovered,),
    "RF_WARNING": (leaders_absent,),
    "RF_LIFE_MEETING": (leaders_absent,),
    "RF_PLAN": (no_measures_listed, measures_without_deadline),
    "RF_REPORT": (no_measures_listed,),
}


def precheck(facts: ReportFacts, checklist):
    """Every finding for a report, in check order."""
    return [f for check in CHECKS.get(facts.code, ()) for f in check(facts, checklist)]
