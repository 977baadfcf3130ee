import { describe, expect, it } from 'vitest';
import {
  MAX_BYTES, errorRows, fileProblem, importKey, page, percent, progressText, readyToImport, sheetsOf, summary,
} from '../src/logic/imports.js';

describe('the import page', () => {
  it('refuses before uploading what the server would refuse', () => {
    expect(fileProblem(null)).toMatch('请选择');
    expect(fileProblem({ name: '历史.xls', size: 10 })).toMatch('不是 .xlsx');
    expect(fileProblem({ name: '历史.xlsx', size: 0 })).toBe('文件为空');
    expect(fileProblem({ name: '历史.xlsx', size: 50 * 1048576 })).toBe('文件过大（50.0 MB），上限 10.0 MB；请分成几个文件导入');
    expect(fileProblem({ name: '历史.XLSX', size: MAX_BYTES })).toBe('');
  });
  it('names each upload so its progress can be asked for', () => {
    const key = importKey(() => 0.5, () => 1700000000000);
    expect(key).toMatch(/^import-[a-z0-9]+-[a-z0-9]+$/);
    expect(key.length).toBeLessThanOrEqual(64);
    expect(importKey()).not.toBe(importKey());
  });
  it('shows progress from the import record', () => {
    expect(percent(null)).toBe(0);
    expect(percent({ rows: 400, processed: 100, state: 'running' })).toBe(25);
    expect(percent({ rows: 0, processed: 0, state: 'done' })).toBe(100);
    expect(progressText(null)).toBe('正在上传并读取文件…');
    expect(progressText({ rows: 400, processed: 100, state: 'running', dry_run: true })).toBe('正在检查：已处理 100 / 400 行');
    expect(progressText({ rows: 400, processed: 400, state: 'done' })).toBe('已完成：共 400 行');
  });
  it('says the result in a sentence and whether a dry run may go ahead', () => {
    const dry = { dry_run: true, rows: 10, created: 8, skipped: 1, invalid: 1, errors: [{}, {}] };
    expect(summary(dry)).toBe('试运行（未写入）：共 10 行，可导入 8 行，跳过 1 行（文号已登记），有误 1 行，问题 2 条');
    expect(summary({ ...dry, dry_run: false, errors: [], invalid: 0 })).toBe('导入完成：共 10 行，新增 8 行，跳过 1 行（文号已登记），有误 0 行');
    expect(readyToImport(dry)).toBe(true);
    expect(readyToImport({ ...dry, created: 0 })).toBe(false);
  });
  it('lists the row errors by sheet, a row-wide one as such, page by page', () => {
    const errors = [{ sheet: '处分决定', row: 3, column: '身份证号', message: '身份证号校验位错误' },
      { sheet: '执行进度', row: 2, column: null, message: 'x' }];
    expect(sheetsOf(errors)).toEqual(['处分决定', '执行进度']);
    expect(errorRows(errors, '执行进度')).toEqual([{ sheet: '执行进度', row: 2, column: '整行', message: 'x', key: 1 }]);
    expect(page(Array.from({ length: 120 }, (_, i) => i), 3)).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
  });
});
