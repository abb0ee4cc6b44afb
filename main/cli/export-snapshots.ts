// `wgflab export --format json --snapshots`: a run's snapshots as JSON (particle positions as point lists,
// Gaussian mean and covariance, grid masses), read from the database one snapshot at a time.
import type { LabDatabase } from '../../db/lab-db';
import { snapshotData } from '../snapshot-records';

/** The `"snapshots": [...]` member of one exported run (JSON text). */
export function snapshotsJson(db: LabDatabase, runId: number): string {
  const parts: string[] = [];
  for (const { iteration } of db.snapshotIndex(runId)) {
    const row = db.getSnapshot(runId, iteration);
    if (!row) continue;
    const s = snapshotData(row);
    if (s.kind === 'particles') {
      const points: number[][] = [];
      for (let i = 0; i < s.n; i++) points.push(s.positions.slice(i * s.dim, (i + 1) * s.dim));
      parts.push(JSON.stringify({ iteration, positions: points, ...(s.weights ? { weights: s.weights } : {}) }));
    } else if (s.kind === 'gaussian') {
      const cov = s.cov ?? s.diag!.map((v, i) => s.diag!.map((_, j) => (i === j ? v : 0)));
      parts.push(JSON.stringify({ iteration, mean: s.mean, cov }));
    } else {
      parts.push(JSON.stringify({ iteration, shape: s.shape, masses: s.masses }));
    }
  }
  return `"snapshots":[${parts.join(',')}]`;
}
