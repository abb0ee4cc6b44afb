// Snapshot ingest: SQLite rows of float32 particle positions (one transaction each, as the service stores them)
// against writing the same bytes to one file, measured in the same run, best of 3.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openLabDatabase } from '../../db/lab-db';
import type { BenchRow } from './table';

function once(dir: string, tag: string, snapshots: number, n: number): { sqlite: number; file: number } {
  const data = new Float32Array(n * 2).map((_, i) => Math.sin(i));
  const db = openLabDatabase(path.join(dir, `snap-${tag}.sqlite`));
  try {
    const [runId] = db.insertRuns([{ setupId: null, name: 'bench', label: 'b', problemKind: 'kl', scheme: 'svgd', step: 0.1, seed: 0, sweepJson: '{}', specJson: '{}', iterations: snapshots, appVersion: 'bench' }]);
    const meta = JSON.stringify({ dim: 2, n });
    const t0 = performance.now();
    for (let k = 0; k < snapshots; k++) db.insertSnapshot(runId, k, 'particles', meta, data);
    const sqlite = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    for (let k = 0; k < snapshots; k++) writeFileSync(path.join(dir, `raw-${tag}.bin`), Buffer.from(data.buffer), { flag: k ? 'a' : 'w' });
    const file = (performance.now() - t1) / 1000;
    return { sqlite, file };
  } finally {
    db.close();
  }
}

export async function runSnapshotBench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wgflab-bench-snap-'));
  try {
    const rows: BenchRow[] = [];
    for (const n of [2000, 20000]) {
      const snapshots = n === 2000 ? 1000 : 200;
      let best = { sqlite: Infinity, file: Infinity };
      for (let r = 0; r < 3; r++) {
        const t = once(dir, `${n}-${r}`, snapshots, n);
        best = { sqlite: Math.min(best.sqlite, t.sqlite), file: Math.min(best.file, t.file) };
      }
      const mb = (snapshots * n * 2 * 4) / 2 ** 20;
      rows.push({
        name: `snapshot ingest, ${snapshots} x ${n} particles in 2-D`, value: snapshots / best.sqlite, unit: 'snapshots/s',
        baseline: { label: 'appending the bytes to a file', value: snapshots / best.file },
        note: `${(mb / best.sqlite).toFixed(0)} MB/s into SQLite`,
      });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
