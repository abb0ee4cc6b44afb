// Data of two-layer-net: CSV text and rows with errors naming the line or row, generators, the held-out split.
import { describe, expect, it } from 'vitest';
import { parseSetup } from '../../src/setup/schema';
import { parseCsv, teacherData, linearData } from '../../src/nets/data';
import { risk } from '../../src/nets/model';
import { homogeneousView } from '../../src/nets/views';
import { createRng } from '../../src/random';
import { createSimulation, specOf } from '../particle-schemes/helpers';

const model = { kind: 'mean-field', m: 3 };
const issuesOf = (data: unknown): string[] => {
  const r = parseSetup({ name: 't', iterations: 1, problem: { kind: 'two-layer-net', data, model }, scheme: { kind: 'gd', step: 0.1 } });
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
};

describe('two-layer-net data', () => {
  it('parses CSV with a header, blank and comment lines, comma / semicolon / tab separators', () => {
    const r = parseCsv('x1,x2,y\n\n1,2,3\n# note\n-4.5e-1;0.5;6\n7\t.8\t+9\r\n');
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([[1, 2, 3], [-0.45, 0.5, 6], [7, 0.8, 9]]);
    expect(parseCsv('1,2\n3,4').rows).toEqual([[1, 2], [3, 4]]);
  });

  it('reports ragged rows, non-numbers, a single column and empty text, each naming its line', () => {
    expect(parseCsv('x,y\n1,2\n3\n4,abc\n5,1e999').errors).toEqual([
      { line: 3, message: 'has 1 columns, but the first row has 2 (x1..xp, y)' },
      { line: 4, message: 'column 2: "abc" is not a finite number' },
      { line: 5, message: 'column 2: "1e999" is not a finite number' },
    ]);
    expect(parseCsv('1\n2').errors[0].message).toMatch(/at least 2 are needed/);
    expect(parseCsv('\n# only a comment\n').errors).toEqual([{ line: 1, message: 'no data rows' }]);
    expect(parseCsv('x1,y\n').errors).toEqual([{ line: 1, message: 'no data rows' }]);
  });

  it('a setup with bad CSV is refused with the field path and line; ragged rows name their index; rows are stored with the setup', () => {
    expect(issuesOf({ kind: 'csv', text: 'x1,x2,y\n1,2,3\n1,2\n' })).toEqual(['problem.data.text: line 3: has 2 columns, but the first row has 3 (x1..xp, y)']);
    expect(issuesOf({ kind: 'csv', rows: [[1, 2, 3], [1, 2]] })).toEqual(['problem.data.rows[1]: has 2 columns, but rows[0] has 3 (x1..xp, y)']);
    expect(issuesOf({ kind: 'csv', rows: [[1, 'a']] })[0]).toMatch(/^problem\.data\.rows\[0\]\[1\]: /);
    expect(issuesOf({ kind: 'csv' })).toEqual(['problem.data: give exactly one of "rows" and "text"']);
    expect(issuesOf({ kind: 'csv', rows: [[1, 2], [3, 4]], n_test: 2 })).toEqual(['problem.data.n_test: is 2, but there are only 2 rows; at least one must stay for training']);
    expect(issuesOf({ kind: 'csv', rows: [[1, 2], [3, 4]], n_test: 1 })).toEqual([]);
    const r = parseSetup({ name: 't', iterations: 1, problem: { kind: 'two-layer-net', data: { kind: 'csv', text: '1,2\n3,4\n' }, model }, scheme: { kind: 'gd', step: 0.1 } });
    expect(r.ok && (r.value.runs[0].spec.problem as { data: { text: string } }).data.text).toBe('1,2\n3,4\n');
  });

  it('the last n_test CSV rows give test_risk, computed on exactly those rows', () => {
    const rows = [[1, 0.5], [2, -1], [0.5, 0.25], [3, 3]];
    const sim = createSimulation(specOf({ problem: { kind: 'two-layer-net', data: { kind: 'csv', rows, n_test: 1 }, model: { kind: 'mean-field', m: 2 } }, scheme: { kind: 'gd', step: 0.1 } }));
    const s = sim.snapshot!(0);
    if (s.kind !== 'particles') throw new Error('particles');
    const th = s.positions;
    const f = (x: number) => (th[0] * Math.tanh(th[1] * x) + th[2] * Math.tanh(th[3] * x)) / 2;
    const row = new Float64Array(sim.metricNames.length);
    sim.measure(0, row, true);
    expect(row[sim.metricNames.indexOf('test_risk')]).toBeCloseTo((f(3) - 3) ** 2, 12);
    expect(row[0]).toBeCloseTo(rows.slice(0, 3).reduce((a, [x, y]) => a + (f(x) - y) ** 2, 0) / 3, 12);
  });

  it('linear data: y = beta . x exactly; teacher data: the teacher written as a student has zero risk and excess risk = risk - noise risk', () => {
    const lin = linearData(createRng(1), 3, 50, 10);
    for (let j = 0; j < 50; j++) expect(lin.train.y[j]).toBeCloseTo(lin.beta.reduce((s, b, a) => s + b * lin.train.x[j * 3 + a], 0), 12);
    expect(lin.test!.n).toBe(10);
    const t = teacherData(createRng(2), 2, 200, 0, 4, 'sphere', 0);
    expect(Array.from(t.teacher.s)).toEqual([1, -1, 1, -1]);
    for (let j = 0; j < 200; j++) expect(Math.hypot(t.train.x[2 * j], t.train.x[2 * j + 1])).toBeCloseTo(1, 12);
    // f = (1/m) sum b (a . [x; 1])_+ with m = 4, b = 4 s_k, a = (w_k, c_k) is the teacher
    const u = new Float64Array(16);
    for (let k = 0; k < 4; k++) u.set([4 * t.teacher.s[k], t.teacher.w[2 * k], t.teacher.w[2 * k + 1], t.teacher.c[k]], 4 * k);
    expect(risk({ activation: 'relu', bias: true }, u, 4, null, t.train)).toBeLessThan(1e-28);
    expect(t.teacherRisk).toBe(0);
    const noisy = teacherData(createRng(3), 2, 4000, 0, 4, 'gaussian', 0.1);
    expect(noisy.teacherRisk).toBeGreaterThan(0.009);
    expect(noisy.teacherRisk).toBeLessThan(0.011);
  });
});

describe('homogeneousView', () => {
  it('maps (b, a) to |b| a and refuses a wrong shape', () => {
    expect(Array.from(homogeneousView(Float64Array.from([-2, 1, 0.5, 3, 3, -1, 2, 0]), 2, 4))).toEqual([2, 1, 6, -3, 6, 0]);
    expect(() => homogeneousView(new Float64Array(5), 2, 3)).toThrow(/not 2 neurons of dimension 3/);
  });
});
