// Problem `gaussian-kl`: KL(mu | pi) for a Gaussian target pi = N(m, Sigma) from a Gaussian initial law.
import { z } from 'zod';
import { isSymmetricPositiveDefinite } from '../../linalg/cholesky';
import type { SetupIssue } from '../../setup/issues';

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });

/** A covariance: a dense symmetric positive-definite matrix, or {"diag": [...]} for a diagonal one. */
export const CovarianceSchema = z.union([
  z.array(z.array(finite).min(1)).min(1).max(1000),
  z.strictObject({ diag: z.array(z.number().positive()).min(1).max(1_000_000) }),
]).meta({ title: 'Covariance', description: 'd x d symmetric positive-definite matrix, or {"diag": [...]} for a diagonal one' });

export const GaussianLawSchema = z.strictObject({
  mean: z.array(finite).min(1).max(1_000_000).meta({ title: 'Mean', description: 'vector of length d' }),
  cov: CovarianceSchema,
});

/** Sigma = Q diag(spectrum) Q^T with Q a Haar-random orthogonal matrix drawn from the run's seed (Bonet et al. 2024, Fig. 2). */
export const SpectrumCovarianceSchema = z.strictObject({
  spectrum: z.array(z.number().positive().refine(Number.isFinite, { message: 'must be a finite number' })).min(1).max(1000)
    .meta({ title: 'Eigenvalues', description: 'the eigenvalues of Sigma, length d' }),
  rotation: z.literal('random').meta({ title: 'Eigenvectors', description: '"random": a Haar-random orthogonal matrix drawn from the run\'s seed' }),
}).meta({ title: 'Spectrum and random eigenvectors', description: 'Sigma = Q diag(spectrum) Q^T, Q random orthogonal (one per seed)' });

export const GaussianTargetLawSchema = z.strictObject({
  mean: GaussianLawSchema.shape.mean,
  cov: z.union([...CovarianceSchema.options, SpectrumCovarianceSchema]).meta({ title: 'Covariance Sigma', description: 'a d x d SPD matrix, {"diag": [...]}, or {"spectrum": [...], "rotation": "random"}' }),
});

export const GaussianKlProblemSchema = z.strictObject({
  kind: z.literal('gaussian-kl'),
  target: GaussianTargetLawSchema.meta({ title: 'Target pi = N(m, Sigma)' }),
  init: GaussianLawSchema.meta({ title: 'Initial law mu_0 = N(m0, S0)' }),
}).meta({ title: 'KL to a Gaussian target', description: 'F(mu) = KL(mu | N(m, Sigma)), V(x) = (x - m)^T Sigma^-1 (x - m) / 2; mu_k stays Gaussian' });

export type Covariance = z.infer<typeof CovarianceSchema>;
export type GaussianLaw = z.infer<typeof GaussianLawSchema>;
export type SpectrumCovariance = z.infer<typeof SpectrumCovarianceSchema>;
export type GaussianTargetLaw = z.infer<typeof GaussianTargetLawSchema>;
export const isSpectrumCovariance = (cov: Covariance | SpectrumCovariance): cov is SpectrumCovariance => !Array.isArray(cov) && 'spectrum' in cov;
export type GaussianKlProblem = z.infer<typeof GaussianKlProblemSchema>;

/** Dimension of a covariance as written (row count or diagonal length). */
export const covDimension = (cov: Covariance): number => (Array.isArray(cov) ? cov.length : cov.diag.length);

function checkLaw(law: GaussianLaw | GaussianTargetLaw, path: string, d: number, issues: SetupIssue[]): void {
  if (law.mean.length !== d) issues.push({ path: `${path}.mean`, message: `has length ${law.mean.length}, but the dimension is d = ${d} (from problem.target.mean)` });
  const cov = law.cov;
  if (isSpectrumCovariance(cov)) {
    if (cov.spectrum.length !== d) issues.push({ path: `${path}.cov.spectrum`, message: `has length ${cov.spectrum.length}, but the dimension is d = ${d} (from problem.target.mean)` });
    return;
  }
  if (Array.isArray(cov)) {
    if (cov.length !== d) {
      issues.push({ path: `${path}.cov`, message: `has ${cov.length} rows, but must be ${d} x ${d} (d from problem.target.mean)` });
      return;
    }
    for (let i = 0; i < cov.length; i++) {
      if (cov[i].length !== d) {
        issues.push({ path: `${path}.cov[${i}]`, message: `has ${cov[i].length} entries, but must have ${d} (the matrix is d x d)` });
        return;
      }
    }
    const flat = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) flat[i * d + j] = cov[i][j];
    if (!isSymmetricPositiveDefinite(flat, d)) {
      issues.push({ path: `${path}.cov`, message: 'must be symmetric positive definite (symmetric, with all eigenvalues > 0)' });
    }
  } else if (cov.diag.length !== d) {
    issues.push({ path: `${path}.cov.diag`, message: `has length ${cov.diag.length}, but the dimension is d = ${d} (from problem.target.mean)` });
  }
}

/** Checks that cannot be written as a zod shape: dimensions that agree, SPD covariances. */
export function checkGaussianKlProblem(problem: GaussianKlProblem, path = 'problem'): SetupIssue[] {
  const issues: SetupIssue[] = [];
  const d = problem.target.mean.length;
  checkLaw(problem.target, `${path}.target`, d, issues);
  checkLaw(problem.init, `${path}.init`, d, issues);
  return issues;
}
