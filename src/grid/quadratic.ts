// A quadratic risk of grid masses, L(p) = sum_j ((Phi p)_j - y_j)^2 (Phi: n x M, row-major), its gradient, and its
// KL proximal operator argmin_p KL(p | z) + s L(p) by Newton's method on its n-dimensional dual (below). Residual:
// the L1 norm of the dual gradient, sum_j |(Phi p - y)_j - lam_j / (2 s)|.
export interface QuadraticRisk {
  readonly n: number;
  readonly M: number;
  value(p: Float64Array): number;
  /** out = grad L(p); returns L(p). */
  gradient(p: Float64Array, out: Float64Array): number;
  /** The KL prox; returns the residual. */
  prox(z: Float64Array, s: number, out: Float64Array): number;
  proxLog(logZ: Float64Array, s: number, outLog: Float64Array): number;
}

export function quadraticRisk(Phi: Float64Array, y: Float64Array, M: number, options: { tol?: number; maxNewton?: number } = {}): QuadraticRisk {
  const n = y.length;
  if (Phi.length !== n * M) throw new RangeError(`Phi has ${Phi.length} entries, expected ${n} x ${M}`);
  const tol = options.tol ?? 1e-12, maxNewton = options.maxNewton ?? 60;
  const r = new Float64Array(n), g = new Float64Array(M);
  const cand = new Float64Array(M), zz = new Float64Array(M);

  const residual = (p: Float64Array): number => {
    for (let j = 0; j < n; j++) {
      let s = -y[j];
      const row = j * M;
      for (let i = 0; i < M; i++) s += Phi[row + i] * p[i];
      r[j] = s;
    }
    let v = 0;
    for (let j = 0; j < n; j++) v += r[j] * r[j];
    return v;
  };
  const gradient = (p: Float64Array, out: Float64Array): number => {
    const v = residual(p);
    out.fill(0);
    for (let j = 0; j < n; j++) {
      const w = 2 * r[j], row = j * M;
      for (let i = 0; i < M; i++) out[i] += w * Phi[row + i];
    }
    return v;
  };
  // The prox through its n-dimensional concave dual (n = data points << M cells):
  //   g(lam) = sum z (1 - e^{-(Phi^T lam)}) - |lam|^2 / (4 s) - lam^T y,  p(lam) = z e^{-Phi^T lam},
  //   grad g = Phi p - lam / (2 s) - y,  -Hess g = Phi diag(p) Phi^T + I / (2 s),
  // maximised by Newton's method with backtracking; at the optimum lam = 2 s (Phi p - y), i.e. log(p / z) = -s grad L(p).
  const lam = new Float64Array(n), grd = new Float64Array(n), dl = new Float64Array(n), H = new Float64Array(n * n), lamC = new Float64Array(n);
  const pOf = (z: Float64Array, l: Float64Array, p: Float64Array) => {
    g.fill(0);
    for (let j = 0; j < n; j++) { const w = l[j], row = j * M; if (w !== 0) for (let i = 0; i < M; i++) g[i] += w * Phi[row + i]; }
    let sum = 0;
    for (let i = 0; i < M; i++) { p[i] = z[i] > 0 ? z[i] * Math.exp(-g[i]) : 0; sum += z[i] - p[i]; }
    return sum; // sum z (1 - e^{-Phi^T lam})
  };
  const dual = (z: Float64Array, l: Float64Array, s: number, p: Float64Array) => {
    let v = pOf(z, l, p);
    for (let j = 0; j < n; j++) v -= (l[j] * l[j]) / (4 * s) + l[j] * y[j];
    return v;
  };
  function prox(z: Float64Array, s: number, p: Float64Array): number {
    if (!(s > 0)) { p.set(z); return 0; }
    let gv = dual(z, lam, s, p); // warm start from the previous lam
    if (!Number.isFinite(gv)) { lam.fill(0); gv = dual(z, lam, s, p); }
    let res = Infinity;
    for (let it = 0; it < maxNewton; it++) {
      residual(p);
      res = 0;
      for (let j = 0; j < n; j++) { grd[j] = r[j] - lam[j] / (2 * s); res += Math.abs(grd[j]); }
      if (res < tol) break;
      for (let a = 0; a < n; a++) for (let b = 0; b <= a; b++) {
        let t = 0;
        const ra = a * M, rb = b * M;
        for (let i = 0; i < M; i++) t += Phi[ra + i] * p[i] * Phi[rb + i];
        H[a * n + b] = t + (a === b ? 1 / (2 * s) : 0);
        H[b * n + a] = H[a * n + b];
      }
      choleskySolve(H, n, grd, dl);
      let t = 1, slope = 0;
      for (let j = 0; j < n; j++) slope += grd[j] * dl[j];
      for (let ls = 0; ls < 60; ls++) {
        for (let j = 0; j < n; j++) lamC[j] = lam[j] + t * dl[j];
        const gc = dual(z, lamC, s, cand);
        if (gc >= gv + 1e-4 * t * slope || ls === 59) { lam.set(lamC); gv = gc; p.set(cand); break; }
        t /= 2;
      }
    }
    return res;
  }

  return {
    n, M,
    value: (p) => residual(p),
    gradient,
    prox,
    proxLog(logZ, s, outLog) {
      for (let i = 0; i < M; i++) zz[i] = Math.exp(logZ[i]);
      const res = prox(zz, s, outLog);
      for (let i = 0; i < M; i++) outLog[i] = outLog[i] > 0 ? Math.log(outLog[i]) : -Infinity;
      return res;
    },
  };
}

/** Solves A x = b for SPD A (n x n, row-major) by Cholesky; A is overwritten. */
function choleskySolve(A: Float64Array, n: number, b: Float64Array, x: Float64Array): void {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let k = 0; k < j; k++) d -= A[j * n + k] * A[j * n + k];
    d = Math.sqrt(Math.max(d, 1e-300));
    A[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let v = A[i * n + j];
      for (let k = 0; k < j; k++) v -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = v / d;
    }
  }
  for (let i = 0; i < n; i++) { let v = b[i]; for (let k = 0; k < i; k++) v -= A[i * n + k] * x[k]; x[i] = v / A[i * n + i]; }
  for (let i = n - 1; i >= 0; i--) { let v = x[i]; for (let k = i + 1; k < n; k++) v -= A[k * n + i] * x[k]; x[i] = v / A[i * n + i]; }
}
