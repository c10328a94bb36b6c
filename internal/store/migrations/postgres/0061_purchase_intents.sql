-- Purchases a pull is about to make, recorded before the provider is asked to buy and cleared
-- when the purchase is recorded (or the provider certainly refused it). A person with an open
-- intent is never bought again automatically: a crash between a buy and its record must not
-- pay twice.
CREATE TABLE IF NOT EXISTS purchase_intents (
	source    TEXT NOT NULL,
	person_id TEXT NOT NULL,
	run_id    TEXT NOT NULL,
	page      INTEGER NOT NULL,
	at        TEXT NOT NULL,
	PRIMARY KEY (source, person_id)
);
