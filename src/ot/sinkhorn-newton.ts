// Newton polishing for Sinkhorn when it stalls (Brauer, Clason, Lorenz & Wirth 2017, "A Sinkhorn-Newton method for
// entropic optimal transport"): damped Newton steps on the dual, quadratically convergent near the solution.
import { choleskyInPlace } from '../linalg/cholesky';

/**
 * Damped Newton on the dual D(f, g) = <a,f> + <b,g> - reg sum exp((f_i + g_j - C_ij)/reg): solve
 * [[diag r, P], [P^T, diag c]] (df, dg) = reg (a - r, b - c) through the Schur complement on the smaller side,
 * then backtrack until the marginal error decreases. Ends with one row update so that rows are exact (as Sinkhorn).
 */
export function newtonPolish(
  a: Float64Array, b: Float64Array, C: Float64Array, n: number, m: number, reg: number, tol: number,
  f: Float64Array, g: Float64Array, errors: number[],
): { converged: boolean; steps: number } {
  const ir = 1 / reg;
  const P = new Float64Array(n * m);
  const r = new Float64Array(n), c = new Float64Array(m);
  const ft = new Float64Array(n), gt = new Float64Array(m);
  const df = new Float64Array(n), dg = new Float64Array(m);
  const evalAt = (ff: Float64Array, gg: Float64Array): number => {
    r.fill(0);
    c.fill(0);
    for (let i = 0; i < n; i++) {
      const row = i * m;
      let s = 0;
      for (let j = 0; j < m; j++) {
        const p = Math.exp((ff[i] + gg[j] - C[row + j]) * ir);
        P[row + j] = p;
        s += p;
        c[j] += p;
      }
      r[i] = s;
    }
    let e = 0;
    for (let i = 0; i < n; i++) e += (r[i] - a[i]) * (r[i] - a[i]);
    for (let j = 0; j < m; j++) e += (c[j] - b[j]) * (c[j] - b[j]);
    return Math.sqrt(e);
  };
  let err = evalAt(f, g);
  let steps = 0;
  for (; steps < 60; steps++) {
    if (!(err >= tol)) break;
    if (!newtonDirection(P, r, c, a, b, n, m, reg, df, dg)) break;
    let t = 1;
    let accepted = false;
    for (let ls = 0; ls < 40; ls++, t *= 0.5) {
      for (let i = 0; i < n; i++) ft[i] = f[i] + t * df[i];
      for (let j = 0; j < m; j++) gt[j] = g[j] + t * dg[j];
      const e2 = evalAt(ft, gt);
      if (e2 < err) {
        f.set(ft);
        g.set(gt);
        err = e2;
        accepted = true;
        break;
      }
    }
    errors.push(err);
    if (!accepted) {
      evalAt(f, g);
      break;
    }
  }
  // Exact rows (f-update), then report the column error as Sinkhorn does.
  for (let i = 0; i < n; i++) {
    const row = i * m;
    let mx = -Infinity;
    for (let j = 0; j < m; j++) mx = Math.max(mx, g[j] - C[row + j]);
    let s = 0;
    for (let j = 0; j < m; j++) s += Math.exp((g[j] - C[row + j] - mx) * ir);
    f[i] = reg * Math.log(a[i]) - mx - reg * Math.log(s);
  }
  evalAt(f, g);
  let ce = 0;
  for (let j = 0; j < m; j++) ce += (c[j] - b[j]) * (c[j] - b[j]);
  ce = Math.sqrt(ce);
  errors.push(ce);
  return { converged: ce < tol, steps: steps + 1 };
}

/** Newton direction through the Schur complement on the g side (or the f side when n < m). False if singular. */
function newtonDirection(
  P: Float64Array, r: Float64Array, c: Float64Array, a: Float64Array, b: Float64Array, n: number, m: number, reg: number,
  df: Float64Array, dg: Float64Array,
): boolean {
  const onG = m <= n;
  const k = onG ? m : n; // size of the Schur system
  const S = new Float64Array(k * k);
  const rhs = new Float64Array(k);
  // Entry accessor for the plan seen from the eliminated side: E(p, q) with p over the eliminated index.
  const ne = onG ? n : m;
  const E = (p: number, q: number): number => (onG ? P[p * m + q] : P[q * m + p]);
  const dElim = onG ? r : c, dKeep = onG ? c : r;
  const gElim = onG ? a : b, gKeep = onG ? b : a;
  for (let q = 0; q < k; q++) {
    S[q * k + q] = dKeep[q];
    rhs[q] = reg * (gKeep[q] - dKeep[q]);
  }
  for (let p = 0; p < ne; p++) {
    const inv = 1 / dElim[p];
    const re = reg * (gElim[p] - dElim[p]) * inv;
    for (let q = 0; q < k; q++) {
      const epq = E(p, q);
      if (epq === 0) continue;
      rhs[q] -= epq * re;
      const w = epq * inv;
      for (let q2 = 0; q2 < k; q2++) S[q * k + q2] -= w * E(p, q2);
    }
  }
  // The Schur matrix is singular along the constant vector (potentials are defined up to f + t, g - t);
  // adding its mean diagonal times 1 1^T / k fixes that gauge without changing the solution.
  let tr = 0;
  for (let q = 0; q < k; q++) tr += S[q * k + q];
  const shift = tr / k / k;
  for (let q = 0; q < k * k; q++) S[q] += shift;
  const x = solveSpd(S, rhs, k);
  if (x === null) return false;
  const dk = onG ? dg : df, de = onG ? df : dg;
  dk.set(x);
  for (let p = 0; p < ne; p++) {
    let s = reg * (gElim[p] - dElim[p]);
    for (let q = 0; q < k; q++) s -= E(p, q) * x[q];
    de[p] = s / dElim[p];
  }
  return true;
}

/** Solves S x = y for symmetric positive definite S (k x k, overwritten by its Cholesky factor); null if not SPD. */
function solveSpd(S: Float64Array, y: Float64Array, k: number): Float64Array | null {
  if (!choleskyInPlace(S, k)) return null;
  const x = Float64Array.from(y);
  for (let i = 0; i < k; i++) {
    let s = x[i];
    for (let t = 0; t < i; t++) s -= S[i * k + t] * x[t];
    x[i] = s / S[i * k + i];
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = x[i];
    for (let t = i + 1; t < k; t++) s -= S[t * k + i] * x[t];
    x[i] = s / S[i * k + i];
  }
  return x;
}
