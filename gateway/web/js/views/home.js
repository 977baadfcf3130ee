// 工作台: what needs attention for this role, then the latest decisions.
import { api, listOf } from '../api.js';
import { h, section } from '../dom.js';
import { ROLES } from '../labels.js';
import { load, pageTitle, units } from '../ui.js';
import { decisionTable } from './decisions.js';

// Each card: a count from one request, and where a click leads.
const CARDS = {
  queue: { label: '待审核上报', path: '/review/queue', href: '#/queue' },
  overdue: { label: '超期事项', path: '/alerts', query: { level: 'overdue' }, href: '#/alerts?level=overdue', tone: 'red' },
  warning: { label: '预警事项', path: '/alerts', query: { level: 'warning' }, href: '#/alerts?level=warning', tone: 'yellow' },
  executing: { label: '执行中的处分决定', path: '/decisions', query: { status: 'executing', per_page: 1 }, href: '#/decisions?status=executing' },
  completed: { label: '已执行完毕', path: '/decisions', query: { status: 'completed', per_page: 1 }, href: '#/decisions?status=completed', tone: 'green' },
  notices: { label: '通知', path: '/notices', href: '#/notices' },
  guidance: { label: '指导意见', path: '/guidance', href: '#/guidance' },
};
const BY_ROLE = {
  reviewer: ['queue', 'overdue', 'warning', 'executing'],
  operator: ['executing', 'overdue', 'warning', 'notices'],
  leader: ['executing', 'completed', 'overdue', 'warning'],
  partner: ['notices'],
  admin: ['executing', 'completed'],
};

export async function render(root, { user }) {
  root.append(pageTitle('工作台', h('span', { class: 'muted' }, `${user.name || user.username}，${ROLES[user.role] || ''}`)));
  root.append(h('div', { class: 'cards' }, (BY_ROLE[user.role] || []).map((key) => card(CARDS[key]))));
  if (['reviewer', 'operator', 'leader', 'admin'].includes(user.role)) {
    const latest = h('div');
    root.append(section('最近登记的处分决定', latest, h('p', null, h('a', { href: '#/decisions' }, '查看全部处分决定 →'))));
    load(latest, async () => {
      const [body, unitMap] = await Promise.all([api.get('/decisions', { per_page: 5 }), units().catch(() => new Map())]);
      return decisionTable(listOf(body).items, unitMap);
    }, '处分决定列表');
  }
  if (user.role === 'partner') {
    root.append(section('协作事项', h('p', null, '审理室和主体责任部门发来的点对点通知在“通知”中查看，收到后请及时回执并反馈办理情况。')));
  }
}

function card(spec) {
  const figure = h('span', { class: 'card-figure' }, '…');
  const note = h('span', { class: 'card-note' });
  api.get(spec.path, spec.query)
    .then((body) => { figure.textContent = String(listOf(body).total); })
    .catch((err) => { figure.textContent = '—'; note.textContent = err.unavailable ? '暂未开放' : '加载失败'; });
  return h('a', { class: `card ${spec.tone ? 'tone-' + spec.tone : ''}`, href: spec.href },
    h('span', { class: 'card-label' }, spec.label), figure, note);
}
