// Input validation for the optimal-transport toolbox: every error names the offending field, e.g. `a[3]`.

/** Bad input to an OT routine. `field` names the input (e.g. "a[3]", "x", "reg", "cost"). */
export class OtInputError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'OtInputError';
    this.field = field;
  }
}

/** Points of a discrete measure, row-major n x dim. */
export interface PointCloud {
  readonly n: number;
  readonly dim: number;
  readonly data: Float64Array;
}

/** A dense cost matrix, row-major rows x cols. */
export interface CostMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/** Weights as accepted by the solvers: null or undefined means uniform 1/n. */
export type WeightsInput = ArrayLike<number> | null | undefined;

/** Relative tolerance on equal total mass of the two marginals. */
export const MASS_RTOL = 1e-9;

const show = (v: unknown): string => (typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v));

/** Builds a point cloud from nested lists ([[x, y], ...]), a flat list of numbers (1-D points) or an existing cloud. */
export function toPointCloud(value: unknown, field: string, dim?: number): PointCloud {
  if (value && typeof value === 'object' && 'data' in value && 'n' in value && 'dim' in value) {
    const pc = value as PointCloud;
    if (!(pc.data instanceof Float64Array) || pc.data.length !== pc.n * pc.dim) {
      throw new OtInputError(field, `point cloud data must be a Float64Array of n * dim = ${pc.n * pc.dim} numbers`);
    }
    if (pc.n === 0) throw new OtInputError(field, 'measure is empty (0 points)');
    if (dim !== undefined && pc.dim !== dim) throw new OtInputError(field, `points have dimension ${pc.dim}, expected ${dim}`);
    for (let k = 0; k < pc.data.length; k++) {
      if (!Number.isFinite(pc.data[k])) {
        throw new OtInputError(`${field}[${Math.floor(k / pc.dim)}]`, `coordinate must be a finite number, got ${pc.data[k]}`);
      }
    }
    return pc;
  }
  if (!Array.isArray(value) && !(value instanceof Float64Array)) {
    throw new OtInputError(field, `expected a list of points, got ${value === undefined ? 'nothing' : typeof value}`);
  }
  const list = value as ArrayLike<unknown>;
  const n = list.length;
  if (n === 0) throw new OtInputError(field, 'measure is empty (0 points)');
  if (!Array.isArray(list[0])) {
    // Flat list: 1-D points.
    if (dim !== undefined && dim !== 1) throw new OtInputError(field, `expected points of dimension ${dim}, got numbers (dimension 1)`);
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = list[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new OtInputError(`${field}[${i}]`, `coordinate must be a finite number, got ${show(v)}`);
      data[i] = v;
    }
    return Object.freeze({ n, dim: 1, data });
  }
  const d = (list[0] as unknown[]).length;
  if (d === 0) throw new OtInputError(`${field}[0]`, 'a point must have at least one coordinate');
  if (dim !== undefined && d !== dim) throw new OtInputError(field, `points have dimension ${d} but ${dim} was expected`);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const p = list[i];
    if (!Array.isArray(p)) throw new OtInputError(`${field}[${i}]`, `expected a point (list of ${d} numbers), got ${show(p)}`);
    if (p.length !== d) throw new OtInputError(`${field}[${i}]`, `expected ${d} coordinates, got ${p.length}`);
    for (let k = 0; k < d; k++) {
      const v = p[k];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new OtInputError(`${field}[${i}][${k}]`, `coordinate must be a finite number, got ${show(v)}`);
      data[i * d + k] = v;
    }
  }
  return Object.freeze({ n, dim: d, data });
}

/** Checks that two clouds live in the same dimension. */
export function checkSameDim(x: PointCloud, y: PointCloud, fx = 'x', fy = 'y'): void {
  if (x.dim !== y.dim) throw new OtInputError(fy, `points have dimension ${y.dim} but ${fx} has dimension ${x.dim}`);
}

/** Validated weights (a fresh Float64Array); null/undefined gives uniform 1/n. */
export function toWeights(w: WeightsInput | unknown, n: number, field: string): Float64Array {
  const out = new Float64Array(n);
  if (w === null || w === undefined) {
    out.fill(1 / n);
    return out;
  }
  if (!Array.isArray(w) && !ArrayBuffer.isView(w)) throw new OtInputError(field, `expected a list of ${n} weights, got ${typeof w}`);
  const list = w as ArrayLike<unknown>;
  if (list.length !== n) throw new OtInputError(field, `expected ${n} weights (one per point), got ${list.length}`);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = list[i];
    if (typeof v !== 'number' || Number.isNaN(v)) throw new OtInputError(`${field}[${i}]`, `weight must be a number, got ${show(v)}`);
    if (!Number.isFinite(v)) throw new OtInputError(`${field}[${i}]`, `weight must be finite, got ${v}`);
    if (v < 0) throw new OtInputError(`${field}[${i}]`, `weight must be >= 0, got ${v}`);
    out[i] = v;
    sum += v;
  }
  if (!(sum > 0)) throw new OtInputError(field, 'weights sum to 0; a measure needs positive total mass');
  return out;
}

export function totalMass(w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i];
  return s;
}

/** Throws unless the two weight vectors carry the same mass within MASS_RTOL (relative). */
export function checkSameMass(a: Float64Array, b: Float64Array, fa = 'a', fb = 'b'): number {
  const sa = totalMass(a);
  const sb = totalMass(b);
  if (Math.abs(sa - sb) > MASS_RTOL * Math.max(sa, sb)) {
    throw new OtInputError(fb, `total mass ${sb} differs from the total mass of ${fa} (${sa}); balanced OT needs equal masses`);
  }
  return sa;
}

export function checkReg(reg: unknown, field = 'reg'): number {
  if (typeof reg !== 'number' || Number.isNaN(reg)) throw new OtInputError(field, `must be a number > 0, got ${show(reg)}`);
  if (!(reg > 0) || !Number.isFinite(reg)) throw new OtInputError(field, `must be a finite number > 0, got ${reg}`);
  return reg;
}

/** Validates a dense cost matrix against the expected shape; accepts nested lists or a CostMatrix. */
export function toCostMatrix(value: unknown, rows: number, cols: number, field = 'cost'): CostMatrix {
  let data: Float64Array;
  if (value && typeof value === 'object' && 'data' in value && 'rows' in value && 'cols' in value) {
    const c = value as CostMatrix;
    if (c.rows !== rows || c.cols !== cols) throw new OtInputError(field, `expected a ${rows} x ${cols} matrix, got ${c.rows} x ${c.cols}`);
    if (!(c.data instanceof Float64Array) || c.data.length !== rows * cols) throw new OtInputError(field, `expected ${rows * cols} entries, got ${c.data?.length}`);
    data = c.data;
  } else if (Array.isArray(value)) {
    if (value.length !== rows) throw new OtInputError(field, `expected a ${rows} x ${cols} matrix, got ${value.length} rows`);
    data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const r = value[i];
      if (!Array.isArray(r)) throw new OtInputError(`${field}[${i}]`, `expected a row of ${cols} numbers, got ${typeof r}`);
      if (r.length !== cols) throw new OtInputError(field, `expected a ${rows} x ${cols} matrix, row ${i} has ${r.length} entries`);
      for (let j = 0; j < cols; j++) {
        const v = r[j];
        if (typeof v !== 'number') throw new OtInputError(`${field}[${i}][${j}]`, `cost must be a finite number, got ${show(v)}`);
        data[i * cols + j] = v;
      }
    }
  } else {
    throw new OtInputError(field, `expected a ${rows} x ${cols} matrix`);
  }
  for (let k = 0; k < data.length; k++) {
    if (!Number.isFinite(data[k])) throw new OtInputError(`${field}[${Math.floor(k / cols)}][${k % cols}]`, `cost must be a finite number, got ${data[k]}`);
  }
  return { rows, cols, data };
}

/** Two discrete measures sum a_i delta_{x_i}, sum b_j delta_{y_j}: point clouds of one dimension, weights of equal mass. */
export interface DiscreteMeasures {
  readonly x: PointCloud;
  readonly y: PointCloud;
  readonly a: Float64Array;
  readonly b: Float64Array;
}

/** Validates point clouds x, y and weights a, b (null or undefined = uniform); errors name the field. */
export function toDiscreteMeasures(x: unknown, y: unknown, a: WeightsInput | unknown, b: WeightsInput | unknown): DiscreteMeasures {
  const px = toPointCloud(x, 'x');
  const py = toPointCloud(y, 'y');
  checkSameDim(px, py);
  const wa = toWeights(a, px.n, 'a');
  const wb = toWeights(b, py.n, 'b');
  checkSameMass(wa, wb);
  return { x: px, y: py, a: wa, b: wb };
}

/** A problem given by its cost: weights of equal mass (null = uniform, sized by the cost) and the n x m cost. */
export function toCostProblem(a: WeightsInput, b: WeightsInput, cost: unknown): { a: Float64Array; b: Float64Array; C: Float64Array; n: number; m: number } {
  let rows: number, cols: number;
  if (Array.isArray(cost)) {
    rows = cost.length;
    cols = Array.isArray(cost[0]) ? cost[0].length : 0;
  } else if (cost && typeof cost === 'object' && 'rows' in cost && 'cols' in cost) {
    ({ rows, cols } = cost as CostMatrix);
  } else {
    throw new OtInputError('cost', 'expected a cost matrix (a list of rows, or {rows, cols, data})');
  }
  const n = a ? a.length : rows;
  const m = b ? b.length : cols;
  if (n === 0) throw new OtInputError('a', 'measure is empty (0 points)');
  if (m === 0) throw new OtInputError('b', 'measure is empty (0 points)');
  const C = toCostMatrix(cost, n, m);
  const wa = toWeights(a, n, 'a');
  const wb = toWeights(b, m, 'b');
  checkSameMass(wa, wb);
  return { a: wa, b: wb, C: C.data, n, m };
}

/** Indices of the points with positive weight (solvers drop zero-weight points and restore them afterwards). */
export function positiveIndices(w: Float64Array): Int32Array {
  let k = 0;
  for (let i = 0; i < w.length; i++) if (w[i] > 0) k++;
  const out = new Int32Array(k);
  k = 0;
  for (let i = 0; i < w.length; i++) if (w[i] > 0) out[k++] = i;
  return out;
}
