// Grid benchmarks: one entropic JKO step (Dykstra, Peyre 2015) on a 200 x 200 Fokker-Planck instance, timed against
// the same Dykstra iterations in NumPy with the kernel applied as two matrix products K1 P K2 (one BLAS thread,
// through /usr/bin/python3 when numpy imports), with its memory growth and inner iterations per second.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { dykstraSolver } from '../../src/grid/dykstra';
import { separableProx } from '../../src/grid/prox';
import type { BenchRow } from './table';

const PYTHON = '/usr/bin/python3';
const ONE_THREAD = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

// The same iterations as src/grid/dykstra.ts (kernel form, cold start b = 1, stop on the L1 first-marginal error).
const NUMPY_SCRIPT = String.raw`
import json, sys, time, tracemalloc
import numpy as np
inst = json.load(open(sys.argv[1]))
n, h, gamma, s, tol = inst['n'], inst['h'], inst['gamma'], inst['s'], inst['tol']
x = inst['lo'] + (np.arange(n) + 0.5) * h
K1 = np.exp(-(x[:, None] - x[None, :]) ** 2 / gamma)
K2 = K1.copy()
pk = np.array(inst['pk']).reshape(n, n)
V = np.array(inst['V']).reshape(n, n)
c = np.log(h * h)
w = np.exp((s * c - s * V) / (1 + s))
def step():
    b = np.ones((n, n))
    Kb = K1 @ b @ K2
    a = np.where(pk > 0, pk / Kb, 0.0)
    it = 0
    while it < inst['maxIter']:
        z = K1 @ a @ K2
        q = np.power(z, 1 / (1 + s)) * w
        b = np.where(z > 0, q / z, 0.0)
        Kb = K1 @ b @ K2
        it += 1
        err = np.abs(a * Kb - pk).sum()
        a = np.where(pk > 0, pk / Kb, 0.0)
        if err < tol:
            break
    return b * (K1 @ a @ K2), it, err
best = 1e9
for r in range(inst['reps']):
    t = time.perf_counter()
    p, it, err = step()
    best = min(best, time.perf_counter() - t)
tracemalloc.start()
step()
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps({'seconds': best, 'iterations': it, 'err': float(err), 'peakMb': peak / 1e6, 'p': p.ravel().tolist()}))
`;

export async function runGridsBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const n = 200, lo = -6, h = 12 / n, tau = 0.1, gamma = 0.01, s = (2 * tau) / gamma, tol = 1e-9, reps = 3;
  const N = n * n;
  const xs = Float64Array.from({ length: n }, (_, i) => lo + (i + 0.5) * h);
  const pk = new Float64Array(N), V = new Float64Array(N);
  let total = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const u = xs[i], v = xs[j];
    pk[i * n + j] = Math.exp(-((u + 2) ** 2 + (v - 1) ** 2) / (2 * 0.5));
    V[i * n + j] = ((u - 1) ** 2 + v * v) / 2;
    total += pk[i * n + j];
  }
  for (let k = 0; k < N; k++) pk[k] /= total;
  const prox = separableProx({ cellVolume: h * h, potential: V, entropy: 1 });
  const out = new Float64Array(N);
  let result = { iterations: 0, marginalError: 0, converged: false, logDomain: false, proxResidual: 0 };
  const one = () => { result = dykstraSolver({ shape: [n, n], spacing: [h, h] }, gamma, 1).step(pk, prox, s, out, { tol, maxIter: 100000 }); };
  one();
  let seconds = Infinity;
  for (let r = 0; r < reps; r++) { const t0 = performance.now(); one(); seconds = Math.min(seconds, (performance.now() - t0) / 1000); }

  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc(); gc();
  const m0 = process.memoryUsage();
  one();
  const m1 = process.memoryUsage();
  const grownMb = (m1.heapUsed - m0.heapUsed + (m1.arrayBuffers - m0.arrayBuffers)) / 1e6;

  const hasNumpy = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
  let py: { seconds: number; iterations: number; err: number; peakMb: number; p: number[] } | string | null = null;
  if (hasNumpy) {
    const dir = mkdtempSync(path.join(tmpdir(), 'wgf-grids-bench-'));
    try {
      const file = path.join(dir, 'fp.json');
      writeFileSync(file, JSON.stringify({ n, h, lo, gamma, s, tol, maxIter: 100000, reps, pk: Array.from(pk), V: Array.from(V) }));
      const r = spawnSync(PYTHON, ['-c', NUMPY_SCRIPT, file], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 900_000, env: { ...process.env, ...ONE_THREAD } });
      py = r.status === 0 ? JSON.parse(r.stdout.trim().split('\n').pop()!) : `NumPy failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const ok = py !== null && typeof py !== 'string';
  let l1 = NaN;
  if (ok) { l1 = 0; for (let k = 0; k < N; k++) l1 += Math.abs(out[k] - (py as { p: number[] }).p[k]); }
  const name = `entropic JKO step, Fokker-Planck 200 x 200 on [-6, 6]^2, tau = ${tau}, gamma = ${gamma} (s = ${s}), tol ${tol}`;
  const base = ok ? (py as { seconds: number; iterations: number; peakMb: number }) : null;
  rows.push({
    name, value: seconds, unit: 's',
    ...(base ? { baseline: { label: 'NumPy K1 P K2', value: base.seconds }, pass: seconds / base.seconds <= 1 } : {}),
    target: 'ratio <= 1.0 (NumPy, one BLAS thread)',
    note: `${result.iterations} Dykstra iterations (NumPy ${base?.iterations ?? '-'}), marginal error ${result.marginalError.toExponential(2)}, ${result.logDomain ? 'log' : 'kernel'} form; ` +
      (ok ? `L1 distance to the NumPy step ${l1.toExponential(2)}` : String(py ?? 'numpy not importable: no baseline')),
  });
  rows.push({
    name: 'same step, memory growth (heap + array buffers after a full GC)', value: grownMb, unit: 'MB', target: '< 100 MB (an N x N kernel would be 12.8 GB)', pass: grownMb < 100,
    ...(base ? { baseline: { label: 'NumPy tracemalloc peak', value: base.peakMb } } : {}),
  });
  const ips = result.iterations / seconds;
  rows.push({
    name: 'same step, Dykstra iterations per second', value: ips, unit: 'it/s',
    ...(base ? { baseline: { label: 'NumPy', value: base.iterations / base.seconds } } : {}),
    target: 'ratio >= 1.0', ...(base ? { pass: ips / (base.iterations / base.seconds) >= 1 } : {}),
  });
  return rows;
}
