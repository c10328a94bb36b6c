-- haloleads' mirror of the HaloPSA records an import matches against (users, clients and lead
-- tickets, as HaloPSA lists them), kept up to date by incremental reads (lastupdatefromdate), and
-- the watermarks of those reads: the newest last-update time seen per kind of record and reader
-- (the import's mirror, the reconciliation).
CREATE TABLE IF NOT EXISTS halo_mirror (
	kind   TEXT    NOT NULL,
	id     INTEGER NOT NULL,
	record TEXT    NOT NULL,
	PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS halo_watermarks (
	name TEXT PRIMARY KEY,
	at   TEXT NOT NULL
);
