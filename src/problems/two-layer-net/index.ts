// Problem `two-layer-net`: a two-layer network as a measure over its neurons (Zhu, "Proximal algorithms in Wasserstein
// space", §4.2, eq. 1; Chizat & Bach, NeurIPS 2018), F(mu) = R(mu) + lambda int |theta|^2 dmu with the risk
// R(mu) = (1/n) sum_j (f(x_j) - y_j)^2 (no 1/2). Numerics in src/nets/.
import { z } from 'zod';
import { defineProblem, type MetricDef } from '../../engine/contract';
import { particleMeasure, type ParticleMeasure } from '../../measures/particles';
import { knnEntropy } from '../../particles/entropy';
import { gradAtParticles, gradFirstVariationAt, neuronDim, risk, STORED_ACTIVATIONS_LIMIT, type NetArchitecture, type NetData } from '../../nets/model';
import { linearData, rowsToArrays, splitData, teacherData, unitSphere } from '../../nets/data';
import type { Rng } from '../../random';
import { checkData, csvRows, DataSchema, ModelSchema, type NetDataLaw, type NetModelLaw } from './schema';

export const TwoLayerNetSchema = z.strictObject({
  kind: z.literal('two-layer-net'),
  data: DataSchema,
  model: ModelSchema,
  entropy_k: z.int().min(1).max(100).default(3).meta({ title: 'Entropy neighbours k', description: 'k-th nearest neighbour of the Kozachenko–Leonenko entropy estimate of the neurons' }),
}).meta({ title: 'Two-layer network (neurons as particles)', description: 'F(mu) = R(mu) + lambda int |theta|^2 dmu, R = (1/n) sum_j (f(x_j) - y_j)^2 (no 1/2); mu = the neurons' });
export type TwoLayerNetProblem = z.output<typeof TwoLayerNetSchema>;

export const architectureOf = (model: NetModelLaw): NetArchitecture =>
  model.kind === 'mean-field' ? { activation: model.activation, bias: false } : { activation: 'relu', bias: true };

function loadData(data: NetDataLaw, rng: Rng): { train: NetData; test: NetData | null; teacherRisk: number | null } {
  if (data.kind === 'linear') return { ...linearData(rng, data.p, data.n, data.n_test), teacherRisk: null };
  if (data.kind === 'teacher') return teacherData(rng, data.p, data.n, data.n_test, data.m0, data.inputs, data.noise);
  const { rows } = csvRows(data, 'problem.data');
  const { x, y, p } = rowsToArrays(rows);
  return { ...splitData(x, y, p, rows.length - data.n_test), teacherRisk: null };
}

function initialNeurons(model: NetModelLaw, dim: number, rng: Rng): ParticleMeasure {
  const m = model.m;
  const x = new Float64Array(m * dim);
  if (model.kind === 'mean-field') {
    for (let k = 0; k < x.length; k++) x[k] = model.init_std * rng.normal();
  } else {
    // Chizat & Bach's separation condition: u_i on the sphere of radius r0, the signs of b_i balanced (alternating).
    for (let i = 0; i < m; i++) {
      unitSphere(rng, dim, x, i * dim);
      for (let c = 0; c < dim; c++) x[i * dim + c] *= model.r0;
      x[i * dim] = (i % 2 === 0 ? 1 : -1) * Math.abs(x[i * dim]);
    }
  }
  return particleMeasure(x, m, dim);
}

/** lambda sum_i w_i |theta_i|^2. */
function decayEnergy(mu: ParticleMeasure, lambda: number): number {
  if (lambda === 0) return 0;
  let s = 0;
  for (let i = 0; i < mu.n; i++) {
    let r2 = 0;
    for (let c = i * mu.dim; c < (i + 1) * mu.dim; c++) r2 += mu.x[c] * mu.x[c];
    s += (mu.w ? mu.w[i] : 1 / mu.n) * r2;
  }
  return lambda * s;
}

export const twoLayerNetProblem = defineProblem({
  kind: 'two-layer-net',
  schema: TwoLayerNetSchema,
  measure: 'particles',
  capabilities: ['firstVariation', 'energy'],
  cite: 'Zhu, Proximal algorithms in Wasserstein space, §4.2 eq. 1; Chizat & Bach, On the global convergence of gradient descent for over-parameterized models, NeurIPS 2018',
  check(p, path) {
    return checkData(p.data, `${path}.data`);
  },
  create(p, ctx) {
    const arch = architectureOf(p.model);
    const { train, test, teacherRisk } = loadData(p.data, ctx.rng);
    const dim = neuronDim(arch, train.p);
    const mu = initialNeurons(p.model, dim, ctx.rng);
    const lambda = p.model.weight_decay;
    const r = new Float64Array(train.n);
    const rTest = test ? new Float64Array(test.n) : null;
    let work: Float64Array | null = null;
    const grad = (cur: ParticleMeasure, at: Float64Array, nAt: number, out: Float64Array): void => {
      if (at === cur.x && nAt === cur.n) {
        if (cur.n * train.n <= STORED_ACTIVATIONS_LIMIT && (!work || work.length < cur.n * train.n)) work = new Float64Array(cur.n * train.n);
        gradAtParticles(arch, cur.x, cur.n, cur.w, train, out, r, work);
      } else {
        risk(arch, cur.x, cur.n, cur.w, train, r);
        gradFirstVariationAt(arch, r, train, at, nAt, out);
      }
      if (lambda > 0) for (let k = 0; k < nAt * dim; k++) out[k] += 2 * lambda * at[k];
    };
    const defs: MetricDef[] = [{ name: 'risk', label: 'risk R(μ) = (1/n) Σ (f(x_j) − y_j)²', log: true, cadence: 'step' }];
    if (lambda > 0) defs.push({ name: 'energy', label: 'R(μ) + λ ∫|θ|² dμ', log: true, cadence: 'step' });
    if (test) defs.push({ name: 'test_risk', label: `test risk (${test.n} held-out samples)`, log: true, cadence: 'step' });
    if (teacherRisk !== null) defs.push({ name: 'excess_risk', label: 'excess risk R(μ) − R(teacher)', log: true, cadence: 'step', description: 'training risk minus the teacher\'s (0 without label noise); 0 at the global minimum when realizable' });
    const withEntropy = mu.n > p.entropy_k;
    if (withEntropy) defs.push({ name: 'entropy', label: 'entropy h(μ) of the neurons (k-NN estimate)', log: false, cadence: 'sparse', description: 'Kozachenko–Leonenko estimate; Zhu\'s H is −h' });
    const index = Object.fromEntries(defs.map((d, j) => [d.name, j])) as Record<string, number>;
    return {
      init: mu,
      caps: {
        firstVariation: { gradFirstVariation: grad },
        energy: {
          value: (cur) => risk(arch, cur.x, cur.n, cur.w, train, r) + decayEnergy(cur, lambda),
          gradFirstVariation: grad,
        },
      },
      metrics: defs,
      evaluate(cur, _k, sparse, out) {
        const R = risk(arch, cur.x, cur.n, cur.w, train, r);
        out[0] = R;
        if ('energy' in index) out[index.energy] = R + decayEnergy(cur, lambda);
        if (test) out[index.test_risk] = risk(arch, cur.x, cur.n, cur.w, test, rTest!);
        if (teacherRisk !== null) out[index.excess_risk] = R - teacherRisk;
        if (withEntropy) out[index.entropy] = sparse ? knnEntropy(cur.x, cur.n, cur.dim, p.entropy_k) : NaN;
      },
    };
  },
});
