-- The schema haloleads shipped with before versioned migrations. IF NOT EXISTS keeps it safe on
-- a database that first session's code created.
CREATE TABLE IF NOT EXISTS identities (
	key     TEXT PRIMARY KEY,
	lead_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS identities_lead ON identities(lead_id);
CREATE TABLE IF NOT EXISTS staged (
	run_id  TEXT NOT NULL,
	batch   INTEGER NOT NULL,
	lead_id TEXT NOT NULL,
	payload TEXT NOT NULL,
	PRIMARY KEY (run_id, lead_id)
);
CREATE INDEX IF NOT EXISTS staged_batch ON staged(run_id, batch);
CREATE TABLE IF NOT EXISTS runs (
	run_id     TEXT PRIMARY KEY,
	created_at TEXT NOT NULL,
	summary    TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS suppression (
	key        TEXT PRIMARY KEY,
	lead_id    TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL,
	source     TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS review (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	left_id    TEXT NOT NULL,
	right_id   TEXT NOT NULL,
	score      REAL NOT NULL,
	detail     TEXT NOT NULL,
	decision   TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	UNIQUE(left_id, right_id)
);
CREATE TABLE IF NOT EXISTS links (
	lead_id     TEXT PRIMARY KEY,
	survivor_id TEXT NOT NULL,
	review_id   INTEGER NOT NULL,
	created_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS links_survivor ON links(survivor_id);
CREATE TABLE IF NOT EXISTS companies (
	key       TEXT PRIMARY KEY,
	client_id INTEGER NOT NULL DEFAULT 0,
	site_id   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tickets (
	ticket_id INTEGER PRIMARY KEY,
	lead_id   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS purchases (
	source     TEXT NOT NULL,
	person_id  TEXT NOT NULL,
	bought_at  TEXT NOT NULL,
	PRIMARY KEY (source, person_id)
);
