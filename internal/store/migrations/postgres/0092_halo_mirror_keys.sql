-- The match keys of the mirror's records (a user's e-mail and name identity keys, a client's
-- domain and company-name keys, a lead ticket's user and type), so that an import asks the
-- store for the records matching its leads instead of loading the whole mirror. keyed is the
-- version of the key rules a record's keys were made with (0: none yet); a record keyed by
-- other rules is keyed again before the next match (halostate.KeysVersion).
CREATE TABLE IF NOT EXISTS halo_mirror_keys (
	kind      TEXT NOT NULL,
	match_key TEXT NOT NULL,
	id        INTEGER NOT NULL,
	PRIMARY KEY (kind, match_key, id)
);
CREATE INDEX IF NOT EXISTS halo_mirror_keys_by_id ON halo_mirror_keys (kind, id);
ALTER TABLE halo_mirror ADD COLUMN keyed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS halo_mirror_by_keyed ON halo_mirror (kind, keyed);
