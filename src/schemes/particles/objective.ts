// The objective E(mu) + tau H(mu) = E(mu) - tau h(mu) of the schemes that carry their own temperature tau
// (gd, noisy-gd, jko-map), recorded as the metric `objective` when the problem offers its energy and does not
// record an objective itself (kl does: KL, whose entropy weight the problem fixes). h: Kozachenko–Leonenko estimate.
import type { MetricDef, ProblemInstance } from '../../engine/contract';
import type { ParticleMeasure } from '../../measures/particles';
import { knnEntropy } from '../../particles/entropy';

export interface SchemeObjective {
  readonly metrics: readonly MetricDef[];
  evaluate(mu: ParticleMeasure, sparse: boolean, out: Float64Array, at: number): void;
}

/** The objective series for temperature tau (none when the problem has its own or offers no energy). */
export function schemeObjective(problem: ProblemInstance<'particles'>, tau: number, k = 3): SchemeObjective {
  const E = problem.caps.energy;
  if (!E || problem.metrics.some((d) => d.name === 'objective')) return { metrics: [], evaluate() {} };
  const withEntropy = tau > 0 && problem.init.n > k;
  const def: MetricDef = tau > 0
    ? { name: 'objective', label: `E(μ) + τ H(μ) = E(μ) − τ h(μ), τ = ${tau}`, log: false, cadence: 'sparse', description: 'H = −h, h the Kozachenko–Leonenko entropy estimate; unbounded below without a confining term (weight decay)' }
    : { name: 'objective', label: 'E(μ) (τ = 0)', log: true, cadence: 'step' };
  return {
    metrics: tau > 0 && !withEntropy ? [] : [def],
    evaluate(mu, sparse, out, at) {
      if (tau > 0 && !sparse) { out[at] = NaN; return; }
      out[at] = E.value(mu) - (tau > 0 ? tau * knnEntropy(mu.x, mu.n, mu.dim, k) : 0);
    },
  };
}
