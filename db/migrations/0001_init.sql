-- 0001_init: setups, runs (the queue lives here, status 'queued'), and metric series.
-- Every table is STRICT; timestamps are ISO-8601 UTC text; JSON columns hold JSON text.

CREATE TABLE setups (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  -- The setup exactly as saved (validated; defaults not filled in).
  json       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE runs (
  id                INTEGER PRIMARY KEY,
  setup_id          INTEGER REFERENCES setups(id) ON DELETE SET NULL,
  name              TEXT NOT NULL,
  label             TEXT NOT NULL,
  problem_kind      TEXT NOT NULL,
  scheme            TEXT NOT NULL,
  step              REAL,
  seed              INTEGER NOT NULL,
  -- Sweep values of this run by field path, e.g. {"scheme.step": 0.05}.
  sweep_json        TEXT NOT NULL DEFAULT '{}',
  -- The resolved single-run spec (RunSpec) sent to the worker.
  spec_json         TEXT NOT NULL,
  status            TEXT NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'diverged', 'interrupted')),
  iterations        INTEGER NOT NULL CHECK (iterations > 0),
  -- Last iteration whose metrics are stored (-1 when none).
  last_iteration    INTEGER NOT NULL DEFAULT -1,
  -- Names of the metric series (JSON array), known once the first batch arrived.
  metric_names_json TEXT,
  -- Value of each metric at last_iteration (JSON object), kept with the metrics in one transaction.
  final_json        TEXT NOT NULL DEFAULT '{}',
  error             TEXT,
  app_version       TEXT NOT NULL,
  created_at        TEXT NOT NULL,
  started_at        TEXT,
  finished_at       TEXT
) STRICT;

CREATE INDEX runs_by_setup ON runs (setup_id);
-- The scheduler reads the queue in id order: WHERE status = 'queued' ORDER BY id.
CREATE INDEX runs_by_status ON runs (status, id);

-- One row per (run, metric, iteration). The primary key is the clustered order (WITHOUT ROWID), so a
-- run's series is one contiguous range read in iteration order, and a duplicate row is an error.
CREATE TABLE metrics (
  run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  metric    TEXT NOT NULL,
  iteration INTEGER NOT NULL,
  value     REAL NOT NULL,
  wall_ms   REAL NOT NULL,
  PRIMARY KEY (run_id, metric, iteration)
) STRICT, WITHOUT ROWID;
