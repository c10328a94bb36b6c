-- Suppression keys are stored as keyed hashes (HMAC-SHA256 under the suppression key, see
-- internal/suppress) instead of plaintext e-mail addresses and phone numbers. kind keeps what
-- sort of key a row is (email, phone, linkedin, name, domain). A row whose kind is empty still
-- holds a plaintext key from before: the store hashes those when it is opened (in Go: the
-- secret never reaches SQL). store_secrets holds the store's own suppression key when none is
-- configured, and the fingerprint of the key the list is hashed with.
ALTER TABLE suppression ADD COLUMN kind TEXT NOT NULL DEFAULT '';
CREATE TABLE store_secrets (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
