-- A broadcast's report, frozen once it is over and nothing of it waits in the outbox, before the
-- outbox history it is counted from (outbox_failed, pruned after RETAIN_OUTBOX) goes: without it
-- an old broadcast's unreachable, failed and cancelled messages would count as delivered.
-- Migrations only grow: never edit this file once it has landed.

-- +goose Up
ALTER TABLE broadcasts ADD COLUMN report jsonb;

-- +goose Down
ALTER TABLE broadcasts DROP COLUMN report;
