// One entropic JKO step by Dykstra's iterations in scaling form (Peyre, SIAM J. Imaging Sci. 2015, Prop. 3.2 and
// eqs. 3.18-3.23): p = argmin_p W_gamma(p, p_k) + gamma s f(p), W_gamma(p, q) = min_{P 1 = q, P^T 1 = p} gamma KL(P | K),
// K = exp(-|x - y|^2 / gamma) applied separably (never formed). With two constraint sets the iterations reduce
// exactly to
//   a <- p_k / (K b),   b <- Prox^KL_{s f}(K^T a) / (K^T a),
// (the correction variable of the second projection equals 1 / a and cancels). The step ends on an a-update and
// returns p = b (.) K^T a, whose mass equals that of p_k to round-off. Several channels: K is block-diagonal (no
// mass between channels); the prox acts on all channels at once. Kernel form with the scalings absorbed into
// separable potentials whenever they leave [e^-LIM, e^LIM] (src/grid/kernel.ts); if that cannot hold them (an
// overflow), the step is redone with the same iterations on logs (log K exp(.)), which cannot overflow.
import { gibbsGridKernel, type GibbsGridKernel } from '../ot/index';
import { absorbedKernel, type AbsorbedKernel } from './kernel';
import type { KlProxOperator as GridKlProx } from './prox';

export interface DykstraOptions {
  /** Stop when sum_i |a_i (K b)_i - p_k,i| < tol (L1, masses sum to 1). */
  readonly tol: number;
  readonly maxIter: number;
  /** Force the log-domain iterations (tests); default: kernel form with a fallback. */
  readonly logDomain?: boolean;
}

export interface DykstraResult {
  readonly iterations: number;
  /** The first-marginal L1 error of the last iterate before the final a-update. */
  readonly marginalError: number;
  readonly converged: boolean;
  readonly logDomain: boolean;
  /** Largest residual the prox reported (0 for closed forms). */
  readonly proxResidual: number;
}

export interface DykstraSolver {
  /** Solves one step from pk (length channels * size) into out; warm-starts from the previous step's b. */
  step(pk: Float64Array, prox: GridKlProx, s: number, out: Float64Array, options: DykstraOptions): DykstraResult;
  /** Forget the warm start. */
  reset(): void;
}


const LIM = 60;

export interface GridGeometry {
  readonly shape: readonly number[];
  readonly spacing: readonly number[];
}

export function dykstraSolver(grid: GridGeometry, gamma: number, channels: number): DykstraSolver {
  const shape = grid.shape, dims = shape.length;
  const N = shape.reduce((p, v) => p * v, 1);
  const n = N * channels;
  const kernels: AbsorbedKernel[] = [];
  const A = new Float64Array(n), B = new Float64Array(n); // expanded absorbed potentials, per channel block
  // With |log a~| <= ra and |log b~| <= rb, a kernel entry below e^-(ra + rb + 36) x its row's largest contributes
  // less than e^-36 of the row's sum: such entries are dropped (a narrower band, the same result to round-off).
  // cutExp[c] = ra + rb + 36 the bands were built for; stabilize() rebuilds when the scalings' range outgrows it.
  const cutExp = new Float64Array(channels).fill(2 * LIM + 36);
  for (let c = 0; c < channels; c++) kernels.push(absorbedKernel(shape, grid.spacing, gamma, Math.exp(-cutExp[c])));
  let logKernel: GibbsGridKernel | null = null;
  const a = new Float64Array(n), b = new Float64Array(n), Kb = new Float64Array(n), z = new Float64Array(n), lz = new Float64Array(n), lq = new Float64Array(n);
  const logB = new Float64Array(n); // warm start for the log form
  let warmB = false, warmLog = false;
  const view = (x: Float64Array, c: number) => x.subarray(c * N, (c + 1) * N);
  const applyAll = (x: Float64Array, out: Float64Array, T: boolean) => {
    for (let c = 0; c < channels; c++) (T ? kernels[c].applyT : kernels[c].apply)(view(x, c), view(out, c));
  };
  const reset = () => {
    kernels.forEach((K, c) => { K.al.forEach((v) => v.fill(0)); K.be.forEach((v) => v.fill(0)); cutExp[c] = 2 * LIM + 36; K.relCut = Math.exp(-cutExp[c]); K.rebuild(); });
    A.fill(0); B.fill(0); b.fill(1); warmB = true;
  };
  reset();

  /** Largest |log x| over the positive entries of channel c. */
  const range = (x: Float64Array, c: number): number => {
    let mx = 0, mn = Infinity;
    for (let i = c * N; i < (c + 1) * N; i++) {
      const v = x[i];
      if (v > 0) { if (v > mx) mx = v; if (v < mn) mn = v; } else if (!(v === 0)) return Infinity;
    }
    if (mx === Infinity) return Infinity;
    return mx === 0 ? 0 : Math.max(Math.log(mx), -Math.log(mn));
  };

  /** Moves the separable part of log x (channel c) into pot (al or be) and divides x by it; the caller rebuilds. */
  function absorb(x: Float64Array, c: number, pot: readonly Float64Array[], expanded: Float64Array): void {
    const L = lq; // scratch: log x on the channel
    for (let i = 0; i < N; i++) { const v = x[c * N + i]; L[i] = v > 0 ? Math.log(v) : NaN; }
    const delta = shape.map((s) => new Float64Array(s));
    for (let sweep = 0; sweep < 2; sweep++) {
      for (let d = 0; d < dims; d++) {
        const lo = new Float64Array(shape[d]).fill(Infinity), hi = new Float64Array(shape[d]).fill(-Infinity);
        for (let idx = 0; idx < N; idx++) {
          if (Number.isNaN(L[idx])) continue;
          let rest = idx, fit = 0, id = 0;
          for (let e = dims - 1; e >= 0; e--) { const k = rest % shape[e]; rest = (rest / shape[e]) | 0; if (e === d) id = k; else fit += delta[e][k]; }
          const r = L[idx] - fit;
          if (r < lo[id]) lo[id] = r;
          if (r > hi[id]) hi[id] = r;
        }
        for (let k = 0; k < shape[d]; k++) delta[d][k] = lo[k] <= hi[k] ? (lo[k] + hi[k]) / 2 : 0;
      }
    }
    for (let d = 0; d < dims; d++) for (let k = 0; k < shape[d]; k++) pot[d][k] += delta[d][k];
    const ex = z.subarray(c * N, (c + 1) * N); // scratch
    kernels[c].expand(delta, ex);
    for (let i = 0; i < N; i++) if (x[c * N + i] > 0) x[c * N + i] = Math.exp(L[i] - ex[i]);
    kernels[c].expand(pot, expanded.subarray(c * N, (c + 1) * N));
  }

  function aUpdate(pk: Float64Array): void {
    for (let i = 0; i < n; i++) a[i] = pk[i] === 0 ? 0 : pk[i] / Kb[i];
  }

  /** Absorbs a and b where out of range; false when that fails (overflow): use the log form. */
  function stabilize(): boolean {
    for (let c = 0; c < channels; c++) {
      let ra = range(a, c), rb = range(b, c);
      if (!Number.isFinite(ra) || !Number.isFinite(rb)) return false;
      if (ra <= LIM && rb <= LIM && ra + rb + 36 <= cutExp[c]) continue;
      if (ra > LIM) absorb(a, c, kernels[c].al, A);
      if (rb > LIM) absorb(b, c, kernels[c].be, B);
      ra = range(a, c); rb = range(b, c);
      if (ra > 700 || rb > 700) return false;
      cutExp[c] = Math.max(2 * LIM, ra + rb) + 36;
      kernels[c].relCut = cutExp[c] < 740 ? Math.exp(-cutExp[c]) : 0;
      if (!kernels[c].rebuild()) return false;
    }
    return true;
  }

  function kernelForm(pk: Float64Array, prox: GridKlProx, s: number, out: Float64Array, o: DykstraOptions): DykstraResult | null {
    if (!warmB) reset();
    applyAll(b, Kb, false);
    aUpdate(pk);
    if (!stabilize()) return null;
    let it = 0, err = Infinity, res = 0;
    while (it < o.maxIter) {
      applyAll(a, z, true); // z~ = Kt^T a~; true z = e^{-B} z~
      for (let i = 0; i < n; i++) lz[i] = z[i] > 0 ? Math.log(z[i]) - B[i] : -Infinity;
      const r = prox.proxLog(lz, s, lq);
      if (r > res) res = r;
      for (let i = 0; i < n; i++) b[i] = z[i] > 0 ? Math.exp(lq[i] - lz[i] - B[i]) : 0; // b~ = q / z~
      if (!stabilize()) return null;
      applyAll(b, Kb, false);
      it++;
      err = 0;
      for (let i = 0; i < n; i++) err += Math.abs(a[i] * Kb[i] - pk[i]);
      if (!Number.isFinite(err)) return null;
      aUpdate(pk);
      if (!stabilize()) return null;
      if (err < o.tol) break;
    }
    applyAll(a, z, true);
    for (let i = 0; i < n; i++) out[i] = b[i] * z[i];
    return { iterations: it, marginalError: err, converged: err < o.tol, logDomain: false, proxResidual: res };
  }

  function logForm(pk: Float64Array, prox: GridKlProx, s: number, out: Float64Array, o: DykstraOptions): DykstraResult {
    logKernel ??= gibbsGridKernel({ shape, spacing: grid.spacing }, gamma);
    const K = logKernel;
    const apply = (x: Float64Array, y: Float64Array) => { for (let c = 0; c < channels; c++) K.applyLog(view(x, c), view(y, c)); };
    const f = a, g = b, lKb = Kb;
    for (let i = 0; i < n; i++) g[i] = warmLog ? logB[i] : 0;
    apply(g, lKb);
    const fUpdate = () => { for (let i = 0; i < n; i++) f[i] = pk[i] > 0 ? Math.log(pk[i]) - lKb[i] : -Infinity; };
    fUpdate();
    let it = 0, err = Infinity, res = 0;
    while (it < o.maxIter) {
      apply(f, lz);
      const r = prox.proxLog(lz, s, lq);
      if (r > res) res = r;
      for (let i = 0; i < n; i++) g[i] = lz[i] === -Infinity || lq[i] === -Infinity ? -Infinity : lq[i] - lz[i];
      apply(g, lKb);
      it++;
      err = 0;
      for (let i = 0; i < n; i++) err += Math.abs((pk[i] > 0 ? Math.exp(f[i] + lKb[i]) : 0) - pk[i]);
      fUpdate();
      if (err < o.tol) break;
    }
    apply(f, lz);
    for (let i = 0; i < n; i++) { out[i] = g[i] === -Infinity ? 0 : Math.exp(g[i] + lz[i]); logB[i] = g[i]; }
    warmLog = true;
    warmB = false; // the kernel form restarts cold after a log-domain step
    return { iterations: it, marginalError: err, converged: err < o.tol, logDomain: true, proxResidual: res };
  }

  return {
    step(pk, prox, s, out, options) {
      if (pk.length !== n || out.length !== n) throw new RangeError(`dykstra: expected ${n} masses, got ${pk.length} and ${out.length}`);
      if (!options.logDomain) {
        const r = kernelForm(pk, prox, s, out, options);
        if (r) return r;
        warmB = false;
      }
      return logForm(pk, prox, s, out, options);
    },
    reset() { reset(); warmLog = false; },
  };
}
