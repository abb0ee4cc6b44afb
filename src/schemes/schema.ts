// Time discretizations of the Wasserstein gradient flow, as setup fields. Each scheme kind has its own
// strict object so that later schemes (svgd, mirror, ...) add their parameters without touching the others.
import { z } from 'zod';

const step = z.number().positive().refine(Number.isFinite, { message: 'must be a finite number' })
  .meta({ title: 'Step size g', description: 'time step of the scheme, > 0' });

export const ForwardSchemeSchema = z.strictObject({ kind: z.literal('forward'), step })
  .meta({ title: 'Forward (Wasserstein gradient descent)', description: 'mu_{k+1} = (I - g grad_W F(mu_k))_# mu_k' });
export const UlaSchemeSchema = z.strictObject({ kind: z.literal('ula'), step })
  .meta({ title: 'ULA (unadjusted Langevin)', description: 'x <- x - g grad V(x) + sqrt(2g) xi; biased stationary law' });
export const FbSchemeSchema = z.strictObject({ kind: z.literal('fb'), step })
  .meta({ title: 'Forward-backward (Wasserstein proximal gradient)', description: 'gradient step on V, then JKO step of the entropy (Salim, Korba, Luise 2020)' });
export const JkoSchemeSchema = z.strictObject({ kind: z.literal('jko'), step })
  .meta({ title: 'JKO (backward / proximal)', description: 'mu_{k+1} = argmin F(mu) + W2^2(mu, mu_k) / (2g) (Jordan, Kinderlehrer, Otto 1998)' });

export const SchemeSchema = z.discriminatedUnion('kind', [ForwardSchemeSchema, UlaSchemeSchema, FbSchemeSchema, JkoSchemeSchema]);
export type Scheme = z.infer<typeof SchemeSchema>;
export type SchemeKind = Scheme['kind'];
export const SCHEME_KINDS: readonly SchemeKind[] = ['forward', 'ula', 'fb', 'jko'];
