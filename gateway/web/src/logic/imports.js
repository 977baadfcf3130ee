// 批量导入: what the import page decides before and after an upload (no DOM, tested by Vitest).

export const MAX_BYTES = 10 * 1024 * 1024;   // the server's limit (gateway/imports.py MAX_BYTES)
export const ERRORS_PER_PAGE = 50;

/** Why ``file`` cannot be sent, or '' (the server checks the content; this saves a useless upload). */
export function fileProblem(file) {
  if (!file) return '请选择要导入的 .xlsx 文件';
  if (!/\.xlsx$/i.test(file.name || '')) return `“${file.name}”不是 .xlsx 文件：请用导入模板填写，或在 Excel 中另存为 .xlsx`;
  if (!file.size) return '文件为空';
  if (file.size > MAX_BYTES) return `文件过大（${megabytes(file.size)}），上限 ${megabytes(MAX_BYTES)}；请分成几个文件导入`;
  return '';
}

export function megabytes(bytes) {
  return `${(bytes / 1048576).toFixed(bytes < 1048576 ? 2 : 1)} MB`;
}

/** A fresh Idempotency-Key: the upload's import is found by it while it runs. */
export function importKey(random = Math.random, now = Date.now) {
  return `import-${now().toString(36)}-${Math.floor(random() * 1e12).toString(36)}`.slice(0, 64);
}

/** The progress bar's percentage from an import as GET /imports answers it (0 until it is known). */
export function percent(batch) {
  if (!batch || !batch.rows) return batch && batch.state === 'done' ? 100 : 0;
  return Math.min(100, Math.round((100 * (batch.processed || 0)) / batch.rows));
}

export function progressText(batch) {
  if (!batch) return '正在上传并读取文件…';
  if (batch.state === 'done') return `已完成：共 ${batch.rows} 行`;
  return `正在${batch.dry_run ? '检查' : '导入'}：已处理 ${batch.processed || 0} / ${batch.rows} 行`;
}

/** One sentence for the result. */
export function summary(result) {
  if (!result) return '';
  const errors = result.errors_total ?? (result.errors || []).length;
  const head = result.dry_run ? `试运行（未写入）：共 ${result.rows} 行，可导入 ${result.created} 行`
    : `导入完成：共 ${result.rows} 行，新增 ${result.created} 行`;
  return `${head}，跳过 ${result.skipped} 行（文号已登记），有误 ${result.invalid} 行${errors ? `，问题 ${errors} 条` : ''}`;
}

/** Whether the dry run found nothing to stop a real import of the same file. */
export function readyToImport(result) {
  return Boolean(result && result.dry_run && result.created > 0);
}

/** The errors shown: those of ``sheet`` ('' for all), in the sheet's own order. */
export function errorRows(errors, sheet = '') {
  return (errors || []).map((e, index) => ({ ...e, key: index, column: e.column || '整行' }))
    .filter((e) => !sheet || e.sheet === sheet);
}

export function sheetsOf(errors) {
  return [...new Set((errors || []).map((e) => e.sheet))];
}

export function page(rows, number, size = ERRORS_PER_PAGE) {
  return rows.slice((number - 1) * size, number * size);
}
