-- 0003_params_snapshots: every parameter of a run (not one `step` column), the metric definitions and reference
-- lines a run records, and snapshots of the measure for the Flow view.
-- params_json: flat object of field path -> value (the scheme's parameters, the sweep values, the seed).
ALTER TABLE runs ADD COLUMN params_json TEXT NOT NULL DEFAULT '{}';
-- metric_defs_json: [{name, label, log, cadence}] in column order, known once the worker started the run.
ALTER TABLE runs ADD COLUMN metric_defs_json TEXT;
-- references_json: [{metric, value, label}] lines the problem knows (a known minimum).
ALTER TABLE runs ADD COLUMN references_json TEXT;

-- Runs stored before 0003 had one `step` parameter and their sweep values.
UPDATE runs SET params_json = json_patch(
  json_object('scheme.kind', scheme, 'seed', seed, 'iterations', iterations),
  CASE WHEN step IS NULL THEN '{}' ELSE json_object('scheme.step', step) END)
  WHERE params_json = '{}';
UPDATE runs SET params_json = json_patch(params_json, sweep_json) WHERE sweep_json <> '{}';

-- One row per (run, iteration): small JSON metadata (dimension, count, Gaussian moments) and the bulk as a
-- float32 blob (particle positions, grid masses). A rowid table: blobs are large, unlike metric rows.
CREATE TABLE snapshots (
  id        INTEGER PRIMARY KEY,
  run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  iteration INTEGER NOT NULL,
  kind      TEXT NOT NULL,
  meta_json TEXT NOT NULL,
  data      BLOB,
  UNIQUE (run_id, iteration)
) STRICT;
