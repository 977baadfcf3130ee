// 通知: the inbox of point-to-point notices (点对点).  A notice that asks for an answer
// (asks_reply) is acknowledged (回执) with feedback before its 回复期限 (reply_due).
import { api, listOf } from '../api.js';
import { facts, h, notice, replace } from '../dom.js';
import { busy, field, onSubmit, summaryBox } from '../forms.js';
import { clientRoute, dateTime, isPast, listPage, pager, problem, replyDue } from '../ui.js';

const PER_PAGE = 20;
// Who may open the pages a notice links to (the item and decision routes of app.js).
const ITEM_READERS = ['admin', 'reviewer', 'operator', 'leader'];
// The inbox filters of GET /notices, as tabs.
const TABS = [
  ['', '全部', {}],
  ['unread', '未读', { unread: true }],
  ['waiting', '待回执', { asks_reply: true, answered: false }],
];

export async function render(root, { query, user, go }) {
  const tab = TABS.find(([key]) => key === (query.get('filter') || '')) || TABS[0];
  const page = Math.max(1, Number.parseInt(query.get('page'), 10) || 1);
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': '筛选' }, TABS.map(([key, text]) =>
    h('a', { href: '#/notices' + (key ? `?filter=${key}` : ''), role: 'tab', 'aria-selected': String(key === tab[0]),
      class: key === tab[0] ? 'active' : '' }, text)));
  const intro = '审理室、主体责任部门和期限监督发来的通知。要求回执的，请在回复期限前回执并反馈办理情况。';
  await listPage(root, { title: '通知', intro, extra: tabs, path: '/notices', query: { ...tab[2], page, per_page: PER_PAGE }, what: '通知' },
    (rows, unitMap, body) => {
      const { total } = listOf(body);
      if (!rows.length) return notice('info', page > 1 ? '这一页没有通知。' : tab[0] ? `没有${tab[1]}的通知。` : '收件箱中没有通知。');
      const counts = h('span');
      const list = h('div', { class: 'notices' });
      const recount = () => {
        const unread = list.querySelectorAll('.notice-card.unread').length;
        const toAnswer = list.querySelectorAll('.notice-card.waiting').length;
        counts.textContent = `${total > rows.length ? '本页' : ''}${unread} 条未读，${toAnswer} 条待回执`;
      };
      list.append(...rows.map((n) => noticeCard(n, { unitMap, user, recount })));
      recount();
      return [h('p', null, `共 ${total} 条，`, counts), list,
        total > PER_PAGE ? pager(page, PER_PAGE, total, (to) => go('/notices', { filter: tab[0], page: to })) : null];
    });
}

const answered = (n) => Boolean(n.acknowledged_at);
const waiting = (n) => Boolean(n.asks_reply) && !answered(n);
const late = (n) => waiting(n) && isPast(n.reply_due);
/** The notice as POST /notices/{id}/read answers it. */
const read = async (n) => ({ ...n, ...((await api.post(`/notices/${n.id}/read`)) || {}) });

function noticeCard(n, { unitMap, user, recount }) {
  const card = h('article');
  const draw = (current) => {
    card.className = ['notice-card', waiting(current) ? 'waiting' : 'done', current.read_at ? null : 'unread'].filter(Boolean).join(' ');
    replace(card,
      h('header', null, h('h2', null, current.title || '通知'),
        current.read_at ? h('span', { class: 'badge state-locked' }, '已读') : h('span', { class: 'badge state-open' }, '未读'),
        current.asks_reply ? replyBadge(current) : null),
      facts([
        ['发出单位', current.from],
        ['时间', dateTime(current.created_at)],
        ['相关事项', about(current, user, () => read(current).then(update, () => {}))],
        ['回复期限', current.asks_reply ? replyDue(current.reply_due, answered(current)) : null],
        ['回执时间', answered(current) ? dateTime(current.acknowledged_at) : null],
        ['回执单位', answered(current) && current.acknowledged_unit_id ? unitMap.get(current.acknowledged_unit_id)?.name : null],
        ['反馈', answered(current) ? current.feedback || h('span', { class: 'muted' }, '（未填写）') : null]]),
      current.body ? h('div', { class: 'notice-body' }, current.body) : null,
      waiting(current) ? ackForm(current, update) : null,
      !current.read_at && !waiting(current) ? readButton(current, update) : null);
  };
  const update = (next) => { draw(next); recount(); };
  draw(n);
  return card;
}

function replyBadge(n) {
  if (answered(n)) return h('span', { class: 'badge state-approved' }, '已回执');
  return late(n) ? h('span', { class: 'badge state-rejected' }, '回执逾期') : h('span', { class: 'badge state-submitted' }, '待回执');
}

/** The item (or decision) the notice is about, as a link into this client where the user may open it. */
function about(n, user, opened) {
  const route = clientRoute(n.link) || (n.item_id ? `#/items/${n.item_id}` : n.decision_id ? `#/decisions/${n.decision_id}` : null);
  if (!route) return null;
  const [, kind, id] = route.split('/');
  const text = kind === 'items' ? `执行事项 #${id}` : `处分决定 #${id}`;
  if (!ITEM_READERS.includes(user?.role)) return text;
  return h('a', { href: route, onclick: () => { if (!n.read_at) opened(); } }, `查看${text}`);
}

function readButton(n, update) {
  const status = h('div', { 'aria-live': 'polite' });
  const button = h('button', { type: 'button' }, '标为已读');
  button.addEventListener('click', () => busy(button, async () => {
    try { update(await read(n)); } catch (err) { replace(status, problem(err, '标为已读')); }
  }));
  return h('div', { class: 'actions' }, button, status);
}

function ackForm(n, update) {
  const submit = h('button', { type: 'submit', class: 'primary' }, '回执');
  const form = h('form', { novalidate: true }, summaryBox(),
    field({ name: 'feedback', label: '办理情况反馈', type: 'textarea', rows: 2, wide: true, hint: '如：已将处分决定存入本人档案' }),
    h('div', { class: 'actions' }, submit));
  onSubmit(form, submit, async ({ feedback }) => {
    const reply = await api.post(`/notices/${n.id}/ack`, { feedback });
    const now = new Date().toISOString();
    update({ ...n, ...(reply || {}), acknowledged_at: reply?.acknowledged_at || now, read_at: reply?.read_at || n.read_at || now,
      feedback: reply?.feedback ?? feedback });
  });
  return form;
}
