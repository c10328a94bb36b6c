-- Which import batch took on starting each lead's workflow (issue #14). A batch claims its
-- leads before it writes: the first claim of a lead wins for good, so two imports (or two
-- batches) never both plan a new person from nothing. Start is set when the owner lands the
-- lead itself and starts its workflow with the landed state; a batch that finds another's
-- such claim starts the workflow (if it must) waiting for that batch's landing.
CREATE TABLE IF NOT EXISTS lead_claims (
	lead_id    TEXT PRIMARY KEY,
	run_id     TEXT NOT NULL,
	batch      INTEGER NOT NULL,
	start      INTEGER NOT NULL,
	claimed_at TEXT NOT NULL
);
