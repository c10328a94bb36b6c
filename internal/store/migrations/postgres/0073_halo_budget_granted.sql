-- How many requests the shared HaloPSA budget has let through, from every process: compared with
-- what HaloPSA saw, it shows that no request went around the budget.
ALTER TABLE halo_budget ADD COLUMN granted BIGINT NOT NULL DEFAULT 0;
