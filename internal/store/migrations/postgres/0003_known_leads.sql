-- Each lead's merged record: everything imports have learnt about the person, which the next
-- import merges its records with.
CREATE TABLE IF NOT EXISTS known_leads (
	lead_id TEXT PRIMARY KEY,
	record  TEXT NOT NULL
);
