-- The store's tables, as SQLite's 0001 and with PostgreSQL's types. identities.seq records the
-- order keys were first saved in (SQLite's rowid).
CREATE TABLE identities (
	seq     BIGSERIAL NOT NULL,
	key     TEXT PRIMARY KEY,
	lead_id TEXT NOT NULL
);
CREATE INDEX identities_lead ON identities(lead_id);
CREATE TABLE staged (
	run_id  TEXT NOT NULL,
	batch   INTEGER NOT NULL,
	lead_id TEXT NOT NULL,
	payload TEXT NOT NULL,
	PRIMARY KEY (run_id, lead_id)
);
CREATE INDEX staged_batch ON staged(run_id, batch);
CREATE TABLE runs (
	run_id     TEXT PRIMARY KEY,
	created_at TEXT NOT NULL,
	summary    TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE suppression (
	key        TEXT PRIMARY KEY,
	lead_id    TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL,
	source     TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE TABLE review (
	id         BIGSERIAL PRIMARY KEY,
	left_id    TEXT NOT NULL,
	right_id   TEXT NOT NULL,
	score      DOUBLE PRECISION NOT NULL,
	detail     TEXT NOT NULL,
	decision   TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	UNIQUE(left_id, right_id)
);
CREATE TABLE links (
	lead_id     TEXT PRIMARY KEY,
	survivor_id TEXT NOT NULL,
	review_id   BIGINT NOT NULL,
	created_at  TEXT NOT NULL
);
CREATE INDEX links_survivor ON links(survivor_id);
CREATE TABLE companies (
	key       TEXT PRIMARY KEY,
	client_id BIGINT NOT NULL DEFAULT 0,
	site_id   BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE tickets (
	ticket_id BIGINT PRIMARY KEY,
	lead_id   TEXT NOT NULL
);
CREATE TABLE purchases (
	source     TEXT NOT NULL,
	person_id  TEXT NOT NULL,
	bought_at  TEXT NOT NULL,
	PRIMARY KEY (source, person_id)
);
