// Parameter schemas shared by several schemes (one source for their validation and generated forms).
import { z } from 'zod';

export const stepField = z.number().positive().refine(Number.isFinite, { message: 'must be a finite number' })
  .meta({ title: 'Step size g', description: 'time step of the scheme, > 0' });

/** The usual shape of a one-parameter scheme: {kind, step}. */
export const stepOnly = <K extends string>(kind: K, title: string, description: string) =>
  z.strictObject({ kind: z.literal(kind), step: stepField }).meta({ title, description });

/** ULA has one schema for its exact Gaussian law and its particle form. */
export const UlaSchema = stepOnly('ula', 'ULA (unadjusted Langevin)', 'x <- x - g grad V(x) + sqrt(2g) xi; biased stationary law');
