// The web client (网页端): session, header, menus by role, and the hash router.
import { session, whenUnauthenticated } from './js/api.js';
import { h, replace, notice } from './js/dom.js';
import { ROLES } from './js/labels.js';
import { unitName, forgetUnits } from './js/ui.js';
import * as login from './js/views/login.js';
import * as home from './js/views/home.js';
import * as decisions from './js/views/decisions.js';
import * as register from './js/views/register.js';
import * as decision from './js/views/decision.js';
import * as item from './js/views/item.js';
import * as queue from './js/views/queue.js';
import * as alerts from './js/views/alerts.js';
import * as notices from './js/views/notices.js';
import * as guidance from './js/views/guidance.js';
import * as library from './js/views/library.js';
import * as admin from './js/views/admin.js';
import * as stats from './js/views/stats.js';
import * as audit from './js/views/audit.js';

const ALL = Object.keys(ROLES);
const UNIT_READERS = ['admin', 'reviewer', 'operator', 'leader'];

// Menu entries in order; `roles` decides who sees the entry and who may open the page.
const MENU = [
  { href: '#/', label: '工作台', roles: ALL },
  { href: '#/decisions', label: '处分决定', roles: UNIT_READERS },
  { href: '#/decisions/new', label: '登记处分决定', roles: ['reviewer', 'admin'] },
  { href: '#/queue', label: '审核队列', roles: ['reviewer'] },
  { href: '#/alerts', label: '预警与超期', roles: UNIT_READERS },
  { href: '#/notices', label: '通知', roles: ['partner', 'operator', 'reviewer', 'leader'] },
  { href: '#/guidance', label: '指导意见', roles: ['reviewer', 'operator', 'leader'] },
  { href: '#/library', label: '资料袋', roles: ALL },
  { href: '#/stats', label: '统计分析', roles: ['reviewer', 'leader', 'admin'] },
  { href: '#/audit', label: '审计记录', roles: ['admin', 'leader'] },
  { href: '#/admin', label: '单位与用户', roles: ['admin'] },
];

const ROUTES = [
  [/^\/$/, home.render, ALL],
  [/^\/decisions$/, decisions.render, UNIT_READERS],
  [/^\/decisions\/new$/, register.render, ['reviewer', 'admin']],
  [/^\/decisions\/(\d+)$/, decision.render, UNIT_READERS],
  [/^\/items\/(\d+)$/, item.render, UNIT_READERS],
  [/^\/queue$/, queue.render, ['reviewer']],
  [/^\/alerts$/, alerts.render, UNIT_READERS],
  [/^\/notices$/, notices.render, ['partner', 'operator', 'reviewer', 'leader', 'admin']],
  [/^\/guidance$/, guidance.render, ['reviewer', 'operator', 'leader', 'admin']],
  [/^\/library$/, library.render, ALL],
  [/^\/library\/([A-Za-z0-9]+)$/, library.renderRegulation, ALL],
  [/^\/library\/([A-Za-z0-9]+)\/(\d+(?:-\d+)?)$/, library.renderArticle, ALL],
  [/^\/admin$/, admin.render, ['admin']],
  [/^\/stats$/, stats.render, ['reviewer', 'leader', 'admin']],
  [/^\/audit$/, audit.render, ['admin', 'leader']],
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const userbox = document.getElementById('userbox');
const menuToggle = document.getElementById('menu-toggle');
let flash = null;

/** Go to a page: path like '/decisions', query an object; a flash message shows once there. */
export function go(path, query, message) {
  if (message) flash = message;
  const search = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '' && v != null)).toString() : '';
  const target = '#' + path + (search ? '?' + search : '');
  if (location.hash === target) route(); else location.hash = target;
}

function parseHash() {
  const raw = location.hash.startsWith('#/') ? location.hash.slice(1) : '/';
  const [path, search] = raw.split('?');
  return { path: decodeURI(path) || '/', query: new URLSearchParams(search || '') };
}

async function route() {
  const { path, query } = parseHash();
  const user = session.user;
  if (!session.token || !user) return showLogin(path === '/login' ? '/' : path + (query.toString() ? '?' + query : ''));
  if (path === '/login') return go('/');
  drawChrome(user, path);
  const root = h('div', { class: 'page' });
  replace(main, flash ? notice('ok', flash) : null, root);
  flash = null;
  const match = ROUTES.map(([pattern, view, roles]) => [pattern.exec(path), view, roles]).find(([m]) => m);
  if (!match) { root.append(h('h1', { tabindex: '-1' }, '页面不存在'), notice('warn', '没有这个页面。'), h('a', { href: '#/' }, '返回工作台')); return focusHeading(root); }
  const [params, view, roles] = match;
  if (!roles.includes(user.role)) { root.append(h('h1', { tabindex: '-1' }, '无权访问'), notice('warn', '当前角色无权查看此页面。')); return focusHeading(root); }
  document.title = '处分决定执行记实监督平台';
  try {
    await view(root, { params: params.slice(1), query, user, go });
  } catch (err) {
    root.append(notice('error', err.message || '页面出错'));
    console.error(err);
  }
  focusHeading(root);
}

function focusHeading(root) {
  const heading = root.querySelector('h1');
  if (heading) {
    heading.focus({ preventScroll: true });
    document.title = heading.textContent + ' - 处分决定执行记实监督平台';
  }
}

function showLogin(returnTo) {
  nav.hidden = true;
  menuToggle.hidden = true;
  replace(userbox);
  document.body.classList.add('signed-out');
  const root = h('div', { class: 'page' });
  replace(main, root);
  login.render(root, { returnTo, message: flash, onSignedIn: () => { forgetUnits(); go(returnTo || '/'); } });
  flash = null;
}

function drawChrome(user, path) {
  document.body.classList.remove('signed-out');
  nav.hidden = false;
  menuToggle.hidden = false;
  const current = MENU.filter((m) => m.roles.includes(user.role))
    .map((m) => m.href.slice(1)).filter((p) => p === path || (p !== '/' && path.startsWith(p + '/')))
    .sort((a, b) => b.length - a.length)[0];
  replace(nav, h('ul', null, MENU.filter((m) => m.roles.includes(user.role)).map((m) =>
    h('li', null, h('a', { href: m.href, 'aria-current': m.href.slice(1) === current ? 'page' : null }, m.label)))));
  const unit = h('span', { class: 'user-unit' });
  if (user.unit_id) unitName(user.unit_id).then((name) => { unit.textContent = name; });
  replace(userbox,
    h('span', { class: 'user-name' }, user.name || user.username),
    h('span', { class: 'user-role' }, ROLES[user.role] || user.role), unit,
    h('button', { type: 'button', class: 'logout', onclick: logout }, '退出'));
}

function logout() {
  session.clear();
  forgetUnits();
  go('/login', null, '已退出登录。');
}

whenUnauthenticated((err) => {
  if (!session.token) return;
  session.clear();
  flash = `登录已失效（${err.message || '令牌无效'}），请重新登录。`;
  route();
});

menuToggle.addEventListener('click', () => {
  const open = menuToggle.getAttribute('aria-expanded') !== 'true';
  menuToggle.setAttribute('aria-expanded', String(open));
  nav.classList.toggle('open', open);
});
nav.addEventListener('click', (e) => {
  if (e.target.closest('a')) { nav.classList.remove('open'); menuToggle.setAttribute('aria-expanded', 'false'); }
});
document.getElementById('skip-link').addEventListener('click', (e) => { e.preventDefault(); main.focus(); });
window.addEventListener('hashchange', route);
route();
