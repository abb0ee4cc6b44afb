// Stein variational gradient descent (Liu & Wang, NeurIPS 2016, Alg. 1 and eq. 8): x_i <- x_i + g phi(x_i),
// phi(x) = (1/n) sum_j [k(x_j, x) grad log pi(x_j) + grad_{x_j} k(x_j, x)], k(x, y) = exp(-|x - y|^2 / h).
import { z } from 'zod';
import { defineScheme } from '../../engine/contract';
import { medianSqDistance, svgdDirection } from '../../particles/kernels';
import { stepField } from '../params';

export const svgdParticles = defineScheme({
  kind: 'svgd',
  schema: z.strictObject({
    kind: z.literal('svgd'),
    step: stepField,
    bandwidth: z.union([z.number().positive(), z.literal('median')]).default('median')
      .meta({ title: 'Bandwidth h', description: 'k(x, y) = exp(-|x - y|^2 / h); "median": h = med / log(n + 1), med the median of the n x n squared distances (zero diagonal included), recomputed every step' }),
    optimizer: z.enum(['plain', 'adagrad']).default('plain')
      .meta({ title: 'Optimizer', description: 'plain: the paper\'s update; adagrad: the reference code\'s AdaGrad with momentum 0.9 and fudge 1e-6' }),
  }).meta({ title: 'SVGD (Stein variational gradient descent)', description: 'deterministic interacting particles (Liu & Wang 2016)' }),
  measure: 'particles',
  requires: ['klPotential'],
  cite: 'Liu & Wang, Stein Variational Gradient Descent, NeurIPS 2016, Alg. 1',
  deterministic: true,
  create(params, problem, mu0) {
    const V = problem.caps.klPotential!;
    const { n, dim: d } = mu0;
    const g = params.step;
    const score = new Float64Array(n * d);
    const phi = new Float64Array(n * d);
    const hist = params.optimizer === 'adagrad' ? new Float64Array(n * d) : null;
    let first = true;
    return {
      step(mu) {
        const x = mu.x;
        V.gradPotential(x, n, score);
        for (let j = 0; j < n * d; j++) score[j] = -score[j];
        const h = params.bandwidth === 'median' ? Math.max(medianSqDistance(x, n, d) / Math.log(n + 1), Number.MIN_VALUE) : params.bandwidth;
        svgdDirection(x, n, d, score, h, phi);
        if (!hist) {
          for (let j = 0; j < n * d; j++) x[j] += g * phi[j];
          return;
        }
        // The reference code (Liu's svgd.py): historical_grad = 0.9 hist + 0.1 phi^2 (phi^2 at the first step).
        for (let j = 0; j < n * d; j++) {
          hist[j] = first ? phi[j] * phi[j] : 0.9 * hist[j] + 0.1 * phi[j] * phi[j];
          x[j] += (g * phi[j]) / (1e-6 + Math.sqrt(hist[j]));
        }
        first = false;
      },
    };
  },
});
