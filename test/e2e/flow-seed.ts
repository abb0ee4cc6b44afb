// Particle runs for the Flow view's browser test and benchmark, written straight into a lab database (before the
// server opens it): finished runs of problem "kl" whose snapshots move n particles from an initial Gaussian to
// a sample of the target (a straight-line interpolation, so frames differ visibly), plus their metric rows.
import { openLabDatabase } from '../../db/lab-db';

export interface SeedOptions {
  readonly runs: number;
  readonly particles: number;
  /** Snapshots per run (k = 0, every, 2 every, ...). */
  readonly frames: number;
  readonly every?: number;
  readonly dim?: 1 | 2;
}

/** A small deterministic generator (mulberry32) and standard normals by Box-Muller. */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
}

const TARGET_2D = { kind: 'mixture', weights: [0.3, 0.7], means: [[-2, 0], [2, 1]], covs: [[[1, 0.3], [0.3, 0.5]], [[1, 0], [0, 1]]] };
const TARGET_1D = { kind: 'mixture', weights: [1 / 3, 2 / 3], means: [[-2], [2]], covs: [[[1]], [[1]]] };

/** Returns the ids of the seeded runs (all 'done'). */
export function seedParticleRuns(dbPath: string, o: SeedOptions): number[] {
  const dim = o.dim ?? 2;
  const every = o.every ?? 5;
  const iterations = (o.frames - 1) * every;
  const target = dim === 2 ? TARGET_2D : TARGET_1D;
  const db = openLabDatabase(dbPath);
  try {
    const ids: number[] = [];
    for (let r = 0; r < o.runs; r++) {
      const step = Number((0.02 * (r + 1)).toFixed(2));
      const spec = {
        name: `flow seed ${dim}-D`,
        problem: { kind: 'kl', target, init: { kind: 'gaussian', mean: dim === 2 ? [0, -4] : [-10], cov: dim === 2 ? [[0.3, 0], [0, 0.3]] : [[1]], particles: o.particles } },
        scheme: { kind: 'svgd', step, bandwidth: 'median' },
        iterations, metrics_every: 1, snapshots: { every }, divergence_factor: 1e12, seed: r,
      };
      const [id] = db.insertRuns([{
        setupId: null, name: spec.name, label: `svgd, scheme.step=${step}, seed ${r}`, problemKind: 'kl', scheme: 'svgd', step, seed: r,
        sweepJson: JSON.stringify({ 'scheme.step': step }), specJson: JSON.stringify(spec),
        paramsJson: JSON.stringify({ 'scheme.kind': 'svgd', 'scheme.step': step, 'scheme.bandwidth': 'median', 'problem.kind': 'kl', iterations, seed: r }),
        iterations, appVersion: 'seed',
      }]);
      db.markRunning(id, null);
      db.setRunMeta(id, JSON.stringify([{ name: 'energy', label: 'energy E[V]', log: false, cadence: 'step' }, { name: 'kl', label: 'KL(μ | π) (estimate)', log: true, cadence: 'sparse' }]), JSON.stringify([{ metric: 'energy', value: 1.5, label: 'E[V] under π' }]), JSON.stringify(['energy', 'kl']));
      // Start and end of each particle: N(init) and a draw from the target mixture.
      const g = normals(1000 + r);
      const n = o.particles;
      const start = new Float64Array(n * dim);
      const end = new Float64Array(n * dim);
      for (let p = 0; p < n; p++) {
        const c = g() > -0.52 ? 1 : 0; // P(N(0,1) > -0.52) ~ 0.7
        const z0 = g();
        const z1 = g();
        if (dim === 2) {
          start[2 * p] = 0 + Math.sqrt(0.3) * z0;
          start[2 * p + 1] = -4 + Math.sqrt(0.3) * z1;
          const m = TARGET_2D.means[c];
          const L = c === 0 ? [1, 0, 0.3, Math.sqrt(0.5 - 0.09)] : [1, 0, 0, 1];
          end[2 * p] = m[0] + L[0] * z0;
          end[2 * p + 1] = m[1] + L[2] * z0 + L[3] * z1;
        } else {
          start[p] = -10 + z0;
          end[p] = (c ? 2 : -2) + z1;
        }
      }
      const speed = 1 + r * 0.4;
      const rows = { names: ['energy', 'kl'], iterations: [] as number[], wallMs: [] as number[], values: [] as number[] };
      for (let f = 0; f < o.frames; f++) {
        const k = f * every;
        const s = Math.min(1, (speed * f) / (o.frames - 1));
        const x = new Float32Array(n * dim);
        for (let q = 0; q < x.length; q++) x[q] = (1 - s) * start[q] + s * end[q];
        db.insertSnapshot(id, k, 'particles', JSON.stringify({ dim, n }), x);
        rows.iterations.push(k);
        rows.wallMs.push(k);
        rows.values.push(1.5 + 10 * (1 - s) ** 2, 5 * (1 - s) ** 2 + 0.01);
      }
      db.insertMetrics(id, rows);
      db.finishRun(id, 'done');
      ids.push(id);
    }
    return ids;
  } finally {
    db.close();
  }
}
