// The evidence checklist (报送材料清单) as the 上报 and 驳回 forms use it: what the server's
// GET /items/{id}/checklist answers ({code, fields, common_fields, problem_categories}), with
// labels.js's copy standing in for whatever part it does not answer.  No DOM here.
import { splitList } from './forms.js';
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
  const fields = (Array.isArray(served) && served.length ? served : own).map((s) => normaliseSpec(s, own));
  const keys = new Set(fields.map((f) => f.key));
  const common = (Array.isArray(body?.common_fields) ? body.common_fields : COMMON_EVIDENCE)
    .map((s) => normaliseSpec(s, COMMON_EVIDENCE)).filter((s) => s.key && !keys.has(s.key));
  const categories = Array.isArray(body?.problem_categories)
    ? body.problem_categories.filter((c) => typeof c === 'string' && c) : [];
  return { fields, common, problems: categories.length ? categories : [...PROBLEM_CATEGORIES] };
}

/** One field: the server's spec in the client's shape; a list's minimum, if the server gives none, from labels.js. */
export function normaliseSpec(s, fallback = []) {
  const key = s.key || s.name;
  const spec = { key, label: s.label || s.title || key, type: s.type || 'text', required: Boolean(s.required),
    options: s.options || s.choices || undefined, placeholder: s.placeholder, hint: s.hint };
  if (spec.type === 'list') {
    const known = fallback.find((f) => f.key === key && f.type === 'list');
    const least = [s.min_items, s.minItems, known?.min_items].map(Number).find((n) => Number.isInteger(n) && n > 0);
    if (least) spec.min_items = least;
  }
  return spec;
}

/** People are counted in 人 (宣布人, 回访人), anything else in 项. */
function unitOf(spec) { return /人$/.test(spec.label || '') ? '人' : '项'; }

/** The hint under a list field: how to separate entries and, when more than one is needed, how many. */
export function listHint(spec) {
  if (spec.type !== 'list') return null;
  return spec.min_items > 1 ? `至少填写 ${spec.min_items} ${unitOf(spec)}，多项以顿号分隔（如：张三、李四）` : '多项以顿号分隔';
}

/**
 * The lists with fewer entries than their minimum, as the API's `fields` map ({'evidence.key':
 * [message]}), so that they show next to their inputs as the server's refusals do.  values: the
 * form's values by input name (evidence.key → text).
 */
export function tooFew(specs, values) {
  const problems = {};
  for (const spec of specs) {
    if (spec.type !== 'list' || !spec.min_items) continue;
    const count = splitList(values[`evidence.${spec.key}`]).length;
    if (count >= spec.min_items || (!count && !spec.required)) continue;   // an optional list may be left out
    const unit = unitOf(spec);
    problems[`evidence.${spec.key}`] = [count
      ? `${spec.label}至少需要 ${spec.min_items} ${unit}，现只填写了 ${count} ${unit}（多项以顿号分隔）`
      : `请填写${spec.label}` + (spec.min_items > 1 ? `，至少 ${spec.min_items} ${unit}` : '')];
  }
  return problems;
}
