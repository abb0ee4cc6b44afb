// CLI: point clouds given as CSV files in a setup. Every object {"kind": "csv", "path": "..."} under "problem" (e.g.
// problem.target or problem.init of the `matching` problem) is replaced by {"kind": "points", "points": [...]} read
// from that file (a relative path is taken from the setup file's folder), so the stored setup carries the points.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CsvCloudError, parseCsvCloud } from '../../src/clouds/csv';

export class CsvReferenceError extends Error {}

export function resolveCsvClouds(json: unknown, setupFile: string): unknown {
  if (!json || typeof json !== 'object' || !('problem' in json)) return json;
  const walk = (v: unknown, at: string): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${at}[${i}]`));
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (o.kind === 'csv' && 'path' in o) { // two-layer-net's data {kind: 'csv', rows | text} is not a cloud reference
      if (typeof o.path !== 'string' || Object.keys(o).some((k) => k !== 'kind' && k !== 'path')) throw new CsvReferenceError(`${at}: a CSV cloud is {"kind": "csv", "path": "<file.csv>"}`);
      const file = path.resolve(path.dirname(setupFile), o.path);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new CsvReferenceError(`${at}.path: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      try {
        return { kind: 'points', points: parseCsvCloud(text, file).points };
      } catch (e) {
        if (e instanceof CsvCloudError) throw new CsvReferenceError(`${at}.path: ${e.message}`);
        throw e;
      }
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x, `${at}.${k}`)]));
  };
  const root = json as Record<string, unknown>;
  return { ...root, problem: walk(root.problem, 'problem') };
}
