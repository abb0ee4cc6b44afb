// The JKO step with a learned transport map (Mokrov, Korotin, Li, Genevay, Solomon & Burnaev, NeurIPS 2021; Zhu,
// Proximal algorithms in Wasserstein space, §4.2): mu_{k+1} = T_# mu_k with
// T = argmin E(T_# mu_k) - tau sum_i w_i log |det grad T(theta_i)| + (1/2g) sum_i w_i |T(theta_i) - theta_i|^2,
// T(theta) = theta + W2 tanh(W1 theta + c), W2 = 0 at the start of each step, trained by Adam or plain gradient descent.
import { z } from 'zod';
import { defineScheme, type MetricDef } from '../../engine/contract';
import { particleMeasure } from '../../measures/particles';
import { applyMap, createResidualMap, logDetStats, mapGradient, mapLossGradient, mapScratch, resetMap } from '../../nets/residual-map';
import { stepField } from '../params';
import { schemeObjective } from './objective';

const positiveFinite = z.number().positive().refine(Number.isFinite, { message: 'must be a finite number' });

export const JkoMapSchema = z.strictObject({
  kind: z.literal('jko-map'),
  step: stepField,
  tau: z.number().min(0).refine(Number.isFinite, { message: 'must be a finite number' }).default(0)
    .meta({ title: 'Temperature tau', description: 'weight of H = -h in E + tau H; ignored when the problem fixes it (kl: 1)' }),
  hidden: z.int().min(1).max(100_000).default(1000).meta({ title: 'Hidden units q', description: 'width of the map T(theta) = theta + W2 tanh(W1 theta + c)' }),
  lr: positiveFinite.default(0.002).meta({ title: 'Inner learning rate' }),
  inner_iterations: z.int().min(1).max(1_000_000).default(200).meta({ title: 'Inner iterations', description: 'optimizer steps on T per JKO step' }),
  optimizer: z.enum(['adam', 'gd']).default('adam').meta({ title: 'Inner optimizer', description: 'Adam (beta 0.9, 0.999, as in Mokrov et al.) or plain gradient descent' }),
}).meta({ title: 'JKO with a learned map (backward)', description: 'each step trains a residual map T on the JKO objective and pushes the particles through it (Mokrov et al. 2021; Zhu §4.2)' });

const METRICS: MetricDef[] = [
  { name: 'inner_loss_first', label: 'JKO inner loss at T = id', log: false, cadence: 'step', description: 'E(mu_k) at the first inner iteration (the identity map); at k = 0 the initial energy' },
  { name: 'inner_loss_last', label: 'JKO inner loss at the learned T', log: false, cadence: 'step', description: 'after the last inner iteration; above inner_loss_first means the step did not decrease its loss' },
  { name: 'min_abs_det', label: 'min |det ∇T(θ_i)|', log: true, cadence: 'step', description: 'smallest Jacobian determinant of the learned map over the particles (1 at k = 0)' },
];

export const jkoMapParticles = defineScheme({
  kind: 'jko-map',
  schema: JkoMapSchema,
  measure: 'particles',
  requires: ['energy'],
  cite: 'Mokrov et al., Large-scale Wasserstein gradient flows, NeurIPS 2021; Zhu, Proximal algorithms in Wasserstein space, §4.2',
  deterministic: false,
  create(params, problem, mu0, rng) {
    const E = problem.caps.energy!;
    const tau = E.entropyWeight ?? params.tau;
    const g = params.step;
    const { n, dim: d } = mu0;
    const q = params.hidden;
    const map = createResidualMap(d, q);
    const grad = mapGradient(map);
    const scratch = mapScratch(map);
    const theta = new Float64Array(n * d), y = new Float64Array(n * d), h = new Float64Array(n * q);
    const ge = new Float64Array(n * d), gy = new Float64Array(n * d);
    const params3 = [map.w1, map.c, map.w2], grads3 = [grad.w1, grad.c, grad.w2];
    const m1 = params3.map((a) => new Float64Array(a.length)), m2 = params3.map((a) => new Float64Array(a.length));
    const objective = schemeObjective(problem, tau);
    const stats = { first: E.value(mu0), last: NaN, minDet: 1 };
    stats.last = stats.first;
    let bad = 0, steps = 0, firstBad = -1;
    const loss = (w: Float64Array | null): number => {
      const nu = particleMeasure(y, n, d, w);
      let prox = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let c = i * d; c < (i + 1) * d; c++) s += (y[c] - theta[c]) ** 2;
        prox += (w ? w[i] : 1 / n) * s;
      }
      const ld = logDetStats(map, h, n, w, scratch);
      stats.minDet = ld.minAbsDet;
      return E.value(nu) + prox / (2 * g) - (tau !== 0 ? tau * ld.sumLogDet : 0);
    };
    return {
      metrics: [...METRICS, ...objective.metrics],
      evaluate(mu, _k, sparse, out) {
        out[0] = stats.first;
        out[1] = stats.last;
        out[2] = stats.minDet;
        objective.evaluate(mu, sparse, out, 3);
      },
      step(mu, k) {
        const w = mu.w;
        theta.set(mu.x);
        resetMap(map, rng);
        stats.first = E.value(mu);
        const nu = particleMeasure(y, n, d, w);
        for (const a of [...m1, ...m2]) a.fill(0);
        for (let it = 1; it <= params.inner_iterations; it++) {
          applyMap(map, theta, n, y, h);
          E.gradFirstVariation(nu, y, n, ge);
          for (let i = 0; i < n; i++) {
            const wi = w ? w[i] : 1 / n;
            for (let c = i * d; c < (i + 1) * d; c++) gy[c] = wi * (ge[c] + (y[c] - theta[c]) / g);
          }
          for (const a of grads3) a.fill(0);
          mapLossGradient(map, theta, n, w, h, gy, tau, grad, scratch);
          if (params.optimizer === 'gd') {
            for (let p = 0; p < 3; p++) { const P = params3[p], G = grads3[p]; for (let j = 0; j < P.length; j++) P[j] -= params.lr * G[j]; }
          } else {
            const b1 = 0.9, b2 = 0.999, c1 = 1 - b1 ** it, c2 = 1 - b2 ** it;
            for (let p = 0; p < 3; p++) {
              const P = params3[p], G = grads3[p], M = m1[p], V = m2[p];
              for (let j = 0; j < P.length; j++) {
                M[j] = b1 * M[j] + (1 - b1) * G[j];
                V[j] = b2 * V[j] + (1 - b2) * G[j] * G[j];
                P[j] -= (params.lr * (M[j] / c1)) / (Math.sqrt(V[j] / c2) + 1e-8);
              }
            }
          }
        }
        applyMap(map, theta, n, y, h);
        stats.last = loss(w);
        steps++;
        if (!(stats.last < stats.first)) {
          bad++;
          if (firstBad < 0) firstBad = k + 1;
        }
        mu.x.set(y);
      },
      warning() {
        return bad ? `jko-map: the inner loss did not decrease in ${bad} of ${steps} steps (first at iteration ${firstBad}); try another learning rate or more inner iterations` : undefined;
      },
    };
  },
});
