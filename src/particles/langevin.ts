// Langevin particle steps on a target pi = exp(-V) / Z: ULA and MALA (Roberts & Tweedie 1996, "Exponential
// convergence of Langevin distributions and their discrete approximations", eqs. 1.4 and 1.5), every particle an
// independent chain, all moved from the same iterate. Noise by fillNormalZiggurat.
import type { Rng } from '../random';
import { fillNormalZiggurat } from './normal';

/** What the steps need of a target (a Target satisfies it). */
export interface Potential {
  readonly dim: number;
  potential(x: Float64Array, n: number, out: Float64Array): void;
  gradPotential(x: Float64Array, n: number, out: Float64Array): void;
}

/** Reusable buffers for n particles in dimension d (allocate once per run). */
export interface LangevinWorkspace {
  readonly grad: Float64Array;
  readonly noise: Float64Array;
  readonly proposal: Float64Array;
  readonly gradProposal: Float64Array;
  readonly v: Float64Array;
  readonly vProposal: Float64Array;
}

export function createLangevinWorkspace(n: number, d: number): LangevinWorkspace {
  return {
    grad: new Float64Array(n * d), noise: new Float64Array(n * d), proposal: new Float64Array(n * d),
    gradProposal: new Float64Array(n * d), v: new Float64Array(n), vProposal: new Float64Array(n),
  };
}

/** ULA in place: x <- x - g grad V(x) + sqrt(2 g) xi, xi ~ N(0, I). */
export function ulaStep(target: Potential, x: Float64Array, n: number, g: number, rng: Rng, ws: LangevinWorkspace = createLangevinWorkspace(n, target.dim)): void {
  const nd = n * target.dim, c = Math.sqrt(2 * g), grad = ws.grad, xi = ws.noise;
  target.gradPotential(x, n, grad);
  fillNormalZiggurat(rng, xi.subarray(0, nd));
  for (let k = 0; k < nd; k++) x[k] += c * xi[k] - g * grad[k];
}

/**
 * MALA in place: the ULA proposal y, accepted per particle with probability min(1, exp(V(x) - V(y) + log q(x | y)
 * - log q(y | x))), log q(a | b) = -|a - b + g grad V(b)|^2 / (4 g). Returns the fraction of particles accepted.
 * V and grad V at x are recomputed every call (x may have been changed by the caller). A proposal with a NaN or
 * infinite potential is rejected.
 */
export function malaStep(target: Potential, x: Float64Array, n: number, g: number, rng: Rng, ws: LangevinWorkspace = createLangevinWorkspace(n, target.dim)): number {
  const d = target.dim, nd = n * d, c = Math.sqrt(2 * g);
  const { grad, noise, proposal: y, gradProposal: gy, v, vProposal: vy } = ws;
  target.potential(x, n, v);
  target.gradPotential(x, n, grad);
  fillNormalZiggurat(rng, noise.subarray(0, nd));
  for (let k = 0; k < nd; k++) y[k] = x[k] - g * grad[k] + c * noise[k];
  target.potential(y, n, vy);
  target.gradPotential(y, n, gy);
  const i4g = 1 / (4 * g);
  let accepted = 0;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let fwd = 0, bwd = 0; // |y - x + g grad V(x)|^2 and |x - y + g grad V(y)|^2
    for (let t = 0; t < d; t++) {
      const a = y[o + t] - x[o + t] + g * grad[o + t], b = x[o + t] - y[o + t] + g * gy[o + t];
      fwd += a * a;
      bwd += b * b;
    }
    const logA = v[i] - vy[i] + (fwd - bwd) * i4g;
    const u = rng.uniform();
    if (Number.isFinite(vy[i]) && (logA >= 0 || Math.log(u) < logA)) {
      for (let t = 0; t < d; t++) x[o + t] = y[o + t];
      accepted++;
    }
  }
  return accepted / n;
}
