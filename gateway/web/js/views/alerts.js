// 预警与超期: the alerts by level, and what will be due or late by a chosen date.
import { api, listOf } from '../api.js';
import { h, section, table } from '../dom.js';
import { field } from '../forms.js';
import { ALERT_LEVELS, label } from '../labels.js';
import { countdown, date, dateTime, light, load, pageTitle, todayIso, units } from '../ui.js';

export async function render(root, { query, go }) {
  const level = query.get('level') || '';
  const asOf = query.get('as_of') || '';
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': '级别' },
    [['', '全部'], ...Object.entries(ALERT_LEVELS)].map(([value, text]) =>
      h('a', { href: '#/alerts' + (value ? `?level=${value}` : ''), role: 'tab', 'aria-selected': String(value === level), class: value === level ? 'active' : '' }, text)));
  const list = h('div');
  root.append(pageTitle('预警与超期'), tabs, list);
  const unitMap = await units().catch(() => new Map());
  load(list, async () => alertTable(listOf(await api.get('/alerts', { level })).items, unitMap), '预警');

  const forecast = h('div');
  const form = h('form', { class: 'filters' },
    field({ name: 'as_of', label: '预测截至日期', type: 'date', value: asOf || todayIso(), required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '预测')));
  form.addEventListener('submit', (e) => { e.preventDefault(); go('/alerts', { level, as_of: form.elements.as_of.value }); });
  root.append(section('到期预测', h('p', { class: 'muted' }, '选择日期，查看届时将到期或超期的事项，提前安排。'), form, forecast));
  if (asOf) load(forecast, async () => forecastTables(await api.get('/deadlines/forecast', { as_of: asOf }), unitMap), '到期预测');
}

function alertTable(rows, unitMap) {
  return table([
    { label: '级别', cell: (a) => h('span', { class: `badge level-${a.level}` }, label(ALERT_LEVELS, a.level)) },
    { label: '亮灯', cell: (a) => light(a.light || { overdue: 'red', warning: 'yellow' }[a.level]) },
    { label: '执行事项', cell: (a) => h('a', { href: `#/items/${a.item_id}` }, a.item_name || a.name || `事项 #${a.item_id}`) },
    { label: '被处分人 / 文号', cell: (a) => [a.person_name, a.doc_number].filter(Boolean).join(' · ') || (a.decision_id ? h('a', { href: `#/decisions/${a.decision_id}` }, `决定 #${a.decision_id}`) : '—') },
    { label: '单位', cell: (a) => unitMap.get(a.unit_id)?.name || '—' },
    { label: '截止日期', cell: (a) => h('span', null, date(a.due_date), ' ', countdown(a.due_date, 'open')), class: 'nowrap' },
    { label: '发出时间', cell: (a) => dateTime(a.raised_at || a.created_at || a.at), class: 'nowrap' },
  ], rows, '当前没有预警或超期事项');
}

/** The forecast as tables: one per list the service returns (due, overdue, …). */
function forecastTables(body, unitMap) {
  const titles = { reminder: '届时应提醒（久未办理）', due: '届时到期', overdue: '届时超期', late: '届时超期', warning: '届时进入预警', items: '事项' };
  const lists = Array.isArray(body) ? { items: body } : Object.fromEntries(Object.entries(body || {}).filter(([, v]) => Array.isArray(v)));
  if (!Object.keys(lists).length) return h('p', { class: 'muted' }, '没有预测结果');
  return Object.entries(lists).map(([key, rows]) => h('div', null, h('h3', null, `${titles[key] || key}（${rows.length}）`), alertTable(rows, unitMap)));
}
