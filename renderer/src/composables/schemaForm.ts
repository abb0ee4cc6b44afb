// Walks a zod schema into a form description, so that problem and scheme forms are generated from the same
// schemas that validate them: discriminated unions -> kind select, numbers -> number inputs, number arrays ->
// list inputs, arrays of number arrays -> matrix grids, objects -> field groups. Titles/descriptions from .meta().
import type { z } from 'zod';

interface Def { type: string; [key: string]: unknown }
type Schema = z.ZodType;
const defOf = (s: Schema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;
const metaOf = (s: Schema): { title?: string; description?: string } => {
  const m = (s as unknown as { meta?: () => unknown }).meta?.();
  return m && typeof m === 'object' ? (m as { title?: string; description?: string }) : {};
};

export interface FieldInfo {
  readonly title: string;
  readonly description?: string;
  readonly optional?: boolean;
}

export type FieldDesc = FieldInfo & (
  | { readonly kind: 'object'; readonly fields: readonly { key: string; desc: FieldDesc }[] }
  | { readonly kind: 'variant'; readonly discriminator: string; readonly options: readonly { value: string; desc: FieldDesc & { kind: 'object' } }[] }
  | { readonly kind: 'union'; readonly options: readonly { label: string; desc: FieldDesc; shape: 'array' | 'object' | 'other' }[] }
  | { readonly kind: 'number'; readonly int: boolean; readonly min?: number; readonly max?: number; readonly exclusiveMin?: boolean }
  | { readonly kind: 'string'; readonly multiline: boolean }
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'number-list'; readonly int: boolean }
  | { readonly kind: 'matrix' }
  | { readonly kind: 'json' }
);

const humanize = (key: string): string => key.replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());

function numberInfo(s: Schema): { int: boolean; min?: number; max?: number; exclusiveMin?: boolean } {
  const n = s as unknown as { minValue?: number | null; maxValue?: number | null; isInt?: boolean };
  const checks = (defOf(s).checks as { _zod: { def: { check: string; inclusive?: boolean } } }[] | undefined) ?? [];
  const exclusiveMin = checks.some((c) => c._zod.def.check === 'greater_than' && c._zod.def.inclusive === false);
  const fin = (v: number | null | undefined) => (v !== null && v !== undefined && Number.isFinite(v) && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : undefined);
  return { int: Boolean(n.isInt), min: fin(n.minValue), max: fin(n.maxValue), exclusiveMin };
}

/** Describes a schema for form generation; key names the field when the schema has no title. */
export function describeSchema(schema: Schema, key = ''): FieldDesc {
  let s = schema;
  let meta = metaOf(s);
  let optional = false;
  // Unwrap optional/default/readonly wrappers, keeping the outermost title.
  for (;;) {
    const def = defOf(s);
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'readonly' || def.type === 'catch') {
      if (def.type === 'optional') optional = true;
      s = def.innerType as Schema;
      meta = { ...metaOf(s), ...meta };
      continue;
    }
    if (def.type === 'pipe') {
      s = def.in as Schema;
      continue;
    }
    break;
  }
  const def = defOf(s);
  const info: FieldInfo = { title: meta.title ?? humanize(key), description: meta.description, optional };
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, Schema>;
      return { ...info, kind: 'object', fields: Object.entries(shape).map(([k, v]) => ({ key: k, desc: describeSchema(v, k) })) };
    }
    case 'union': {
      const options = def.options as Schema[];
      const disc = def.discriminator as string | undefined;
      if (disc) {
        return {
          ...info,
          kind: 'variant',
          discriminator: disc,
          options: options.map((o) => {
            const d = describeSchema(o) as FieldDesc & { kind: 'object' };
            const lit = defOf((defOf(o).shape as Record<string, Schema>)[disc]);
            return { value: String((lit.values as unknown[])[0]), desc: d };
          }),
        };
      }
      return {
        ...info,
        kind: 'union',
        options: options.map((o) => {
          const d = describeSchema(o, key);
          const t = defOf(o).type;
          const shape = t === 'array' ? 'array' : t === 'object' ? 'object' : 'other';
          const label = d.kind === 'matrix' ? 'dense matrix' : d.kind === 'object' ? `{ ${d.fields.map((f) => f.key).join(', ')} }` : d.kind;
          return { label, desc: { ...d, title: info.title, description: undefined }, shape };
        }),
      };
    }
    case 'number':
      return { ...info, kind: 'number', ...numberInfo(s) };
    case 'string':
      return { ...info, kind: 'string', multiline: key === 'description' };
    case 'boolean':
      return { ...info, kind: 'boolean' };
    case 'literal':
      return { ...info, kind: 'literal', value: (def.values as unknown[])[0] };
    case 'array': {
      const el = defOf(def.element as Schema);
      if (el.type === 'number') return { ...info, kind: 'number-list', int: numberInfo(def.element as Schema).int };
      if (el.type === 'array' && defOf(el.element as Schema).type === 'number') return { ...info, kind: 'matrix' };
      return { ...info, kind: 'json' };
    }
    default:
      return { ...info, kind: 'json' };
  }
}

/** A value that fits a field description, used when the user switches a kind or a union option. */
export function defaultValue(desc: FieldDesc, previous?: unknown): unknown {
  switch (desc.kind) {
    case 'object': {
      const prev = previous && typeof previous === 'object' && !Array.isArray(previous) ? (previous as Record<string, unknown>) : {};
      const out: Record<string, unknown> = {};
      for (const f of desc.fields) {
        if (f.desc.optional && prev[f.key] === undefined) continue;
        out[f.key] = f.key in prev && f.desc.kind !== 'literal' ? prev[f.key] : defaultValue(f.desc);
      }
      return out;
    }
    case 'variant':
      return defaultValue(desc.options[0].desc, previous);
    case 'union':
      return defaultValue(desc.options[0].desc, previous);
    case 'number':
      return desc.int ? Math.max(desc.min ?? 1, 1) : desc.exclusiveMin && desc.min === 0 ? 0.1 : Math.max(desc.min ?? 0, 0);
    case 'string':
      return '';
    case 'boolean':
      return false;
    case 'literal':
      return desc.value;
    case 'number-list':
      return [0];
    case 'matrix':
      return [[1]];
    default:
      return null;
  }
}

/** Issues whose path is this field or an element of it (path[...]). */
export function issuesAt<T extends { path: string }>(issues: readonly T[], path: string): T[] {
  return issues.filter((i) => i.path === path || i.path.startsWith(`${path}[`));
}

/** Joins a parent path and a key the way SetupIssue paths are written ("a.b", "a[0]"). */
export const childPath = (parent: string, key: string | number): string =>
  typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;

/** Sweep values as typed: "0.1, 0.2" -> [0.1, 0.2]; "fb, ula" -> ["fb", "ula"]; "[0, 1], [2, 3]" -> [[0, 1], [2, 3]]. */
export function parseSweepValues(text: string): unknown[] {
  if (text.trim() === '') return [];
  try {
    return JSON.parse(`[${text}]`) as unknown[];
  } catch {
    return text.split(',').map((t) => t.trim()).filter((t) => t !== '').map((t) => {
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return t;
      }
    });
  }
}

