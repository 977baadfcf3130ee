import { describe, expect, it } from 'vitest';
import { lightsByUnit } from '../src/logic/stats.js';

describe('lightsByUnit', () => {
  it('pivots the cube by unit and light, worst unit first, counting unlit decisions in the total', () => {
    const rows = lightsByUnit([
      { unit: 2, unit_name: '东河区民政局', light: 'green', decisions: 3 },
      { unit: 3, unit_name: '东河区教育局', light: 'red', decisions: 1 },
      { unit: 3, unit_name: '东河区教育局', light: null, decisions: 2 },
      { unit: 2, unit_name: '东河区民政局', light: 'yellow', decisions: 1 },
    ]);
    expect(rows).toEqual([
      { unit_id: 3, unit: '东河区教育局', red: 1, yellow: 0, green: 0, total: 3 },
      { unit_id: 2, unit: '东河区民政局', red: 0, yellow: 1, green: 3, total: 4 },
    ]);
  });

  it('names a unit the directory does not know as such', () => {
    expect(lightsByUnit([{ unit: 9, unit_name: null, light: 'red', decisions: 1 }])[0].unit).toBe('未知单位');
  });
});
