-- Idempotency keys are written in the transaction of the work they guard (db/idempotency.ts): no
-- lease any more. resource_id: what the work made, for a replay whose stored answer was lost.
ALTER TABLE idempotency_keys DROP COLUMN locked_until;
ALTER TABLE idempotency_keys ADD COLUMN resource_id text;
