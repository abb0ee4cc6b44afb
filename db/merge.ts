// Merging lab databases (e.g. the parts of a sharded Slurm sweep) into one: setups, runs, metrics and snapshots
// are copied with new ids; each copied run records its origin ("<source lab_id>:<source run id>", or the origin
// it already had), so merging the same part again adds nothing. A source with a newer schema is refused.
import Database from 'better-sqlite3';
import type { LabDatabase } from './lab-db';
import { DatabaseTooNewError, SCHEMA_VERSION, userVersion } from './migrate';

export interface MergeReport {
  readonly file: string;
  readonly runsCopied: number;
  readonly runsSkipped: number;
  readonly setupsCopied: number;
  readonly metricRows: number;
  readonly snapshots: number;
}

const RUN_COLUMNS = ['name', 'label', 'problem_kind', 'scheme', 'step', 'seed', 'sweep_json', 'spec_json', 'status', 'iterations',
  'last_iteration', 'metric_names_json', 'final_json', 'error', 'app_version', 'created_at', 'started_at', 'finished_at', 'owner',
  'params_json', 'metric_defs_json', 'references_json'] as const;

/** Copies every run of `sourceFile` not merged before into `target`, in one transaction. */
export function mergeDatabase(target: LabDatabase, sourceFile: string): MergeReport {
  const probe = new Database(sourceFile, { readonly: true, fileMustExist: true });
  let sourceVersion: number;
  try {
    sourceVersion = userVersion(probe);
  } finally {
    probe.close();
  }
  if (sourceVersion > SCHEMA_VERSION) throw new DatabaseTooNewError(sourceFile, sourceVersion, SCHEMA_VERSION);
  if (sourceVersion < SCHEMA_VERSION) throw new Error(`database ${sourceFile} has schema version ${sourceVersion}; open it once with this version of WGF Lab (e.g. "wgflab export --db ${sourceFile} --format json > /dev/null") to upgrade it, then merge`);
  const db = target.db;
  db.prepare('ATTACH DATABASE ? AS src').run(sourceFile);
  try {
    return db.transaction((): MergeReport => {
      const labId = (db.prepare(`SELECT value FROM src.lab_meta WHERE key = 'lab_id'`).pluck().get() as string | undefined) ?? sourceFile;
      const runs = db.prepare(`SELECT * FROM src.runs ORDER BY id`).all() as Record<string, unknown>[];
      const exists = db.prepare('SELECT 1 FROM main.runs WHERE origin = ?').pluck();
      const findSetup = db.prepare('SELECT id FROM main.setups WHERE name = ? AND json = ? ORDER BY id LIMIT 1').pluck();
      const srcSetup = db.prepare('SELECT name, json, created_at, updated_at FROM src.setups WHERE id = ?');
      const insertSetup = db.prepare('INSERT INTO main.setups (name, json, created_at, updated_at) VALUES (?, ?, ?, ?)');
      const insertRun = db.prepare(`INSERT INTO main.runs (setup_id, origin, ${RUN_COLUMNS.join(', ')}) VALUES (?, ?, ${RUN_COLUMNS.map(() => '?').join(', ')})`);
      const copyMetrics = db.prepare('INSERT INTO main.metrics (run_id, metric, iteration, value, wall_ms) SELECT ?, metric, iteration, value, wall_ms FROM src.metrics WHERE run_id = ?');
      const copySnapshots = db.prepare('INSERT INTO main.snapshots (run_id, iteration, kind, meta_json, data) SELECT ?, iteration, kind, meta_json, data FROM src.snapshots WHERE run_id = ?');
      const setupMap = new Map<number, number>();
      let runsCopied = 0, runsSkipped = 0, setupsCopied = 0, metricRows = 0, snapshots = 0;
      for (const r of runs) {
        const origin = (r.origin as string | null) ?? `${labId}:${r.id as number}`;
        if (exists.get(origin)) {
          runsSkipped++;
          continue;
        }
        let setupId: number | null = null;
        const srcSetupId = r.setup_id as number | null;
        if (srcSetupId !== null) {
          if (!setupMap.has(srcSetupId)) {
            const s = srcSetup.get(srcSetupId) as { name: string; json: string; created_at: string; updated_at: string } | undefined;
            if (s) {
              let id = findSetup.get(s.name, s.json) as number | undefined;
              if (id === undefined) {
                id = Number(insertSetup.run(s.name, s.json, s.created_at, s.updated_at).lastInsertRowid);
                setupsCopied++;
              }
              setupMap.set(srcSetupId, id);
            }
          }
          setupId = setupMap.get(srcSetupId) ?? null;
        }
        // A run still 'running' in a part belongs to no live process here.
        const values = RUN_COLUMNS.map((c) => (c === 'status' && r.status === 'running' ? 'interrupted' : r[c]));
        const id = Number(insertRun.run(setupId, origin, ...values).lastInsertRowid);
        metricRows += copyMetrics.run(id, r.id).changes;
        snapshots += copySnapshots.run(id, r.id).changes;
        runsCopied++;
      }
      return { file: sourceFile, runsCopied, runsSkipped, setupsCopied, metricRows, snapshots };
    }).immediate();
  } finally {
    db.prepare('DETACH DATABASE src').run();
  }
}
