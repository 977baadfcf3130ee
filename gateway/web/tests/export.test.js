import { describe, expect, it } from 'vitest';
import { toCsv } from '../src/export.js';
import { snippetParts, countdownText } from '../src/format.js';
import { describeRequest, outcomeText } from '../src/logic/audit.js';

describe('exports and words', () => {
  it('write CSV that Excel reads, quoting what needs it', () => {
    expect(toCsv([{ label: '姓名', value: (r) => r.n }, { label: '说明', value: (r) => r.t }], [{ n: '张三', t: '甲,"乙"' }]))
      .toBe('姓名,说明\r\n张三,"甲,""乙"""\r\n');
  });
  it('show search hits as text, never markup', () => {
    expect(snippetParts('向被调查人<em>宣布</em><b>x</b>')).toEqual([{ text: '向被调查人', hit: false }, { text: '宣布', hit: true }, { text: 'x', hit: false }]);
  });
  it('say the audit trail in words', () => {
    expect(describeRequest('POST', '/api/v1/reports/5/reject')).toBe('驳回上报');
    expect(describeRequest('GET', '/api/v1/decisions?page=2')).toBe('查看处分决定列表');
    expect(outcomeText(404)).toBe('未找到');
  });
  it('count down from the server\'s days', () => {
    expect([countdownText(3), countdownText(0), countdownText(-2)]).toEqual(['剩余 3 天', '今日到期', '已超期 2 天']);
  });
});
