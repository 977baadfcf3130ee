// The evidence checklist (报送材料清单) as the 上报 and 驳回 forms use it: what the server's
// GET /items/{id}/checklist answers ({code, fields, common_fields, problem_categories}), with
// labels.js's copy standing in for whatever part it does not answer.  No DOM here.
import { COMMON_EVIDENCE, EVIDENCE, PROBLEM_CATEGORIES } from './labels.js';

const UNKNOWN_CODE = [{ key: 'description', label: '办理情况', type: 'textarea', required: true }];

/**
 * {fields, common, problems} of an item code from the server's answer (null: no answer).
 * fields: the item's own evidence; common: what every report may add (补充说明); problems: the
 * 驳回 categories.  An empty common_fields list is the server's word (no common fields); a
 * missing one, or no answer at all, means labels.js's copy.
 */
export function checklistFrom(body, code) {
  const own = EVIDENCE[code] || UNKNOWN_CODE;
  const served = Array.isArray(body) ? body : body?.fields || body?.evidence;
  const fields = (Array.isArray(served) && served.length ? served : own).map(normaliseSpec);
  const keys = new Set(fields.map((f) => f.key));
  const common = (Array.isArray(body?.common_fields) ? body.common_fields : COMMON_EVIDENCE)
    .map(normaliseSpec).filter((s) => s.key && !keys.has(s.key));
  const categories = Array.isArray(body?.problem_categories)
    ? body.problem_categories.filter((c) => typeof c === 'string' && c) : [];
  return { fields, common, problems: categories.length ? categories : [...PROBLEM_CATEGORIES] };
}

/** One field: the server's spec in the client's shape. */
export function normaliseSpec(s) {
  const key = s.key || s.name;
  const spec = { key, label: s.label || s.title || key, type: s.type || 'text', required: Boolean(s.required),
    options: s.options || s.choices || undefined, placeholder: s.placeholder, hint: s.hint };
  return spec;
}
