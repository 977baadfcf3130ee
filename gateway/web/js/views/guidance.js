// 指导意见: the review office's guidance to a unit (optionally about one decision).
import { api, listOf } from '../api.js';
import { h, section, notice } from '../dom.js';
import { field, onSubmit, summaryBox } from '../forms.js';
import { dateTime, load, pageTitle, units } from '../ui.js';

export async function render(root, { user, go }) {
  const list = h('div');
  root.append(pageTitle('指导意见'));
  const unitMap = await units().catch(() => new Map());
  if (user.role === 'reviewer') root.append(issueForm(unitMap, go));
  root.append(section('指导意见', list));
  await load(list, async () => {
    const rows = listOf(await api.get('/guidance')).items;
    if (!rows.length) return notice('info', '暂无指导意见。');
    return h('ol', { class: 'guidance' }, rows.map((g) => h('li', null,
      h('div', { class: 'muted' }, dateTime(g.created_at || g.issued_at), ' · ', unitMap.get(g.unit_id)?.name || '—',
        g.decision_id ? [' · ', h('a', { href: `#/decisions/${g.decision_id}` }, `决定 #${g.decision_id}`)] : null),
      h('p', null, g.text))));
  }, '指导意见');
}

function issueForm(unitMap, go) {
  const responsible = [...unitMap.values()].filter((u) => u.kind === 'responsible');
  const submit = h('button', { type: 'submit', class: 'primary' }, '发出指导意见');
  const form = h('form', { novalidate: true }, summaryBox(), h('div', { class: 'grid' },
    field({ name: 'unit_id', label: '主体责任部门', type: 'select', required: true, options: [['', '请选择'], ...responsible.map((u) => [u.id, u.name])] }),
    field({ name: 'decision_id', label: '相关处分决定编号（可选）', type: 'number', attrs: { min: 1 } }),
    field({ name: 'text', label: '指导意见', type: 'textarea', required: true, rows: 4, wide: true })),
    h('div', { class: 'actions' }, submit));
  onSubmit(form, submit, async (v) => {
    await api.post('/guidance', { unit_id: v.unit_id ? Number(v.unit_id) : null, decision_id: v.decision_id ? Number(v.decision_id) : null, text: v.text });
    go('/guidance', { t: Date.now() }, '指导意见已发出。');
  });
  return h('details', { class: 'panel' }, h('summary', null, '发出新的指导意见'), form);
}
