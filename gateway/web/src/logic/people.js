// 人员查询, 人员详情 and 影响期查询: what the pages say about a person's impact periods and
// what they rule out.  The purposes and their names come from the rule book (GET /rulebook →
// restrictions); the answer's dates follow the server's: a period is [starts_on, ends_on) and
// an `until` is the first day the purpose is allowed again (期满之日), never the last day barred.
import { SANCTION_KINDS, label } from '../labels.js';
import { idNumberProblem } from './register.js';

export { idNumberProblem };

export const ID_SUFFIX_MIN = 4;

// How firm a rule is (the rule book's `source`), as a reader says it.
export const RULE_SOURCES = {
  F: '法规条文明确规定',
  S: '据权威解读（原文未收入资料袋）',
  P: '本地区工作惯例',
  I: '平台默认口径',
};

// 党员权利 of a 留党察看 (standing.party_rights.state).
export const PARTY_RIGHTS_STATES = { on_probation: '留党察看期间', awaiting_restore: '待恢复党员权利', restored: '已恢复党员权利' };

/** The search box's problem in plain Chinese, or null: a name, a full 身份证号 or its last 4+ digits. */
export function searchProblem(value) {
  const text = String(value || '').trim().toUpperCase();
  if (!text) return '请输入姓名或身份证号';
  if (text.length > 64) return '查询内容不超过64个字';
  if (/^[\dX]+$/.test(text) && text.length < ID_SUFFIX_MIN) return `按身份证号查询至少输入后${ID_SUFFIX_MIN}位`;
  return null;
}

/** The purposes the check asks about, in the rule book's order: [{id, name}]. */
export function purposesOf(book) {
  const list = book?.restrictions?.purposes;
  if (Array.isArray(list)) return list.filter((p) => p && p.id && p.name).map((p) => ({ id: p.id, name: p.name }));
  if (list && typeof list === 'object') return Object.entries(list).map(([id, name]) => ({ id, name }));
  return [];
}

/** May this user ask the check?  Partners only of the roles the rule book names (restrictions.partners). */
export function mayCheck(user, unit, book) {
  if (!user) return false;
  if (['reviewer', 'leader'].includes(user.role)) return true;
  if (user.role !== 'partner') return false;
  const partners = book?.restrictions?.partners;
  if (!Array.isArray(partners) || !unit) return true;      // not known yet: the server decides
  return partners.includes(unit.partner_role);
}

/**
 * One purpose's answer as the page says it: {allowed, tag, type (for the tag's colour), text}.
 * `until` is the first day allowed again; an open end is 长期 or waits for the restore of the
 * member's rights (not before `not_before`).
 */
export function verdict(answer) {
  const name = answer?.name || '该事项';
  if (!answer || answer.allowed) {
    return { allowed: true, tag: '不受限制', type: 'success', text: `${name}不受影响期限制` };
  }
  if (answer.open_ended === 'permanent') {
    return { allowed: false, tag: '长期', type: 'danger', text: `${name}长期受限，不随期限届满解除` };
  }
  if (answer.open_ended === 'restore') {
    const earliest = answer.not_before ? `，最早自 ${answer.not_before} 起` : '';
    return { allowed: false, tag: '待恢复党员权利', type: 'danger',
      text: `${name}受限，须经党组织决定恢复党员权利后方可解除${earliest}` };
  }
  if (answer.until) {
    return { allowed: false, tag: `${answer.until} 起可以`, type: 'danger',
      text: `${name}受限，自 ${answer.until} 起不再受限（${answer.until} 为解除限制的第一天）` };
  }
  return { allowed: false, tag: '受限', type: 'danger', text: `${name}受限` };
}

/** 法规条文 links of an answer (the binding basis first, then the others), each {to, regulation, article}. */
export function basisLinks(answer) {
  const refs = [];
  for (const ref of [answer?.basis, ...(answer?.bases || [])]) {
    if (!ref || !ref.regulation || ref.article === undefined || ref.article === null) continue;
    if (refs.some((r) => r.regulation === ref.regulation && String(r.article) === String(ref.article))) continue;
    refs.push({ regulation: ref.regulation, article: ref.article,
      to: `/library/${encodeURIComponent(ref.regulation)}/${encodeURIComponent(ref.article)}` });
  }
  return refs;
}

export function sourceName(code) {
  return label(RULE_SOURCES, code, '');
}

/** The check's headline: whether the platform knows the person and whether the day is in a period. */
export function checkSummary(body) {
  if (!body) return '';
  if (!body.known) return `平台未登记身份证号 ${body.id_number} 的处分决定，${body.on} 不在影响期内`;
  if (!body.in_impact_period) return `身份证号 ${body.id_number} 于 ${body.on} 不在影响期内`;
  return `身份证号 ${body.id_number} 于 ${body.on} 处于影响期内`;
}

/** A rating check asks about an assessment year: its 31 December, or null when `on` is one. */
export function ratingDay(purpose, on) {
  if (purpose !== 'rating' || !/^\d{4}-\d\d-\d\d$/.test(String(on || ''))) return null;
  const yearEnd = `${String(on).slice(0, 4)}-12-31`;
  return on === yearEnd ? null : yearEnd;
}

/** 党纪处分 记过 → 政务记过 as the periods name a sanction. */
export function periodName(period) {
  const kind = period?.kind === 'party' ? '党纪' : period?.kind === 'government' ? '政务' : label(SANCTION_KINDS, period?.kind, '');
  return `${kind}${period?.sanction_type || ''}`;
}

/** The party rights line of the standing, or '' when the person has no rights waiting for a restore. */
export function partyRightsText(rights) {
  if (!rights || !rights.state) return '';
  const what = rights.sanction_type ? `（${rights.sanction_type}）` : '';
  if (rights.state === 'on_probation') return `察看期内${what}，察看期至 ${rights.period_ends_on || '—'} 届满`;
  if (rights.state === 'awaiting_restore') return `察看期已于 ${rights.period_ends_on || '—'} 届满${what}，待党组织决定恢复党员权利`;
  if (rights.state === 'restored') return `已于 ${rights.restored_on || '—'} 恢复党员权利${what}`;
  return '';
}

const DAY_MS = 86400000;
const dayOf = (iso) => Date.parse(`${String(iso).slice(0, 10)}T00:00:00Z`);

/**
 * The timeline of a person's impact periods: one bar per period on a common axis, {left, width}
 * in percent, with the period it was stacked on (by its 文号 and sanction) and whether it has
 * ended; `today` as a marker (null when off the axis); the axis' first and last day.
 */
export function timeline(periods, today) {
  const dated = (periods || []).filter((p) => p && p.starts_on && p.ends_on);
  if (!dated.length) return { bars: [], start: null, end: null, today: null };
  const start = Math.min(...dated.map((p) => dayOf(p.starts_on)));
  const end = Math.max(...dated.map((p) => dayOf(p.ends_on)));
  const span = Math.max(end - start, DAY_MS);
  const pct = (t) => Math.round(((t - start) / span) * 10000) / 100;
  const byId = new Map(dated.map((p) => [p.id, p]));
  const bars = [...dated].sort((a, b) => a.starts_on.localeCompare(b.starts_on) || (a.id || 0) - (b.id || 0)).map((p) => {
    const base = p.stacked_on !== null && p.stacked_on !== undefined ? byId.get(p.stacked_on) : null;
    const left = pct(dayOf(p.starts_on));
    return {
      key: p.id, name: periodName(p), doc_number: p.doc_number || '', starts_on: p.starts_on, ends_on: p.ends_on,
      left, width: Math.max(pct(dayOf(p.ends_on)) - left, 0.5),
      ended: today ? dayOf(p.ends_on) <= dayOf(today) : Boolean(p.ended),
      stacked: Boolean(p.stacked),
      stackedOn: base ? `${base.doc_number ? `${base.doc_number} ` : ''}${periodName(base)}` : '',
      note: p.stacked ? (base ? `叠加于 ${base.doc_number ? `${base.doc_number} ` : ''}${periodName(base)} 的影响期之后` : '与此前的影响期叠加计算') : '',
    };
  });
  const now = today ? dayOf(today) : null;
  return {
    bars,
    start: new Date(start).toISOString().slice(0, 10),
    end: new Date(end).toISOString().slice(0, 10),
    today: now !== null && now >= start && now <= end ? pct(now) : null,
  };
}

/** A search row's 影响期 cell: {tag, type}. */
export function periodTag(row) {
  if (row?.in_impact_period) return { tag: row.until ? `影响期内，${row.until} 届满` : '影响期内', type: 'danger' };
  return { tag: '不在影响期内', type: 'info' };
}
