// Plot geometry of the Flow view: covariance ellipses, histograms, axis ticks, contour segments (marching
// squares), robust extents. Pure functions, no DOM.

/**
 * Points of the ellipse {m + r L u : |u| = 1} of the 2 x 2 covariance [[a, b], [b, c]] (L its Cholesky
 * factor): the Mahalanobis radius-r curve ("r-sigma ellipse"). Returns n + 1 points (closed), flat x, y.
 */
export function ellipsePoints(mx: number, my: number, a: number, b: number, c: number, r: number, n = 96): Float64Array {
  const l11 = Math.sqrt(Math.max(a, 0));
  const l21 = l11 > 0 ? b / l11 : 0;
  const l22 = Math.sqrt(Math.max(c - l21 * l21, 0));
  const out = new Float64Array(2 * (n + 1));
  for (let q = 0; q <= n; q++) {
    const t = (2 * Math.PI * q) / n;
    const u = Math.cos(t);
    const v = Math.sin(t);
    out[2 * q] = mx + r * l11 * u;
    out[2 * q + 1] = my + r * (l21 * u + l22 * v);
  }
  return out;
}

export interface Histogram {
  readonly lo: number;
  readonly hi: number;
  /** Density per bin: (weight in the bin) / (total weight x bin width), so the bars integrate to the mass inside. */
  readonly density: Float64Array;
  readonly max: number;
}

/**
 * Density histogram of coordinate `coord` of n points (row-major, `dim` columns) over [lo, hi) in `bins`
 * bins (the last bin includes hi); points outside are counted in the total but in no bin.
 */
export function histogram(positions: ArrayLike<number>, n: number, dim: number, coord: number, lo: number, hi: number, bins: number, weights?: ArrayLike<number>): Histogram {
  const density = new Float64Array(bins);
  const w = (hi - lo) / bins;
  let total = 0;
  for (let p = 0; p < n; p++) {
    const x = positions[p * dim + coord];
    const wt = weights ? weights[p] : 1;
    total += wt;
    if (!(x >= lo && x <= hi)) continue;
    const b = Math.min(bins - 1, Math.floor((x - lo) / w));
    density[b] += wt;
  }
  let max = 0;
  for (let b = 0; b < bins; b++) {
    density[b] = total > 0 ? density[b] / (total * w) : 0;
    if (density[b] > max) max = density[b];
  }
  return { lo, hi, density, max };
}

/** A histogram's bin count for n points: about 2 sqrt(n), between 10 and 80. */
export const binCount = (n: number): number => Math.max(10, Math.min(80, Math.round(2 * Math.sqrt(n))));

/** "Nice" ticks (1, 2, 5 x 10^k) covering [lo, hi], about `count` of them, inside the range. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  const raw = (hi - lo) / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  const step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** Tick label: short, no trailing zeros. */
export const tickLabel = (v: number): string => {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(1).replace(/\.0e/, 'e');
  return String(Number(v.toPrecision(4)));
};

/**
 * Contour segments of a grid of cell-centre values (row r, column c at values[r * nx + c]) at `level`, by
 * marching squares with linear interpolation. Coordinates are in cell-centre units: (c, r) = centre of cell
 * (r, c). Returns flat [x1, y1, x2, y2, ...].
 */
export function contourSegments(values: ArrayLike<number>, nx: number, ny: number, level: number): Float32Array {
  const out: number[] = [];
  const lerp = (a: number, b: number) => (a === b ? 0.5 : (level - a) / (b - a));
  for (let r = 0; r + 1 < ny; r++) {
    for (let c = 0; c + 1 < nx; c++) {
      const v00 = values[r * nx + c];
      const v10 = values[r * nx + c + 1];
      const v11 = values[(r + 1) * nx + c + 1];
      const v01 = values[(r + 1) * nx + c];
      const code = (v00 >= level ? 1 : 0) | (v10 >= level ? 2 : 0) | (v11 >= level ? 4 : 0) | (v01 >= level ? 8 : 0);
      if (code === 0 || code === 15) continue;
      // Crossing points on the four edges: bottom (00-10), right (10-11), top (01-11), left (00-01).
      const e = [
        [c + lerp(v00, v10), r],
        [c + 1, r + lerp(v10, v11)],
        [c + lerp(v01, v11), r + 1],
        [c, r + lerp(v00, v01)],
      ];
      const seg = (p: number, q: number) => out.push(e[p][0], e[p][1], e[q][0], e[q][1]);
      switch (code) {
        case 1: case 14: seg(3, 0); break;
        case 2: case 13: seg(0, 1); break;
        case 3: case 12: seg(3, 1); break;
        case 4: case 11: seg(1, 2); break;
        case 6: case 9: seg(0, 2); break;
        case 7: case 8: seg(3, 2); break;
        case 5: seg(3, 0); seg(1, 2); break;
        case 10: seg(0, 1); seg(3, 2); break;
      }
    }
  }
  return Float32Array.from(out);
}

/** The q and 1 - q quantiles of coordinate `coord` of n points (a robust extent that ignores a few strays). */
export function quantileRange(positions: ArrayLike<number>, n: number, dim: number, coord: number, q = 0.005): [number, number] {
  const xs = new Float64Array(n);
  for (let p = 0; p < n; p++) xs[p] = positions[p * dim + coord];
  xs.sort();
  const finite = xs.filter(Number.isFinite);
  if (!finite.length) return [NaN, NaN];
  const at = (f: number) => finite[Math.min(finite.length - 1, Math.max(0, Math.round(f * (finite.length - 1))))];
  return [at(q), at(1 - q)];
}

/** [lo, hi] widened by `pad` of its width on each side (a degenerate range gets +-1). */
export function padRange(lo: number, hi: number, pad = 0.05): [number, number] {
  if (!(hi > lo)) return [lo - 1, lo + 1];
  const w = hi - lo;
  return [lo - pad * w, hi + pad * w];
}
