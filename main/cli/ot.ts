// `wgflab ot <method> <case.json>`: runs one optimal-transport computation of src/ot on a JSON case and prints one
// JSON object with at least "value" and "seconds" (the solve alone). Bad input: exit code 2 and a message naming the field.
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import {
  OtInputError, energyDistance, exactOt, exactOt1d, exactOtPoints, mmd2, sinkhorn, sinkhornDivergence, sinkhornPoints,
  slicedWasserstein, toPointCloud,
} from '../../src/ot/index';
import type { MmdKernel, PointCloud } from '../../src/ot/index';
import { GaussianInputError, buresW2sq, klGaussian } from '../../src/ot/gaussian';

export interface OtCommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const OT_METHODS = ['exact', 'exact1d', 'sinkhorn', 'sinkhorn-divergence', 'sliced', 'energy', 'mmd', 'bures', 'kl-gaussian'] as const;
type OtMethod = (typeof OT_METHODS)[number];

const USAGE = `usage: wgflab ot <method> <case.json>
  method: ${OT_METHODS.join(' | ')}
  case.json fields: x, y, a, b, reg (discrete measures; a or b missing = uniform; exact1d: x, y flat lists of numbers),
  m1, S1, m2, S2 (Gaussians), projections, seed (sliced), kernel, bandwidth, estimator (mmd), tol, maxIter (sinkhorn)`;

type Case = Record<string, unknown>;

/** Returns the process exit code: 0 done, 2 bad input or usage, 1 unexpected failure. */
export async function runOtCommand(args: string[], io: OtCommandIo): Promise<number> {
  const positional = args.filter((s) => !s.startsWith('-'));
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positional.length !== 2) {
    io.stderr(`wgflab ot: expected a method and a case file, got ${positional.length} argument(s)\n${USAGE}\n`);
    return 2;
  }
  const [method, file] = positional;
  if (!(OT_METHODS as readonly string[]).includes(method)) {
    io.stderr(`method: unknown OT method "${method}"; allowed: ${OT_METHODS.join(', ')}\n`);
    return 2;
  }
  let data: Case;
  try {
    const text = await readFile(file, 'utf8');
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new OtInputError(file, 'the case must be a JSON object');
    data = parsed as Case;
  } catch (e) {
    const msg = e instanceof OtInputError ? e.message : `${file}: cannot read the case (${(e as Error).message})`;
    io.stderr(`${msg}\n`);
    return 2;
  }
  try {
    const out = runMethod(method as OtMethod, data);
    io.stdout(`${JSON.stringify(out)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof OtInputError || e instanceof GaussianInputError) {
      io.stderr(`${e.message}\n`);
      return 2;
    }
    io.stderr(`wgflab ot ${method}: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}

function timed<T>(fn: () => T): { result: T; seconds: number } {
  const t0 = performance.now();
  const result = fn();
  return { result, seconds: (performance.now() - t0) / 1000 };
}

function optNumber(data: Case, field: string): number | undefined {
  const v = data[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new OtInputError(field, `must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

function reqNumber(data: Case, field: string): number {
  const v = optNumber(data, field);
  if (v === undefined) throw new OtInputError(field, 'is required for this method');
  return v;
}

function weights(data: Case, field: string): number[] | null {
  const v = data[field];
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw new OtInputError(field, `expected a list of weights, got ${typeof v}`);
  return v as number[];
}

function clouds(data: Case): { x: PointCloud; y: PointCloud } {
  if (data.x === undefined) throw new OtInputError('x', 'is required (a list of points)');
  if (data.y === undefined) throw new OtInputError('y', 'is required (a list of points)');
  return { x: toPointCloud(data.x, 'x'), y: toPointCloud(data.y, 'y') };
}

function vector(data: Case, field: string, d?: number): Float64Array {
  const v = data[field];
  if (!Array.isArray(v)) throw new OtInputError(field, `expected a list of numbers, got ${v === undefined ? 'nothing' : typeof v}`);
  if (d !== undefined && v.length !== d) throw new OtInputError(field, `expected ${d} entries (the dimension of m1), got ${v.length}`);
  if (v.length === 0) throw new OtInputError(field, 'is empty');
  const out = new Float64Array(v.length);
  v.forEach((t, i) => {
    if (typeof t !== 'number' || !Number.isFinite(t)) throw new OtInputError(`${field}[${i}]`, `must be a finite number, got ${JSON.stringify(t)}`);
    out[i] = t;
  });
  return out;
}

function matrix(data: Case, field: string, d: number): Float64Array {
  const v = data[field];
  if (!Array.isArray(v)) throw new OtInputError(field, `expected a ${d} x ${d} matrix (list of rows), got ${v === undefined ? 'nothing' : typeof v}`);
  if (v.length !== d) throw new OtInputError(field, `expected ${d} rows (the dimension of m1), got ${v.length}`);
  const out = new Float64Array(d * d);
  v.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== d) throw new OtInputError(`${field}[${i}]`, `expected a row of ${d} numbers`);
    row.forEach((t, j) => {
      if (typeof t !== 'number' || !Number.isFinite(t)) throw new OtInputError(`${field}[${i}][${j}]`, `must be a finite number, got ${JSON.stringify(t)}`);
      out[i * d + j] = t;
    });
  });
  return out;
}

function runMethod(method: OtMethod, data: Case): Record<string, unknown> {
  switch (method) {
    case 'exact': {
      const a = weights(data, 'a');
      const b = weights(data, 'b');
      if (Array.isArray(data.cost)) {
        const cost = data.cost as number[][];
        const { result: r, seconds } = timed(() => exactOt(a, b, cost));
        return { method, value: r.value, seconds, status: r.status, converged: r.converged, iterations: r.iterations, solver: r.method, support: r.masses.length, dualValue: r.dualValue };
      }
      if (data.cost !== undefined && data.cost !== 'sqeuclidean') throw new OtInputError('cost', 'must be "sqeuclidean" or an n x m matrix');
      const { x, y } = clouds(data);
      const { result: r, seconds } = timed(() => exactOtPoints(x, y, a, b));
      return { method, value: r.value, seconds, status: r.status, converged: r.converged, iterations: r.iterations, solver: r.method, support: r.masses.length, dualValue: r.dualValue };
    }
    case 'exact1d': {
      if (data.x === undefined) throw new OtInputError('x', 'is required (a list of numbers)');
      if (data.y === undefined) throw new OtInputError('y', 'is required (a list of numbers)');
      const a = weights(data, 'a');
      const b = weights(data, 'b');
      const { result: r, seconds } = timed(() => exactOt1d(data.x, data.y, a, b));
      return { method, value: r.value, seconds, status: r.status, support: r.masses.length };
    }
    case 'sinkhorn': {
      const reg = reqNumber(data, 'reg');
      const tol = optNumber(data, 'tol');
      const maxIter = optNumber(data, 'maxIter');
      const a = weights(data, 'a');
      const b = weights(data, 'b');
      const opts = { reg, tol, maxIter };
      if (Array.isArray(data.cost)) {
        const cost = data.cost as number[][];
        const { result: r, seconds } = timed(() => sinkhorn(a, b, cost, opts));
        return sinkhornOut(method, r, seconds);
      }
      const { x, y } = clouds(data);
      const { result: r, seconds } = timed(() => sinkhornPoints(x, y, a, b, opts));
      return sinkhornOut(method, r, seconds);
    }
    case 'sinkhorn-divergence': {
      const reg = reqNumber(data, 'reg');
      const { x, y } = clouds(data);
      const { result: r, seconds } = timed(() => sinkhornDivergence(x, y, weights(data, 'a'), weights(data, 'b'), { reg, tol: optNumber(data, 'tol'), maxIter: optNumber(data, 'maxIter') }));
      return { method, value: r.value, seconds, converged: r.converged, iterations: r.iterations, ab: r.ab.regValue, aa: r.aa.regValue, bb: r.bb.regValue };
    }
    case 'sliced': {
      const { x, y } = clouds(data);
      const projections = optNumber(data, 'projections') ?? 50;
      const seed = optNumber(data, 'seed') ?? 0;
      const { result: r, seconds } = timed(() => slicedWasserstein(x, y, weights(data, 'a'), weights(data, 'b'), { projections, seed }));
      return { method, value: r.value, distance: r.distance, seconds, projections, seed };
    }
    case 'energy': {
      const { x, y } = clouds(data);
      const { result: value, seconds } = timed(() => energyDistance(x, y, weights(data, 'a'), weights(data, 'b')));
      return { method, value, distance: Math.sqrt(value), seconds };
    }
    case 'mmd': {
      const { x, y } = clouds(data);
      const kernel = data.kernel ?? 'gaussian';
      if (typeof kernel !== 'string') throw new OtInputError('kernel', `must be one of gaussian, imq, energy, got ${JSON.stringify(kernel)}`);
      const estimator = data.estimator ?? 'biased';
      if (estimator !== 'biased' && estimator !== 'unbiased') throw new OtInputError('estimator', `must be "biased" or "unbiased", got ${JSON.stringify(estimator)}`);
      const bandwidth = optNumber(data, 'bandwidth');
      const { result: r, seconds } = timed(() => mmd2(x, y, weights(data, 'a'), weights(data, 'b'), { kernel: kernel as MmdKernel, bandwidth, estimator }));
      return { method, value: r.value, seconds, kernel: r.kernel, bandwidth: r.bandwidth, estimator: r.estimator };
    }
    case 'bures':
    case 'kl-gaussian': {
      const m1 = vector(data, 'm1');
      const d = m1.length;
      const m2 = vector(data, 'm2', d);
      const S1 = matrix(data, 'S1', d);
      const S2 = matrix(data, 'S2', d);
      const fn = method === 'bures' ? buresW2sq : klGaussian;
      const { result: value, seconds } = timed(() => fn(m1, S1, m2, S2, d));
      return { method, value, seconds, dim: d };
    }
  }
}

function sinkhornOut(method: string, r: ReturnType<typeof sinkhorn>, seconds: number): Record<string, unknown> {
  return {
    method, value: r.value, seconds, converged: r.converged, iterations: r.iterations, status: r.status,
    regValue: r.regValue, marginalError: Math.max(r.rowError, r.colError), solver: r.method, kernelBuilds: r.kernelBuilds,
  };
}
