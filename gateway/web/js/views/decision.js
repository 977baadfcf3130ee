// 处分决定 detail: person, sanctions, 影响期, the execution items as a timeline, document templates.
import { api, listOf } from '../api.js';
import { facts, h, replace, saveBlob, section, table, notice } from '../dom.js';
import { DECISION_STATUSES, SANCTION_KINDS, label } from '../labels.js';
import { countdown, date, legalBasis, light, load, pageTitle, problem, stateBadge, unitName } from '../ui.js';
import { sanctionText } from './decisions.js';

export async function render(root, { params }) {
  const id = params[0];
  let decision;
  try { decision = await api.get(`/decisions/${id}`); } catch (err) {
    root.append(pageTitle('处分决定'), err.status === 404 && !err.unavailable ? notice('warn', '该处分决定不存在，或不在您的查看范围内。') : problem(err));
    return;
  }
  const person = decision.person || {};
  root.append(
    h('nav', { class: 'crumbs', 'aria-label': '位置' }, h('a', { href: '#/decisions' }, '处分决定'), ' / ', decision.doc_number),
    pageTitle(`${person.name || ''} · ${decision.doc_number || '处分决定'}`, stateBadge(decision.status, DECISION_STATUSES)),
    h('div', { class: 'columns' },
      section('被处分人', personFacts(person, await unitName(person.unit_id))),
      section('处分决定', facts([
        ['决定文号', decision.doc_number], ['作出机关', decision.decided_by], ['决定日期', date(decision.decision_date)],
        ['处分', (decision.sanctions || []).map(sanctionText)],
        ['违纪违法所得', decision.illicit_gains ? `${decision.illicit_gains.amount} 元（${decision.illicit_gains.disposition}）` : null],
        ['组织处理', decision.org_handling], ['"三书"', decision.letters]]),
        decision.facts ? h('div', { class: 'facts-text' }, h('h3', null, '主要事实'), h('p', null, decision.facts)) : null)),
    section('影响期', periodsTable(decision.impact_periods || [])),
    section('执行事项', timeline(decision.items || [])),
    templatesSection(decision));
}

function personFacts(person, unit) {
  const idBox = h('span', { class: 'id-number' }, maskId(person.id_number));
  const toggle = h('button', { type: 'button', class: 'link-button', 'aria-pressed': 'false' }, '显示');
  toggle.addEventListener('click', () => {
    const shown = toggle.getAttribute('aria-pressed') === 'true';
    idBox.textContent = shown ? maskId(person.id_number) : person.id_number;
    toggle.textContent = shown ? '显示' : '隐藏';
    toggle.setAttribute('aria-pressed', String(!shown));
  });
  return facts([
    ['姓名', person.name], ['公民身份号码', person.id_number ? h('span', null, idBox, ' ', toggle) : null],
    ['性别', person.gender], ['所在单位', unit], ['职务', person.post],
    ['政治面貌', person.political_status === '民主党派' && person.democratic_party ? `民主党派（${person.democratic_party}）` : person.political_status],
    ['人员类别', person.category]]);
}

/** 身份证号 shown as 1502**********123X until asked for. */
function maskId(value) {
  return value && value.length > 8 ? value.slice(0, 4) + '*'.repeat(value.length - 8) + value.slice(-4) : value;
}

function periodsTable(periods) {
  return table([
    { label: '类别', cell: (p) => label(SANCTION_KINDS, p.kind) },
    { label: '处分', cell: (p) => p.sanction_type },
    { label: '影响期', cell: (p) => p.ends_on ? `${date(p.starts_on)} 至 ${date(p.ends_on)}` : '无影响期', class: 'nowrap' },
    { label: '期限', cell: (p) => p.months ? `${p.months}个月` : '—' },
    { label: '说明', cell: (p) => p.stacked ? '与前一影响期叠加计算' : '' },
  ], periods, '无影响期');
}

/** The items in order (一个顺序不乱): seq, name, state, dates, countdown, light, legal basis. */
export function timeline(items) {
  const ordered = [...items].sort((a, b) => (a.seq - b.seq) || String(a.opens_on).localeCompare(String(b.opens_on)));
  if (!ordered.length) return h('p', { class: 'muted' }, '没有执行事项');
  return h('ol', { class: 'timeline' }, ordered.map((item) => h('li', { class: `timeline-item state-${item.state}` },
    h('span', { class: 'seq', 'aria-hidden': 'true' }, item.seq),
    h('div', { class: 'ti-body' },
      h('div', { class: 'ti-head' },
        h('a', { href: `#/items/${item.id}`, class: 'ti-name' }, `${item.seq}. ${item.name}`),
        stateBadge(item.state), item.light ? light(item.light) : null),
      h('div', { class: 'ti-meta' },
        h('span', null, '开启：', item.opens_on ? date(item.opens_on) : item.state === 'locked' ? '前序事项通过后' : '已开启'),
        h('span', null, '截止：', date(item.due_date)),
        item.state === 'rejected' && item.countdown_to
          ? h('span', null, ' 整改期限：', date(item.countdown_to), ' ', countdown(item.countdown_to, item.state))
          : countdown(item.due_date, item.state),
        item.extension_limit ? h('span', null, '延期上限：', date(item.extension_limit)) : null),
      legalBasis(item.legal_basis)))));
}

function templatesSection(decision) {
  const box = h('div');
  load(box, async () => {
    const templates = listOf(await api.get('/templates')).items;
    if (!templates.length) return h('p', { class: 'muted' }, '暂无文书模板');
    const status = h('div', { 'aria-live': 'polite' });
    return [h('div', { class: 'button-row' }, templates.map((t) => {
      const button = h('button', { type: 'button' }, t.name || t.title || t.id);
      button.addEventListener('click', async () => {
        button.disabled = true;
        replace(status, h('span', { class: 'muted' }, `正在生成《${button.textContent}》…`));
        try {
          const { blob, filename } = await api.download(`/templates/${encodeURIComponent(t.id)}/render`, { decision_id: decision.id });
          saveBlob(blob, filename);
          replace(status, notice('ok', `已生成 ${filename}`));
        } catch (err) {
          replace(status, problem(err, '文书生成'));
        } finally { button.disabled = false; }
      });
      return button;
    })), status];
  }, '文书模板');
  return section('文书模板（按本决定填好的 .docx）', box);
}
