// Built-in presets for two-layer networks as measures over their neurons (Zhu §4.2; Chizat & Bach 2018) and the
// learned-map JKO step on a Gaussian target next to the exact Gaussian JKO law.
import type { Preset } from '../api';

const zhuProblem = { kind: 'two-layer-net', data: { kind: 'linear', p: 2, n: 80, n_test: 80 }, model: { kind: 'mean-field', m: 100, activation: 'tanh', init_std: 1, weight_decay: 0.01 } };
const zhuMap = { step: 0.1, hidden: 1000, lr: 0.002, inner_iterations: 200, optimizer: 'adam' };
const gaussTarget = { mean: [1, -0.5], cov: [[2, 0.8], [0.8, 1]] };
const gaussInit = { mean: [-1, 1], cov: [[0.5, -0.2], [-0.2, 0.8]] };
const gaussStep = 0.5;

export const NET_PRESETS: Preset[] = [
  {
    id: 'zhu-forward-backward-noise',
    title: 'Zhu §4.2: forward vs backward, with and without noise',
    description:
      'A mean-field tanh network f(x) = (1/m) sum_i a_i tanh(w_i^T x), theta_i = (a_i, w_i) in R^3, m = 100 neurons from N(0, I_3), on n = 80 linear data ' +
      '(p = 2, y = beta^T x; 80 held-out samples give test_risk), risk R = (1/n) sum (f - y)^2 (no 1/2). Step g = 0.1 for all: gd (forward, tau = 0), ' +
      'noisy-gd (tau = 0.01), and the learned-map JKO step (backward; q = 1000 hidden units, Adam lr 0.002, 200 inner iterations, as in Zhu) with tau = 0 and 0.01. ' +
      'Compare risk (Zhu Fig. 2) and objective = R + lambda int |theta|^2 + tau H (Fig. 3, H = -h by the k-NN estimate). Without a confining term R + tau H is ' +
      'unbounded below (noisy GD spreads the neurons like free diffusion), so this preset adds a weight decay lambda = 0.01 to the objective and to every step. ' +
      'Measured (seed 0): risk at k = 50 is 0.266 (gd), 0.286 (noisy-gd), 0.269 (jko-map, tau = 0), 0.280 (jko-map, tau = 0.01): at this small step forward ' +
      'and backward agree, noise raises the risk and lowers R + tau H (objective 0.376 / 0.368 / 0.378 / 0.361); at k = 300 the risks are 0.0918 / 0.102 / ' +
      '0.0924 / 0.104 and every objective levels off at 0.256-0.257. From k ~ 130 on, jko-map warns that about 40% of its steps did not decrease the ' +
      'inner loss: near the minimum Adam\'s fixed-size updates at lr 0.002 overshoot the tiny JKO displacement (the risk still follows gd). ' +
      'Time: gd and noisy-gd take about 1 s for 300 iterations; one jko-map step takes 1.5 s (tau = 0) and 4 s (tau = 0.01, the log-det gradient; ' +
      'npm run bench -- nets, busy 2-core machine), so the jko-map runs take about 8 and 20 minutes: lower scheme.hidden or iterations for a quick look.',
    source: 'Zhu, Proximal algorithms in Wasserstein space, §4.2 (Fig. 2, Fig. 3); Mokrov et al., NeurIPS 2021 (the learned-map JKO step)',
    setup: {
      name: 'Zhu §4.2: forward vs backward, with and without noise',
      problem: zhuProblem,
      scheme: { kind: 'gd', step: 0.1 },
      iterations: 300,
      metrics_every: 10,
      snapshots: { every: 10 },
      seeds: [0],
      sweep: {
        scheme: [
          { kind: 'gd', step: 0.1 },
          { kind: 'noisy-gd', step: 0.1, tau: 0.01 },
          { kind: 'jko-map', tau: 0, ...zhuMap },
          { kind: 'jko-map', tau: 0.01, ...zhuMap },
        ],
      },
    },
  },
  {
    id: 'chizat-bach-width-global-convergence',
    title: 'Chizat & Bach 2018: width and global convergence',
    description:
      'A ReLU teacher with m0 = 4 unit neurons, y = sum_k s_k (w_k . x + c_k)_+ (the sum; w_k on the unit circle, c_k ~ U(-1/2, 1/2), signs + - + -), on n = 100 ' +
      'Gaussian inputs in R^2. Students: 2-homogeneous ReLU networks f(x) = (1/m) sum_i b_i (a_i^T [x; 1])_+ with m = 4, 5, 10, 100 neurons, started uniformly ' +
      'on the sphere of radius r0 = 1 in R^4 with alternating signs of b_i; plain gd, step 0.2, 5000 iterations, 10 seeds each (data, teacher and start ' +
      'change with the seed). Group by problem.model.m and watch excess_risk: narrow students often stall at a spurious critical point, wide ones reach ' +
      'the global minimum (excess risk -> 0). Measured: the fraction of seeds with excess_risk < 1e-3 at k = 5000 is 0.1 / 0.2 / 0.9 / 1.0 for m = 4 / 5 / 10 / 100. ' +
      'The 40 runs took about 20 s of one core in all on a busy machine, per-step metrics included.',
    source: 'Chizat & Bach, On the global convergence of gradient descent for over-parameterized models using optimal transport, NeurIPS 2018 (Fig. 2)',
    setup: {
      name: 'Chizat & Bach 2018: width and global convergence',
      problem: { kind: 'two-layer-net', data: { kind: 'teacher', p: 2, n: 100, m0: 4, inputs: 'gaussian', noise: 0 }, model: { kind: 'relu-2homogeneous', m: 4, r0: 1, weight_decay: 0 } },
      scheme: { kind: 'gd', step: 0.2 },
      iterations: 5000,
      metrics_every: 50,
      snapshots: { every: 100 },
      seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      sweep: { 'problem.model.m': [4, 5, 10, 100] },
    },
  },
  {
    id: 'jko-map-gaussian-target',
    title: 'Learned-map JKO on a Gaussian target',
    description:
      'jko-map (the JKO step by a learned residual map, Mokrov et al. 2021) on KL(mu | pi) with pi = N(m, Sigma) in 2-D, 500 particles from a Gaussian ' +
      'N(m0, S0) that does not commute with Sigma, step g = 0.5, 20 steps (q = 64 hidden units, Adam lr 0.01, 200 inner iterations). Run the preset ' +
      '"Exact Gaussian JKO (reference for jko-map)" beside it: the same target, initial law and g through the exact Gaussian JKO recursion. Compare bw2sq ' +
      '(the particles\' Gaussian fit against pi) with w2sq of the exact run. Measured (seed 0): bw2sq 0.196 / 0.0268 / 0.0041 / 0.00067 at k = 5 / 10 / 15 / 20 ' +
      'against the exact 0.190 / 0.0258 / 0.0039 / 0.00061 (the exact run starts from the law, the particles from a sample of it); the k-NN kl estimate ' +
      'carries a bias of about -0.1 at 500 particles. About 1 minute on a busy machine.',
    source: 'Mokrov et al., Large-scale Wasserstein gradient flows, NeurIPS 2021; Jordan, Kinderlehrer & Otto 1998 (the exact Gaussian JKO law)',
    setup: {
      name: 'Learned-map JKO on a Gaussian target',
      problem: { kind: 'kl', target: { kind: 'gaussian', ...gaussTarget }, init: { kind: 'gaussian', ...gaussInit, particles: 500 } },
      scheme: { kind: 'jko-map', step: gaussStep, hidden: 64, lr: 0.01, inner_iterations: 200, optimizer: 'adam' },
      iterations: 20,
      metrics_every: 1,
      snapshots: { every: 1 },
      seeds: [0],
    },
  },
  {
    id: 'jko-exact-gaussian-reference',
    title: 'Exact Gaussian JKO (reference for jko-map)',
    description:
      'The exact JKO recursion on Gaussians (closed form) for the same target N(m, Sigma), initial law N(m0, S0) and step g = 0.5 as the preset ' +
      '"Learned-map JKO on a Gaussian target"; compare its w2sq and kl with that run\'s bw2sq and kl.',
    source: 'Jordan, Kinderlehrer & Otto, SIAM J. Math. Anal. 1998',
    setup: {
      name: 'Exact Gaussian JKO (reference for jko-map)',
      problem: { kind: 'gaussian-kl', target: gaussTarget, init: gaussInit },
      scheme: { kind: 'jko', step: gaussStep },
      iterations: 20,
      metrics_every: 1,
      snapshots: { every: 1 },
      seeds: [0],
    },
  },
];
