-- Whom the training-openings job told of which training (issue 11): the outbox dedupe key that
-- kept an opening from being told twice is pruned after RETAIN_OUTBOX (at least 31 days), and a
-- training scheduled further ahead, with the wish still open, was then told again. A row lives
-- until its training starts (the job deletes it then) or its training or owner goes.
-- Migrations only grow: never edit this file once it has landed.

-- +goose Up
CREATE TABLE training_openings_told (
    training_id bigint      NOT NULL REFERENCES trainings (id) ON DELETE CASCADE,
    owner_id    bigint      NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    told_at     timestamptz NOT NULL,
    PRIMARY KEY (training_id, owner_id)
);
CREATE INDEX training_openings_told_owner_idx ON training_openings_told (owner_id);

-- +goose Down
DROP TABLE training_openings_told;
