-- A request counts against the shared HaloPSA budget until one window after its answer:
-- HaloPSA counts it from its arrival, which lies somewhere between its start and its answer,
-- however long it spent in a transaction commit, a busy scheduler or the network on its way.
-- "until" is when a row stops counting: the start plus two windows while the request is in
-- flight (a killed process's requests are never answered), its answer plus one window once it
-- is answered. Rows of older processes (no "until") count for one window and 1 % from "at".
ALTER TABLE halo_requests ADD COLUMN id BIGSERIAL PRIMARY KEY;
ALTER TABLE halo_requests ADD COLUMN until TIMESTAMPTZ;
