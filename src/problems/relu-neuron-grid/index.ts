// Problem `relu-neuron-grid`: a two-layer ReLU network on 1-D data as a measure of neurons (w, b) on a grid of
// [-R, R]^2 with a fixed output sign per channel (alpha = +1: channel 0, alpha = -1: channel 1, half the mass each),
// output f(x) = sum_c alpha_c sum_i p_ci max(0, w_i x + b_i), risk L(p) = (1/n) sum_j (f(x_j) - y_j)^2 (the sum
// divided by n: a rescaling of time for every scheme alike), a quadratic in the masses (the mean-field view of Chizat & Bach, NeurIPS 2018; Mei, Montanari & Nguyen, PNAS 2018).
import { z } from 'zod';
import { defineProblem, type MetricDef } from '../../engine/contract';
import { cellCentres, gridMeasure } from '../../measures/grid';
import { quadraticRisk } from '../../grid/quadratic';

const TeacherSchema = z.strictObject({ w: z.number(), b: z.number(), sign: z.union([z.literal(1), z.literal(-1)]), mass: z.number().positive() });

export const ReluNeuronGridSchema = z.strictObject({
  kind: z.literal('relu-neuron-grid'),
  cells: z.int().min(3).max(101).default(21).meta({ title: 'Cells per axis', description: 'neurons (w, b) on cells x cells per channel' }),
  radius: z.number().positive().default(2).meta({ title: 'Box radius R', description: 'neurons on [-R, R]^2' }),
  samples: z.int().min(1).max(10000).default(40).meta({ title: 'Data points n', description: 'x_j uniform on [-1, 1] (seeded)' }),
  teacher: z.array(TeacherSchema).min(1).max(20).default([{ w: 1.5, b: -0.3, sign: 1, mass: 0.5 }, { w: -1, b: 0.4, sign: -1, mass: 0.5 }])
    .meta({ title: 'Teacher neurons', description: 'y = sum_k sign_k mass_k max(0, w_k x + b_k)' }),
  init: z.enum(['uniform', 'centre']).default('uniform').meta({ title: 'Initial density', description: 'uniform on the grid, or a Gaussian bump (sd R / 4) at 0, per channel' }),
}).meta({ title: 'ReLU neuron measure on a grid', description: 'risk L(p) = (1/n) sum_j (f_p(x_j) - y_j)^2 of a two-layer ReLU net whose neurons (w, b) are a density on a grid, two signs' });
export type ReluNeuronGrid = z.output<typeof ReluNeuronGridSchema>;

export const reluNeuronGridProblem = defineProblem({
  kind: 'relu-neuron-grid',
  schema: ReluNeuronGridSchema,
  measure: 'grid',
  capabilities: ['klProx', 'massGradient'],
  cite: 'Chizat & Bach, NeurIPS 2018 (neuron measures); Peyre, SIAM J. Imaging Sci. 2015 (entropic JKO on grids)',
  check(p, path) {
    return p.teacher.some((t) => !(t.mass > 0)) ? [{ path: `${path}.teacher`, message: 'masses must be > 0' }] : [];
  },
  create(p, ctx) {
    const n = p.samples, G = p.cells, N = G * G, M = 2 * N;
    const box = { shape: [G, G], lo: [-p.radius, -p.radius], hi: [p.radius, p.radius] };
    const xs = Float64Array.from({ length: n }, () => 2 * ctx.rng.uniform() - 1);
    const sc = 1 / Math.sqrt(n); // L = |Phi p - y|^2 with Phi, y scaled by n^-1/2: the mean squared error
    const y = xs.map((x) => sc * p.teacher.reduce((s, t) => s + t.sign * t.mass * Math.max(0, t.w * x + t.b), 0));
    const c = cellCentres(box); // (w, b) per cell
    const Phi = new Float64Array(n * M);
    for (let j = 0; j < n; j++) for (let ch = 0; ch < 2; ch++) for (let i = 0; i < N; i++) {
      Phi[j * M + ch * N + i] = (ch === 0 ? sc : -sc) * Math.max(0, c[2 * i] * xs[j] + c[2 * i + 1]);
    }
    const risk = quadraticRisk(Phi, y, M);
    const masses = new Float64Array(M);
    for (let i = 0; i < N; i++) {
      const w = p.init === 'uniform' ? 1 : Math.exp(-(c[2 * i] ** 2 + c[2 * i + 1] ** 2) / (2 * (p.radius / 4) ** 2));
      masses[i] = w; masses[N + i] = w;
    }
    let s0 = 0;
    for (let i = 0; i < N; i++) s0 += masses[i];
    for (let i = 0; i < M; i++) masses[i] /= 2 * s0;
    const mu = gridMeasure(box, masses, 2);
    const defs: MetricDef[] = [
      { name: 'objective', label: 'risk L(p) = (1/n) Σ_j (f(x_j) − y_j)²', log: true, cadence: 'step' },
      { name: 'mass_error', label: '|mass − mass₀| (largest channel)', log: true, cadence: 'step' },
      { name: 'spread', label: 'mean distance of neurons from 0', log: false, cadence: 'step', description: 'sum_c sum_i p_ci |(w_i, b_i)|' },
    ];
    return {
      init: mu,
      caps: {
        klProx: { prox: risk.prox, proxLog: risk.proxLog, value: risk.value },
        massGradient: { gradient: risk.gradient },
      },
      metrics: defs,
      evaluate(cur, _k, _sparse, out) {
        out[0] = risk.value(cur.masses);
        let worst = 0, spread = 0;
        for (let ch = 0; ch < 2; ch++) {
          let s = 0;
          for (let i = 0; i < N; i++) { const v = cur.masses[ch * N + i]; s += v; spread += v * Math.hypot(c[2 * i], c[2 * i + 1]); }
          worst = Math.max(worst, Math.abs(s - cur.channelMass[ch]));
        }
        out[1] = worst;
        out[2] = spread;
      },
    };
  },
});
