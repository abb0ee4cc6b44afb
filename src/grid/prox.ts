// KL proximal operators of separable functionals of grid masses (Peyre, "Entropic approximation of Wasserstein
// gradient flows", SIAM J. Imaging Sci. 2015, §4): Prox^KL_{s f}(z) = argmin_p sum_i p_i log(p_i / z_i) - p_i + z_i + s f(p).
//
// f(p) = sum_i [ V_i p_i + eps h e_1(p_i / h) + eta h e_m(p_i / h) ] + indicator(p_i <= kappa h), h = cell volume,
// e_1(r) = r (log r - 1) (entropy), e_m(r) = r (r^(m-1) - m) / (m - 1) (porous medium, d_t u = Delta u^m),
// a congestion cap rho <= kappa (crowd motion). Per cell, with y = log p, c = log h, lz = log z, the optimality
// condition of the smooth part is
//   G(y) = (1 + s eps) y - A + s eta m / (m - 1) (e^{(m-1)(y - c)} - 1) = 0,  A = lz - s V + s eps c,
// G convex and increasing in y. eta = 0: y = A / (1 + s eps) (the paper's closed forms: potential z e^{-sV},
// entropy z^{1/(1+s)}). Otherwise Newton from an upper start y0 with G(y0) >= 0 converges monotonically. The cap
// is the projection of the 1-D minimiser onto p <= kappa h (1-D convex problem). Potentials may differ per channel.

/** A KL prox as entropic JKO uses it (structurally the engine's GridKlProx; src/grid does not import the engine). */
export interface KlProxOperator {
  prox(z: Float64Array, s: number, out: Float64Array): number;
  proxLog(logZ: Float64Array, s: number, outLog: Float64Array): number;
  value(p: Float64Array): number;
}

export interface SeparableTerms {
  /** Cell volume h^d (densities are masses / h). */
  readonly cellVolume: number;
  /** Potential V per cell, length = size (shared by the channels) or channels * size; null = 0. */
  readonly potential?: Float64Array | null;
  /** Weight of the entropy e_1 (the diffusion coefficient); 0 = none. */
  readonly entropy?: number;
  /** Weight and exponent m > 1 of the generalized entropy e_m; weight 0 = none. */
  readonly porous?: { readonly weight: number; readonly m: number } | null;
  /** Congestion cap on the density, rho <= kappa; null = none. */
  readonly cap?: number | null;
}

export interface SeparableProx extends KlProxOperator {
  readonly terms: SeparableTerms;
  /** Largest Newton iteration count in the last call (0 for closed forms). */
  lastNewton(): number;
}

const NEWTON_MAX = 100;

export function separableProx(terms: SeparableTerms): SeparableProx {
  const h = terms.cellVolume;
  if (!(h > 0)) throw new RangeError(`cellVolume must be > 0, got ${h}`);
  const c = Math.log(h);
  const V = terms.potential ?? null;
  const eps = terms.entropy ?? 0;
  const eta = terms.porous?.weight ?? 0;
  const m = terms.porous?.m ?? 2;
  if (eps < 0 || eta < 0) throw new RangeError('entropy and porous weights must be >= 0');
  if (eta > 0 && !(m > 1)) throw new RangeError(`porous exponent m must be > 1, got ${m}`);
  const logCap = terms.cap == null ? Infinity : Math.log(terms.cap * h);
  let newtonMax = 0;

  /** The minimiser y = log p of one cell, given lz = log z and the potential value v. */
  function cell(lz: number, v: number, s: number): number {
    if (lz === -Infinity) return -Infinity;
    const A = lz - s * v + s * eps * c;
    const g1 = 1 + s * eps;
    let y: number;
    if (eta === 0) y = A / g1;
    else {
      const q = (s * eta * m) / (m - 1);
      const D = A - g1 * c;
      // Upper starts with G >= 0 (see the header): c when the root is below c, else the exp-balanced point.
      y = D >= 0 ? c + Math.log1p((D * (m - 1)) / (s * eta * m)) / (m - 1) : c;
      y = Math.min(y, (A + q) / g1);
      let it = 0;
      for (; it < NEWTON_MAX; it++) {
        const e = Math.exp((m - 1) * (y - c));
        const G = g1 * y - A + q * (e - 1);
        const dG = g1 + q * (m - 1) * e;
        const dy = G / dG;
        y -= dy;
        if (!(Math.abs(dy) > 1e-14 * (1 + Math.abs(y)))) break;
      }
      if (it + 1 > newtonMax) newtonMax = it + 1;
    }
    return y < logCap ? y : logCap;
  }

  const vAt = (i: number): number => (V === null ? 0 : V[i % V.length]);

  return {
    terms,
    lastNewton: () => newtonMax,
    proxLog(logZ, s, outLog) {
      newtonMax = 0;
      for (let i = 0; i < logZ.length; i++) outLog[i] = cell(logZ[i], vAt(i), s);
      return 0;
    },
    prox(z, s, out) {
      newtonMax = 0;
      if (eta === 0 && logCap === Infinity) {
        // Closed form p = z^{1/(1+s eps)} e^{(s eps c - s V)/(1+s eps)}.
        const g1 = 1 + s * eps;
        const pw = 1 / g1;
        for (let i = 0; i < z.length; i++) {
          const zi = z[i];
          out[i] = zi > 0 ? Math.pow(zi, pw) * Math.exp((s * eps * c - s * vAt(i)) / g1) : 0;
        }
        return 0;
      }
      for (let i = 0; i < z.length; i++) {
        const zi = z[i];
        out[i] = zi > 0 ? Math.exp(cell(Math.log(zi), vAt(i), s)) : 0;
      }
      return 0;
    },
    value(p) {
      let f = 0;
      for (let i = 0; i < p.length; i++) {
        const pi = p[i];
        if (V !== null) f += V[i % V.length] * pi;
        if (pi > 0) {
          const r = pi / h;
          if (eps > 0) f += eps * pi * (Math.log(r) - 1);
          if (eta > 0) f += (eta * pi * (Math.pow(r, m - 1) - m)) / (m - 1);
        }
      }
      return f;
    },
  };
}
