// Built-in presets for the particle problems (kl, mmd): sampling schemes side by side, and the MMD flow.
import type { Preset } from '../api';

const mixture1d = { kind: 'mixture', weights: [1 / 3, 2 / 3], means: [[-2], [2]], covs: [[[1]], [[1]]] };
const banana = { kind: 'banana', a: 1, b: 1, scales: [1, 0.5] };
const gaussian2d = { mean: [1, -0.5], cov: [[2, 0.8], [0.8, 1]] };
const init2d = { mean: [-3, 3], cov: [[0.5, 0], [0, 0.5]] };

export const PARTICLE_PRESETS: Preset[] = [
  {
    id: 'svgd-mixture-1d-liu-wang',
    title: 'SVGD on a 1-D mixture (Liu & Wang 2016)',
    description:
      'pi = 1/3 N(-2, 1) + 2/3 N(2, 1), 100 particles started at N(-10, 1), 500 iterations; SVGD (median bandwidth, the paper\'s plain update, step 0.5) ' +
      'beside ULA and MALA (step 0.05). SVGD is deterministic: its particles cross to the far mode and settle with close to the right weights ' +
      '(measured: 63% of the particles right of 0 at k = 500, target 67%; W2^2 to a fresh target sample 0.09), the chains do so by noise. ' +
      'Flow shows the particle histogram over the target density.',
    source: 'Liu & Wang, Stein Variational Gradient Descent, NeurIPS 2016, Fig. 1',
    setup: {
      name: 'SVGD on a 1-D mixture (Liu & Wang 2016)',
      problem: { kind: 'kl', target: mixture1d, init: { kind: 'gaussian', mean: [-10], cov: [[1]], particles: 100 } },
      scheme: { kind: 'svgd', step: 0.5, bandwidth: 'median' },
      iterations: 500,
      metrics_every: 10,
      snapshots: { every: 5 },
      seeds: [0],
      sweep: { scheme: [{ kind: 'svgd', step: 0.5, bandwidth: 'median' }, { kind: 'ula', step: 0.05 }, { kind: 'mala', step: 0.05 }] },
    },
  },
  {
    id: 'banana-ula-mala-svgd-kde',
    title: 'Sampling a banana: ULA, MALA, SVGD, forward-kde',
    description:
      'A twisted Gaussian in 2-D (z ~ N(0, diag(1, 0.25)), x2 = z2 + (x1^2 - 1)), 300 particles from N(0, I), step 0.01, 1000 iterations. ' +
      'kl (entropy estimate), mmd2 and w2sq (exact OT to a fresh target sample) every 20 iterations: MALA is unbiased, ULA carries its step bias, SVGD ' +
      'is deterministic; the KDE-score forward scheme (h = 0.1) under-diffuses by about h^2 per coordinate (for a Gaussian its fixed point has ' +
      'covariance Sigma - h^2 I), which is why a wide bandwidth collapses the narrow direction of the banana.',
    source: 'Haario, Saksman & Tamminen 2001 (banana target); Liu & Wang 2016; Roberts & Tweedie 1996',
    setup: {
      name: 'Sampling a banana',
      problem: { kind: 'kl', target: banana, init: { kind: 'gaussian', mean: [0, 0], cov: { diag: [1, 1] }, particles: 300 } },
      scheme: { kind: 'ula', step: 0.01 },
      iterations: 1000,
      metrics_every: 20,
      snapshots: { every: 20 },
      seeds: [0],
      sweep: { scheme: [{ kind: 'ula', step: 0.01 }, { kind: 'mala', step: 0.01 }, { kind: 'svgd', step: 0.01, bandwidth: 'median' }, { kind: 'forward-kde', step: 0.01, bandwidth: 0.1 }] },
    },
  },
  {
    id: 'ula-particles-vs-exact-gaussian',
    title: 'ULA on particles vs its exact Gaussian law',
    description:
      'The same Gaussian target N(m, Sigma) (non-commuting with the initial covariance) and initial law N(m0, S0) through particle ULA (1000 particles) and ' +
      'the exact Gaussian ULA recursion, step 0.1, 100 iterations. Compare w2sq of the Gaussian run with bw2sq (the particles\' Gaussian fit) and w2sq ' +
      '(exact OT to a fresh target sample, which carries a sampling floor of order n^-1/2 in d = 2) of the particle run: the Gaussian-fit curve follows the exact law to Monte Carlo error.',
    source: 'Durmus & Moulines 2017 (ULA); exact Gaussian laws as in Salim, Korba & Luise 2020',
    setup: {
      name: 'ULA on particles vs its exact Gaussian law',
      problem: { kind: 'gaussian-kl', target: gaussian2d, init: init2d },
      scheme: { kind: 'ula', step: 0.1 },
      iterations: 100,
      metrics_every: 5,
      snapshots: { every: 5 },
      seeds: [0],
      sweep: {
        problem: [
          { kind: 'gaussian-kl', target: gaussian2d, init: init2d },
          { kind: 'kl', target: { kind: 'gaussian', ...gaussian2d }, init: { kind: 'gaussian', ...init2d, particles: 1000 }, metrics: ['energy', 'kl', 'w2sq', 'bw2sq'] },
        ],
      },
    },
  },
  {
    id: 'mmd-flow-noise-arbel',
    title: 'MMD flow with and without noise injection (Arbel et al. 2019)',
    description:
      'F = 1/2 MMD^2 with a Gaussian kernel (s = 1) to 200 points of a two-component mixture; 200 particles start far off in a tight cloud. ' +
      'Without noise (beta = 0) the particles follow the witness gradient, repel each other, and those pushed away stall where the gradient vanishes; ' +
      'with noise injection (gradient taken at x + beta u) more of them reach the target (measured at k = 2000: w2sq 20.9 / 16.3 for beta = 0 / 1, ' +
      'mmd2 0.013 / 0.011). Step 1, 2000 iterations; Flow shows the particles over the target sample.',
    source: 'Arbel, Korba, Salim & Gretton, Maximum Mean Discrepancy Gradient Flow, NeurIPS 2019, §4 (noise injection)',
    setup: {
      name: 'MMD flow with and without noise injection',
      problem: {
        kind: 'mmd', s: 1, sample_size: 200,
        target: { kind: 'mixture', weights: [0.5, 0.5], means: [[-2, 0], [2, 0]], covs: [{ diag: [0.3, 0.3] }, { diag: [0.3, 0.3] }] },
        init: { kind: 'gaussian', mean: [0, 4], cov: { diag: [0.05, 0.05] }, particles: 200 },
      },
      scheme: { kind: 'mmd-flow', step: 1, beta: 0 },
      iterations: 2000,
      metrics_every: 50,
      snapshots: { every: 50 },
      seeds: [0],
      sweep: { 'scheme.beta': [0, 0.5, 1] },
    },
  },
];
