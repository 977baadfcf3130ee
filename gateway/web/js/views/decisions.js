// 处分决定 list: filters (unit, status, light, sanction, text), paging, lights when present.
import { api, listOf } from '../api.js';
import { h, table } from '../dom.js';
import { field, options, values } from '../forms.js';
import { DECISION_STATUSES, LIGHTS, SANCTION_KINDS, UNIT_KINDS, label } from '../labels.js';
import { formChoices, rulebook } from '../rulebook.js';
import { date, light, load, pageTitle, pager, stateBadge, units } from '../ui.js';

const PER_PAGE = 20;

export function sanctionText(s) {
  const kind = s.kind === 'party' ? '党纪' : s.kind === 'government' ? '政务' : label(SANCTION_KINDS, s.kind);
  return `${kind}：${s.type}${s.months ? `（${s.months}个月）` : ''}`;
}

/** The decisions as a table; `unitMap` names the units. */
export function decisionTable(rows, unitMap) {
  return table([
    { label: '文号', cell: (d) => h('a', { href: `#/decisions/${d.id}` }, d.doc_number || `#${d.id}`) },
    { label: '被处分人', cell: (d) => d.person?.name || '—' },
    { label: '所在单位', cell: (d) => unitMap.get(d.unit_id ?? d.person?.unit_id)?.name || '—' },
    { label: '处分', cell: (d) => (d.sanctions || []).map((s) => h('div', null, sanctionText(s))) },
    { label: '决定日期', cell: (d) => date(d.decision_date), class: 'nowrap' },
    { label: '状态', cell: (d) => stateBadge(d.status, DECISION_STATUSES) },
    { label: '亮灯', cell: (d) => light(d.light) },
  ], rows, '没有符合条件的处分决定');
}

export async function render(root, { query, user, go }) {
  const current = Object.fromEntries(query.entries());
  const page = Math.max(1, parseInt(current.page || '1', 10) || 1);
  const results = h('div');
  const canRegister = ['reviewer', 'admin'].includes(user.role);
  root.append(pageTitle('处分决定', canRegister ? h('a', { href: '#/decisions/new', class: 'button primary' }, '登记处分决定') : null));
  const filters = await filterForm(current, user, (chosen) => go('/decisions', { ...chosen, page: 1 }));
  root.append(filters, results);
  await load(results, async () => {
    const [body, unitMap] = await Promise.all([
      api.get('/decisions', { ...current, page, per_page: PER_PAGE }), units().catch(() => new Map())]);
    const { items, total } = listOf(body);
    return [decisionTable(items, unitMap), pager(page, PER_PAGE, total, (p) => go('/decisions', { ...current, page: p }))];
  }, '处分决定列表');
}

async function filterForm(current, user, apply) {
  // The rule book's sanction types (GET /rulebook); without an answer the filter offers none.
  const { sanctionTypes } = formChoices(await rulebook().catch(() => null));
  const fields = [
    field({ name: 'q', label: '姓名 / 文号', type: 'search', value: current.q, placeholder: '输入关键词' }),
    field({ name: 'status', label: '执行状态', type: 'select', options: options(DECISION_STATUSES, '全部'), value: current.status }),
    field({ name: 'sanction', label: '处分种类', type: 'select', options: options(sanctionTypes, '全部'), value: current.sanction }),
    field({ name: 'light', label: '亮灯', type: 'select', options: options(LIGHTS, '全部'), value: current.light }),
  ];
  if (user.role !== 'operator') {
    const unitMap = await units().catch(() => new Map());
    const responsible = [...unitMap.values()].filter((u) => u.kind === 'responsible' || u.kind === undefined);
    fields.splice(1, 0, field({ name: 'unit_id', label: label(UNIT_KINDS, 'responsible'), type: 'select',
      options: [['', '全部单位'], ...responsible.map((u) => [u.id, u.name])], value: current.unit_id }));
  }
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': '筛选处分决定' }, fields,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, '查询'),
      h('button', { type: 'button', onclick: () => apply({}) }, '重置')));
  form.addEventListener('submit', (e) => { e.preventDefault(); apply(values(form)); });
  return form;
}
