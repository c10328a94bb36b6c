-- The shared HaloPSA budget lives in PostgreSQL only: nothing to change here.
SELECT 1;
