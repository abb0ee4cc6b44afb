// Gibbs kernel exp(-|x - y|^2 / reg) on Cartesian grids in 1-3 dimensions, applied by separable 1-D convolutions
// along each axis without forming the N x N matrix (Solomon et al. 2015, "Convolutional Wasserstein distances").
// Sinkhorn between densities on one grid with it lives in grid-sinkhorn.ts (re-exported here).
import { OtInputError, checkReg } from './errors';
import type { PointCloud } from './errors';
import { align16 as a16, createSimdWorkspace } from './simd';
import type { SimdWorkspace } from './simd';

export interface GridSpec {
  /** Cells per axis, 1 to 3 axes, row-major (the last axis is contiguous). */
  readonly shape: readonly number[];
  /** Cell width per axis (or one number for all); default 1 / shape[d] (the unit cube). */
  readonly spacing?: number | readonly number[];
  /** Position of the corner of cell 0; cell k has centre origin + (k + 1/2) spacing. Default 0. */
  readonly origin?: number | readonly number[];
}

/** The Gibbs kernel of a grid as a linear operator (the N x N matrix is never formed). Methods do not allocate. */
export interface GibbsGridKernel {
  readonly shape: readonly number[];
  readonly spacing: readonly number[];
  readonly size: number;
  readonly reg: number;
  /** out = K x with K_ij = exp(-|z_i - z_j|^2 / reg) over cell centres z. out must not alias x. */
  apply(x: Float64Array, out: Float64Array): void;
  /** out = log(K exp(x)), stable for any reg; -Infinity entries allowed (zero mass). */
  applyLog(x: Float64Array, out: Float64Array): void;
  /** out = (K o C) x with C_ij = |z_i - z_j|^2 (o = entrywise), so that <P, C> = u^T (K o C) v for P = diag(u) K diag(v). */
  applyCost(x: Float64Array, out: Float64Array): void;
  /** out = log((K o C) exp(x)). */
  applyCostLog(x: Float64Array, out: Float64Array): void;
}

interface Axis {
  readonly len: number;
  readonly outer: number;
  readonly inner: number;
  /** Toeplitz profiles indexed by |p - q|. */
  readonly k: Float64Array;
  readonly kc: Float64Array;
  readonly logk: Float64Array;
  readonly logkc: Float64Array;
  /** Entries of k beyond band are exactly 0 (underflow), so they are skipped without changing the result. */
  readonly band: number;
  readonly bandC: number;
  /** Dense len x len matrices of k and kc (for the contiguous last axis; null when len is large). */
  readonly kFull: Float64Array | null;
  readonly kcFull: Float64Array | null;
}

function normalizeSpec(grid: GridSpec): { shape: number[]; spacing: number[]; origin: number[] } {
  if (!grid || !Array.isArray(grid.shape)) throw new OtInputError('grid.shape', 'expected a list of 1 to 3 cell counts');
  const dims = grid.shape.length;
  if (dims < 1 || dims > 3) throw new OtInputError('grid.shape', `grids have 1 to 3 axes, got ${dims}`);
  const shape = grid.shape.map((s, d) => {
    if (!Number.isInteger(s) || s < 1) throw new OtInputError(`grid.shape[${d}]`, `must be a positive integer, got ${s}`);
    return s;
  });
  const per = (v: number | readonly number[] | undefined, def: (d: number) => number, name: string): number[] =>
    shape.map((_, d) => {
      const t = v === undefined ? def(d) : typeof v === 'number' ? v : v[d];
      if (typeof t !== 'number' || !Number.isFinite(t)) throw new OtInputError(`grid.${name}[${d}]`, `must be a finite number, got ${t}`);
      return t;
    });
  const spacing = per(grid.spacing, (d) => 1 / shape[d], 'spacing');
  spacing.forEach((h, d) => {
    if (!(h > 0)) throw new OtInputError(`grid.spacing[${d}]`, `must be > 0, got ${h}`);
  });
  const origin = per(grid.origin, () => 0, 'origin');
  return { shape, spacing, origin };
}

/** Cell centres of a grid as a point cloud (row-major order, matching the kernel's layout). */
export function gridPoints(grid: GridSpec): PointCloud {
  const { shape, spacing, origin } = normalizeSpec(grid);
  const dims = shape.length;
  const size = shape.reduce((p, s) => p * s, 1);
  const data = new Float64Array(size * dims);
  for (let idx = 0; idx < size; idx++) {
    let rest = idx;
    for (let d = dims - 1; d >= 0; d--) {
      const k = rest % shape[d];
      rest = (rest - k) / shape[d];
      data[idx * dims + d] = origin[d] + (k + 0.5) * spacing[d];
    }
  }
  return Object.freeze({ n: size, dim: dims, data });
}

/** Builds the separable Gibbs kernel of `grid` for regularization reg (> 0). */
export function gibbsGridKernel(grid: GridSpec, reg: number): GibbsGridKernel {
  checkReg(reg);
  const { shape, spacing } = normalizeSpec(grid);
  const dims = shape.length;
  const size = shape.reduce((p, s) => p * s, 1);
  const axes: Axis[] = [];
  let maxInner = 1;
  for (let d = 0; d < dims; d++) {
    const len = shape[d];
    const outer = shape.slice(0, d).reduce((p, s) => p * s, 1);
    const inner = shape.slice(d + 1).reduce((p, s) => p * s, 1);
    maxInner = Math.max(maxInner, inner);
    const k = new Float64Array(len), kc = new Float64Array(len), logk = new Float64Array(len), logkc = new Float64Array(len);
    let band = len, bandC = len;
    for (let t = 0; t < len; t++) {
      const c = (t * spacing[d]) * (t * spacing[d]);
      logk[t] = -c / reg;
      k[t] = Math.exp(logk[t]);
      kc[t] = k[t] * c;
      logkc[t] = t === 0 ? -Infinity : logk[t] + Math.log(c);
    }
    while (band > 1 && k[band - 1] === 0) band--;
    while (bandC > 1 && kc[bandC - 1] === 0) bandC--;
    let kFull: Float64Array | null = null, kcFull: Float64Array | null = null;
    if (inner === 1 && len <= 2048) {
      kFull = new Float64Array(len * len);
      kcFull = new Float64Array(len * len);
      for (let p = 0; p < len; p++) {
        for (let q = 0; q < len; q++) {
          kFull[p * len + q] = k[p > q ? p - q : q - p];
          kcFull[p * len + q] = kc[p > q ? p - q : q - p];
        }
      }
    }
    axes.push({ len, outer, inner, k, kc, logk, logkc, band, bandC, kFull, kcFull });
  }
  const t1 = new Float64Array(size);
  const t2 = new Float64Array(size);
  const acc = new Float64Array(size);
  const mx = new Float64Array(maxInner);
  const sm = new Float64Array(maxInner);

  // Applies axis matrices in turn: 'costAxis' replaces the kernel profile of that axis by the cost-weighted one.
  const runJs = (x: Float64Array, out: Float64Array, costAxis: number, log: boolean): void => {
    let src = x;
    for (let d = 0; d < dims; d++) {
      const dst = d === dims - 1 ? out : d % 2 === 0 ? t1 : t2;
      const ax = axes[d];
      const useC = d === costAxis;
      if (log) axisLog(src, dst, ax, useC ? ax.logkc : ax.logk, mx, sm);
      else if (ax.kFull !== null) axisDense(src, dst, ax.outer, ax.len, useC ? ax.kcFull! : ax.kFull, useC ? ax.bandC : ax.band);
      else axisLinear(src, dst, ax, useC ? ax.kc : ax.k, useC ? ax.bandC : ax.band);
      src = dst;
    }
  };

  // WebAssembly SIMD workspace: the dense last-axis matrices and three field buffers live in its memory.
  const simd = size >= 1024 ? gridSimd(axes, size) : null;
  const runLinear = simd
    ? (x: Float64Array, out: Float64Array, costAxis: number): void => {
        simd.bufs[0].set(x);
        let s = 0;
        for (let d = 0; d < dims; d++) {
          const t = s === 1 ? 2 : 1;
          const ax = axes[d];
          const useC = d === costAxis;
          const band = useC ? ax.bandC : ax.band;
          if (ax.kFull !== null) {
            const mOff = useC ? simd.kcOff[d] : simd.kOff[d];
            axisDenseSimd(simd.ws, simd.offs[s], simd.offs[t], simd.bufs[s], simd.bufs[t], ax.outer, ax.len, mOff, useC ? ax.kcFull! : ax.kFull, band, simd.outOff, simd.out);
          } else {
            axisLinearSimd(simd.ws, simd.offs[s], simd.offs[t], simd.bufs[s], simd.bufs[t], ax, useC ? ax.kc : ax.k, band);
          }
          s = t;
        }
        out.set(simd.bufs[s]);
      }
    : (x: Float64Array, out: Float64Array, costAxis: number): void => runJs(x, out, costAxis, false);
  const run = (x: Float64Array, out: Float64Array, costAxis: number, log: boolean): void => {
    if (log) runJs(x, out, costAxis, true);
    else runLinear(x, out, costAxis);
  };

  const kernel: GibbsGridKernel = {
    shape: Object.freeze(shape.slice()),
    spacing: Object.freeze(spacing.slice()),
    size,
    reg,
    apply(x, out) {
      checkLen(x, out, size);
      run(x, out, -1, false);
    },
    applyLog(x, out) {
      checkLen(x, out, size);
      run(x, out, -1, true);
    },
    applyCost(x, out) {
      checkLen(x, out, size);
      out.fill(0);
      for (let d = 0; d < dims; d++) {
        run(x, acc, d, false);
        for (let i = 0; i < size; i++) out[i] += acc[i];
      }
    },
    applyCostLog(x, out) {
      checkLen(x, out, size);
      out.fill(-Infinity);
      for (let d = 0; d < dims; d++) {
        run(x, acc, d, true);
        for (let i = 0; i < size; i++) out[i] = logAdd(out[i], acc[i]);
      }
    },
  };
  return Object.freeze(kernel);
}

interface GridSimd {
  readonly ws: SimdWorkspace;
  /** Byte offsets and views of the three field buffers (input/ping/pong). */
  readonly offs: readonly number[];
  readonly bufs: readonly Float64Array[];
  readonly kOff: readonly number[];
  readonly kcOff: readonly number[];
  readonly outOff: number;
  readonly out: Float64Array;
}

function gridSimd(axes: readonly Axis[], size: number): GridSimd | null {
  let bytes = 0;
  const kOff: number[] = [], kcOff: number[] = [];
  for (const ax of axes) {
    kOff.push(bytes);
    if (ax.kFull) bytes += a16(ax.kFull.length * 8);
    kcOff.push(bytes);
    if (ax.kcFull) bytes += a16(ax.kcFull.length * 8);
  }
  const offs = [bytes, bytes + a16(size * 8), bytes + 2 * a16(size * 8)];
  const outOff = bytes + 3 * a16(size * 8);
  const ws = createSimdWorkspace(outOff + 64);
  if (ws === null) return null;
  axes.forEach((ax, d) => {
    if (ax.kFull) new Float64Array(ws.buffer, kOff[d], ax.kFull.length).set(ax.kFull);
    if (ax.kcFull) new Float64Array(ws.buffer, kcOff[d], ax.kcFull.length).set(ax.kcFull);
  });
  const bufs = offs.map((o) => new Float64Array(ws.buffer, o, size));
  return { ws, offs, bufs, kOff, kcOff, outOff, out: new Float64Array(ws.buffer, outOff, 4) };
}

/** axisDense with four-row SIMD dot products over each band window. */
function axisDenseSimd(
  ws: SimdWorkspace, srcOff: number, dstOff: number, src: Float64Array, dst: Float64Array, outer: number, len: number,
  mOff: number, M: Float64Array, band: number, outOff: number, out: Float64Array,
): void {
  for (let o = 0; o < outer; o++) {
    const base = o * len;
    let p = 0;
    for (; p + 3 < len; p += 4) {
      const qlo = p - band + 1 > 0 ? p - band + 1 : 0;
      const qhi = p + 3 + band - 1 < len - 1 ? p + 3 + band - 1 : len - 1;
      const cnt = qhi - qlo + 1;
      ws.dot4(mOff + (p * len + qlo) * 8, srcOff + (base + qlo) * 8, cnt >> 1, len * 8, outOff);
      let s0 = out[0], s1 = out[1], s2 = out[2], s3 = out[3];
      if (cnt & 1) {
        const x = src[base + qhi];
        s0 += M[p * len + qhi] * x;
        s1 += M[(p + 1) * len + qhi] * x;
        s2 += M[(p + 2) * len + qhi] * x;
        s3 += M[(p + 3) * len + qhi] * x;
      }
      dst[base + p] = s0;
      dst[base + p + 1] = s1;
      dst[base + p + 2] = s2;
      dst[base + p + 3] = s3;
    }
    for (; p < len; p++) {
      const qlo = p - band + 1 > 0 ? p - band + 1 : 0;
      const qhi = p + band - 1 < len - 1 ? p + band - 1 : len - 1;
      let t = 0;
      for (let q = qlo; q <= qhi; q++) t += M[p * len + q] * src[base + q];
      dst[base + p] = t;
    }
  }
}

/** axisLinear with the inner rows updated four source rows at a time in SIMD. */
function axisLinearSimd(ws: SimdWorkspace, srcOff: number, dstOff: number, src: Float64Array, dst: Float64Array, ax: Axis, prof: Float64Array, band: number): void {
  const { len, outer, inner } = ax;
  const pairs = inner >> 1;
  const odd = (inner & 1) === 1;
  for (let o = 0; o < outer; o++) {
    const base = o * len * inner;
    for (let p = 0; p < len; p++) {
      const qlo = p - band + 1 > 0 ? p - band + 1 : 0;
      const qhi = p + band - 1 < len - 1 ? p + band - 1 : len - 1;
      const dRow = base + p * inner;
      dst.fill(0, dRow, dRow + inner);
      let q = qlo;
      for (; q + 3 <= qhi; q += 4) {
        const w0 = prof[p > q ? p - q : q - p];
        const w1 = prof[p > q + 1 ? p - q - 1 : q + 1 - p];
        const w2 = prof[p > q + 2 ? p - q - 2 : q + 2 - p];
        const w3 = prof[p > q + 3 ? p - q - 3 : q + 3 - p];
        const sRow = base + q * inner;
        ws.axpy4(srcOff + sRow * 8, dstOff + dRow * 8, pairs, inner * 8, w0, w1, w2, w3);
        if (odd) {
          const t = inner - 1;
          dst[dRow + t] += (w0 * src[sRow + t] + w1 * src[sRow + inner + t]) + (w2 * src[sRow + 2 * inner + t] + w3 * src[sRow + 3 * inner + t]);
        }
      }
      for (; q <= qhi; q++) {
        const w = prof[p > q ? p - q : q - p];
        const sRow = base + q * inner;
        for (let t = 0; t < inner; t++) dst[dRow + t] += w * src[sRow + t];
      }
    }
  }
}

function checkLen(x: Float64Array, out: Float64Array, size: number): void {
  if (x.length !== size) throw new OtInputError('x', `expected ${size} grid values, got ${x.length}`);
  if (out.length !== size) throw new OtInputError('out', `expected ${size} grid values, got ${out.length}`);
  if (x === out) throw new OtInputError('out', 'must not alias the input');
}

function logAdd(p: number, q: number): number {
  if (p === -Infinity) return q;
  if (q === -Infinity) return p;
  return p > q ? p + Math.log1p(Math.exp(q - p)) : q + Math.log1p(Math.exp(p - q));
}

/** Contiguous last axis: dst[o, p] = sum_q M[p, q] src[o, q], four outputs at a time (independent accumulators). */
function axisDense(src: Float64Array, dst: Float64Array, outer: number, len: number, M: Float64Array, band: number): void {
  for (let o = 0; o < outer; o++) {
    const base = o * len;
    let p = 0;
    for (; p + 3 < len; p += 4) {
      const qlo = p - band + 1 > 0 ? p - band + 1 : 0;
      const qhi = p + 3 + band - 1 < len - 1 ? p + 3 + band - 1 : len - 1;
      const m0 = p * len, m1 = m0 + len, m2 = m1 + len, m3 = m2 + len;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let q = qlo; q <= qhi; q++) {
        const x = src[base + q];
        s0 += M[m0 + q] * x;
        s1 += M[m1 + q] * x;
        s2 += M[m2 + q] * x;
        s3 += M[m3 + q] * x;
      }
      dst[base + p] = s0;
      dst[base + p + 1] = s1;
      dst[base + p + 2] = s2;
      dst[base + p + 3] = s3;
    }
    for (; p < len; p++) {
      const qlo = p - band + 1 > 0 ? p - band + 1 : 0;
      const qhi = p + band - 1 < len - 1 ? p + band - 1 : len - 1;
      const mp = p * len;
      let s = 0;
      for (let q = qlo; q <= qhi; q++) s += M[mp + q] * src[base + q];
      dst[base + p] = s;
    }
  }
}

/** dst[o, p, t] = sum_q prof[|p - q|] src[o, q, t] for |p - q| < band. */
function axisLinear(src: Float64Array, dst: Float64Array, ax: Axis, prof: Float64Array, band: number): void {
  const { len, outer, inner } = ax;
  for (let o = 0; o < outer; o++) {
    const base = o * len * inner;
    for (let p = 0; p < len; p++) {
      const qlo = p - band + 1 > 0 ? p - band + 1 : 0;
      const qhi = p + band - 1 < len - 1 ? p + band - 1 : len - 1;
      if (inner === 1) {
        let s = 0;
        for (let q = qlo; q <= qhi; q++) s += prof[p > q ? p - q : q - p] * src[base + q];
        dst[base + p] = s;
      } else {
        const dOff = base + p * inner;
        for (let t = 0; t < inner; t++) dst[dOff + t] = 0;
        let q = qlo;
        // Four source lines per sweep: one load-store of dst per four multiply-adds.
        for (; q + 3 <= qhi; q += 4) {
          const w0 = prof[p > q ? p - q : q - p];
          const w1 = prof[p > q + 1 ? p - q - 1 : q + 1 - p];
          const w2 = prof[p > q + 2 ? p - q - 2 : q + 2 - p];
          const w3 = prof[p > q + 3 ? p - q - 3 : q + 3 - p];
          const s0 = base + q * inner, s1 = s0 + inner, s2 = s1 + inner, s3 = s2 + inner;
          for (let t = 0; t < inner; t++) dst[dOff + t] += (w0 * src[s0 + t] + w1 * src[s1 + t]) + (w2 * src[s2 + t] + w3 * src[s3 + t]);
        }
        for (; q <= qhi; q++) {
          const w = prof[p > q ? p - q : q - p];
          const sOff = base + q * inner;
          for (let t = 0; t < inner; t++) dst[dOff + t] += w * src[sOff + t];
        }
      }
    }
  }
}

/** dst[o, p, t] = log sum_q exp(logProf[|p - q|] + src[o, q, t]). */
function axisLog(src: Float64Array, dst: Float64Array, ax: Axis, logProf: Float64Array, mx: Float64Array, sm: Float64Array): void {
  const { len, outer, inner } = ax;
  for (let o = 0; o < outer; o++) {
    const base = o * len * inner;
    for (let p = 0; p < len; p++) {
      const dOff = base + p * inner;
      for (let t = 0; t < inner; t++) {
        mx[t] = -Infinity;
        sm[t] = 0;
      }
      for (let q = 0; q < len; q++) {
        const lw = logProf[p > q ? p - q : q - p];
        const sOff = base + q * inner;
        for (let t = 0; t < inner; t++) {
          const z = lw + src[sOff + t];
          if (z > mx[t]) mx[t] = z;
        }
      }
      for (let q = 0; q < len; q++) {
        const lw = logProf[p > q ? p - q : q - p];
        const sOff = base + q * inner;
        for (let t = 0; t < inner; t++) {
          const m0 = mx[t];
          if (m0 !== -Infinity) sm[t] += Math.exp(lw + src[sOff + t] - m0);
        }
      }
      for (let t = 0; t < inner; t++) dst[dOff + t] = mx[t] === -Infinity ? -Infinity : mx[t] + Math.log(sm[t]);
    }
  }
}

export { gridSinkhorn } from './grid-sinkhorn';
export type { GridSinkhornOptions, GridSinkhornResult } from './grid-sinkhorn';
