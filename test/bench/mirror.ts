// Mirror / preconditioned descent benchmarks (issue 10): one mirror step (K4_Sigma, Newton warm-started at x_k) for
// n = 100 and 1,000 against the same Newton iteration in NumPy with the dense (nd x nd) Jacobian + eps I and
// np.linalg.solve (the authors' method), through /usr/bin/python3 with one BLAS thread, in the same run; one pgd
// step (h*, a = 1.5) on 5,000 points per matching objective (d = 10, 5,000 target points), sliced and energy against
// NumPy versions of the same gradient.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRng } from '../../src/random';
import { applyRows, pairKernel, selfGrad } from '../../src/mirror/kernels';
import { newtonWork, solveMirrorStep } from '../../src/mirror/newton';
import { parseSetup } from '../../src/setup/schema';
import { createSimulation } from '../../src/engine/registry';
import { syntheticMatchingClouds } from '../../src/clouds/synthetic';
import type { BenchRow } from './table';

const PYTHON = '/usr/bin/python3';
const ONE_THREAD = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

const NUMPY_SCRIPT = String.raw`
import json, sys, time
import numpy as np
inst = json.load(open(sys.argv[1]))
kind, reps = inst['kind'], inst['reps']
if kind == 'newton':
    n, d = inst['n'], 2
    x = np.array(inst['x']).reshape(n, d); b = np.array(inst['b']).reshape(n, d); A = np.array(inst['A']).reshape(d, d)
    def G(y):
        z = y[:, None, :] - y[None, :, :]
        Az = z @ A
        q = np.einsum('ijc,ijc->ij', z, Az)
        return (((q + 1)[:, :, None]) * Az).mean(1)
    def J(y):
        z = y[:, None, :] - y[None, :, :]
        Az = z @ A
        q = np.einsum('ijc,ijc->ij', z, Az)
        H = (q + 1)[:, :, None, None] * A[None, None] + 2 * Az[:, :, :, None] * Az[:, :, None, :]
        Jm = -H / n
        D = H.sum(1) / n
        idx = np.arange(n)
        Jm[idx, idx] += D
        return Jm.transpose(0, 2, 1, 3).reshape(n * d, n * d)
    def solve(y):
        y = y.copy(); it = 0
        while it < 100:
            R = (G(y) - b).ravel()
            s = np.linalg.solve(J(y) + 1e-5 * np.eye(n * d), -R)
            y = y + s.reshape(n, d); it += 1
            if np.linalg.norm(s) <= 1e-5: break
        return y, it
    best = float('inf')
    for _ in range(reps):
        t = time.perf_counter(); y, it = solve(x); best = min(best, time.perf_counter() - t)
    out = {'seconds': best, 'iterations': it, 'y': y.ravel().tolist()}
else:
    n, m, d = inst['n'], inst['m'], inst['d']
    x = np.array(inst['x']).reshape(n, d); y = np.array(inst['y']).reshape(m, d)
    rng = np.random.default_rng(0)
    def hstar(g, a=1.5):
        r = np.linalg.norm(g, axis=1, keepdims=True)
        with np.errstate(divide='ignore', invalid='ignore'):
            f = np.where(r > 0, (r ** a + 1) ** ((1 - a) / a) * r ** (a - 2), 0.0)
        return f * g
    def grad_sliced(x):
        L = 50
        th = rng.standard_normal((L, d)); th /= np.linalg.norm(th, axis=1, keepdims=True)
        xp = x @ th.T; yp = np.sort(y @ th.T, axis=0)
        order = np.argsort(xp, axis=0)
        g = np.zeros_like(x)
        ybar = yp if n == m else None
        for l in range(L):
            diff = np.empty(n); diff[order[:, l]] = xp[order[:, l], l] - ybar[:, l]
            g += (2.0 / L) * diff[:, None] * th[l][None, :]
        return g
    def grad_energy(x):
        def term(P):
            out = np.empty_like(x)
            for s in range(0, n, 250):
                xb = x[s:s + 250]
                r = np.sqrt(np.maximum((xb ** 2).sum(1)[:, None] + (P ** 2).sum(1)[None, :] - 2 * xb @ P.T, 0))
                with np.errstate(divide='ignore', invalid='ignore'):
                    w = np.where(r > 1e-12, 1.0 / r, 0.0)
                out[s:s + 250] = (w.sum(1)[:, None] * xb - w @ P) / P.shape[0]
            return out
        return 2 * term(y) - 2 * term(x)
    f = grad_sliced if kind == 'sliced' else grad_energy
    best = float('inf')
    for _ in range(reps):
        t = time.perf_counter(); x1 = x - 1.0 * hstar(f(x)); best = min(best, time.perf_counter() - t)
    out = {'seconds': best}
print(json.dumps(out))
`;

function importable(mods: string): boolean {
  return spawnSync(PYTHON, ['-c', `import ${mods}`], { encoding: 'utf8' }).status === 0;
}

interface PyTiming { seconds: number; iterations?: number; y?: number[] }

function runPython(dir: string, name: string, instance: Record<string, unknown>): PyTiming | string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(instance));
  const r = spawnSync(PYTHON, ['-c', NUMPY_SCRIPT, file], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 900_000, env: { ...process.env, ...ONE_THREAD } });
  if (r.status !== 0) return `python failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as PyTiming;
}

function best(reps: number, f: () => void): number {
  let t = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    f();
    t = Math.min(t, performance.now() - t0);
  }
  return t;
}

export async function runMirrorBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const numpy = importable('numpy');
  const dir = mkdtempSync(path.join(tmpdir(), 'wgf-bench-mirror-'));
  try {
    // one mirror step K4_Sigma, Sigma = diag(100, 1), tau = 0.1, from x0 = 0.25 N(0, I) after 10 gd steps
    const d = 2;
    const sigmaInv = Float64Array.of(0.01, 0, 0, 1);
    const W = pairKernel(sigmaInv, d, 0.25, -0.5);
    const K = pairKernel(sigmaInv, d, 0.25, 0.5);
    for (const n of [100, 1000]) {
      const rng = createRng(n);
      const x = new Float64Array(n * d);
      for (let k = 0; k < n * d; k++) x[k] = 0.25 * rng.normal();
      const Ax = new Float64Array(n * d);
      const g = new Float64Array(n * d);
      for (let k = 0; k < 10; k++) {
        applyRows(sigmaInv, x, n, d, Ax); selfGrad(W, x, Ax, n, g);
        for (let j = 0; j < n * d; j++) x[j] -= 0.1 * g[j];
      }
      applyRows(sigmaInv, x, n, d, Ax);
      selfGrad(W, x, Ax, n, g);
      const b = new Float64Array(n * d);
      selfGrad(K, x, Ax, n, b);
      for (let j = 0; j < n * d; j++) b[j] -= 0.1 * g[j];
      const work = newtonWork(n, d);
      const y = new Float64Array(n * d);
      y.set(x);
      let res = solveMirrorStep(K, b, y, n, { tol: 1e-5, maxIter: 100 }, work);
      const reps = n <= 100 ? 20 : 3;
      const ms = best(reps, () => { y.set(x); res = solveMirrorStep(K, b, y, n, { tol: 1e-5, maxIter: 100 }, work); });
      let baseline: BenchRow['baseline'];
      let note = `Newton ${res.iterations} iterations (${res.cgIterations} CG products), residual ${res.residual.toExponential(1)}`;
      if (numpy) {
        const py = runPython(dir, `newton${n}`, { kind: 'newton', n, reps: n <= 100 ? 10 : 1, x: Array.from(x), b: Array.from(b), A: Array.from(sigmaInv) });
        if (typeof py === 'string') note += `; ${py}`;
        else {
          baseline = { label: 'NumPy dense Newton', value: py.seconds * 1000 };
          let diff = 0;
          for (let j = 0; j < n * d; j++) diff = Math.max(diff, Math.abs(py.y![j] - y[j]));
          note += `; NumPy ${py.iterations} iterations, max |y_ts - y_numpy| = ${diff.toExponential(1)}`;
        }
      } else note += '; numpy not importable, no baseline';
      rows.push({ name: `mirror step K4_Sigma, n = ${n}, d = 2`, value: ms, unit: 'ms', baseline, target: 'ratio < 1', pass: baseline ? ms < baseline.value : undefined, note });
    }
    // one pgd step (h*, a = 1.5) on 5,000 points in d = 10 per objective
    const n = 5000;
    const { source, target } = syntheticMatchingClouds(10, n, n);
    for (const divergence of [{ kind: 'sliced', projections: 50 }, { kind: 'energy' }, { kind: 'sinkhorn', eps: 1 }]) {
      const parsed = parseSetup({ name: 'b', iterations: 1, problem: { kind: 'matching', target: { kind: 'points', points: target }, init: { kind: 'points', points: source }, divergence }, scheme: { kind: 'pgd', step: 1, preconditioner: { kind: 'h-star', a: 1.5 } } });
      if (!parsed.ok) throw new Error(parsed.issues.map((i) => i.message).join());
      const sim = createSimulation(parsed.value.runs[0].spec);
      const reps = divergence.kind === 'sliced' ? 5 : 1;
      const ms = best(reps, () => sim.step(0));
      let baseline: BenchRow['baseline'];
      let note: string | undefined;
      if (numpy && divergence.kind !== 'sinkhorn') {
        const py = runPython(dir, `pgd-${divergence.kind}`, { kind: divergence.kind, n, m: n, d: 10, reps, x: source.flat(), y: target.flat() });
        if (typeof py === 'string') note = py;
        else baseline = { label: 'NumPy', value: py.seconds * 1000 };
      } else if (divergence.kind === 'sinkhorn') note = 'two Sinkhorn solves (mu-nu, mu-mu) on 5,000 x 5,000 cost matrices, eps = 1, tol 1e-6; no NumPy baseline (POT not installed)';
      rows.push({ name: `pgd step (h*, a = 1.5), ${divergence.kind}, n = m = 5,000, d = 10`, value: ms, unit: 'ms', baseline, target: baseline ? 'ratio < 1.5' : undefined, pass: baseline ? ms < 1.5 * baseline.value : undefined, note });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
