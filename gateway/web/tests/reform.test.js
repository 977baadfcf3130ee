// 登记以案促改: the bases come from the rule book's reforms section; every problem at once in plain
// Chinese; a 监察建议 about the unit itself names no decision; the body POST /reforms takes.
import { describe, expect, it } from 'vitest';
import { basisOf, emptyReform, progressText, reformBody, reformChoices, reformPath, validateReform } from '../src/logic/reform.js';

const book = {
  reforms: {
    bases: [{ name: '建议书甲', decisions: 'required' }, { name: '建议书乙', decisions: 'none' }, { name: '', decisions: 'x' }],
    tasks: [{ code: 'T1', name: '任务一' }],
    legal_basis: [{ regulation: 'S01', article: 36 }],
  },
};
const choices = reformChoices(book);

function filled() {
  return { ...emptyReform({ id: 7, unit_id: 2 }), basis: '建议书甲', doc_number: '东纪建〔2026〕5号', issued_on: '2026-06-12',
    requirements: '完善审核制度' };
}

describe('reformChoices', () => {
  it('takes the bases, tasks and legal basis from the rule book, dropping what it cannot use', () => {
    expect(choices.bases).toEqual([{ name: '建议书甲', decisions: 'required' }, { name: '建议书乙', decisions: 'none' }]);
    expect(choices.tasks.map((t) => t.code)).toEqual(['T1']);
    expect(choices.legalBasis).toEqual([{ regulation: 'S01', article: 36 }]);
    expect(reformChoices(null)).toEqual({ bases: [], tasks: [], legalBasis: [] });
    expect(basisOf(choices, '建议书乙').decisions).toBe('none');
  });
});

describe('validateReform', () => {
  it('flags every required field of an empty form at once, in plain Chinese', () => {
    const errors = validateReform(emptyReform(), choices, '2026-06-15');
    expect(errors).toEqual({ unit_id: '请选择整改单位', basis: '请选择依据', doc_number: '请填写文号',
      issued_on: '请选择下发日期', requirements: '请填写整改要求' });
  });

  it('starts from the decision it is registered from, and accepts a complete form', () => {
    expect(emptyReform({ id: 7, unit_id: 2 })).toMatchObject({ unit_id: 2, decision_ids: [7] });
    expect(validateReform(filled(), choices, '2026-06-15')).toEqual({});
  });

  it('asks for a decision where the basis needs one, and refuses one where it names none', () => {
    expect(validateReform({ ...filled(), decision_ids: [] }, choices, '2026-06-15').decision_ids).toContain('请选择');
    expect(validateReform({ ...filled(), basis: '建议书乙' }, choices, '2026-06-15').decision_ids).toContain('不关联处分决定');
    expect(validateReform({ ...filled(), basis: '建议书乙', decision_ids: [] }, choices, '2026-06-15')).toEqual({});
  });

  it('refuses an issue date in the future and a deadline before the issue date', () => {
    expect(validateReform({ ...filled(), issued_on: '2026-06-16' }, choices, '2026-06-15').issued_on).toBe('下发日期不能晚于今天');
    expect(validateReform({ ...filled(), due_date: '2026-06-11' }, choices, '2026-06-15').due_date).toBe('整改期限不能早于下发日期');
    expect(validateReform({ ...filled(), basis: '口头' }, choices, '2026-06-15').basis).toBe('依据不在规定范围内');
  });
});

describe('reformBody and the server paths', () => {
  it('is what POST /reforms takes', () => {
    expect(reformBody({ ...filled(), decision_ids: [7, 7], doc_number: ' 东纪建〔2026〕5号 ' })).toEqual({
      unit_id: 2, decision_ids: [7], basis: '建议书甲', doc_number: '东纪建〔2026〕5号', issued_on: '2026-06-12',
      requirements: '完善审核制度', party_group: true });
    expect(reformBody({ ...filled(), due_date: '2026-09-30', party_group: false })).toMatchObject({ due_date: '2026-09-30', party_group: false });
    expect(reformPath('decision_ids.1')).toBe('decision_ids');
    expect(reformPath('basis')).toBe('basis');
    expect(progressText({ tasks_total: 7, tasks_approved: 3 })).toBe('已通过 3 / 7');
  });
});
