-- 0006_process_leases: run ownership by lease instead of by pid. Every process that runs work registers a row
-- in `processes` with a random id and renews heartbeat_at every heartbeat_ms; a process whose heartbeat is
-- older than its own lease_ms is dead whatever its pid says (zombies, reused pids, other pid namespaces), and
-- its running runs become 'interrupted'. A run belongs to a process id (runs.owner_process), not to a pid.
CREATE TABLE processes (
  id           TEXT PRIMARY KEY,
  -- 'app', 'serve', 'cli' or 'test': shown next to the runs it runs.
  kind         TEXT NOT NULL,
  host         TEXT NOT NULL,
  -- The pid namespace (Linux /proc/self/ns/pid, else ''): a pid is only comparable inside one namespace.
  pid_ns       TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  started_at   TEXT NOT NULL,
  -- Unix time in ms of the last heartbeat, and the period and timeout this process promised.
  heartbeat_at INTEGER NOT NULL,
  heartbeat_ms INTEGER NOT NULL CHECK (heartbeat_ms > 0),
  lease_ms     INTEGER NOT NULL CHECK (lease_ms > heartbeat_ms)
) STRICT;

-- The process (processes.id) running the run; NULL when none or for rows written before 0006 (then `owner`
-- "host:pid" is all there is). `owner` stays the display label of the process.
ALTER TABLE runs ADD COLUMN owner_process TEXT;
-- The process whose queue the run is in: `wgflab run X` claims only the runs it queued; the app and serve also
-- claim runs whose process is gone (orphaned: queued_by names no row of `processes`).
ALTER TABLE runs ADD COLUMN queued_by TEXT;
-- How many times the run was claimed (started); a resumed run counts 2.
ALTER TABLE runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;

CREATE INDEX runs_by_owner_process ON runs (owner_process) WHERE owner_process IS NOT NULL;
