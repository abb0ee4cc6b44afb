-- 0005_run_notes: a researcher's notes and tags on a run (editable, searchable).
ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT '';
-- JSON array of short strings, e.g. ["baseline", "fig-2"].
ALTER TABLE runs ADD COLUMN tags_json TEXT NOT NULL DEFAULT '[]';
