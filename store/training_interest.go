package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// AddTrainingInterest records that the owner wants to be told when a training of kind opens in
// kabupaten ("Beri tahu saya"). created is false when they had asked already (the kabupaten is
// then brought up to date).
func AddTrainingInterest(ctx context.Context, db DB, ownerID int64, kind, kabupaten string, at time.Time) (created bool, err error) {
	tag, err := db.Exec(ctx, `
		INSERT INTO training_interests (owner_id, kind, kabupaten, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (owner_id, kind) WHERE fulfilled_at IS NULL DO NOTHING`, ownerID, kind, kabupaten, at)
	if err != nil {
		return false, fmt.Errorf("store: training interest of owner %d: %w", ownerID, err)
	}
	if tag.RowsAffected() == 1 {
		return true, nil
	}
	if _, err := db.Exec(ctx, `UPDATE training_interests SET kabupaten = $3 WHERE owner_id = $1 AND kind = $2 AND fulfilled_at IS NULL`,
		ownerID, kind, kabupaten); err != nil {
		return false, fmt.Errorf("store: training interest of owner %d: %w", ownerID, err)
	}
	return false, nil
}

// WithdrawTrainingInterest closes the owner's open wish to be told of a kind; ErrNotFound when
// there was none.
func WithdrawTrainingInterest(ctx context.Context, db DB, ownerID int64, kind string, at time.Time) error {
	tag, err := db.Exec(ctx, `UPDATE training_interests SET fulfilled_at = $3 WHERE owner_id = $1 AND kind = $2 AND fulfilled_at IS NULL`,
		ownerID, kind, at)
	if err != nil {
		return fmt.Errorf("store: withdraw training interest of owner %d: %w", ownerID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: withdraw training interest of owner %d: %w", ownerID, ErrNotFound)
	}
	return nil
}

// OpenTrainingInterests returns the kinds the owner is waiting to be told of.
func OpenTrainingInterests(ctx context.Context, db DB, ownerID int64) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT kind FROM training_interests WHERE owner_id = $1 AND fulfilled_at IS NULL ORDER BY created_at, id`, ownerID)
	if err != nil {
		return nil, fmt.Errorf("store: training interests of owner %d: %w", ownerID, err)
	}
	kinds, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: training interests of owner %d: %w", ownerID, err)
	}
	return kinds, nil
}

// UpcomingTrainingKinds returns the kinds of training scheduled (not cancelled, starting after
// now) in kabupaten.
func UpcomingTrainingKinds(ctx context.Context, db DB, kabupaten string, now time.Time) ([]string, error) {
	rows, err := db.Query(ctx, `
		SELECT DISTINCT kind FROM trainings WHERE kabupaten = $1 AND cancelled_at IS NULL AND starts_at > $2 ORDER BY kind`,
		kabupaten, now)
	if err != nil {
		return nil, fmt.Errorf("store: training kinds in %s: %w", kabupaten, err)
	}
	kinds, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: training kinds in %s: %w", kabupaten, err)
	}
	return kinds, nil
}

// TrainingOpening is a training that opened for an owner who asked to be told of its kind.
type TrainingOpening struct {
	Training Training
	OwnerID  int64
	ChatID   int64
	Lang     string
}

// TrainingOpenings returns, for every open wish to be told, each training of its kind in its
// kabupaten that is not cancelled and starts after now, and for which the owner is neither
// registered nor waiting nor told of it yet; by training and owner. Owners who deleted their data
// are left out. The openings returned are recorded as told at now (training_openings_told, in
// the caller's transaction, which queues their messages): the outbox dedupe key alone is pruned
// after RETAIN_OUTBOX while a training scheduled far ahead is still upcoming. A record is kept
// until its training starts: records of trainings that started by now are deleted here.
func TrainingOpenings(ctx context.Context, db DB, now time.Time) ([]TrainingOpening, error) {
	if _, err := db.Exec(ctx, `
		DELETE FROM training_openings_told d USING trainings t WHERE t.id = d.training_id AND t.starts_at <= $1`, now); err != nil {
		return nil, fmt.Errorf("store: training openings: %w", err)
	}
	// Two runs at once: the second waits on the first's rows and records (and returns) none of
	// them.
	rows, err := db.Query(ctx, `
		WITH found AS (
			SELECT t.id AS training_id, o.id AS owner_id
			FROM training_interests i
				JOIN trainings t ON t.kind = i.kind AND t.kabupaten = i.kabupaten
				JOIN owners o ON o.id = i.owner_id
			WHERE i.fulfilled_at IS NULL AND t.cancelled_at IS NULL AND t.starts_at > $1 AND o.deleted_at IS NULL
				AND NOT EXISTS (SELECT 1 FROM training_registrations r WHERE r.training_id = t.id AND r.owner_id = o.id)
				AND NOT EXISTS (SELECT 1 FROM training_waitlist w WHERE w.training_id = t.id AND w.owner_id = o.id)
				AND NOT EXISTS (SELECT 1 FROM training_openings_told d WHERE d.training_id = t.id AND d.owner_id = o.id)
		), told AS (
			INSERT INTO training_openings_told (training_id, owner_id, told_at)
			SELECT training_id, owner_id, $1 FROM found
			ON CONFLICT DO NOTHING
			RETURNING training_id, owner_id
		)
		SELECT `+trainingColumns+`, o.id, o.chat_id, o.lang
		FROM told JOIN trainings t ON t.id = told.training_id JOIN owners o ON o.id = told.owner_id
		ORDER BY t.starts_at, t.id, o.id`, now)
	if err != nil {
		return nil, fmt.Errorf("store: training openings: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TrainingOpening, error) {
		var g TrainingOpening
		err := r.Scan(append(trainingFields(&g.Training), &g.OwnerID, &g.ChatID, &g.Lang)...)
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: training openings: %w", err)
	}
	return list, nil
}
