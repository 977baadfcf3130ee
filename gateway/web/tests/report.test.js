// The report (上报) and rejection (驳回) forms: the server's checklist, a new round prefilled
// from the rejected one with its changes found, every problem at once.
import { describe, expect, it } from 'vitest';
import { changedKeys, checklistFrom, evidenceFrom, lastRounds, reportModel, validateRejection, validateReport } from '../src/logic/report.js';
import { placeErrors } from '../src/logic/errors.js';

const answer = {
  code: 'ANNOUNCE',
  fields: [
    { key: 'announced_on', label: '宣布日期', type: 'date', required: true },
    { key: 'scope', label: '参会范围', type: 'textarea', required: true },
    { key: 'announcers', label: '宣布人', type: 'list', required: true, min_items: 2 },
    { key: 'attendance', label: '参会人数', type: 'number', required: true },
    { key: 'statement', label: '本人表态', type: 'textarea', required: false },
    { key: 'refused_to_sign', label: '本人拒绝签字', type: 'checkbox', required: false },
  ],
  common_fields: [{ key: 'note', label: '补充说明', type: 'textarea', required: false }],
  problem_categories: ['以送达代替宣布', '本人不表态', '其他'],
};
const { fields, common, problems } = checklistFrom(answer);
const specs = [...fields, ...common];
const rejected = {
  id: 2, round: 1, state: 'rejected', performed_on: '2026-05-20',
  evidence: { announced_on: '2026-05-20', scope: '全体干部职工大会', announcers: ['单位主要负责人', '纪检委员'], attendance: 35, statement: '', refused_to_sign: false },
  problem_category: '本人不表态', requirement: '补充本人表态记录', rectify_by: '2026-06-22',
};

describe('the checklist', () => {
  it('is what the server answers, nothing of the client', () => {
    expect(fields.map((f) => f.key)).toEqual(['announced_on', 'scope', 'announcers', 'attendance', 'statement', 'refused_to_sign']);
    expect(common.map((f) => f.label)).toEqual(['补充说明']);
    expect(problems).toEqual(['以送达代替宣布', '本人不表态', '其他']);
    expect(checklistFrom(null)).toEqual({ fields: [], common: [], problems: [] });
  });
});

describe('a new round after a rejection', () => {
  it('starts from the rejected round, and knows what changed', () => {
    const model = reportModel(specs, rejected);
    expect(model.performed_on).toBe('2026-05-20');
    expect(model.evidence.announcers).toBe('单位主要负责人、纪检委员');
    expect(model.evidence.attendance).toBe(35);
    expect(changedKeys(specs, model, rejected)).toEqual([]);
    model.evidence.statement = '本人表示接受处分';
    model.evidence.announcers = '单位主要负责人、 纪检委员';   // the same names: not a change
    expect(changedKeys(specs, model, rejected)).toEqual(['statement']);
    expect(evidenceFrom(specs, model)).toEqual({ ...rejected.evidence, statement: '本人表示接受处分' });
  });

  it('picks the rounds: the newest, the rejected, the one waiting', () => {
    const waiting = { id: 3, round: 2, state: 'submitted' };
    expect(lastRounds([waiting, rejected])).toEqual({ latest: waiting, rejected, pending: waiting });
  });
});

describe('validateReport', () => {
  it('flags every missing field at once', () => {
    const errors = validateReport(specs, reportModel(specs, null), '2026-06-15');
    expect(errors).toEqual({
      performed_on: '请选择办理日期', 'evidence.announced_on': '请选择宣布日期', 'evidence.scope': '请填写参会范围',
      'evidence.announcers': '请填写宣布人', 'evidence.attendance': '请填写参会人数',
    });
  });

  it('counts the people a list needs', () => {
    const model = reportModel(specs, rejected);
    model.evidence.announcers = '李四';
    expect(validateReport(specs, model, '2026-06-15')['evidence.announcers']).toBe('宣布人至少需要 2 人，现只填写了 1 人（多项以顿号分隔）');
  });
});

describe('validateRejection', () => {
  it('flags 问题类别, 整改要求 and 整改期限 of an empty form at once', () => {
    expect(validateRejection({ problem: '', requirement: ' ', rectify_by: '' })).toEqual({
      problem: '请选择问题类别', requirement: '请填写整改要求', rectify_by: '请选择整改期限' });
    expect(validateRejection({ problem: '其他', requirement: '补充', rectify_by: '2026-06-22' })).toEqual({});
  });
});

describe('server errors', () => {
  it('land on the nearest field the form has, in Chinese', () => {
    const { placed, rest } = placeErrors({ evidence: { announcers: ['Missing data for required field.'] }, 'evidence.scope.0': ['太短'], other: ['x'] },
      ['evidence.announcers', 'evidence.scope']);
    expect(placed).toEqual({ 'evidence.announcers': '必填', 'evidence.scope': '太短' });
    expect(rest).toEqual(['x']);
  });
});
