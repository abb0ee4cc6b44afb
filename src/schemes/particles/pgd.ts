// Preconditioned Wasserstein gradient descent: x <- x - step grad h*(grad (dF/dmu)(x)) (Bonet, Uscidda, David,
// Aubin-Frankowski & Korba, NeurIPS 2024, Sec. 5, eq. 12), with h*(y) = y^T P y / 2 (a matrix P, by default the
// problem's Sigma) or h*(y) = (|y|^a + 1)^(1/a) - 1 (Sec. 6.3).
import { z } from 'zod';
import { defineScheme } from '../../engine/contract';
import { stepField } from '../params';
import { applyHStarRows, applyMatrixRows } from '../../mirror/preconditioners';
import { isSymmetricPositiveDefinite } from '../../linalg/cholesky';

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });

const PreconditionerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sigma') }).meta({ title: "P = the problem's Sigma", description: 'h*(y) = y^T Sigma y / 2 (problems offering an anisotropy, e.g. interaction)' }),
  z.strictObject({ kind: z.literal('matrix'), P: z.array(z.array(finite).min(1)).min(1).max(1000).meta({ title: 'P', description: 'd x d symmetric positive-definite matrix' }) })
    .meta({ title: 'A matrix P', description: 'h*(y) = y^T P y / 2' }),
  z.strictObject({ kind: z.literal('h-star'), a: z.number().gt(1).max(10).meta({ title: 'a', description: 'h*(y) = (|y|^a + 1)^(1/a) - 1, a in (1, 10] (the paper: 1.25, 1.5, 1.75)' }) })
    .meta({ title: 'h*(y) = (|y|^a + 1)^(1/a) - 1', description: 'grad h*(y) = (|y|^a + 1)^((1-a)/a) |y|^(a-2) y' }),
]).meta({ title: 'Preconditioner' });

export const PgdSchema = z.strictObject({
  kind: z.literal('pgd'),
  step: stepField,
  preconditioner: PreconditionerSchema.default({ kind: 'sigma' }),
}).meta({ title: 'Preconditioned Wasserstein gradient descent', description: 'x <- x - g grad h*(grad (dF/dmu)(x)) (Bonet et al. 2024)' });

export const pgdParticles = defineScheme({
  kind: 'pgd',
  schema: PgdSchema,
  measure: 'particles',
  requires: ['firstVariation'],
  cite: 'Bonet, Uscidda, David, Aubin-Frankowski & Korba, Mirror and Preconditioned GD in Wasserstein Space, NeurIPS 2024, eq. 12',
  deterministic: true,
  create(params, problem, mu0) {
    const F = problem.caps.firstVariation!;
    const { n, dim: d } = mu0;
    const pc = params.preconditioner;
    let P: Float64Array | null = null;
    if (pc.kind === 'sigma') {
      const an = problem.caps.anisotropy;
      if (!an) throw new RangeError('scheme.preconditioner: {"kind": "sigma"} needs a problem with a matrix Sigma (e.g. interaction); give {"kind": "matrix", "P": ...} or {"kind": "h-star", "a": ...}');
      P = an.sigma;
    } else if (pc.kind === 'matrix') {
      if (pc.P.length !== d || pc.P.some((r) => r.length !== d)) throw new RangeError(`scheme.preconditioner.P: must be ${d} x ${d} (the particles' dimension)`);
      P = Float64Array.from(pc.P.flat());
      if (!isSymmetricPositiveDefinite(P, d)) throw new RangeError('scheme.preconditioner.P: must be symmetric positive definite');
    }
    const grad = new Float64Array(n * d);
    const dir = new Float64Array(n * d);
    return {
      step(mu) {
        const x = mu.x;
        F.gradFirstVariation(mu, x, n, grad);
        if (P) applyMatrixRows(P, grad, n, d, dir);
        else applyHStarRows((pc as { a: number }).a, grad, n, d, dir);
        for (let j = 0; j < n * d; j++) x[j] -= params.step * dir[j];
      },
    };
  },
});
