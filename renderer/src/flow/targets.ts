// Target densities for the Flow view, read from a run's spec (problem.target) and evaluated in the renderer:
// the marginal density of one or two chosen coordinates on a grid. Pure functions, no DOM.
//   gaussian  {kind: 'gaussian', mean, cov: d x d | {diag}} (also gaussian-kl's {mean, cov} without a kind)
//   mixture   {kind: 'mixture', weights, means, covs}
//   banana    {kind: 'banana', a, b, scales}: z ~ N(0, diag(scales^2)), x = z except x2 = z2 + b (z1^2 - a^2)

export interface Gauss { readonly mean: number[]; readonly cov: number[][] }
export type Target =
  | { readonly kind: 'mixture'; readonly dim: number; readonly weights: number[]; readonly comps: Gauss[] }
  | { readonly kind: 'banana'; readonly dim: number; readonly a: number; readonly b: number; readonly scales: number[] };

const isNums = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/** A covariance as written (dense rows or {diag}) -> dense rows of size d, or null when it does not fit. */
export function denseCov(cov: unknown, d: number): number[][] | null {
  if (cov && typeof cov === 'object' && !Array.isArray(cov) && isNums((cov as { diag?: unknown }).diag)) {
    const diag = (cov as { diag: number[] }).diag;
    if (diag.length !== d) return null;
    return diag.map((v, i) => Array.from({ length: d }, (_, j) => (i === j ? v : 0)));
  }
  if (Array.isArray(cov) && cov.length === d && cov.every((r) => isNums(r) && r.length === d)) return cov as number[][];
  return null;
}

function gauss(mean: unknown, cov: unknown): Gauss | null {
  if (!isNums(mean) || !mean.length) return null;
  const c = denseCov(cov, mean.length);
  return c ? { mean, cov: c } : null;
}

/** The target of a problem (spec.problem), or null when it has none the Flow view can draw. */
export function parseTarget(problem: unknown): Target | null {
  const t = (problem as { target?: unknown } | null)?.target as Record<string, unknown> | undefined;
  if (!t || typeof t !== 'object') return null;
  const kind = t.kind ?? 'gaussian';
  if (kind === 'gaussian') {
    const g = gauss(t.mean, t.cov);
    return g ? { kind: 'mixture', dim: g.mean.length, weights: [1], comps: [g] } : null;
  }
  if (kind === 'mixture') {
    const { weights, means, covs } = t as { weights?: unknown; means?: unknown; covs?: unknown };
    if (!isNums(weights) || !Array.isArray(means) || !Array.isArray(covs) || means.length !== weights.length || covs.length !== weights.length) return null;
    const comps = means.map((m, i) => gauss(m, covs[i]));
    if (comps.some((c) => !c)) return null;
    const dim = comps[0]!.mean.length;
    if (comps.some((c) => c!.mean.length !== dim)) return null;
    const total = weights.reduce((s, w) => s + w, 0);
    return { kind: 'mixture', dim, weights: weights.map((w) => w / total), comps: comps as Gauss[] };
  }
  if (kind === 'banana') {
    const { a, b, scales } = t as { a?: unknown; b?: unknown; scales?: unknown };
    if (typeof a !== 'number' || typeof b !== 'number' || !isNums(scales) || scales.length < 2) return null;
    return { kind: 'banana', dim: scales.length, a, b, scales };
  }
  return null;
}

const LOG_2PI = Math.log(2 * Math.PI);
const normal1 = (x: number, m: number, v: number) => Math.exp(-0.5 * ((x - m) ** 2) / v - 0.5 * (LOG_2PI + Math.log(v)));

/** Density of N(m, [[a, b], [b, c]]) at (x, y). */
export function normal2(x: number, y: number, mx: number, my: number, a: number, b: number, c: number): number {
  const det = a * c - b * b;
  const dx = x - mx;
  const dy = y - my;
  const q = (c * dx * dx - 2 * b * dx * dy + a * dy * dy) / det;
  return Math.exp(-0.5 * q) / (2 * Math.PI * Math.sqrt(det));
}

/** Midpoint rule over z1 in +-8 sd (a smooth integrand: the error is far below what a contour shows). */
const QUAD = 200;
/** Density of the twisted banana coordinate x2 = z2 + b (z1^2 - a^2) alone. */
function bananaX2(t: Extract<Target, { kind: 'banana' }>, x2: number): number {
  const s1 = t.scales[0];
  const v2 = t.scales[1] ** 2;
  const h = (16 * s1) / QUAD;
  let sum = 0;
  for (let q = 0; q < QUAD; q++) {
    const z = -8 * s1 + (q + 0.5) * h;
    sum += normal1(z, 0, s1 * s1) * normal1(x2 - t.b * (z * z - t.a * t.a), 0, v2);
  }
  return sum * h;
}

/** Marginal density of coordinate i at x. */
export function marginal1(t: Target, i: number, x: number): number {
  if (t.kind === 'mixture') {
    let s = 0;
    t.comps.forEach((c, m) => (s += t.weights[m] * normal1(x, c.mean[i], c.cov[i][i])));
    return s;
  }
  if (i === 1) return bananaX2(t, x);
  return normal1(x, 0, t.scales[i] ** 2);
}

/** Marginal density of coordinates (i, j), i != j, at (x, y). */
export function marginal2(t: Target, i: number, j: number, x: number, y: number): number {
  if (t.kind === 'mixture') {
    let s = 0;
    t.comps.forEach((c, m) => (s += t.weights[m] * normal2(x, y, c.mean[i], c.mean[j], c.cov[i][i], c.cov[i][j], c.cov[j][j])));
    return s;
  }
  const sc = t.scales;
  if (i === 0 && j === 1) return normal1(x, 0, sc[0] ** 2) * normal1(y - t.b * (x * x - t.a * t.a), 0, sc[1] ** 2);
  if (i === 1 && j === 0) return marginal2(t, 0, 1, y, x);
  // At most one of i, j is the twisted coordinate and z1 is not among them: independent factors.
  return marginal1(t, i, x) * marginal1(t, j, y);
}

export interface Box { x0: number; x1: number; y0: number; y1: number }
export interface DensityGrid {
  /** Cells along x and y; values[r * nx + c] at x = x0 + (c + 0.5) dx, y = y0 + (r + 0.5) dy. */
  readonly nx: number;
  readonly ny: number;
  readonly box: Box;
  readonly values: Float64Array;
  readonly max: number;
}

/** The (i, j) marginal on an nx x ny grid of cell centres over the box. */
export function densityGrid(t: Target, i: number, j: number, box: Box, nx: number, ny: number): DensityGrid {
  const values = new Float64Array(nx * ny);
  const dx = (box.x1 - box.x0) / nx;
  const dy = (box.y1 - box.y0) / ny;
  let max = 0;
  for (let r = 0; r < ny; r++) {
    const y = box.y0 + (r + 0.5) * dy;
    for (let c = 0; c < nx; c++) {
      const v = marginal2(t, i, j, box.x0 + (c + 0.5) * dx, y);
      values[r * nx + c] = v;
      if (v > max) max = v;
    }
  }
  return { nx, ny, box, values, max };
}

/** The coordinate-i marginal at n evenly spaced points of [x0, x1] (ends included). */
export function densityCurve(t: Target, i: number, x0: number, x1: number, n: number): { xs: Float64Array; ys: Float64Array; max: number } {
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  let max = 0;
  for (let q = 0; q < n; q++) {
    xs[q] = x0 + ((x1 - x0) * q) / (n - 1);
    ys[q] = marginal1(t, i, xs[q]);
    if (ys[q] > max) max = ys[q];
  }
  return { xs, ys, max };
}

/** Where most of the mass of coordinate i lies: [lo, hi] (about +-3.5 sd). */
export function targetRange(t: Target, i: number): [number, number] {
  if (t.kind === 'mixture') {
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of t.comps) {
      const s = 3.5 * Math.sqrt(c.cov[i][i]);
      lo = Math.min(lo, c.mean[i] - s);
      hi = Math.max(hi, c.mean[i] + s);
    }
    return [lo, hi];
  }
  const s = t.scales;
  if (i !== 1) return [-3.5 * s[i], 3.5 * s[i]];
  const z = 3 * s[0];
  const ends = [t.b * (0 - t.a * t.a), t.b * (z * z - t.a * t.a)];
  return [Math.min(...ends) - 3.5 * s[1], Math.max(...ends) + 3.5 * s[1]];
}

/** The target's covariance ellipse data for coordinates (i, j) when it is one Gaussian, else null. */
export function targetGaussian(t: Target): Gauss | null {
  return t.kind === 'mixture' && t.comps.length === 1 ? t.comps[0] : null;
}

/**
 * Highest-density levels: for each mass q, the density level whose superlevel set holds fraction q of the
 * grid's mass (the contour "enclosing q"). Levels are returned in the order of `masses`.
 */
export function hpdLevels(grid: DensityGrid, masses: readonly number[]): number[] {
  const sorted = Float64Array.from(grid.values).sort().reverse();
  let total = 0;
  for (const v of sorted) total += v;
  return masses.map((q) => {
    let acc = 0;
    for (let k = 0; k < sorted.length; k++) {
      acc += sorted[k];
      if (acc >= q * total) return sorted[k];
    }
    return sorted[sorted.length - 1];
  });
}
