// The parts a LabService starts on an open database: its lease (Ownership), the watcher of other processes'
// changes (DbWatcher), the series reader thread (SeriesReader), and the pool of run tasks (RunFlights), wired
// to the service's events and scheduler.
import type { LabEvent } from '../src/api';
import type { LabDatabase } from '../db/lab-db';
import { DbWatcher } from './db-watcher';
import { Ownership, type Reaped } from './ownership';
import { RunFlights } from './run-flights';
import { parseJson } from './run-records';
import { SeriesReader } from './series-reader';
import type { LabServiceOptions } from './service-options';

export interface ServiceHooks {
  readonly onReaped: (r: Reaped) => void;
  readonly onLost: (silentMs: number) => void;
  readonly isOwn: (runId: number) => boolean;
  readonly emit: (e: LabEvent) => void;
  readonly emitRun: (runId: number) => void;
  readonly hasListeners: () => boolean;
  readonly schedule: () => void;
}

export interface ServiceParts {
  readonly own: Ownership;
  readonly watcher: DbWatcher;
  readonly series: SeriesReader;
  readonly flights: RunFlights;
}

export function startServiceParts(db: LabDatabase, opts: LabServiceOptions, workers: number, hooks: ServiceHooks): ServiceParts {
  // Register this process's lease. Runs of processes whose lease ran out stopped mid-way (their metrics are
  // partial) and become 'interrupted'; runs of other live processes are left to them.
  const own = new Ownership(db, {
    kind: opts.kind ?? 'test',
    policy: opts.claim ?? 'own+orphaned',
    ...opts.lease,
    onReaped: hooks.onReaped,
    onLost: hooks.onLost,
  });
  own.start();
  let watcher: DbWatcher | undefined;
  try {
    watcher = new DbWatcher(db, {
      pollMs: opts.watchMs,
      isOwn: hooks.isOwn,
      emitRun: hooks.emitRun,
      emit: hooks.emit,
      onChange: hooks.schedule,
      metricNames: (id) => parseJson<string[]>(db.getRun(id)?.metric_names_json ?? null, []),
    });
    watcher.start();
    const series = new SeriesReader({ dbPath: opts.dbPath, nativeBinding: opts.nativeBinding, workerFile: SeriesReader.workerFileBeside(opts.workerFile), inlineRows: opts.seriesInlineRows });
    const flights = new RunFlights({
      workerFile: opts.workerFile,
      workers,
      batchRows: opts.batchRows,
      batchMs: opts.batchMs,
      progressMs: opts.progressMs,
      maxUnackedBatches: opts.maxUnackedBatches,
      // Stored only while this process owns the run (checked in the same transaction).
      store: (runId, m) => own.whileOwned(runId, () => {
        if (m.type === 'meta') db.setRunMeta(runId, JSON.stringify(m.metrics), JSON.stringify(m.references), JSON.stringify(m.metrics.map((d) => d.name)));
        else if (m.type === 'snapshot') db.insertSnapshot(runId, m.iteration, m.kind, m.meta, m.data);
        else db.insertMetrics(runId, m);
      }),
      finish: (runId, status, error) => {
        if (!db.open) return;
        own.finish(runId, status, error);
        hooks.emitRun(runId);
      },
      emit: hooks.emit,
      emitRun: hooks.emitRun,
      hasListeners: hooks.hasListeners,
      onFreed: hooks.schedule,
    });
    return { own, watcher, series, flights };
  } catch (e) {
    watcher?.stop();
    own.close();
    throw e;
  }
}
