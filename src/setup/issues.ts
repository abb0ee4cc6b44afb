// Validation issues: one line per problem, naming the field path and what is allowed.
import type { z } from 'zod';

export interface SetupIssue {
  /** Dotted field path inside the setup, e.g. "scheme.step" or "problem.target.cov[1][0]"; "" is the whole setup. */
  readonly path: string;
  /** What is wrong and what is allowed, in words a researcher can act on. */
  readonly message: string;
}

export class SetupError extends Error {
  readonly issues: readonly SetupIssue[];
  constructor(issues: readonly SetupIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'SetupError';
    this.issues = issues;
  }
}

export function formatIssue(issue: SetupIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

export function pathToString(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

type AnySchema = z.ZodType;
interface Def { type: string; [key: string]: unknown }
const defOf = (s: AnySchema): Def => (s as unknown as { def: Def }).def;

/** Follows a zod schema along a data path (choosing discriminated-union members by the data), or undefined. */
function schemaAt(schema: AnySchema, data: unknown, path: readonly PropertyKey[]): { schema: AnySchema; data: unknown } | undefined {
  let s: AnySchema | undefined = schema;
  let d: unknown = data;
  let i = 0;
  while (s) {
    const def = defOf(s);
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'readonly' || def.type === 'catch') {
      s = def.innerType as AnySchema;
      continue;
    }
    if (def.type === 'pipe') { s = def.in as AnySchema; continue; }
    if (def.type === 'union') {
      const options = def.options as AnySchema[];
      const disc = def.discriminator as string | undefined;
      const value = d && typeof d === 'object' && disc ? (d as Record<string, unknown>)[disc] : undefined;
      const match: AnySchema | undefined = options.find((o) => {
        const od = defOf(o);
        if (od.type !== 'object' || !disc) return false;
        const shape = od.shape as Record<string, AnySchema>;
        const lit = shape[disc] ? defOf(shape[disc]) : undefined;
        return lit?.type === 'literal' && (lit.values as unknown[]).includes(value);
      });
      if (!match) return undefined;
      s = match;
      continue;
    }
    if (i === path.length) return { schema: s, data: d };
    const key = path[i++];
    if (def.type === 'object') {
      s = (def.shape as Record<string, AnySchema>)[String(key)];
    } else if (def.type === 'array') {
      s = def.element as AnySchema;
    } else if (def.type === 'record') {
      s = def.valueType as AnySchema;
    } else {
      return undefined;
    }
    d = d && typeof d === 'object' ? (d as Record<string, unknown>)[key as string] : undefined;
  }
  return undefined;
}

function allowedKeys(schema: AnySchema, data: unknown, path: readonly PropertyKey[]): string[] | undefined {
  const found = schemaAt(schema, data, path);
  if (!found) return undefined;
  const def = defOf(found.schema);
  return def.type === 'object' ? Object.keys(def.shape as object) : undefined;
}

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  if (typeof value === 'object') return 'an object';
  return String(value);
};

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let d = data;
  for (const key of path) d = d && typeof d === 'object' ? (d as Record<string, unknown>)[key as string] : undefined;
  return d;
}

const typeWords: Record<string, string> = {
  number: 'a number', string: 'a string', boolean: 'true or false', array: 'a list', object: 'an object',
  int: 'an integer', bigint: 'an integer', record: 'an object',
};

/** Turns zod issues into SetupIssues with field paths and allowed values. */
export function issuesFromZod(error: z.ZodError, schema: AnySchema, data: unknown, prefix: readonly PropertyKey[] = []): SetupIssue[] {
  const out: SetupIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    const got = valueAt(data, issue.path);
    const raw = issue as unknown as Record<string, unknown>;
    switch (issue.code) {
      case 'invalid_type': {
        const expected = String(raw.expected);
        if (got === undefined) out.push({ path: pathToString(path), message: `is required (${typeWords[expected] ?? expected})` });
        else out.push({ path: pathToString(path), message: `must be ${typeWords[expected] ?? expected}, got ${describe(got)}` });
        break;
      }
      case 'unrecognized_keys': {
        const allowed = allowedKeys(schema, data, issue.path);
        for (const key of raw.keys as string[]) {
          out.push({
            path: pathToString([...path, key]),
            message: `unknown field${allowed ? `; allowed fields here: ${allowed.join(', ')}` : ''}`,
          });
        }
        break;
      }
      case 'invalid_union': {
        const options = raw.options as unknown[] | undefined;
        if (raw.discriminator && options) {
          out.push({
            path: pathToString(path),
            message: got === undefined ? `is required; allowed: ${options.map((o) => `"${String(o)}"`).join(', ')}` : `unknown kind ${describe(got)}; allowed: ${options.map((o) => `"${String(o)}"`).join(', ')}`,
          });
        } else {
          out.push({ path: pathToString(path), message: `has the wrong shape (${issue.message})` });
        }
        break;
      }
      case 'invalid_value': {
        const values = (raw.values as unknown[]).map((v) => JSON.stringify(v)).join(', ');
        out.push({ path: pathToString(path), message: `must be one of ${values}, got ${describe(got)}` });
        break;
      }
      case 'too_small':
      case 'too_big': {
        const small = issue.code === 'too_small';
        const bound = String(small ? raw.minimum : raw.maximum);
        const inclusive = raw.inclusive !== false;
        const origin = String(raw.origin);
        if (origin === 'array' || origin === 'set') {
          out.push({ path: pathToString(path), message: `must have ${small ? 'at least' : 'at most'} ${bound} entr${bound === '1' ? 'y' : 'ies'}` });
        } else if (origin === 'string') {
          out.push({ path: pathToString(path), message: `must have ${small ? 'at least' : 'at most'} ${bound} character${bound === '1' ? '' : 's'}` });
        } else {
          const op = small ? (inclusive ? '>=' : '>') : (inclusive ? '<=' : '<');
          out.push({ path: pathToString(path), message: `must be ${op} ${bound}, got ${describe(got)}` });
        }
        break;
      }
      default:
        out.push({ path: pathToString(path), message: issue.message });
    }
  }
  return out;
}
