-- Version 11 adds a function (wm_reserve_snapshot) and no table: nothing to insert.
SELECT 1;
