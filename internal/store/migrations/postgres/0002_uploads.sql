-- Import files streamed into the store by the CLI, in chunks, so that any worker can read them.
CREATE TABLE uploads (
	upload_id  TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	data       BYTEA NOT NULL,
	PRIMARY KEY (upload_id, seq)
);
CREATE TABLE upload_files (
	upload_id  TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	size       BIGINT NOT NULL,
	chunks     INTEGER NOT NULL,
	sha256     TEXT NOT NULL,
	modified   TEXT NOT NULL,
	created_at TEXT NOT NULL
);
-- The HaloPSA request budget shared by every process of a deployment: one row per request
-- started inside the rolling window, and each tenant's pause after a 429.
CREATE TABLE halo_budget (
	key          TEXT PRIMARY KEY,
	paused_until TIMESTAMPTZ NOT NULL DEFAULT 'epoch'
);
CREATE TABLE halo_requests (
	key TEXT NOT NULL,
	at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX halo_requests_key_at ON halo_requests(key, at);
