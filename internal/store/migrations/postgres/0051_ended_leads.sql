-- The state of each lead whose workflow ended after its quiet period (Won, Lost, Disqualified,
-- Do Not Contact): a later import, webhook or command starts the workflow again from it.
CREATE TABLE IF NOT EXISTS ended_leads (
	lead_id  TEXT PRIMARY KEY,
	state    TEXT NOT NULL,
	ended_at TEXT NOT NULL
);
