-- Broadcasts (issue 10): a staff member's announcement to an audience of owners, fanned out into
-- the outbox in batches. Migrations only grow: never edit this file once it has landed.

-- +goose Up

-- audience: what decides who receives it ({"kind": "all|kabupaten|path|status|ovop", "value": …,
-- "kabupaten": [codes the sender may reach; empty = the whole province]}).
-- texts: the text exactly as owners see it, per language ({"id": …, "en": …}).
-- staff_chat: where the sender's report goes.
-- fanned_to: the last owner id queued; the fan-out goes on after it, so a restart neither loses
-- nor repeats a recipient (each message also has the dedupe key bc:<broadcast>:<owner>).
-- queued: recipients handed to the outbox so far (unreachable ones included).
ALTER TABLE broadcasts
    ADD COLUMN audience    jsonb       NOT NULL DEFAULT '{}',
    ADD COLUMN texts       jsonb       NOT NULL DEFAULT '{}',
    ADD COLUMN staff_chat  bigint      NOT NULL DEFAULT 0,
    ADD COLUMN fanned_to   bigint      NOT NULL DEFAULT 0,
    ADD COLUMN queued      integer     NOT NULL DEFAULT 0,
    ADD COLUMN finished_at timestamptz;
CREATE INDEX broadcasts_open_idx ON broadcasts (id) WHERE status IN ('queued', 'sending');
-- The outbox's rows of one broadcast, for its report and its cancel.
CREATE INDEX outbox_broadcast_idx ON outbox (broadcast_id) WHERE broadcast_id IS NOT NULL;

-- +goose Down
DROP INDEX outbox_broadcast_idx;
DROP INDEX broadcasts_open_idx;
ALTER TABLE broadcasts DROP COLUMN audience, DROP COLUMN texts, DROP COLUMN staff_chat, DROP COLUMN fanned_to,
    DROP COLUMN queued, DROP COLUMN finished_at;
