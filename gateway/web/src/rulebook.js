// The rule book as the forms use it: GET /rulebook answers case's rule book (a district's own
// RULEBOOK_PATH changes it), and the registration form's choices (sanction types and their
// periods, who may receive which kind, the vocabularies) are built from that answer.  The
// client keeps no list of its own.

/**
 * The registration form's choices from the server's answer: sanctions {kind: [type]} in the
 * rule book's order, months {'kind.type': [12, 24]} for the types whose period the decision
 * chooses, sanctionTypes (every type once, for filters), eligibility {kind: [political status]}
 * and the vocabularies.
 */
export function formChoices(book) {
  const sanctions = {};
  const months = {};
  for (const s of book?.sanctions || []) {
    if (!s || !s.kind || !s.type) continue;
    (sanctions[s.kind] = sanctions[s.kind] || []).push(s.type);
    if (Array.isArray(s.months_choices) && s.months_choices.length) months[`${s.kind}.${s.type}`] = [...s.months_choices];
  }
  const words = book?.vocabularies || {};
  const list = (key) => (Array.isArray(words[key]) ? [...words[key]] : []);
  const eligibility = {};
  for (const [kind, rule] of Object.entries(book?.eligibility || {})) {
    if (Array.isArray(rule?.political_status) && rule.political_status.length) eligibility[kind] = [...rule.political_status];
  }
  return {
    sanctions, months, eligibility,
    sanctionTypes: [...new Set(Object.values(sanctions).flat())],
    politicalStatuses: list('political_status'), democraticParties: list('democratic_party'),
    categories: list('category'), dispositions: list('disposition'),
    orgMeasures: list('org_handling'), letters: list('letters'),
  };
}

/** The periods (months) the decision chooses among for this sanction, or null when it is fixed. */
export function monthsFor(choices, kind, type) {
  return (type && choices.months[`${kind}.${type}`]) || null;
}
