// 登记处分决定: every field of the contract's body; the API's field errors shown in place.  The
// choices (sanction types and periods, vocabularies) are the rule book's, as GET /rulebook answers.
import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { field, onSubmit, options, splitList, summaryBox } from '../forms.js';
import { SANCTION_KINDS } from '../labels.js';
import { formChoices, monthsFor, rulebook } from '../rulebook.js';
import { pageTitle, problem, todayIso, units } from '../ui.js';

const KINDS = ['party', 'government'];

export async function render(root, { go }) {
  root.append(pageTitle('登记处分决定'), h('p', { class: 'muted' }, '带 * 的为必填项。登记后系统按规则自动生成执行事项和影响期。'));
  let unitMap;
  try { unitMap = await units(); } catch (err) { root.append(problem(err, '单位列表')); return; }
  let choices;
  try { choices = formChoices(await rulebook()); } catch (err) { root.append(problem(err, '规则库')); return; }
  const responsible = [...unitMap.values()].filter((u) => u.kind === 'responsible');

  const status = field({ name: 'person.political_status', label: '政治面貌', type: 'select', required: true,
    options: options(choices.politicalStatuses, '请选择') });
  const party = field({ name: 'person.democratic_party', label: '所属民主党派', type: 'select', required: true,
    options: options(choices.democraticParties, '请选择'), hint: '民主党派成员的处分决定须函告区委统战部' });
  const types = {};
  const periods = {};
  for (const kind of KINDS) {
    const only = choices.eligibility[kind];
    types[kind] = field({ name: `sanction.${kind}.type`, label: SANCTION_KINDS[kind], type: 'select',
      options: [['', '无'], ...(choices.sanctions[kind] || []).map((t) => [t, t])],
      hint: only ? `仅${only.join('、')}可给予${SANCTION_KINDS[kind]}` : null });
    periods[kind] = field({ name: `sanction.${kind}.months`, label: '期限', type: 'select', required: true,
      options: [['', '请选择']] });
  }

  const submit = h('button', { type: 'submit', class: 'primary' }, '登记');
  const form = h('form', { class: 'register-form', novalidate: true },
    summaryBox(),
    h('fieldset', { class: 'group' }, h('legend', null, '被处分人'), h('div', { class: 'grid' },
      field({ name: 'person.name', label: '姓名', required: true }),
      field({ name: 'person.id_number', label: '公民身份号码', required: true, hint: '18位，末位校验码为X的请输入X',
        attrs: { maxlength: 18, inputmode: 'text', spellcheck: 'false' } }),
      field({ name: 'person.gender', label: '性别', type: 'radios', options: [['男', '男'], ['女', '女']] }),
      field({ name: 'person.unit_id', label: '所在单位（主体责任部门）', type: 'select', required: true,
        options: [['', '请选择'], ...responsible.map((u) => [u.id, u.name])] }),
      field({ name: 'person.post', label: '职务' }),
      field({ name: 'person.category', label: '人员类别', type: 'select', required: true, options: options(choices.categories, '请选择') }),
      status, party)),
    h('fieldset', { class: 'group' }, h('legend', null, '处分决定'), h('div', { class: 'grid' },
      field({ name: 'doc_number', label: '决定文号', required: true, placeholder: '如：东纪发〔2021〕12号' }),
      field({ name: 'decided_by', label: '作出决定机关', required: true, placeholder: '如：东河区纪委监委' }),
      field({ name: 'decision_date', label: '决定日期', type: 'date', required: true, attrs: { max: todayIso() } }))),
    h('fieldset', { class: 'group', 'data-field': 'sanctions' }, h('legend', null, '处分（至少一项）'),
      h('div', { class: 'grid' }, KINDS.map((kind) => [types[kind], periods[kind]])),
      h('div', { class: 'field-error', id: 'sanctions-err' })),
    h('fieldset', { class: 'group' }, h('legend', null, '违纪违法所得与其他处理'), h('div', { class: 'grid' },
      field({ name: 'illicit_gains.amount', label: '违纪违法所得金额（元）', inputmode: 'decimal',
        placeholder: '如：12000.00', attrs: { inputmode: 'decimal' } }),
      field({ name: 'illicit_gains.disposition', label: '处置方式', type: 'select', options: options(choices.dispositions, '请选择') }),
      field({ name: 'org_handling', label: '组织处理', type: 'checks', options: options(choices.orgMeasures), wide: true }),
      field({ name: 'org_handling_other', label: '其他组织处理措施', placeholder: '多项以顿号分隔' }),
      field({ name: 'letters', label: '"三书"', type: 'checks', options: options(choices.letters), wide: true }),
      field({ name: 'letters_other', label: '其他文书', placeholder: '多项以顿号分隔' }))),
    h('fieldset', { class: 'group' }, h('legend', null, '主要违纪违法事实'),
      field({ name: 'facts', label: '事实摘要', type: 'textarea', rows: 5, wide: true })),
    h('div', { class: 'actions' }, submit, h('a', { href: '#/decisions', class: 'button' }, '取消')));

  const sync = () => {
    party.hidden = status.control.value !== '民主党派';
    for (const kind of KINDS) {
      const type = types[kind].control.value;
      const months = monthsFor(choices, kind, type);
      periods[kind].hidden = !months;
      if (months) showPeriods(periods[kind], type, months);
    }
  };
  status.control.addEventListener('change', sync);
  for (const kind of KINDS) types[kind].control.addEventListener('change', sync);
  sync();

  let order = [];
  onSubmit(form, submit, async (v) => {
    const built = decisionBody(v, choices);
    order = built.order;
    const decision = await api.post('/decisions', built.body);
    go(`/decisions/${decision.id}`, null, `处分决定已登记，生成执行事项 ${(decision.items || []).length} 项。`);
  }, (path) => formPath(path, order));
  root.append(form);
}

/** The periods a sanction's decision chooses among (留党察看: 12 or 24 months), as the rule book says. */
function showPeriods(wrap, type, months) {
  const label = wrap.querySelector(':scope > label');
  if (label?.firstChild) label.firstChild.textContent = `${type}期限`;
  const select = wrap.control;
  const chosen = select.value;
  clear(select).append(...[['', '请选择'], ...months.map((m) => [m, `${m}个月`])].map(([value, text]) =>
    h('option', { value, selected: String(value) === chosen }, text)));
}

/**
 * The request body from the form's values, and which sanction kind sits at each index.  choices
 * (formChoices of the rule book) say which sanctions carry the months the decision chose.
 */
export function decisionBody(v, choices = formChoices(null)) {
  const sanctions = [];
  const order = [];
  for (const kind of KINDS) {
    const type = v[`sanction.${kind}.type`];
    if (!type) continue;
    const sanction = { kind, type };
    if (monthsFor(choices, kind, type)) sanction.months = v[`sanction.${kind}.months`] ? Number(v[`sanction.${kind}.months`]) : null;
    sanctions.push(sanction);
    order.push(kind);
  }
  const gains = v['illicit_gains.amount'] || v['illicit_gains.disposition']
    ? { amount: v['illicit_gains.amount'], disposition: v['illicit_gains.disposition'] || null } : null;
  const democratic = v['person.political_status'] === '民主党派';
  const body = {
    person: {
      name: v['person.name'], id_number: v['person.id_number'], gender: v['person.gender'] || null,
      unit_id: v['person.unit_id'] ? Number(v['person.unit_id']) : null, post: v['person.post'] || null,
      political_status: v['person.political_status'] || null,
      democratic_party: democratic ? v['person.democratic_party'] || null : null,
      category: v['person.category'] || null,
    },
    doc_number: v.doc_number, decided_by: v.decided_by, decision_date: v.decision_date || null,
    sanctions, illicit_gains: gains,
    org_handling: [...[].concat(v.org_handling || []), ...splitList(v.org_handling_other)],
    letters: [...[].concat(v.letters || []), ...splitList(v.letters_other)],
    facts: v.facts || '',
  };
  return { body, order };
}

/** sanctions.1.months → sanction.government.months: the form has one block per kind. */
function formPath(path, order) {
  const match = /^sanctions\.(\d+)(?:\.(\w+))?/.exec(path);
  if (!match) return path;
  const kind = order[Number(match[1])];
  if (!kind) return 'sanctions';
  return `sanction.${kind}.${match[2] === 'months' ? 'months' : 'type'}`;
}
