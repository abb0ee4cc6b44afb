// Stored snapshot rows -> the API's SnapshotData (original coordinates, plain arrays).
import type { SnapshotData } from '../src/api';
import type { SnapshotRow } from '../db/lab-db';

export function snapshotData(row: SnapshotRow): SnapshotData {
  const meta = JSON.parse(row.meta_json) as Record<string, unknown>;
  const bulk = row.data ? Array.from(new Float32Array(row.data.buffer.slice(row.data.byteOffset, row.data.byteOffset + row.data.byteLength))) : [];
  const base = { runId: row.run_id, iteration: row.iteration };
  switch (row.kind) {
    case 'particles':
      return { ...base, kind: 'particles', dim: meta.dim as number, n: meta.n as number, positions: bulk, ...(meta.weights ? { weights: meta.weights as number[] } : {}) };
    case 'gaussian':
      return { ...base, kind: 'gaussian', dim: meta.dim as number, mean: meta.mean as number[], ...(meta.cov ? { cov: meta.cov as number[][] } : { diag: meta.diag as number[] }) };
    default:
      return { ...base, kind: 'grid', shape: meta.shape as number[], masses: bulk, ...(meta.channels ? { channels: meta.channels as number } : {}), ...(meta.lo ? { lo: meta.lo as number[], hi: meta.hi as number[] } : {}) };
  }
}
