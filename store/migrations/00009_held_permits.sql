-- Permits an owner already holds (issue 11, /izin_saya): recorded by the owner, not issued
-- through the bot, so that the permit-expiry job reminds them before the permit lapses.
-- Migrations only grow: never edit this file once it has landed.

-- +goose Up

-- number: the permit number in its canonical form (domain.ParsePermitNumber), unique per owner:
-- recording the same number again (after a renewal) updates the row.
-- valid_until: the last valid day. year_only: the day is not known, only the year (a P-IRT's last
-- two digits); valid_until is then 1 January of that year and the reminders count from it, so
-- none comes late.
-- recorded_at: when the owner last recorded it; reminders whose moment came before are not sent.
-- Deleted with the owner's data (/hapus_data).
CREATE TABLE held_permits (
    id           bigserial   PRIMARY KEY,
    owner_id     bigint      NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    path         text        NOT NULL,
    number       text        NOT NULL,
    product_name text        NOT NULL,
    valid_until  date        NOT NULL,
    year_only    boolean     NOT NULL DEFAULT false,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (owner_id, number)
);
CREATE INDEX held_permits_valid_until_idx ON held_permits (valid_until);

-- +goose Down
DROP TABLE held_permits;
