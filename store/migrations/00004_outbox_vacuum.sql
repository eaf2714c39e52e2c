-- The outbox's tables churn: every message sent deletes a row of outbox and changes or deletes a
-- row of outbox_queues, and a claim reads the queues' due index from its front, where the dead
-- entries of what was just sent pile up. With the default (vacuum after 20% of the table is
-- dead), a broadcast of 100,000 leaves 20,000 dead entries in front of every claim. Vacuum these
-- two tables after a fixed number of dead rows instead, and without the cost-based pauses.

-- +goose Up
ALTER TABLE outbox_queues SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000,
    autovacuum_vacuum_cost_delay = 0, autovacuum_analyze_scale_factor = 0.05);
ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
    autovacuum_vacuum_cost_delay = 0, autovacuum_vacuum_insert_scale_factor = 0.05);

-- +goose Down
ALTER TABLE outbox_queues RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold,
    autovacuum_vacuum_cost_delay, autovacuum_analyze_scale_factor);
ALTER TABLE outbox RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold,
    autovacuum_vacuum_cost_delay, autovacuum_vacuum_insert_scale_factor);
