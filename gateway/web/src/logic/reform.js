// 登记以案促改: the form's model, every problem found at once in plain Chinese, and the body of
// POST /reforms.  The bases and whether each names the decisions it arises from are the rule
// book's (GET /rulebook, its reforms section); the client keeps no list of its own.

/** {bases: [{name, decisions: 'required'|'none'}], tasks: [...], legalBasis: [...]} of the rule book. */
export function reformChoices(book) {
  const section = book?.reforms || {};
  const bases = (Array.isArray(section.bases) ? section.bases : [])
    .filter((b) => b && typeof b.name === 'string' && b.name)
    .map((b) => ({ name: b.name, decisions: b.decisions === 'none' ? 'none' : 'required' }));
  return {
    bases,
    tasks: Array.isArray(section.tasks) ? [...section.tasks] : [],
    legalBasis: Array.isArray(section.legal_basis) ? [...section.legal_basis] : [],
  };
}

export function basisOf(choices, name) {
  return choices.bases.find((b) => b.name === name) || null;
}

export function emptyReform(decision = null) {
  return {
    unit_id: decision?.unit_id ?? null,
    decision_ids: decision ? [decision.id] : [],
    basis: '', doc_number: '', issued_on: '', due_date: '', requirements: '', party_group: true,
  };
}

/** Every path the form shows a problem at (decision_ids.0 … go to decision_ids). */
export const REFORM_PATHS = ['unit_id', 'decision_ids', 'basis', 'doc_number', 'issued_on', 'due_date',
  'requirements', 'party_group'];

export const REFORM_LABELS = {
  unit_id: '整改单位', decision_ids: '所涉处分决定', basis: '依据', doc_number: '文号', issued_on: '下发日期',
  due_date: '整改期限', requirements: '整改要求', party_group: '单位设有党组（党委）',
};

/** {path: problem} for the form as it is; {} when it may be sent. */
export function validateReform(form, choices, today) {
  const errors = {};
  if (!form.unit_id) errors.unit_id = '请选择整改单位';
  const basis = basisOf(choices, form.basis);
  if (!form.basis) errors.basis = '请选择依据';
  else if (!basis) errors.basis = '依据不在规定范围内';
  if (basis?.decisions === 'required' && !(form.decision_ids || []).length) {
    errors.decision_ids = '请选择以案促改所依据的处分决定';
  }
  if (basis?.decisions === 'none' && (form.decision_ids || []).length) {
    errors.decision_ids = `依据${basis.name}的以案促改针对单位本身，不关联处分决定`;
  }
  if (!String(form.doc_number || '').trim()) errors.doc_number = '请填写文号';
  if (!form.issued_on) errors.issued_on = '请选择下发日期';
  else if (today && form.issued_on > today) errors.issued_on = '下发日期不能晚于今天';
  if (form.due_date && form.issued_on && form.due_date < form.issued_on) errors.due_date = '整改期限不能早于下发日期';
  if (!String(form.requirements || '').trim()) errors.requirements = '请填写整改要求';
  return errors;
}

/** The body of POST /reforms. */
export function reformBody(form) {
  const body = {
    unit_id: form.unit_id, decision_ids: [...new Set(form.decision_ids || [])], basis: form.basis,
    doc_number: String(form.doc_number || '').trim(), issued_on: form.issued_on,
    requirements: String(form.requirements || '').trim(), party_group: form.party_group !== false,
  };
  if (form.due_date) body.due_date = form.due_date;
  return body;
}

/** The server's path as the form's (decision_ids.1 → decision_ids). */
export function reformPath(path) {
  return String(path).startsWith('decision_ids') ? 'decision_ids' : path;
}

/** A reform case's progress: 已通过 3 / 7. */
export function progressText(reform) {
  const total = reform?.tasks_total ?? (reform?.items || []).length;
  const done = reform?.tasks_approved ?? (reform?.items || []).filter((i) => i.state === 'approved').length;
  return `已通过 ${done} / ${total}`;
}
