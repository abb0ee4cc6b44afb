// Parameter schemas shared by several schemes (one source for their validation and generated forms).
import { z } from 'zod';

export const stepField = z.number().positive().refine(Number.isFinite, { message: 'must be a finite number' })
  .meta({ title: 'Step size g', description: 'time step of the scheme, > 0' });

/** The usual shape of a one-parameter scheme: {kind, step}. */
export const stepOnly = <K extends string>(kind: K, title: string, description: string) =>
  z.strictObject({ kind: z.literal(kind), step: stepField }).meta({ title, description });

/** ULA has one schema for its exact Gaussian law and its particle form. */
export const UlaSchema = stepOnly('ula', 'ULA (unadjusted Langevin)', 'x <- x - g grad V(x) + sqrt(2g) xi; biased stationary law');

/** Entropic JKO on grids (one schema; shared by every grid problem). */
export const EntropicJkoSchema = z.strictObject({
  kind: z.literal('entropic-jko'),
  step: stepField.meta({ title: 'Time step tau', description: 'the JKO step tau, > 0; each step advances t by tau' }),
  gamma: z.number().positive().refine(Number.isFinite, { message: 'must be a finite number' }).meta({ title: 'Entropic regularization gamma', description: 'kernel exp(-|x - y|^2 / gamma); trustworthy for gamma >= h^2' }),
  tol: z.number().positive().default(1e-9).meta({ title: 'Inner tolerance', description: 'L1 first-marginal error that stops the Dykstra iterations' }),
  max_inner: z.int().min(1).max(1_000_000).default(20000).meta({ title: 'Inner iteration cap' }),
}).meta({ title: 'Entropic JKO (Dykstra)', description: 'argmin W_gamma(p, p_k) + 2 tau f(p) by Dykstra\'s iterations with a separable Gibbs kernel (Peyré 2015)' });
