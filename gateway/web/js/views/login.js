// 登录: username and password; the token lives in sessionStorage (gone when the tab closes).
import { api, session } from '../api.js';
import { h, notice } from '../dom.js';
import { field, onSubmit, summaryBox } from '../forms.js';

export function render(root, { message, onSignedIn }) {
  const submit = h('button', { type: 'submit', class: 'primary' }, '登录');
  const form = h('form', { class: 'login-form', novalidate: true },
    summaryBox(),
    field({ name: 'username', label: '用户名', required: true, autocomplete: 'username', attrs: { autocomplete: 'username' } }),
    field({ name: 'password', label: '密码', type: 'password', required: true, attrs: { autocomplete: 'current-password' } }),
    h('div', { class: 'actions' }, submit));
  onSubmit(form, submit, async ({ username, password }) => {
    if (!username || !password) {
      throw { message: '请输入用户名和密码', fields: {
        ...(username ? {} : { username: ['请输入用户名'] }), ...(password ? {} : { password: ['请输入密码'] }) } };
    }
    const reply = await api.post('/auth/login', { username, password });
    session.save(reply.token, reply.user);
    onSignedIn();
  });
  root.append(h('div', { class: 'login-card' },
    h('h1', { tabindex: '-1' }, '用户登录'),
    h('p', { class: 'muted' }, '纪委监委案件审理室、主体责任部门、协作部门工作人员使用'),
    message ? notice('info', message) : null,
    form));
  setTimeout(() => form.querySelector('input')?.focus(), 0);
}
