// The figures behind the charts, from the rows the API answers.

/** Decisions per unit by light: [{unit_id, unit, red, yellow, green, total}], worst first. */
export function lightsByUnit(decisions, unitName) {
  const byUnit = new Map();
  for (const d of decisions) {
    const row = byUnit.get(d.unit_id) || { unit_id: d.unit_id, unit: unitName(d.unit_id), red: 0, yellow: 0, green: 0, total: 0 };
    if (d.light === 'red' || d.light === 'yellow' || d.light === 'green') row[d.light] += 1;
    row.total += 1;
    byUnit.set(d.unit_id, row);
  }
  return [...byUnit.values()].sort((a, b) => b.red - a.red || b.yellow - a.yellow || a.unit.localeCompare(b.unit, 'zh-CN'));
}

/** Units ranked by their share of decisions without a red light (按期执行率), best first. */
export function onTimeRanking(rows) {
  const ranked = rows.filter((r) => r.total > 0).map((r) => ({ ...r, rate: (r.total - r.red) / r.total }))
    .sort((a, b) => b.rate - a.rate || b.total - a.total || a.unit.localeCompare(b.unit, 'zh-CN'));
  let rank = 0;
  let previous = null;
  return ranked.map((r, i) => {
    if (r.rate !== previous) { rank = i + 1; previous = r.rate; }
    return { ...r, rank };
  });
}
