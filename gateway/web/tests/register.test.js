// The registration form's logic: choices from the rule book the server answers, every problem
// at once in plain Chinese, the body POST /decisions takes, the server's paths mapped back.
import { describe, expect, it } from 'vitest';
import book from './rulebook.json';
import { formChoices, monthsFor } from '../src/rulebook.js';
import { decisionBody, emptyDecision, formPath, idNumberProblem, validateDecision } from '../src/logic/register.js';

const choices = formChoices(book);

function filled() {
  const form = emptyDecision();
  Object.assign(form.person, { name: '张三', id_number: '11010519800101106X', unit_id: 2, political_status: '中共党员', category: '公务员' });
  Object.assign(form, { doc_number: '东纪发〔2026〕1号', decided_by: '东河区纪委监委', decision_date: '2026-03-01' });
  form.sanction.party = { type: '留党察看', months: 24 };
  return form;
}

describe('choices', () => {
  it('come from the rule book, in its order, and a district adds its own', () => {
    expect(choices.sanctions).toEqual({ party: ['警告', '留党察看'], government: ['记过', '撤职'] });
    expect(monthsFor(choices, 'party', '留党察看')).toEqual([12, 24]);
    expect(monthsFor(choices, 'party', '警告')).toBeNull();
    const district = formChoices({ ...book, sanctions: [...book.sanctions, { kind: 'government', type: '降低岗位等级', months_choices: [12, 18] }] });
    expect(district.sanctions.government.at(-1)).toBe('降低岗位等级');
    expect(monthsFor(district, 'government', '降低岗位等级')).toEqual([12, 18]);
    expect(formChoices(null).sanctionTypes).toEqual([]);
  });
});

describe('validateDecision', () => {
  it('flags every required field of an empty form at once, in plain Chinese', () => {
    const errors = validateDecision(emptyDecision(), choices, '2026-06-15');
    expect(errors).toMatchObject({
      'person.name': '请填写姓名', 'person.id_number': '请填写公民身份号码', 'person.unit_id': '请选择所在单位',
      'person.category': '请选择人员类别', 'person.political_status': '请选择政治面貌', doc_number: '请填写决定文号',
      decided_by: '请填写作出决定机关', decision_date: '请选择决定日期',
    });
    expect(errors.sanctions).toContain('请至少选择一项处分');
    for (const text of Object.values(errors)) expect(text).not.toMatch(/[A-Za-z]|None|长度/);
  });

  it('accepts a complete form', () => {
    expect(validateDecision(filled(), choices, '2026-06-15')).toEqual({});
  });

  it('asks for the period the rule book lets the decision choose, and for the 民主党派', () => {
    const form = filled();
    form.sanction.party.months = null;
    form.person.political_status = '民主党派';
    const errors = validateDecision(form, choices, '2026-06-15');
    expect(errors['sanction.party.months']).toBe('请选择留党察看的期限');
    expect(errors['person.democratic_party']).toBe('请选择所属民主党派');
    expect(errors['sanction.party.type']).toBe('党纪处分只能给予中共党员');
  });

  it('checks the 身份证号 and a date in the future', () => {
    expect(idNumberProblem('110105198001010017')).toContain('校验位');
    expect(idNumberProblem('11010519801301001X')).toContain('出生日期');
    expect(idNumberProblem('12345')).toContain('18位');
    expect(idNumberProblem('11010519800101106x')).toBeNull();
    const form = filled();
    form.decision_date = '2026-07-01';
    expect(validateDecision(form, choices, '2026-06-15').decision_date).toBe('决定日期不能晚于今天');
  });

  it('wants an amount and a disposition together', () => {
    const form = filled();
    form.illicit_gains.amount = '12,000';
    const errors = validateDecision(form, choices, '2026-06-15');
    expect(errors['illicit_gains.amount']).toContain('金额应为数字');
    expect(errors['illicit_gains.disposition']).toBe('请选择处置方式');
  });
});

describe('decisionBody', () => {
  it('sends the months only where the rule book lets the decision choose them', () => {
    const form = filled();
    form.sanction.government = { type: '撤职', months: 6 };
    form.org_handling = ['免职'];
    form.org_handling_other = '调离、降职';
    const { body, order } = decisionBody(form, choices);
    expect(body.sanctions).toEqual([{ kind: 'party', type: '留党察看', months: 24 }, { kind: 'government', type: '撤职' }]);
    expect(order).toEqual(['party', 'government']);
    expect(body.org_handling).toEqual(['免职', '调离', '降职']);
    expect(body.person).toMatchObject({ unit_id: 2, democratic_party: null, id_number: '11010519800101106X' });
    expect(body.illicit_gains).toBeNull();
    expect(formPath('sanctions.1.months', order)).toBe('sanction.government.months');
    expect(formPath('sanctions.0', order)).toBe('sanction.party.type');
    expect(formPath('person.name', order)).toBe('person.name');
  });
});
