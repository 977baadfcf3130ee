// 人员查询 and 影响期查询: the search box's problems, the purposes from the rule book, the answer's
// wording (`until` is the first free day; 长期; 待恢复党员权利), the legal basis links, the rating
// day, party rights, the timeline of stacked periods.
import { describe, expect, it } from 'vitest';
import {
  basisLinks, checkSummary, idNumberProblem, mayCheck, partyRightsText, periodName, periodTag, purposesOf,
  ratingDay, searchProblem, sourceName, timeline, verdict,
} from '../src/logic/people.js';

const book = {
  restrictions: {
    partners: ['organization', 'hr'],
    purposes: [{ id: 'promotion', name: '晋升职务职级' }, { id: 'rating', name: '考核等次' }, { id: '', name: 'x' }],
  },
};

describe('searchProblem', () => {
  it('asks for a name, a full 身份证号 or at least its last 4 digits', () => {
    expect(searchProblem('')).toBe('请输入姓名或身份证号');
    expect(searchProblem('  ')).toBe('请输入姓名或身份证号');
    expect(searchProblem('123')).toBe('按身份证号查询至少输入后4位');
    expect(searchProblem('12x')).toBe('按身份证号查询至少输入后4位');
    expect(searchProblem('106X')).toBeNull();
    expect(searchProblem('王')).toBeNull();
    expect(searchProblem('11010519800101106X')).toBeNull();
    expect(searchProblem('王'.repeat(65))).toBe('查询内容不超过64个字');
  });
});

describe('purposesOf and mayCheck', () => {
  it('takes the purposes in the rule book order, dropping what it cannot use', () => {
    expect(purposesOf(book)).toEqual([{ id: 'promotion', name: '晋升职务职级' }, { id: 'rating', name: '考核等次' }]);
    expect(purposesOf({ restrictions: { purposes: { award: '评先评优' } } })).toEqual([{ id: 'award', name: '评先评优' }]);
    expect(purposesOf(null)).toEqual([]);
  });
  it('lets the review office, leaders and the partners the rule book names check', () => {
    expect(mayCheck({ role: 'reviewer' }, null, book)).toBe(true);
    expect(mayCheck({ role: 'leader' }, null, book)).toBe(true);
    expect(mayCheck({ role: 'operator' }, null, book)).toBe(false);
    expect(mayCheck({ role: 'partner' }, { partner_role: 'organization' }, book)).toBe(true);
    expect(mayCheck({ role: 'partner' }, { partner_role: 'finance' }, book)).toBe(false);
    expect(mayCheck({ role: 'partner' }, null, book)).toBe(true);       // unknown yet: the server decides
    expect(mayCheck(null, null, book)).toBe(false);
  });
  it('checks the 身份证号 as the registration form does', () => {
    expect(idNumberProblem('11010519800101106X')).toBeNull();
    expect(idNumberProblem('110105198001011061')).toBe('公民身份号码校验位不正确，请核对');
  });
});

describe('verdict', () => {
  it('says an allowed purpose is not restricted', () => {
    expect(verdict({ name: '评先评优', allowed: true })).toEqual({ allowed: true, tag: '不受限制', type: 'success', text: '评先评优不受影响期限制' });
  });
  it('names until as the first day allowed again', () => {
    const v = verdict({ name: '晋升职务职级', allowed: false, until: '2027-03-01' });
    expect(v.tag).toBe('2027-03-01 起可以');
    expect(v.text).toBe('晋升职务职级受限，自 2027-03-01 起不再受限（2027-03-01 为解除限制的第一天）');
  });
  it('says 长期 for good and 待恢复党员权利 with the earliest day for a pending restore', () => {
    expect(verdict({ name: '晋升职务职级', allowed: false, open_ended: 'permanent' }).tag).toBe('长期');
    const restore = verdict({ name: '党员权利', allowed: false, open_ended: 'restore', not_before: '2026-07-01' });
    expect(restore.tag).toBe('待恢复党员权利');
    expect(restore.text).toBe('党员权利受限，须经党组织决定恢复党员权利后方可解除，最早自 2026-07-01 起');
    expect(verdict({ name: '党员权利', allowed: false, open_ended: 'restore' }).text).not.toContain('最早');
  });
});

describe('basisLinks and sourceName', () => {
  it('links the binding basis first, every article once, to the library', () => {
    const answer = { basis: { regulation: 'L01', article: 19 }, bases: [{ regulation: 'L01', article: 19 }, { regulation: 'L05', article: 64 }, {}] };
    expect(basisLinks(answer)).toEqual([
      { regulation: 'L01', article: 19, to: '/library/L01/19' },
      { regulation: 'L05', article: 64, to: '/library/L05/64' },
    ]);
    expect(basisLinks({ allowed: true, basis: null })).toEqual([]);
  });
  it('names how firm the source is, never the letter', () => {
    expect(sourceName('F')).toBe('法规条文明确规定');
    expect(sourceName('P')).toBe('本地区工作惯例');
    expect(sourceName('Z')).toBe('');
  });
});

describe('checkSummary and ratingDay', () => {
  it('says whether the platform knows the person and whether the day is in a period', () => {
    expect(checkSummary({ known: false, in_impact_period: false, id_number: '110105********106X', on: '2026-06-01' }))
      .toBe('平台未登记身份证号 110105********106X 的处分决定，2026-06-01 不在影响期内');
    expect(checkSummary({ known: true, in_impact_period: true, id_number: '110105********106X', on: '2026-06-01' }))
      .toBe('身份证号 110105********106X 于 2026-06-01 处于影响期内');
    expect(checkSummary({ known: true, in_impact_period: false, id_number: 'x', on: 'd' })).toBe('身份证号 x 于 d 不在影响期内');
  });
  it('asks a rating check on 31 December of the assessment year', () => {
    expect(ratingDay('rating', '2026-06-01')).toBe('2026-12-31');
    expect(ratingDay('rating', '2026-12-31')).toBeNull();
    expect(ratingDay('promotion', '2026-06-01')).toBeNull();
    expect(ratingDay('rating', '')).toBeNull();
  });
});

describe('periods, party rights and the search tag', () => {
  it('names a period by its kind and sanction', () => {
    expect(periodName({ kind: 'government', sanction_type: '记过' })).toBe('政务记过');
    expect(periodName({ kind: 'party', sanction_type: '严重警告' })).toBe('党纪严重警告');
  });
  it('says where the party rights stand', () => {
    expect(partyRightsText(null)).toBe('');
    expect(partyRightsText({ state: 'on_probation', sanction_type: '留党察看', period_ends_on: '2027-05-20' }))
      .toBe('察看期内（留党察看），察看期至 2027-05-20 届满');
    expect(partyRightsText({ state: 'awaiting_restore', sanction_type: '留党察看', period_ends_on: '2026-05-20' }))
      .toBe('察看期已于 2026-05-20 届满（留党察看），待党组织决定恢复党员权利');
    expect(partyRightsText({ state: 'restored', sanction_type: '留党察看', restored_on: '2026-06-02' }))
      .toBe('已于 2026-06-02 恢复党员权利（留党察看）');
  });
  it('tags a search row in or out of its period', () => {
    expect(periodTag({ in_impact_period: true, until: '2027-01-01' })).toEqual({ tag: '影响期内，2027-01-01 届满', type: 'danger' });
    expect(periodTag({ in_impact_period: false })).toEqual({ tag: '不在影响期内', type: 'info' });
  });
  it('lays the periods on one axis and names what a stacked one was added to', () => {
    const line = timeline([
      { id: 2, kind: 'party', sanction_type: '严重警告', doc_number: '东纪发〔2026〕7号', starts_on: '2026-12-01', ends_on: '2028-06-01', stacked: true, stacked_on: 1 },
      { id: 1, kind: 'party', sanction_type: '警告', doc_number: '东纪发〔2026〕1号', starts_on: '2026-01-01', ends_on: '2027-01-01', stacked: false, stacked_on: null },
    ], '2027-06-01');
    expect(line.start).toBe('2026-01-01');
    expect(line.end).toBe('2028-06-01');
    expect(line.bars.map((b) => b.key)).toEqual([1, 2]);
    expect(line.bars[0]).toMatchObject({ left: 0, ended: true, stacked: false, note: '' });
    expect(line.bars[1]).toMatchObject({ ended: false, stacked: true, note: '叠加于 东纪发〔2026〕1号 党纪警告 的影响期之后' });
    expect(line.bars[1].left + line.bars[1].width).toBeCloseTo(100, 1);
    expect(line.today).toBeGreaterThan(0);
    expect(timeline([], '2026-01-01')).toEqual({ bars: [], start: null, end: null, today: null });
    expect(timeline([{ id: 3, kind: 'party', sanction_type: '警告', starts_on: '2026-01-01', ends_on: '2026-07-01', stacked: true }], '2030-01-01'))
      .toMatchObject({ today: null, bars: [{ note: '与此前的影响期叠加计算' }] });
  });
});
