-- The import run an upload belongs to, so that finishing the run drops its files.
ALTER TABLE upload_files ADD COLUMN run_id TEXT NOT NULL DEFAULT '';
CREATE INDEX upload_files_run ON upload_files(run_id);
