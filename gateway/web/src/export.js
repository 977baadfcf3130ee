// Export of a list as a CSV file the browser writes (Excel opens it: UTF-8 with a BOM, CRLF).
import { saveBlob } from './api.js';

function cell(value) {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** columns: [{label, value(row)}]; the CSV text. */
export function toCsv(columns, rows) {
  const lines = [columns.map((c) => cell(c.label)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(c.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function exportCsv(name, columns, rows) {
  const blob = new Blob(['\ufeff', toCsv(columns, rows)], { type: 'text/csv;charset=utf-8' });
  saveBlob(blob, `${name}.csv`);
}
