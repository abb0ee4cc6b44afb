// Data sets for the two-layer networks: the linear generator of Zhu §4.2 (x ~ N(0, I_p), y = beta^T x, beta ~ N(0, I_p)),
// a ReLU teacher network (Chizat & Bach 2018: f*(x) = sum_k s_k (w*_k . x + c*_k)_+, w*_k uniform on the unit
// circle/sphere, c*_k ~ U(-1/2, 1/2), signs + - + - ..., the sum not the average), and rows given in a setup.
import type { Rng } from '../random';
import type { NetData } from './model';

export interface TeacherNet {
  readonly m0: number;
  /** Row-major m0 x p directions (unit vectors). */
  readonly w: Float64Array;
  readonly c: Float64Array;
  readonly s: Float64Array;
}

/** A point uniform on the unit sphere of R^d. */
export function unitSphere(rng: Rng, d: number, out: Float64Array, o = 0): void {
  let r2 = 0;
  do {
    r2 = 0;
    for (let c = 0; c < d; c++) {
      const v = rng.normal();
      out[o + c] = v;
      r2 += v * v;
    }
  } while (r2 === 0);
  const r = Math.sqrt(r2);
  for (let c = 0; c < d; c++) out[o + c] /= r;
}

export function drawTeacher(rng: Rng, m0: number, p: number): TeacherNet {
  const w = new Float64Array(m0 * p), c = new Float64Array(m0), s = new Float64Array(m0);
  for (let k = 0; k < m0; k++) {
    unitSphere(rng, p, w, k * p);
    c[k] = rng.uniform() - 0.5;
    s[k] = k % 2 === 0 ? 1 : -1;
  }
  return { m0, w, c, s };
}

export function teacherOutput(t: TeacherNet, x: Float64Array, j: number, p: number): number {
  let f = 0;
  for (let k = 0; k < t.m0; k++) {
    let z = t.c[k];
    for (let a = 0; a < p; a++) z += t.w[k * p + a] * x[j * p + a];
    if (z > 0) f += t.s[k] * z;
  }
  return f;
}

/** n inputs, Gaussian N(0, I_p) or uniform on the unit sphere. */
export function drawInputs(rng: Rng, n: number, p: number, law: 'gaussian' | 'sphere'): Float64Array {
  const x = new Float64Array(n * p);
  for (let j = 0; j < n; j++) {
    if (law === 'sphere') unitSphere(rng, p, x, j * p);
    else for (let a = 0; a < p; a++) x[j * p + a] = rng.normal();
  }
  return x;
}

/** Splits n rows (x row-major, y) into the first nTrain and the rest. */
export function splitData(x: Float64Array, y: Float64Array, p: number, nTrain: number): { train: NetData; test: NetData | null } {
  const n = y.length;
  const train: NetData = { n: nTrain, p, x: x.subarray(0, nTrain * p), y: y.subarray(0, nTrain) };
  return { train, test: n > nTrain ? { n: n - nTrain, p, x: x.subarray(nTrain * p), y: y.subarray(nTrain) } : null };
}

/** Zhu §4.2: beta ~ N(0, I_p) then n + nTest samples x ~ N(0, I_p), y = beta^T x. */
export function linearData(rng: Rng, p: number, n: number, nTest: number): { train: NetData; test: NetData | null; beta: Float64Array } {
  const beta = new Float64Array(p);
  for (let a = 0; a < p; a++) beta[a] = rng.normal();
  const N = n + nTest;
  const x = drawInputs(rng, N, p, 'gaussian');
  const y = new Float64Array(N);
  for (let j = 0; j < N; j++) for (let a = 0; a < p; a++) y[j] += beta[a] * x[j * p + a];
  return { ...splitData(x, y, p, n), beta };
}

/** Teacher data: labels y = f*(x) + noise z, z ~ N(0, noise^2); also the teacher's own training risk. */
export function teacherData(rng: Rng, p: number, n: number, nTest: number, m0: number, inputs: 'gaussian' | 'sphere', noise: number): { train: NetData; test: NetData | null; teacher: TeacherNet; teacherRisk: number } {
  const teacher = drawTeacher(rng, m0, p);
  const N = n + nTest;
  const x = drawInputs(rng, N, p, inputs);
  const y = new Float64Array(N);
  let e = 0;
  for (let j = 0; j < N; j++) {
    const z = noise > 0 ? noise * rng.normal() : 0;
    y[j] = teacherOutput(teacher, x, j, p) + z;
    if (j < n) e += z * z;
  }
  return { ...splitData(x, y, p, n), teacher, teacherRisk: e / n };
}

export interface ParsedRows {
  readonly rows: number[][];
  /** Problems with the text, each naming its line (1-based) and column. */
  readonly errors: readonly { line: number; message: string }[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses CSV text with columns x1..xp, y (comma, semicolon or tab separated; blank lines and lines starting with
 * '#' skipped; a first line that is not all numbers is a header). Every data row must have as many columns as the
 * first, at least 2, each a finite number.
 */
export function parseCsv(text: string): ParsedRows {
  const rows: number[][] = [];
  const errors: { line: number; message: string }[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  let width = -1;
  let first = true;
  for (let l = 0; l < lines.length; l++) {
    const raw = lines[l].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const cells = raw.split(/[,;\t]/).map((c) => c.trim());
    const numeric = cells.every((c) => NUMBER.test(c));
    if (first) {
      first = false;
      width = cells.length; // the first line (header or data) sets the expected column count
      if (!numeric) continue;
    }
    if (cells.length !== width) {
      errors.push({ line: l + 1, message: `has ${cells.length} columns, but the first row has ${width} (x1..xp, y)` });
      continue;
    }
    const bad = cells.findIndex((c) => !NUMBER.test(c) || !Number.isFinite(Number(c)));
    if (bad >= 0) {
      errors.push({ line: l + 1, message: `column ${bad + 1}: "${cells[bad].slice(0, 40)}" is not a finite number` });
      continue;
    }
    rows.push(cells.map(Number));
  }
  if (width >= 0 && width < 2) errors.unshift({ line: 1, message: `has ${width} column; at least 2 are needed (x1..xp, y)` });
  if (rows.length === 0 && errors.length === 0) errors.push({ line: 1, message: 'no data rows' });
  return { rows, errors };
}

/** Rows [x1..xp, y] as a data set (the caller has checked that they are rectangular and finite). */
export function rowsToArrays(rows: readonly (readonly number[])[]): { x: Float64Array; y: Float64Array; p: number } {
  const p = rows[0].length - 1;
  const x = new Float64Array(rows.length * p), y = new Float64Array(rows.length);
  rows.forEach((r, j) => {
    for (let a = 0; a < p; a++) x[j * p + a] = r[a];
    y[j] = r[p];
  });
  return { x, y, p };
}
