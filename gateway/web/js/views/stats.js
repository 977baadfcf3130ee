// 统计: decisions and items counted by one dimension at a time, and the review figures.
import { api } from '../api.js';
import { h, section, table } from '../dom.js';
import { DECISION_STATUSES, ITEM_STATES, label } from '../labels.js';
import { load, pageTitle, units } from '../ui.js';

const DECISION_DIMENSIONS = { unit: '按单位', sanction: '按处分种类', status: '按执行状态', month: '按月份', year: '按年度' };
const ITEM_DIMENSIONS = { state: '按状态', code: '按事项', unit: '按单位' };

export async function render(root, { query, go }) {
  const by = query.get('by') in DECISION_DIMENSIONS ? query.get('by') : 'unit';
  const itemsBy = query.get('items_by') in ITEM_DIMENSIONS ? query.get('items_by') : 'state';
  const unitMap = await units().catch(() => new Map());
  const decisions = h('div');
  const items = h('div');
  const review = h('div');
  root.append(pageTitle('统计分析'),
    section('处分决定', tabs(DECISION_DIMENSIONS, by, (value) => go('/stats', { by: value, items_by: itemsBy })), decisions),
    section('执行事项', tabs(ITEM_DIMENSIONS, itemsBy, (value) => go('/stats', { by, items_by: value })), items),
    section('审核情况', review));
  const names = { unit: (k) => unitMap.get(k)?.name || `单位 #${k}`, status: (k) => label(DECISION_STATUSES, k),
                  state: (k) => label(ITEM_STATES, k) };
  load(decisions, async () => bars((await api.get('/stats/decisions', { by })).rows, names[by]), '统计');
  load(items, async () => bars((await api.get('/stats/items', { by: itemsBy })).rows, names[itemsBy]), '统计');
  load(review, async () => reviewFigures(await api.get('/stats/review'), unitMap), '审核统计');
}

function tabs(options, current, choose) {
  return h('div', { class: 'tabs', role: 'tablist' }, Object.entries(options).map(([value, text]) => {
    const tab = h('button', { type: 'button', role: 'tab', 'aria-selected': String(value === current),
                              class: value === current ? 'active' : '' }, text);
    tab.addEventListener('click', () => choose(value));
    return tab;
  }));
}

/** Rows {key, count} as labelled horizontal bars (the count is always written out). */
function bars(rows, name = (k) => String(k)) {
  if (!rows.length) return h('p', { class: 'muted' }, '暂无数据');
  const max = Math.max(...rows.map((r) => r.count));
  return h('div', { class: 'bars' }, rows.map((r) => {
    const bar = h('span', { class: 'bar' });
    bar.style.width = `${Math.max(2, (100 * r.count) / max)}%`;  // CSSOM, allowed by the page's CSP
    return h('div', { class: 'bar-row' }, h('span', { class: 'bar-label' }, name(r.key)),
      h('span', { class: 'bar-track' }, bar), h('span', { class: 'bar-value' }, String(r.count)));
  }));
}

/** Review figures: totals, the monthly correction rate (驳回率) and rejections by problem category. */
function reviewFigures(body, unitMap) {
  const months = body.by_month || body.months || [];
  const categories = body.by_category || body.categories || [];
  const rate = (m) => (m.reviewed ? `${Math.round((100 * m.rejected) / m.reviewed)}%` : '—');
  return [
    h('p', null, `已审核 ${body.reviewed ?? '—'} 件，驳回 ${body.rejected ?? '—'} 件。`),
    table([
      { label: '月份', cell: (m) => m.month || m.key },
      { label: '审核', cell: (m) => String(m.reviewed ?? 0) },
      { label: '驳回', cell: (m) => String(m.rejected ?? 0) },
      { label: '纠错率（驳回÷审核）', cell: rate },
    ], months, '暂无审核记录'),
    h('h3', null, '驳回问题类别'),
    bars(categories.map((c) => ({ key: c.category || c.key, count: c.count ?? c.rejected ?? 0 }))),
    body.by_unit ? h('h3', null, '按单位') : null,
    body.by_unit ? bars(body.by_unit.map((u) => ({ key: u.unit_id ?? u.key, count: u.rejected ?? u.count ?? 0 })),
                        (k) => unitMap.get(k)?.name || `单位 #${k}`) : null,
  ];
}
