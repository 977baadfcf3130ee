// 审核队列: reports waiting for the review office, oldest first.
import { h, table } from '../dom.js';
import { countdown, date, dateTime, listPage } from '../ui.js';

const itemLink = (r) => h('a', { href: `#/items/${r.item_id ?? r.item?.id}` }, r.item_name || r.item?.name || r.name || `事项 #${r.item_id}`);

function columns(unitMap) {
  return [
    { label: '执行事项', cell: itemLink },
    { label: '被处分人 / 文号', cell: (r) => [r.person_name, r.doc_number].filter(Boolean).join(' · ') || (r.decision_id ? h('a', { href: `#/decisions/${r.decision_id}` }, `决定 #${r.decision_id}`) : '—') },
    { label: '单位', cell: (r) => unitMap.get(r.unit_id)?.name || '—' },
    { label: '上报时间', cell: (r) => dateTime(r.submitted_at || r.created_at), class: 'nowrap' },
    { label: '截止', cell: (r) => (r.due_date ? h('span', null, date(r.due_date), ' ', countdown(r.due_date, 'submitted')) : '—') },
    { label: '智能预审', cell: (r) => { const n = (r.findings || []).length; return n ? h('span', { class: 'tag warn' }, `${n} 个问题`) : h('span', { class: 'muted' }, '未发现问题'); } },
    { label: '操作', cell: (r) => h('a', { href: `#/items/${r.item_id ?? r.item?.id}`, class: 'button small' }, '审核') },
  ];
}

export async function render(root) {
  const intro = '主体责任部门已上报、等待审理室审核的执行事项。';
  await listPage(root, { title: '审核队列', intro, path: '/review/queue', what: '审核队列' }, (rows, unitMap) =>
    [h('p', null, `共 ${rows.length} 件待审核`), table(columns(unitMap), rows, '没有待审核的上报')]);
}
