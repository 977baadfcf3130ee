// Rows that name an item's decision by id (alerts, the forecast) get its person and 文号,
// asked once per decision, so that no page shows "决定 #5".
import { api } from './api.js';

const decisions = new Map();

export function decisionOf(id) {
  if (!decisions.has(id)) decisions.set(id, api.get(`/decisions/${id}`).catch(() => null));
  return decisions.get(id);
}

export async function alertPeople(rows) {
  const ids = [...new Set(rows.map((r) => r.decision_id).filter(Boolean))];
  const found = new Map(await Promise.all(ids.map(async (id) => [id, await decisionOf(id)])));
  return rows.map((r) => {
    const d = found.get(r.decision_id);
    return { ...r, person_name: r.person_name || d?.person?.name || '', doc_number: r.doc_number || d?.doc_number || '' };
  });
}

export function forgetPeople() { decisions.clear(); }
