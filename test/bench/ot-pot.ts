// POT (Python Optimal Transport) as the benchmark's baseline: one /usr/bin/python3 process per measurement, NumPy
// pinned to one BLAS thread (one worker against one worker), the cost matrix built outside the timed region as ours.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const PYTHON = '/usr/bin/python3';

// kind exact: ot.emd; pivots: the smallest numItermax at which ot.emd reports optimal (POT does not expose its pivot
// count; bisection to 1% between the bounds given); sinkhorn: ot.sinkhorn with the given method; sliced:
// ot.sliced_wasserstein_distance; mmd / energy: the same sums in NumPy (POT has no MMD).
const SCRIPT = String.raw`
import json, sys, time, warnings, os
import numpy as np, ot
warnings.filterwarnings('ignore')
inst = json.load(open(sys.argv[1]))
kind = inst['kind']
d = inst['d']
x = np.array(inst['x'], dtype=np.float64).reshape(-1, d)
y = np.array(inst['y'], dtype=np.float64).reshape(-1, d)
a = np.array(inst['a'], dtype=np.float64) if inst.get('a') is not None else np.full(x.shape[0], 1.0 / x.shape[0])
b = np.array(inst['b'], dtype=np.float64) if inst.get('b') is not None else np.full(y.shape[0], 1.0 / y.shape[0])
out = {}
devnull = os.open(os.devnull, os.O_WRONLY)
def quiet(f):
    # POT's C++ simplex prints its max-iteration warning on stdout; keep stdout for the JSON answer.
    sys.stdout.flush(); saved = os.dup(1); os.dup2(devnull, 1)
    try: return f()
    finally: sys.stdout.flush(); os.dup2(saved, 1); os.close(saved)
if kind == 'sliced':
    t = time.perf_counter()
    sw = ot.sliced_wasserstein_distance(x, y, a, b, n_projections=inst['projections'], seed=inst['seed'])
    out = {'seconds': time.perf_counter() - t, 'value': float(sw) ** 2}
elif kind == 'mmd':
    h2 = inst['bandwidth'] ** 2
    t = time.perf_counter()
    kxx = np.exp(-ot.dist(x, x) / (2 * h2)); kyy = np.exp(-ot.dist(y, y) / (2 * h2)); kxy = np.exp(-ot.dist(x, y) / (2 * h2))
    v = a @ kxx @ a + b @ kyy @ b - 2 * a @ kxy @ b
    out = {'seconds': time.perf_counter() - t, 'value': float(v)}
elif kind == 'energy':
    t = time.perf_counter()
    e = lambda p, q: ot.dist(p, q, metric='euclidean')
    v = 2 * a @ e(x, y) @ b - a @ e(x, x) @ a - b @ e(y, y) @ b
    out = {'seconds': time.perf_counter() - t, 'value': float(v)}
else:
    M = ot.dist(x, y)
    if kind == 'exact':
        t = time.perf_counter()
        G = ot.emd(a, b, M, numItermax=10**9)
        out = {'seconds': time.perf_counter() - t, 'value': float(np.sum(G * M))}
    elif kind == 'pivots':
        def ok(k):
            G, log = quiet(lambda: ot.emd(a, b, M, numItermax=k, log=True))
            return log['result_code'] == 1
        lo, hi = inst['lo'], inst['hi']
        while ok(lo) and lo > 1: hi, lo = lo, max(1, lo // 2)
        while not ok(hi): lo, hi = hi, hi * 2
        while hi - lo > max(1, hi // 100):
            mid = (lo + hi) // 2
            if ok(mid): hi = mid
            else: lo = mid
        out = {'pivots': hi}
    else:
        reg = inst['regFactor'] * M.mean()
        # POT's kernel form first; its log domain only if the kernel form fails numerically (no finite value).
        for method in ['sinkhorn', 'sinkhorn_log']:
            t = time.perf_counter()
            G, log = ot.sinkhorn(a, b, M, reg, method=method, numItermax=inst['maxIter'], stopThr=inst['tol'], log=True)
            sec = time.perf_counter() - t
            value = float(np.sum(G * M))
            if np.isfinite(value) and value > 0: break
        it = log['niter'] if 'niter' in log else log['n_iter']
        err = float(np.linalg.norm(G.sum(axis=0) - b))
        out = {'seconds': sec, 'value': value, 'iterations': int(it) + 1, 'colError': err, 'method': method}
print(json.dumps(out))
`;

export function potAvailable(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import ot, numpy'], { encoding: 'utf8' });
  return r.status === 0;
}

export interface PotAnswer {
  readonly seconds?: number;
  readonly value?: number;
  readonly iterations?: number;
  readonly colError?: number;
  readonly pivots?: number;
  readonly method?: string;
}

const ONE_THREAD = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', NUMEXPR_NUM_THREADS: '1' };

/** Runs one POT measurement on an instance written to dir; an error message instead when POT fails. */
export function runPot(dir: string, name: string, instance: Record<string, unknown>): PotAnswer | string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(instance));
  const r = spawnSync(PYTHON, ['-c', SCRIPT, file], {
    encoding: 'utf8', maxBuffer: 1 << 26, timeout: 900_000, env: { ...process.env, ...ONE_THREAD },
  });
  if (r.status !== 0) return `POT failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as PotAnswer;
  } catch {
    return `POT printed no answer: ${r.stdout.slice(-200)}`;
  }
}
