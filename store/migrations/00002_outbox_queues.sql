-- Delivery that holds at depth (issue 7).
--
-- The outbox becomes a queue of what is still to be sent, and nothing else: a message Telegram
-- accepted is deleted at once, a message that will never go is moved to outbox_failed without its
-- payload (which may hold personal data). Finding the next sendable message no longer scans the
-- outbox: outbox_queues has one row per (chat, priority) with something to send, and the sender
-- claims those rows. The inbox keeps raw updates as bytes, so no update can be refused by jsonb.

-- +goose Up

-- outbox_queues: one row per chat and priority with messages waiting. The queue, not the message,
-- is what a sender claims: it then sends the queue's first messages in order, so one chat's
-- messages keep their order and a reply of three messages goes out back to back.
CREATE TABLE outbox_queues (
    chat_id    bigint      NOT NULL,
    priority   smallint    NOT NULL CHECK (priority BETWEEN 0 AND 2),
    pending    integer     NOT NULL CHECK (pending >= 0), -- messages of this queue in outbox
    -- not_before: when the queue may be claimed: its first message's due time, a retry's time,
    -- or, while a sender holds it, the end of that sender's lease (renewed while it works).
    not_before timestamptz NOT NULL,
    claim      bigint      NOT NULL DEFAULT 0, -- the token of the latest claim; outcomes must carry it
    attempts   integer     NOT NULL DEFAULT 0, -- tries of the queue's first message so far
    PRIMARY KEY (chat_id, priority)
);
CREATE INDEX outbox_queues_due_idx ON outbox_queues (priority, not_before);
CREATE SEQUENCE outbox_claim_seq;

-- outbox_keys: the dedupe keys of messages ever queued (a reminder decided by several instances
-- goes once), kept after their message was sent and pruned by housekeeping.
CREATE TABLE outbox_keys (
    dedupe_key text        PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_keys_created_idx ON outbox_keys (created_at);

-- outbox_failed: messages that will not be delivered, and why; no payload.
CREATE TABLE outbox_failed (
    id           bigint      PRIMARY KEY, -- the outbox id it had
    chat_id      bigint      NOT NULL,
    priority     smallint    NOT NULL,
    dedupe_key   text,
    broadcast_id bigint      REFERENCES broadcasts (id) ON DELETE SET NULL,
    reason       text        NOT NULL,
    created_at   timestamptz NOT NULL,
    failed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_failed_at_idx ON outbox_failed (failed_at);
CREATE INDEX outbox_failed_broadcast_idx ON outbox_failed (broadcast_id) WHERE broadcast_id IS NOT NULL;

INSERT INTO outbox_keys (dedupe_key, created_at)
SELECT dedupe_key, created_at FROM outbox WHERE dedupe_key IS NOT NULL;

INSERT INTO outbox_failed (id, chat_id, priority, dedupe_key, broadcast_id, reason, created_at, failed_at)
SELECT id, chat_id, priority, dedupe_key, broadcast_id, coalesce(last_error, 'failed'), created_at, now()
FROM outbox WHERE status = 'failed';

DELETE FROM outbox WHERE status <> 'pending';

INSERT INTO outbox_queues (chat_id, priority, pending, not_before, attempts)
SELECT DISTINCT ON (chat_id, priority) chat_id, priority,
       count(*) OVER (PARTITION BY chat_id, priority), not_before, attempts
FROM outbox ORDER BY chat_id, priority, id;

DROP INDEX outbox_pending_idx;
DROP INDEX outbox_chat_idx;
ALTER TABLE outbox DROP CONSTRAINT outbox_dedupe_key_key;
ALTER TABLE outbox DROP COLUMN status, DROP COLUMN attempts, DROP COLUMN sent_at;
CREATE INDEX outbox_queue_idx ON outbox (chat_id, priority, id);

-- The inbox keeps the update as Telegram sent it, byte for byte: jsonb refuses some valid JSON
-- (text holding \u0000), and one such update must not stop the intake for everyone.
ALTER TABLE inbox ALTER COLUMN payload TYPE bytea USING convert_to(payload::text, 'UTF8');
-- The outbox's payload is ours (package bot writes and reads it); bytes cost the server nothing to
-- parse.
ALTER TABLE outbox ALTER COLUMN payload TYPE bytea USING convert_to(payload::text, 'UTF8');

-- The sender looks owners up by chat when it records a 403; the dispatcher by user.
CREATE INDEX owners_chat_idx ON owners (chat_id);

-- +goose Down
DROP INDEX owners_chat_idx;
ALTER TABLE inbox ALTER COLUMN payload TYPE jsonb USING convert_from(payload, 'UTF8')::jsonb;
ALTER TABLE outbox ALTER COLUMN payload TYPE jsonb USING convert_from(payload, 'UTF8')::jsonb;
DROP INDEX outbox_queue_idx;
ALTER TABLE outbox ADD COLUMN status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    ADD COLUMN attempts integer NOT NULL DEFAULT 0, ADD COLUMN sent_at timestamptz;
ALTER TABLE outbox ADD CONSTRAINT outbox_dedupe_key_key UNIQUE (dedupe_key);
CREATE INDEX outbox_pending_idx ON outbox (priority, not_before, id) WHERE status = 'pending';
CREATE INDEX outbox_chat_idx ON outbox (chat_id, id);
DROP TABLE outbox_failed, outbox_keys, outbox_queues;
DROP SEQUENCE outbox_claim_seq;
