// Particle numerics benchmarks (issue 7): an SVGD iteration, ULA particle-steps and the Kozachenko-Leonenko
// entropy, each timed against NumPy / SciPy (through /usr/bin/python3, one BLAS thread, same instance) when found.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRng } from '../../src/random';
import { createTarget } from '../../src/particles/targets';
import { medianBandwidth, svgdDirection } from '../../src/particles/kernels';
import { knnEntropy } from '../../src/particles/entropy';
import { fillNormalZiggurat } from '../../src/particles/normal';
import type { BenchRow } from './table';

const PYTHON = '/usr/bin/python3';
const ONE_THREAD = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

// Each instance: the same formula, vectorized; best of `reps` timed runs (inputs built outside the timed region).
const NUMPY_SCRIPT = String.raw`
import json, sys, time
import numpy as np
inst = json.load(open(sys.argv[1]))
kind, reps = inst['kind'], inst['reps']
out = {}
if kind == 'svgd':
    x0 = np.array(inst['x'], dtype=np.float64).reshape(-1, inst['d'])
    m = np.array(inst['mean']); P = np.array(inst['prec']).reshape(inst['d'], inst['d']); g = inst['step']
    def step(x):
        n = x.shape[0]
        sq = np.einsum('ij,ij->i', x, x)
        D = sq[:, None] + sq[None, :] - 2.0 * (x @ x.T)
        np.maximum(D, 0.0, out=D)
        h = np.median(D) / np.log(n + 1)
        K = np.exp(-D / h)
        grad = -(x - m) @ P
        phi = (K @ grad + (2.0 / h) * (x * K.sum(1)[:, None] - K @ x)) / n
        return x + g * phi
    best = float('inf')
    for _ in range(reps):
        t = time.perf_counter(); step(x0); best = min(best, time.perf_counter() - t)
    out = {'seconds': best, 'x1': step(x0).ravel().tolist()}
elif kind == 'ula':
    n, d, g = inst['n'], inst['d'], inst['step']
    rng = np.random.default_rng(0)
    m = np.linspace(-1, 1, d); iv = 1.0 / np.linspace(0.5, 2, d)
    x = rng.standard_normal((n, d))
    c = np.sqrt(2 * g)
    best = float('inf')
    for _ in range(reps):
        t = time.perf_counter()
        x = x - g * ((x - m) * iv) + c * rng.standard_normal((n, d))
        best = min(best, time.perf_counter() - t)
    out = {'seconds': best}
elif kind == 'knn':
    from scipy.spatial import cKDTree
    from scipy.special import digamma, gammaln
    n, d, k = inst['n'], inst['d'], inst['k']
    x = np.array(inst['x'], dtype=np.float64).reshape(n, d)
    best = float('inf')
    for _ in range(reps):
        t = time.perf_counter()
        dist, _ = cKDTree(x).query(x, k=k + 1)
        H = digamma(n) - digamma(k) + (d / 2) * np.log(np.pi) - gammaln(d / 2 + 1) + d * np.mean(np.log(dist[:, k]))
        best = min(best, time.perf_counter() - t)
    out = {'seconds': best, 'value': float(H)}
print(json.dumps(out))
`;

function importable(mods: string): boolean {
  return spawnSync(PYTHON, ['-c', `import ${mods}`], { encoding: 'utf8' }).status === 0;
}

interface PyTiming { seconds: number; value?: number; x1?: number[] }

function runPython(dir: string, name: string, instance: Record<string, unknown>): PyTiming | string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(instance));
  const r = spawnSync(PYTHON, ['-c', NUMPY_SCRIPT, file], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 600_000, env: { ...process.env, ...ONE_THREAD } });
  if (r.status !== 0) return `python failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as PyTiming;
}

/** Best wall-clock seconds of `reps` runs of f (after one warm-up run). */
function best(reps: number, f: () => void): number {
  f();
  let b = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    f();
    b = Math.min(b, (performance.now() - t0) / 1000);
  }
  return b;
}

export async function runParticlesBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const hasNumpy = importable('numpy'), hasScipy = hasNumpy && importable('scipy.spatial, scipy.special');
  const dir = mkdtempSync(path.join(tmpdir(), 'wgf-particles-bench-'));
  const py = (name: string, inst: Record<string, unknown>, ok: boolean): PyTiming | string | null => (ok ? runPython(dir, name, inst) : null);
  try {
    // SVGD: median bandwidth + direction + update, Gaussian target in 2-D (full covariance).
    const mean = [0.5, -1], cov = [[1, 0.3], [0.3, 0.5]];
    const target = createTarget({ kind: 'gaussian', mean, cov });
    const det = cov[0][0] * cov[1][1] - cov[0][1] ** 2, prec = [cov[1][1] / det, -cov[0][1] / det, -cov[1][0] / det, cov[0][0] / det];
    for (const n of [1000, 5000]) {
      const d = 2, step = 0.05, reps = n > 2000 ? 3 : 7;
      const x0 = createRng(n).fillNormal(new Float64Array(n * d)).map((v) => 3 * v - 2);
      const x = new Float64Array(n * d), grad = new Float64Array(n * d), phi = new Float64Array(n * d);
      const iterate = (): void => {
        x.set(x0);
        const h = medianBandwidth(x, n, d);
        target.gradPotential(x, n, grad);
        for (let k = 0; k < n * d; k++) grad[k] = -grad[k];
        svgdDirection(x, n, d, grad, h, phi);
        for (let k = 0; k < n * d; k++) x[k] += step * phi[k];
      };
      const seconds = best(reps, iterate);
      const p = py(`svgd-${n}`, { kind: 'svgd', d, x: Array.from(x0), mean, prec, step, reps }, hasNumpy);
      rows.push(ratioRow({ name: `svgd iteration (median h + direction + update), n = ${n}, d = 2`, value: seconds, unit: 's', target: 'ratio <= 1 (NumPy)' }, p, 'NumPy', 1,
        p && typeof p !== 'string' && p.x1 ? `max |x1 - x1_numpy| / max |x1| = ${relMax(x, p.x1).toExponential(1)}` : undefined));
    }

    // ULA on particles: x <- x - g grad V(x) + sqrt(2 g) xi, Gaussian target with diagonal covariance.
    {
      const n = 100_000, d = 100, g = 0.01, reps = 3;
      const m = Array.from({ length: d }, (_, k) => -1 + (2 * k) / (d - 1));
      const v = Array.from({ length: d }, (_, k) => 0.5 + (1.5 * k) / (d - 1));
      const t = createTarget({ kind: 'gaussian', mean: m, cov: { diag: v } });
      const rng = createRng(1);
      const x = rng.fillNormal(new Float64Array(n * d)), grad = new Float64Array(n * d), xi = new Float64Array(n * d);
      const c = Math.sqrt(2 * g);
      const ulaStep = (fill: (r: typeof rng, out: Float64Array) => Float64Array) => (): void => {
        t.gradPotential(x, n, grad);
        fill(rng, xi);
        for (let k = 0; k < n * d; k++) x[k] += c * xi[k] - g * grad[k];
      };
      const seconds = best(reps, ulaStep(fillNormalZiggurat));
      const polar = best(reps, ulaStep((r, out) => r.fillNormal(out)));
      const p = py('ula', { kind: 'ula', n, d, step: g, reps }, hasNumpy);
      const row: BenchRow = {
        name: 'ula particle-steps per second, n = 100,000, d = 100, Gaussian target (diag cov)', value: n / seconds, unit: 'steps/s',
        note: `${(seconds * 1000).toFixed(0)} ms per step with fillNormalZiggurat noise (${(polar * 1000).toFixed(0)} ms with rng.fillNormal, the polar method); higher is better`,
      };
      if (p === null || typeof p === 'string') rows.push({ ...row, note: [row.note, p ?? 'NumPy not found; no baseline'].join('; ') });
      else rows.push({ ...row, baseline: { label: 'NumPy', value: n / p.seconds } });
    }

    // Kozachenko-Leonenko entropy, n = 10,000, k = 3, d = 5 (the row) and d = 10 (the largest d it names).
    for (const d of [5, 10]) {
      const n = 10_000, k = 3, reps = d > 5 ? 3 : 5;
      const x = createRng(5).fillNormal(new Float64Array(n * d));
      let h = 0;
      const seconds = best(reps, () => { h = knnEntropy(x, n, d, k); });
      const exact = (d / 2) * Math.log(2 * Math.PI * Math.E);
      const p = py(`knn-${d}`, { kind: 'knn', n, d, k, x: Array.from(x), reps }, hasScipy);
      rows.push(ratioRow({ name: `knnEntropy, n = 10,000, d = ${d}, k = 3`, value: seconds, unit: 's', target: '< 1 s' }, p, 'SciPy cKDTree', undefined,
        `H = ${h.toFixed(6)} (exact ${exact.toFixed(6)})` + (p && typeof p !== 'string' && p.value !== undefined ? `, SciPy ${p.value.toFixed(6)}` : ''), seconds < 1));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function relMax(a: Float64Array, b: number[]): number {
  let m = 0, s = 0;
  for (let k = 0; k < a.length; k++) { m = Math.max(m, Math.abs(a[k] - b[k])); s = Math.max(s, Math.abs(b[k])); }
  return m / s;
}

/** A time row with a baseline in seconds (ratio = ours / baseline; lower is better). */
function ratioRow(row: BenchRow, p: PyTiming | string | null, label: string, maxRatio: number | undefined, check: string | undefined, pass?: boolean): BenchRow {
  const note = [row.note, check].filter(Boolean).join('; ');
  if (p === null) return { ...row, ...(pass !== undefined ? { pass } : {}), note: [note, `${label} not importable by ${PYTHON}; no baseline`].filter(Boolean).join('; ') };
  if (typeof p === 'string') return { ...row, ...(pass !== undefined ? { pass } : {}), note: [note, p].filter(Boolean).join('; ') };
  const ratio = row.value / p.seconds;
  return { ...row, baseline: { label, value: p.seconds }, pass: pass ?? (maxRatio === undefined ? undefined : ratio <= maxRatio), note };
}
