-- 0002_run_owner: which process runs a run ("host:pid"), so that a process starting on the same database only
-- marks as interrupted the runs whose process is gone, not those another live process (the app, a CLI) is running.
ALTER TABLE runs ADD COLUMN owner TEXT;
