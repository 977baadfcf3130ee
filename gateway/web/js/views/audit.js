// 审计记录: every request, newest first, for administrators and leaders.
import { api } from '../api.js';
import { h, table } from '../dom.js';
import { field } from '../forms.js';
import { dateTime, load, pageTitle } from '../ui.js';

const PER_PAGE = 50;

export async function render(root, { query, go }) {
  const page = Math.max(1, Number(query.get('page')) || 1);
  const filters = { method: query.get('method') || '', path: query.get('path') || '', user_id: query.get('user_id') || '' };
  const form = h('form', { class: 'filters' },
    field({ name: 'method', label: '方法', type: 'select', value: filters.method,
            options: [['', '全部'], ['GET', 'GET'], ['POST', 'POST']] }),
    field({ name: 'path', label: '路径前缀', value: filters.path, placeholder: '/api/v1/decisions' }),
    field({ name: 'user_id', label: '用户编号', value: filters.user_id, type: 'number' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, '查询')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go('/audit', { method: form.elements.method.value, path: form.elements.path.value, user_id: form.elements.user_id.value });
  });
  const list = h('div');
  root.append(pageTitle('审计记录'), form, list);
  load(list, async () => {
    const body = await api.get('/audit', { ...filters, page, per_page: PER_PAGE });
    const more = body.total > page * PER_PAGE;
    return [
      table([
        { label: '时间', cell: (e) => dateTime(e.at), class: 'nowrap' },
        { label: '用户', cell: (e) => (e.user_id ? `#${e.user_id}` : '—') },
        { label: '请求', cell: (e) => `${e.method} ${e.path}` },
        { label: '结果', cell: (e) => String(e.status) },
        { label: '耗时', cell: (e) => `${e.duration_ms} ms`, class: 'nowrap' },
        { label: '来源', cell: (e) => e.remote_addr || '—' },
      ], body.items, '没有记录'),
      h('p', { class: 'muted' }, `共 ${body.total} 条`,
        page > 1 ? h('a', { href: '#', onclick: (e) => { e.preventDefault(); go('/audit', { ...filters, page: page - 1 }); } }, ' 上一页') : null,
        more ? h('a', { href: '#', onclick: (e) => { e.preventDefault(); go('/audit', { ...filters, page: page + 1 }); } }, ' 下一页') : null),
    ];
  }, '审计记录');
}
