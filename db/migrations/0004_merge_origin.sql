-- 0004_merge_origin: a stable identity per database file, and where a merged run came from, so that
-- `wgflab merge` is idempotent (merging the same part twice adds nothing) and a merged run keeps its origin.
CREATE TABLE lab_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
INSERT INTO lab_meta (key, value) VALUES ('lab_id', lower(hex(randomblob(16))));

-- "<lab_id of the source database>:<run id there>" for a merged run (NULL for runs made here).
ALTER TABLE runs ADD COLUMN origin TEXT;
CREATE UNIQUE INDEX runs_by_origin ON runs (origin) WHERE origin IS NOT NULL;
