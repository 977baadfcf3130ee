// 登记处分决定: the form's model, every problem found at once in plain Chinese, and the body
// of POST /decisions.  The choices are the rule book's (formChoices of GET /rulebook).
import { monthsFor } from '../rulebook.js';

export const KINDS = ['party', 'government'];
export const KIND_NAMES = { party: '党纪处分', government: '政务处分' };

export function emptyDecision() {
  return {
    person: { name: '', id_number: '', gender: '', unit_id: null, post: '', political_status: '', democratic_party: '', category: '' },
    doc_number: '', decided_by: '', decision_date: '',
    sanction: { party: { type: '', months: null }, government: { type: '', months: null } },
    illicit_gains: { amount: '', disposition: '' },
    org_handling: [], org_handling_other: '', letters: [], letters_other: '', facts: '',
  };
}

/** Every path the form shows a problem at. */
export const FORM_PATHS = [
  'person.name', 'person.id_number', 'person.gender', 'person.unit_id', 'person.post', 'person.political_status',
  'person.democratic_party', 'person.category', 'doc_number', 'decided_by', 'decision_date', 'sanctions',
  'sanction.party.type', 'sanction.party.months', 'sanction.government.type', 'sanction.government.months',
  'illicit_gains.amount', 'illicit_gains.disposition', 'org_handling', 'letters', 'facts',
];

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** GB 11643: 18 characters, a valid birth date and the right check character. */
export function idNumberProblem(value) {
  const text = String(value || '').trim().toUpperCase();
  if (!text) return '请填写公民身份号码';
  if (!/^\d{17}[\dX]$/.test(text)) return '公民身份号码应为18位，前17位为数字，末位为数字或X';
  const born = `${text.slice(6, 10)}-${text.slice(10, 12)}-${text.slice(12, 14)}`;
  const day = new Date(`${born}T00:00:00Z`);
  if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== born) return '公民身份号码中的出生日期不存在';
  const sum = [...text.slice(0, 17)].reduce((acc, ch, i) => acc + Number(ch) * WEIGHTS[i], 0);
  if (CHECK[sum % 11] !== text[17]) return '公民身份号码校验位不正确，请核对';
  return null;
}

const splitList = (text) => String(text || '').split(/[、,，;；\n]+/).map((s) => s.trim()).filter(Boolean);

/**
 * Every problem of the form at once: {path: text}.  choices: formChoices of the rule book;
 * today: the date a decision may not be after (YYYY-MM-DD).
 */
export function validateDecision(form, choices, today) {
  const errors = {};
  const p = form.person;
  const need = (path, value, text) => { if (value === null || value === undefined || String(value).trim() === '') errors[path] = text; };
  need('person.name', p.name, '请填写姓名');
  const idProblem = idNumberProblem(p.id_number);
  if (idProblem) errors['person.id_number'] = idProblem;
  need('person.unit_id', p.unit_id, '请选择所在单位');
  need('person.category', p.category, '请选择人员类别');
  need('person.political_status', p.political_status, '请选择政治面貌');
  if (p.political_status === '民主党派') need('person.democratic_party', p.democratic_party, '请选择所属民主党派');
  need('doc_number', form.doc_number, '请填写决定文号');
  need('decided_by', form.decided_by, '请填写作出决定机关');
  need('decision_date', form.decision_date, '请选择决定日期');
  if (form.decision_date && today && form.decision_date > today) errors.decision_date = '决定日期不能晚于今天';
  const chosen = KINDS.filter((kind) => form.sanction[kind].type);
  if (!chosen.length) errors.sanctions = '请至少选择一项处分（党纪处分或政务处分）';
  for (const kind of chosen) {
    const { type, months } = form.sanction[kind];
    if (monthsFor(choices, kind, type) && !months) errors[`sanction.${kind}.months`] = `请选择${type}的期限`;
    const only = choices.eligibility[kind];
    if (only && p.political_status && !only.includes(p.political_status)) {
      errors[`sanction.${kind}.type`] = `${KIND_NAMES[kind]}只能给予${only.join('、')}`;
    }
  }
  const { amount, disposition } = form.illicit_gains;
  if (amount && !/^\d+(\.\d{1,2})?$/.test(String(amount).trim())) errors['illicit_gains.amount'] = '金额应为数字，最多两位小数，如 12000.00';
  if (amount && !disposition) errors['illicit_gains.disposition'] = '请选择处置方式';
  if (disposition && !amount) errors['illicit_gains.amount'] = '请填写违纪违法所得金额';
  return errors;
}

/** The body of POST /decisions, and which sanction kind sits at each index of `sanctions`. */
export function decisionBody(form, choices) {
  const sanctions = [];
  const order = [];
  for (const kind of KINDS) {
    const { type, months } = form.sanction[kind];
    if (!type) continue;
    const sanction = { kind, type };
    if (monthsFor(choices, kind, type)) sanction.months = months ? Number(months) : null;
    sanctions.push(sanction);
    order.push(kind);
  }
  const p = form.person;
  const { amount, disposition } = form.illicit_gains;
  const body = {
    person: {
      name: p.name.trim(), id_number: p.id_number.trim().toUpperCase(), gender: p.gender || null,
      unit_id: p.unit_id ? Number(p.unit_id) : null, post: p.post.trim() || null,
      political_status: p.political_status || null,
      democratic_party: p.political_status === '民主党派' ? p.democratic_party || null : null,
      category: p.category || null,
    },
    doc_number: form.doc_number.trim(), decided_by: form.decided_by.trim(), decision_date: form.decision_date || null,
    sanctions,
    illicit_gains: amount || disposition ? { amount: String(amount).trim(), disposition: disposition || null } : null,
    org_handling: [...form.org_handling, ...splitList(form.org_handling_other)],
    letters: [...form.letters, ...splitList(form.letters_other)],
    facts: form.facts || '',
  };
  return { body, order };
}

/** sanctions.1.months → sanction.government.months: the form has one block per kind. */
export function formPath(path, order) {
  const match = /^sanctions\.(\d+)(?:\.(\w+))?/.exec(path);
  if (!match) return path;
  const kind = order[Number(match[1])];
  if (!kind) return 'sanctions';
  return `sanction.${kind}.${match[2] === 'months' ? 'months' : 'type'}`;
}
