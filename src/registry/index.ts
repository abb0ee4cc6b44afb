// Derived from the registries: the setup's problem and scheme schemas, which schemes fit which problem, and
// the lookup of a definition by kind and measure.
import { z } from 'zod';
import type { MeasureKind, ProblemDef, SchemeDef } from '../engine/contract';
import { PROBLEM_DEFS } from './problems';
import { SCHEME_DEFS } from './schemes';

type ProblemParams = z.output<(typeof PROBLEM_DEFS)[number]['schema']>;
type SchemeParams = z.output<(typeof SCHEME_DEFS)[number]['schema']>;
type ProblemInput = z.input<(typeof PROBLEM_DEFS)[number]['schema']>;
type SchemeInput = z.input<(typeof SCHEME_DEFS)[number]['schema']>;

export const problemDefs: readonly ProblemDef[] = PROBLEM_DEFS as unknown as readonly ProblemDef[];
export const schemeDefs: readonly SchemeDef[] = SCHEME_DEFS as unknown as readonly SchemeDef[];

const byKind = <T extends { kind: string }>(defs: readonly T[]): Map<string, T[]> => {
  const out = new Map<string, T[]>();
  for (const d of defs) out.set(d.kind, [...(out.get(d.kind) ?? []), d]);
  return out;
};
const problemsByKind = byKind(problemDefs);
const schemesByKind = byKind(schemeDefs);

for (const [kind, defs] of problemsByKind) if (defs.length > 1) throw new Error(`problem kind "${kind}" is registered twice`);
for (const [kind, defs] of schemesByKind) {
  const shapes = new Set(defs.map((d) => JSON.stringify(z.toJSONSchema(d.schema))));
  if (shapes.size > 1) throw new Error(`scheme kind "${kind}" is registered for several measures with different parameter schemas`);
  if (new Set(defs.map((d) => d.measure)).size !== defs.length) throw new Error(`scheme kind "${kind}" is registered twice for one measure`);
}

type Options = [z.ZodObject, ...z.ZodObject[]];
/** Every problem, discriminated by `kind`. */
export const ProblemSchema = z.discriminatedUnion('kind', problemDefs.map((d) => d.schema) as unknown as Options) as unknown as z.ZodType<ProblemParams, ProblemInput>;
/** Every scheme kind once (definitions that share a kind share a schema), discriminated by `kind`. */
export const SchemeSchema = z.discriminatedUnion('kind', [...schemesByKind.values()].map((defs) => defs[0].schema) as unknown as Options) as unknown as z.ZodType<SchemeParams, SchemeInput>;
export type Problem = ProblemParams;
export type ProblemKind = Problem['kind'];
export type Scheme = SchemeParams;
export type SchemeKind = Scheme['kind'];

export const PROBLEM_KINDS: readonly string[] = [...problemsByKind.keys()];
export const SCHEME_KINDS: readonly string[] = [...schemesByKind.keys()];

export const findProblem = (kind: string): ProblemDef | undefined => problemsByKind.get(kind)?.[0];
export const findScheme = (kind: string, measure: MeasureKind): SchemeDef | undefined => schemesByKind.get(kind)?.find((d) => d.measure === measure);

/** Whether a scheme definition can run on a problem: same measure, and every capability it requires is offered. */
export const fits = (scheme: SchemeDef, problem: ProblemDef): boolean =>
  scheme.measure === problem.measure && scheme.requires.every((c) => problem.capabilities.includes(c));

/** Which scheme kinds fit each problem kind (derived, never listed by hand). */
export const SCHEMES_FOR_PROBLEM: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  problemDefs.map((p) => [p.kind, [...schemesByKind.keys()].filter((k) => schemesByKind.get(k)!.some((s) => fits(s, p)))]),
);

/** The scheme definition that runs `schemeKind` on `problemKind`, if any. */
export function schemeFor(problemKind: string, schemeKind: string): SchemeDef | undefined {
  const p = findProblem(problemKind);
  if (!p) return undefined;
  return schemesByKind.get(schemeKind)?.find((s) => fits(s, p));
}
