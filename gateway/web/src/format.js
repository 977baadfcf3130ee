// Dates, countdowns and names as the pages write them.
import { LIGHTS, SANCTION_KINDS, label } from './labels.js';

const DAY_MS = 86400000;

export function todayIso() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

export function daysBetween(fromIso, toIso) {
  return Math.round((Date.parse(`${toIso}T00:00:00Z`) - Date.parse(`${fromIso}T00:00:00Z`)) / DAY_MS);
}

export function date(value) {
  return value ? String(value).slice(0, 10) : '—';
}

/** A server instant (ISO; naive ones are UTC) in the reader's local time: 2026-03-01 09:30. */
export function dateTime(value) {
  if (!value) return '—';
  const text = String(value);
  if (!/T\d\d:\d\d/.test(text)) return text.slice(0, 16);
  const instant = new Date(/(Z|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text}Z`);
  if (Number.isNaN(instant.getTime())) return text.replace('T', ' ').slice(0, 16);
  const local = new Date(instant.getTime() - instant.getTimezoneOffset() * 60000).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)}`;
}

/**
 * 剩余 N 天 / 今日到期 / 已超期 N 天 from the server's days_left (counted on the platform's
 * date), or from the due date when the server gave none.
 */
export function countdownText(daysLeft, dueDate) {
  let left = daysLeft;
  if (left === null || left === undefined) {
    if (!dueDate) return '';
    left = daysBetween(todayIso(), String(dueDate).slice(0, 10));
  }
  if (left > 0) return `剩余 ${left} 天`;
  if (left === 0) return '今日到期';
  return `已超期 ${-left} 天`;
}

export function lightName(value) {
  return label(LIGHTS, value);
}

export function sanctionText(s) {
  const kind = s.kind === 'party' ? '党纪' : s.kind === 'government' ? '政务' : label(SANCTION_KINDS, s.kind);
  return `${kind}${s.type}${s.months ? `（${s.months}个月）` : ''}`;
}

/** 身份证号 shown as 3201**********0015 until asked for. */
export function maskId(value) {
  return value && value.length > 8 ? value.slice(0, 4) + '*'.repeat(value.length - 8) + value.slice(-4) : value || '—';
}

export function percent(rate) {
  return rate === null || rate === undefined || Number.isNaN(rate) ? '—' : `${Math.round(rate * 1000) / 10}%`;
}

/** 《政务处分法》: the regulation's title without the state's or the party's prefix. */
export function shortTitle(title) {
  return String(title || '').replace(/^(中华人民共和国|中国共产党)/, '');
}

/** 第四十六条 → the article number the library takes, or the number as is. */
export function articleLabel(article, sub) {
  return sub ? `第${article}条之${sub}` : `第${article}条`;
}

/**
 * A search snippet with <em>…</em> around the hits, as segments [{text, hit}]: the page shows
 * them as text, never as markup.
 */
export function snippetParts(snippet) {
  const parts = [];
  const pattern = /<em>([\s\S]*?)<\/em>/g;
  let last = 0;
  let match;
  const text = String(snippet || '');
  while ((match = pattern.exec(text))) {
    if (match.index > last) parts.push({ text: text.slice(last, match.index), hit: false });
    parts.push({ text: match[1], hit: true });
    last = pattern.lastIndex;
  }
  if (last < text.length) parts.push({ text: text.slice(last), hit: false });
  return parts.map((p) => ({ ...p, text: p.text.replace(/<[^>]*>/g, '') }));
}
