// The charts' rows, from what the statistics API answers (the figures are the server's).

const LIGHTS = ['red', 'yellow', 'green'];

/** The cube by unit × light of decisions (GET /stats/cube?by=unit,light&measures=decisions) as one
 * row per unit: {unit_id, unit, red, yellow, green, total}, worst first.  ``total`` counts the
 * unit's decisions without a light too (nothing open any more). */
export function lightsByUnit(cubeRows) {
  const byUnit = new Map();
  for (const r of cubeRows) {
    const row = byUnit.get(r.unit) || { unit_id: r.unit, unit: r.unit_name || '未知单位', red: 0, yellow: 0, green: 0, total: 0 };
    if (LIGHTS.includes(r.light)) row[r.light] += r.decisions;
    row.total += r.decisions;
    byUnit.set(r.unit, row);
  }
  return [...byUnit.values()].sort((a, b) => b.red - a.red || b.yellow - a.yellow || a.unit.localeCompare(b.unit, 'zh-CN'));
}
