// 单位与用户 (admin): the units and the users, and forms to add them.
import { api, listOf } from '../api.js';
import { h, section, table } from '../dom.js';
import { field, onSubmit, options, summaryBox } from '../forms.js';
import { PARTNER_ROLES, ROLES, UNIT_KINDS, label } from '../labels.js';
import { forgetUnits, load, pageTitle, units } from '../ui.js';

export async function render(root, { go }) {
  const unitBox = h('div');
  const userBox = h('div');
  root.append(pageTitle('单位与用户'), section('单位', unitForm(go), unitBox), section('用户', await userForm(go), userBox));
  load(unitBox, async () => table([
    { label: '编号', cell: (u) => u.id }, { label: '名称', cell: (u) => u.name },
    { label: '类型', cell: (u) => label(UNIT_KINDS, u.kind) }, { label: '协作职能', cell: (u) => (u.partner_role ? label(PARTNER_ROLES, u.partner_role) : '') },
  ], [...(await units()).values()]), '单位');
  load(userBox, async () => {
    const [body, unitMap] = await Promise.all([api.get('/users'), units()]);
    return table([
      { label: '用户名', cell: (u) => u.username }, { label: '姓名', cell: (u) => u.name },
      { label: '角色', cell: (u) => label(ROLES, u.role) }, { label: '单位', cell: (u) => unitMap.get(u.unit_id)?.name || '' },
    ], listOf(body).items);
  }, '用户');
}

function unitForm(go) {
  const submit = h('button', { type: 'submit', class: 'primary' }, '添加单位');
  const form = h('form', { novalidate: true }, summaryBox(), h('div', { class: 'grid' },
    field({ name: 'name', label: '单位名称', required: true }),
    field({ name: 'kind', label: '类型', type: 'select', required: true, options: options(UNIT_KINDS, '请选择') }),
    field({ name: 'partner_role', label: '协作职能（协作部门必填）', type: 'select', options: options(PARTNER_ROLES, '无') })),
    h('div', { class: 'actions' }, submit));
  onSubmit(form, submit, async (v) => {
    await api.post('/units', { name: v.name, kind: v.kind || null, partner_role: v.partner_role || null });
    forgetUnits();
    go('/admin', { t: Date.now() }, `已添加单位：${v.name}`);
  });
  return h('details', null, h('summary', null, '添加单位'), form);
}

async function userForm(go) {
  const unitMap = await units().catch(() => new Map());
  const submit = h('button', { type: 'submit', class: 'primary' }, '添加用户');
  const form = h('form', { novalidate: true }, summaryBox(), h('div', { class: 'grid' },
    field({ name: 'username', label: '用户名', required: true, hint: '3至64位字母、数字或 _ . -' }),
    field({ name: 'name', label: '姓名', required: true }),
    field({ name: 'password', label: '初始密码', type: 'password', required: true, hint: '至少8位', attrs: { autocomplete: 'new-password' } }),
    field({ name: 'role', label: '角色', type: 'select', required: true, options: options(ROLES, '请选择') }),
    field({ name: 'unit_id', label: '所属单位', type: 'select', options: [['', '无'], ...[...unitMap.values()].map((u) => [u.id, u.name])], hint: '经办人和协作部门用户须属于一个单位' })),
    h('div', { class: 'actions' }, submit));
  onSubmit(form, submit, async (v) => {
    await api.post('/users', { username: v.username, name: v.name, password: v.password, role: v.role || null, unit_id: v.unit_id ? Number(v.unit_id) : null });
    go('/admin', { t: Date.now() }, `已添加用户：${v.username}`);
  });
  return h('details', null, h('summary', null, '添加用户'), form);
}
