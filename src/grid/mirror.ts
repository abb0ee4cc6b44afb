// An inner first-order solver for JKO steps with a transport cost T whose gradient in the masses is known:
// min_p L(p) + T(p, p_k) / (2 tau) over the product of the channels' simplices, by mirror descent (exponentiated
// gradient, Beck & Teboulle 2003) with an Armijo backtracking step. Used with the exact W2^2 (jko-emd) and the
// sliced one (jko-sliced). T is piecewise linear in p, so the residual is the relative decrease of the objective
// over the last iteration (|J_prev - J| / max(1, |J|)), not a gradient norm.
export interface MirrorJkoOptions {
  readonly tau: number;
  readonly step: number;
  readonly maxIter: number;
  readonly tol: number;
}

export interface MirrorJkoResult {
  readonly iterations: number;
  readonly residual: number;
  readonly objective: number;
  /** The step size reached (warm start for the next outer step). */
  readonly step: number;
}

/** grad(p, out) writes grad L(p) and returns L(p); cost(p_c, q_c, out_c) writes the gradient of T in p_c, returns T. */
export function mirrorJko(
  p: Float64Array, pk: Float64Array, channels: number, channelMass: Float64Array,
  grad: (p: Float64Array, out: Float64Array) => number,
  cost: (p: Float64Array, q: Float64Array, out: Float64Array) => number,
  o: MirrorJkoOptions,
): MirrorJkoResult {
  const n = p.length, N = n / channels;
  const gL = new Float64Array(n), gT = new Float64Array(n), cand = new Float64Array(n), pn = new Float64Array(N), qn = new Float64Array(N), gc = new Float64Array(N);
  const evaluate = (x: Float64Array): number => {
    let J = grad(x, gL);
    for (let c = 0; c < channels; c++) {
      const m = channelMass[c];
      for (let i = 0; i < N; i++) { pn[i] = x[c * N + i] / m; qn[i] = pk[c * N + i] / m; }
      J += (m * cost(pn, qn, gc)) / (2 * o.tau);
      for (let i = 0; i < N; i++) gT[c * N + i] = gc[i] / (2 * o.tau);
    }
    return J;
  };
  let J = evaluate(p);
  let eta = o.step, it = 0, residual = Infinity;
  const G = new Float64Array(n);
  while (it < o.maxIter) {
    for (let i = 0; i < n; i++) G[i] = gL[i] + gT[i];
    let accepted = false;
    for (let ls = 0; ls < 40; ls++) {
      for (let c = 0; c < channels; c++) {
        let mx = -Infinity;
        for (let i = c * N; i < (c + 1) * N; i++) if (p[i] > 0) mx = Math.max(mx, -eta * G[i]);
        let s = 0;
        for (let i = c * N; i < (c + 1) * N; i++) { cand[i] = p[i] > 0 ? p[i] * Math.exp(-eta * G[i] - mx) : 0; s += cand[i]; }
        for (let i = c * N; i < (c + 1) * N; i++) cand[i] *= channelMass[c] / s;
      }
      let lin = 0, dist = 0;
      for (let i = 0; i < n; i++) { lin += G[i] * (cand[i] - p[i]); dist += Math.abs(cand[i] - p[i]); }
      const saveL = Float64Array.from(gL), saveT = Float64Array.from(gT);
      const Jc = evaluate(cand);
      if (Jc <= J + 0.5 * lin || dist < 1e-15) {
        residual = Math.abs(J - Jc) / Math.max(1, Math.abs(Jc));
        p.set(cand);
        J = Jc;
        eta *= 1.5;
        accepted = true;
        break;
      }
      gL.set(saveL); gT.set(saveT);
      eta /= 2;
    }
    it++;
    // No descent along the mirror direction even for tiny steps: p is stationary (the transport term is not
    // differentiable at p_k, so p = p_k is a minimiser when moving any mass costs more transport than it saves risk).
    if (!accepted) { residual = 0; eta = o.step; break; }
    if (residual < o.tol) break;
  }
  return { iterations: it, residual, objective: J, step: eta };
}
