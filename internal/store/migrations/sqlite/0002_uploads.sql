-- Import files streamed into the store by the CLI, in chunks, so that any worker can read them.
CREATE TABLE uploads (
	upload_id  TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	data       BLOB NOT NULL,
	PRIMARY KEY (upload_id, seq)
);
CREATE TABLE upload_files (
	upload_id  TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	size       INTEGER NOT NULL,
	chunks     INTEGER NOT NULL,
	sha256     TEXT NOT NULL,
	modified   TEXT NOT NULL,
	created_at TEXT NOT NULL
);
