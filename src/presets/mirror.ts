// Built-in presets for Bonet, Uscidda, David, Aubin-Frankowski & Korba, Mirror and Preconditioned Gradient Descent
// in Wasserstein Space, NeurIPS 2024 (interaction energy, Gaussians, distribution matching).
import type { Preset } from '../api';
import { syntheticMatchingClouds } from '../clouds/synthetic';

const mirrorStep = (potential: string) => ({ kind: 'mirror', step: 0.1, potential, tol: 1e-5, max_iter: 100 });
const fig1Schemes = [
  { kind: 'gd', step: 0.1 } as Record<string, string | number | Record<string, string>>,
  { kind: 'pgd', step: 0.1, preconditioner: { kind: 'sigma' } },
  mirrorStep('K2'), mirrorStep('K2_Sigma'), mirrorStep('K4'), mirrorStep('K4_Sigma'),
];

const spectrum10 = Array.from({ length: 10 }, (_, i) => Number(Math.pow(100, i / 9).toPrecision(17))); // geomspace(1, 100, 10)
const zeros10 = Array.from({ length: 10 }, () => 0);
const ones10 = Array.from({ length: 10 }, () => 1);
const fig2Schemes = [{ kind: 'nem', step: 0.01 } as Record<string, string | number>, { kind: 'pfb', step: 0.01, preconditioner: 'target-cov' }, { kind: 'fb', step: 0.01 }];

const clouds = syntheticMatchingClouds(10, 200, 200);
const matchingSchemes = [{ kind: 'gd', step: 0.25 } as Record<string, string | number | Record<string, string | number>>, { kind: 'pgd', step: 0.25, preconditioner: { kind: 'h-star', a: 1.5 } }];

export const MIRROR_PRESETS: Preset[] = [
  {
    id: 'mirror-interaction-bonet-fig1',
    title: 'Mirror descent on an ill-conditioned interaction energy (Bonet et al. Fig. 1)',
    description:
      'W(mu) = mean over all pairs of q^2/4 - q/2, q = (x_i - x_j)^T Sigma^-1 (x_i - x_j), Sigma = diag(100, 1), n = 100 particles from 0.25 N(0, I), ' +
      'tau = 0.1, 120 iterations (t = k tau = 12): gd, pgd (P = Sigma), and mirror descent with K2, K2_Sigma, K4, K4_Sigma (Newton warm-started at x_k, ' +
      'step norm <= 1e-5, <= 100 iterations). Plot W against t (linear axis); the minimum is -1/6. The Sigma-aware schemes reach the ellipse, the ' +
      'isotropic ones crawl along the flat direction. Measured W at t = 12 (seed 0): gd -0.12477, pgd -0.16634, mirror K2 -0.12477 (= gd), ' +
      'K2_Sigma -0.16634 (= pgd), K4 -0.12219, K4_Sigma -0.16439; Newton takes 2 iterations per step for K2 / K2_Sigma and 3 for K4 / K4_Sigma. ' +
      'Every scheme keeps the particles\' mean, so Flow shows them centred (as at k = 0) forming the ellipse.',
    source: 'Bonet, Uscidda, David, Aubin-Frankowski & Korba, Mirror and Preconditioned Gradient Descent in Wasserstein Space, NeurIPS 2024, Fig. 1',
    setup: {
      name: 'Mirror descent on an interaction energy (Bonet et al. Fig. 1)',
      problem: { kind: 'interaction', sigma: { diag: [100, 1] }, init: { kind: 'gaussian', mean: [0, 0], cov: { diag: [0.0625, 0.0625] }, particles: 100 } },
      scheme: fig1Schemes[0],
      iterations: 120,
      metrics_every: 1,
      snapshots: { every: 10 },
      seeds: [0],
      sweep: { scheme: fig1Schemes },
    },
  },
  {
    id: 'mirror-gaussians-bonet-fig2',
    title: 'Mirror and preconditioned schemes on Gaussians (Bonet et al. Fig. 2)',
    description:
      'KL(mu | N(0, Sigma*)) in d = 10, Sigma* = Q diag(geomspace(1, 100, 10)) Q^T with Q a Haar-random orthogonal matrix drawn from each seed ' +
      '(20 seeds), mu_0 = N(0, I), tau = 0.01, 1500 iterations, exact Gaussian recursions: nem (negative-entropy mirror descent), pfb (forward-backward ' +
      'preconditioned by P = Sigma*) and fb (P = I). Plot KL on a log axis against t = k tau, seeds as a band: the schemes are rotation-equivariant, so ' +
      'the 20 curves agree to ~1e-15 relative. Measured KL (every seed): k = 100: nem 2.5633, pfb 0.033882, fb 4.4388; k = 300: nem 0.016985, ' +
      'pfb 1.0439e-5, fb 2.4871; k = 1500: nem 1.9e-23, pfb 1.5e-26, fb 0.53203. The means stay at 0 (m0 = m* = 0).',
    source: 'Bonet, Uscidda, David, Aubin-Frankowski & Korba, Mirror and Preconditioned Gradient Descent in Wasserstein Space, NeurIPS 2024, Fig. 2',
    setup: {
      name: 'Mirror and preconditioned schemes on Gaussians (Bonet et al. Fig. 2)',
      problem: { kind: 'gaussian-kl', target: { mean: zeros10, cov: { spectrum: spectrum10, rotation: 'random' } }, init: { mean: zeros10, cov: { diag: ones10 } } },
      scheme: fig2Schemes[0],
      iterations: 1500,
      metrics_every: 1,
      snapshots: { every: 100 },
      seeds: Array.from({ length: 20 }, (_, i) => i),
      sweep: { scheme: fig2Schemes },
    },
  },
  {
    id: 'pgd-distribution-matching-bonet',
    title: 'Preconditioned GD for distribution matching (Bonet et al. 2024)',
    description:
      'Two shipped synthetic clouds in d = 10 (src/clouds/synthetic.ts, fixed seed 2024): the source, 200 points of N(0, I); the target, 200 points from ' +
      'three equally weighted Gaussian clusters with means 3 e_k + (1/2, ..., 1/2) (k = 1, 2, 3) and covariance diag(geomspace(0.02, 1, 10)) under one fixed ' +
      'random rotation. Three objectives (sliced W2^2 with 50 fresh directions per step, Sinkhorn divergence eps = 1, energy distance) by plain gd and by pgd ' +
      'with h*(y) = (|y|^a + 1)^(1/a) - 1, a = 1.5, step 0.25, 300 iterations. Measured W2^2 to the target (exact OT) at k = 300, gd vs pgd: sliced 1.65 vs ' +
      '0.52, energy 1.76 vs 0.15, Sinkhorn 0.058 vs 0.011 (objective at k = 300: SW2^2 5.0e-3 vs 1.6e-3, energy distance 7.8e-3 vs 8.9e-4, S_eps 5.1e-4 vs ' +
      '1.2e-3). To use your own clouds replace problem.target / problem.init by {"kind": "csv", "path": "file.csv"} in a setup file for the CLI ' +
      '(one point per row, optional header) or paste their rows as {"kind": "points", "points": [...]}.',
    source: 'Bonet, Uscidda, David, Aubin-Frankowski & Korba, Mirror and Preconditioned Gradient Descent in Wasserstein Space, NeurIPS 2024, Sec. 6.3',
    setup: {
      name: 'Preconditioned GD for distribution matching (Bonet et al. 2024)',
      problem: { kind: 'matching', target: { kind: 'points', points: clouds.target }, init: { kind: 'points', points: clouds.source }, divergence: { kind: 'sliced', projections: 50 }, minibatch: null },
      scheme: matchingSchemes[0],
      iterations: 300,
      metrics_every: 10,
      snapshots: { every: 25 },
      seeds: [0],
      sweep: { 'problem.divergence': [{ kind: 'sliced', projections: 50 }, { kind: 'sinkhorn', eps: 1 }, { kind: 'energy' }], scheme: matchingSchemes },
    },
  },
];
