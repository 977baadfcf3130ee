// 上报 and 驳回: the evidence checklist the server answers (GET /items/{id}/checklist), the
// report form's model (prefilled from the last round after a rejection), which fields
// changed since that round, every problem at once, and the body of POST /items/{id}/reports.
// The client keeps no checklist of its own: what the server does not answer is not asked.

/** {fields, common, problems} from the checklist answer (null: none). */
export function checklistFrom(body) {
  const norm = (s) => ({
    key: s.key || s.name, label: s.label || s.key || s.name, type: s.type || 'text', required: Boolean(s.required),
    options: Array.isArray(s.options) ? s.options : null, min_items: Number.isInteger(s.min_items) ? s.min_items : null,
  });
  const fields = (Array.isArray(body?.fields) ? body.fields : []).map(norm).filter((f) => f.key);
  const keys = new Set(fields.map((f) => f.key));
  const common = (Array.isArray(body?.common_fields) ? body.common_fields : []).map(norm).filter((f) => f.key && !keys.has(f.key));
  const problems = (Array.isArray(body?.problem_categories) ? body.problem_categories : []).filter((c) => typeof c === 'string' && c);
  return { fields, common, problems };
}

export const splitList = (text) => String(text ?? '').split(/[、,，;；\n]+/).map((s) => s.trim()).filter(Boolean);

function blank(spec) {
  if (spec.type === 'checkbox') return false;
  if (spec.type === 'checks') return [];
  if (spec.type === 'number') return null;
  return '';
}

/** A stored evidence value as the form shows it (lists as 张三、李四). */
function shown(spec, value) {
  if (value === undefined || value === null) return blank(spec);
  if (spec.type === 'list') return Array.isArray(value) ? value.join('、') : String(value);
  if (spec.type === 'checkbox') return Boolean(value);
  if (spec.type === 'checks') return Array.isArray(value) ? [...value] : [value];
  if (spec.type === 'number') return Number(value);
  return String(value);
}

/**
 * The form's values: empty, or — after a rejection — the last round's (performed_on and
 * every evidence value), so the unit changes only what the requirement asks.
 */
export function reportModel(specs, lastReport) {
  const evidence = {};
  for (const spec of specs) evidence[spec.key] = shown(spec, lastReport?.evidence?.[spec.key]);
  return { performed_on: lastReport?.performed_on || '', evidence };
}

function same(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The keys whose value differs from the last round's (highlighted in the form). */
export function changedKeys(specs, model, lastReport) {
  if (!lastReport) return [];
  const before = reportModel(specs, lastReport);
  const changed = specs.filter((s) => !same(normal(s, model.evidence[s.key]), normal(s, before.evidence[s.key]))).map((s) => s.key);
  if (model.performed_on !== before.performed_on) changed.unshift('performed_on');
  return changed;
}

function normal(spec, value) {
  if (spec.type === 'list') return splitList(value);
  if (typeof value === 'string') return value.trim();
  return value;
}

const PEOPLE = /人$/;

/** Every problem at once: {path: text}, path 'performed_on' or 'evidence.<key>'. */
export function validateReport(specs, model, today) {
  const errors = {};
  if (!model.performed_on) errors.performed_on = '请选择办理日期';
  else if (today && model.performed_on > today) errors.performed_on = '办理日期不能晚于今天';
  for (const spec of specs) {
    const value = model.evidence[spec.key];
    const path = `evidence.${spec.key}`;
    const verb = ['select', 'date', 'checks'].includes(spec.type) ? '请选择' : '请填写';
    if (spec.type === 'list') {
      const count = splitList(value).length;
      if (spec.required && !count) errors[path] = `${verb}${spec.label}`;
      else if (spec.min_items && count && count < spec.min_items) {
        const unit = PEOPLE.test(spec.label) ? '人' : '项';
        errors[path] = `${spec.label}至少需要 ${spec.min_items} ${unit}，现只填写了 ${count} ${unit}（多项以顿号分隔）`;
      }
      continue;
    }
    if (spec.type === 'checkbox') continue;
    const empty = value === null || value === undefined || (Array.isArray(value) ? !value.length : String(value).trim() === '');
    if (spec.required && empty) { errors[path] = `${verb}${spec.label}`; continue; }
    if (!empty && spec.type === 'money' && !/^\d+(\.\d{1,2})?$/.test(String(value).trim())) errors[path] = `${spec.label}应为金额，如 12000.00`;
  }
  return errors;
}

/** The evidence object: lists split, numbers numeric, ticks boolean, blanks left out. */
export function evidenceFrom(specs, model) {
  const evidence = {};
  for (const spec of specs) {
    const raw = model.evidence[spec.key];
    if (spec.type === 'checkbox') { evidence[spec.key] = Boolean(raw); continue; }
    if (spec.type === 'checks') { if (raw?.length) evidence[spec.key] = [...raw]; continue; }
    if (raw === undefined || raw === null || String(raw).trim() === '') continue;
    if (spec.type === 'list') evidence[spec.key] = splitList(raw);
    else if (spec.type === 'number') evidence[spec.key] = Number(raw);
    else evidence[spec.key] = typeof raw === 'string' ? raw.trim() : raw;
  }
  return evidence;
}

/** 驳回: every problem at once. */
export function validateRejection(form) {
  const errors = {};
  if (!form.problem) errors.problem = '请选择问题类别';
  if (!String(form.requirement || '').trim()) errors.requirement = '请填写整改要求';
  if (!form.rectify_by) errors.rectify_by = '请选择整改期限';

  return errors;
}

/** The newest report, and the newest rejected one (whose values a new round starts from). */
export function lastRounds(reports) {
  const sorted = [...(reports || [])].sort((a, b) => (a.round || 0) - (b.round || 0) || a.id - b.id);
  const latest = sorted[sorted.length - 1] || null;
  const rejected = [...sorted].reverse().find((r) => r.state === 'rejected') || null;
  return { latest, rejected, pending: sorted.filter((r) => r.state === 'submitted').pop() || null };
}
