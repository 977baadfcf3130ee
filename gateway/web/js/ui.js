// Shared pieces of the pages: badges, lights, countdowns, legal references, paging, loading.
import { api, listOf } from './api.js';
import { h, replace, notice } from './dom.js';
import { ITEM_STATES, LIGHTS, REGULATION_SHORT, label } from './labels.js';

export function stateBadge(state, labels = ITEM_STATES) {
  return h('span', { class: `badge state-${state}` }, label(labels, state));
}

/** A coloured light with its name as text (colour is never the only signal). */
export function light(value) {
  if (!value) return h('span', { class: 'muted' }, '—');
  return h('span', { class: `light light-${value}` }, h('span', { class: 'dot', 'aria-hidden': 'true' }), label(LIGHTS, value));
}

const DAY_MS = 86400000;
export function todayIso() {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}
export function daysBetween(fromIso, toIso) {
  return Math.round((Date.parse(toIso + 'T00:00:00Z') - Date.parse(fromIso + 'T00:00:00Z')) / DAY_MS);
}

/** 剩余 N 天 / 今日到期 / 已超期 N 天 for an item still to be done; nothing once it is done. */
export function countdown(dueDate, state) {
  if (!dueDate || state === 'approved') return null;
  const left = daysBetween(todayIso(), dueDate);
  if (left > 0) return h('span', { class: 'countdown' }, `剩余 ${left} 天`);
  if (left === 0) return h('span', { class: 'countdown due-today' }, '今日到期');
  return h('span', { class: 'countdown overdue' }, `已超期 ${-left} 天`);
}

export function date(value) { return value ? String(value).slice(0, 10) : '—'; }

/**
 * 回复期限 of a notice: the date, and while no answer has come how it stands; a date already
 * past is highlighted (class overdue, and its words say so: colour is never the only signal).
 */
export function replyDue(due, answered) {
  if (!due) return null;
  return h('span', { class: !answered && isPast(due) ? 'reply-due overdue' : 'reply-due' }, date(due),
    answered ? null : [' ', countdown(String(due).slice(0, 10), 'open')]);
}

/** A date (YYYY-MM-DD…) before today. */
export function isPast(day) { return Boolean(day) && String(day).slice(0, 10) < todayIso(); }

/**
 * The client's own page for a notice's `link` (#/items/7, or an API or web path ending in
 * items/7 or decisions/3), or null.  Only these two routes are ever produced, so a link from
 * the server can never become a javascript: or foreign address.
 */
export function clientRoute(link) {
  const found = /(?:^|[/#])(items|decisions)\/(\d+)\/?(?:[?#].*)?$/.exec(String(link ?? ''));
  return found ? `#/${found[1]}/${found[2]}` : null;
}

/** A server instant (ISO; naive ones are UTC) in the reader's local time: 2021-03-01 09:30. */
export function dateTime(value) {
  if (!value) return '—';
  const text = String(value);
  if (!/T\d\d:\d\d/.test(text)) return text.slice(0, 16);
  const instant = new Date(/(Z|[+-]\d\d:?\d\d)$/.test(text) ? text : text + 'Z');
  if (Number.isNaN(instant.getTime())) return text.replace('T', ' ').slice(0, 16);
  const local = new Date(instant.getTime() - instant.getTimezoneOffset() * 60000).toISOString();
  return local.slice(0, 10) + ' ' + local.slice(11, 16);
}

let unitsPromise = null;
/** Every unit by id (any signed-in user may read them). */
export function units() {
  unitsPromise = unitsPromise || api.get('/units').then((b) => new Map(listOf(b).items.map((u) => [u.id, u])))
    .catch((err) => { unitsPromise = null; throw err; });
  return unitsPromise;
}
export function forgetUnits() { unitsPromise = null; }
export async function unitName(id) {
  if (id === null || id === undefined) return '—';
  try { return (await units()).get(id)?.name || `单位 #${id}`; } catch { return `单位 #${id}`; }
}

let regulationsPromise = null;
function regulationTitles() {
  regulationsPromise = regulationsPromise || api.get('/library/regulations')
    .then((b) => new Map(listOf(b).items.map((r) => [r.id ?? r.regulation_id, r.title])))
    .catch(() => new Map());
  return regulationsPromise;
}
function shortTitle(id, titles) {
  if (REGULATION_SHORT[id]) return REGULATION_SHORT[id];
  const title = titles.get(id);
  return title ? title.replace(/^(中华人民共和国|中国共产党)/, '') : id;
}

/** 《政务处分法》第46条 buttons; a click loads the article's text from the library below them. */
export function legalBasis(refs) {
  const box = h('div', { class: 'legal' });
  if (!refs || !refs.length) return box;
  const reader = h('div', { class: 'article-text', hidden: true, 'aria-live': 'polite' });
  const buttons = refs.map((ref) => {
    const button = h('button', { type: 'button', class: 'link-button', 'aria-expanded': 'false' },
      `${ref.regulation}第${ref.article}条`);
    regulationTitles().then((titles) => { button.textContent = `《${shortTitle(ref.regulation, titles)}》第${ref.article}条`; });
    button.addEventListener('click', () => showArticle(ref, button, reader, box));
    return button;
  });
  box.append(...buttons, reader);
  return box;
}

async function showArticle(ref, button, reader, box) {
  const open = button.getAttribute('aria-expanded') === 'true';
  box.querySelectorAll('button[aria-expanded]').forEach((b) => b.setAttribute('aria-expanded', 'false'));
  if (open) { reader.hidden = true; return; }
  button.setAttribute('aria-expanded', 'true');
  reader.hidden = false;
  replace(reader, h('span', { class: 'muted' }, '正在载入条文…'));
  try {
    const article = await api.get(`/library/regulations/${encodeURIComponent(ref.regulation)}/articles/${encodeURIComponent(ref.article)}`);
    replace(reader, articleBody(article, button.textContent));
  } catch (err) {
    replace(reader, problem(err, '条文'));
  }
}

/** An article as the library returns it: paragraphs (款) or one text. */
export function articleBody(article, heading) {
  const paragraphs = article.paragraphs || (article.text ? String(article.text).split('\n') : []);
  return h('div', null,
    h('div', { class: 'article-head' }, heading || `${article.title || article.regulation_title || ''} ${article.label || ''}`),
    paragraphs.length ? paragraphs.map((p) => h('p', null, typeof p === 'string' ? p : p.text)) : h('p', { class: 'muted' }, '（无条文内容）'));
}

/** A message for a failed request: routes still being built say so plainly. */
export function problem(err, what = '该功能') {
  if (err && err.unavailable) return notice('info', `${what}暂未开放：相关服务正在建设中，请稍后再试。`);
  return notice('error', (err && err.message) || '加载失败');
}

/** Run `work` into `container` with a loading line and a readable failure. */
export async function load(container, work, what) {
  replace(container, h('p', { class: 'muted loading' }, '正在加载…'));
  try {
    const nodes = await work();
    replace(container, nodes);
  } catch (err) {
    replace(container, problem(err, what));
  }
}

/**
 * A page listing one resource: heading, a line of explanation (and `extra` nodes, e.g. tabs),
 * rows drawn by `draw(rows, unitMap, body)`; `body` is the whole answer (total, unread…).
 */
export async function listPage(root, { title, intro, path, query, what, extra }, draw) {
  const box = h('div');
  root.append(...[pageTitle(title), h('p', { class: 'muted' }, intro), extra, box].filter(Boolean));
  await load(box, async () => {
    const [body, unitMap] = await Promise.all([api.get(path, query), units().catch(() => new Map())]);
    return draw(listOf(body).items, unitMap, body);
  }, what);
}

/** 共 N 条 · 上一页 / 下一页. */
export function pager(page, perPage, total, go) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  return h('nav', { class: 'pager', 'aria-label': '分页' },
    h('span', null, `共 ${total} 条，第 ${page} / ${pages} 页`),
    h('button', { type: 'button', disabled: page <= 1, onclick: () => go(page - 1) }, '上一页'),
    h('button', { type: 'button', disabled: page >= pages, onclick: () => go(page + 1) }, '下一页'));
}

/** The page heading, focused after navigation so screen readers announce the new page. */
export function pageTitle(text, ...extra) {
  return h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, text), ...extra);
}

export function link(href, text) { return h('a', { href }, text); }
