// 通知: the unit's inbox of point-to-point notices (点对点), acknowledged (回执) with feedback.
import { api } from '../api.js';
import { facts, h, notice, replace } from '../dom.js';
import { field, onSubmit, summaryBox } from '../forms.js';
import { dateTime, listPage } from '../ui.js';

export async function render(root) {
  const intro = '审理室和主体责任部门发来的函告、通知。请及时回执，并反馈办理情况。';
  await listPage(root, { title: '通知', intro, path: '/notices', what: '通知' }, (rows, unitMap) => {
    if (!rows.length) return notice('info', '收件箱中没有通知。');
    const count = h('strong');
    const list = h('div', { class: 'notices' });
    const recount = () => { count.textContent = `${list.querySelectorAll('.notice-card.waiting').length} 条待回执`; };
    list.append(...rows.map((n) => noticeCard(n, unitMap, recount)));
    recount();
    return [h('p', null, `共 ${rows.length} 条，`, count), list];
  });
}

function acknowledged(n) { return Boolean(n.acknowledged_at || n.acked_at || n.acknowledged || n.state === 'acknowledged'); }

function noticeCard(n, unitMap, recount) {
  const card = h('article');
  const draw = (item) => {
    card.className = `notice-card ${acknowledged(item) ? 'done' : 'waiting'}`;
    replace(card,
      h('header', null, h('h2', null, item.title || item.subject || item.kind || '通知'),
        h('span', { class: `badge ${acknowledged(item) ? 'state-approved' : 'state-submitted'}` }, acknowledged(item) ? '已回执' : '待回执')),
      facts([['发出单位', unitMap.get(item.from_unit_id)?.name || item.from], ['时间', dateTime(item.created_at || item.sent_at)],
        ['相关决定', item.decision_id ? h('a', { href: `#/decisions/${item.decision_id}` }, item.doc_number || `决定 #${item.decision_id}`) : null],
        ['回执时间', acknowledged(item) ? dateTime(item.acknowledged_at || item.acked_at) : null], ['反馈', item.feedback]]),
      item.body || item.text ? h('div', { class: 'notice-body' }, item.body || item.text) : null,
      acknowledged(item) ? null : ackForm(item, (done) => { draw(done); recount(); }));
  };
  draw(n);
  return card;
}

function ackForm(n, draw) {
  const submit = h('button', { type: 'submit', class: 'primary' }, '回执');
  const form = h('form', { novalidate: true }, summaryBox(),
    field({ name: 'feedback', label: '办理情况反馈', type: 'textarea', rows: 2, wide: true, hint: '如：已将处分决定存入本人档案' }),
    h('div', { class: 'actions' }, submit));
  onSubmit(form, submit, async ({ feedback }) => {
    const reply = await api.post(`/notices/${n.id}/ack`, { feedback });
    draw({ ...n, ...(reply || {}), acknowledged_at: reply?.acknowledged_at || new Date().toISOString(), feedback: reply?.feedback ?? feedback });
  });
  return form;
}
