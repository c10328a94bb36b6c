-- The shared HaloPSA budget lives in PostgreSQL only (an SQLite store is one process's, which
-- keeps halopsa's in-process Limiter): nothing to change here.
SELECT 1;
