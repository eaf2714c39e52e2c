package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrAlreadyWaiting is the refusal of joining a waiting list one is already on.
var ErrAlreadyWaiting = errors.New("already on the waiting list")

// SeatGiven is an owner who got a seat from the waiting list, to be told at once.
type SeatGiven struct {
	OwnerID, ChatID int64
	Lang            string
	At              time.Time
}

// lockTraining locks the training row for the rest of the transaction (seats are counted and
// given only under it) and returns it; ErrNotFound when there is none.
func lockTraining(ctx context.Context, tx DB, id int64) (Training, error) {
	var tr Training
	err := tx.QueryRow(ctx, `SELECT `+trainingColumns+` FROM trainings t WHERE t.id = $1 FOR UPDATE`, id).Scan(trainingFields(&tr)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return Training{}, ErrNotFound
	}
	return tr, err
}

// fillSeats gives the free seats of a training, open and not started by at, to the first on its
// waiting list, in the order they joined, and returns them. The caller holds the training's row
// lock (lockTraining).
func fillSeats(ctx context.Context, tx DB, trainingID int64, at time.Time) ([]SeatGiven, error) {
	rows, err := tx.Query(ctx, `
		WITH free AS (
			SELECT greatest(t.quota - (SELECT count(*) FROM training_registrations r WHERE r.training_id = t.id), 0) AS n
			FROM trainings t WHERE t.id = $1 AND t.cancelled_at IS NULL AND t.starts_at > $2
		), next AS (
			SELECT w.owner_id FROM training_waitlist w JOIN owners o ON o.id = w.owner_id
			WHERE w.training_id = $1 AND o.deleted_at IS NULL
			ORDER BY w.joined_at, w.owner_id
			LIMIT (SELECT coalesce(max(n), 0) FROM free)
		), moved AS (
			DELETE FROM training_waitlist w USING next WHERE w.training_id = $1 AND w.owner_id = next.owner_id
			RETURNING w.owner_id
		), seated AS (
			INSERT INTO training_registrations (training_id, owner_id, registered_at)
			SELECT $1, owner_id, $2 FROM moved
			RETURNING owner_id
		)
		SELECT o.id, o.chat_id, o.lang FROM seated s JOIN owners o ON o.id = s.owner_id ORDER BY o.id`, trainingID, at)
	if err != nil {
		return nil, err
	}
	given, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SeatGiven, error) {
		g := SeatGiven{At: at}
		return g, r.Scan(&g.OwnerID, &g.ChatID, &g.Lang)
	})
	if err != nil || len(given) == 0 {
		return nil, err
	}
	ids := make([]int64, len(given))
	for i, g := range given {
		ids[i] = g.OwnerID
	}
	return given, seated(ctx, tx, trainingID, ids, at)
}

// seated records that the owners now have a seat in the training: their wish to be told of a
// training of its kind is fulfilled, and they are off its waiting list.
func seated(ctx context.Context, tx DB, trainingID int64, owners []int64, at time.Time) error {
	if _, err := tx.Exec(ctx, `DELETE FROM training_waitlist WHERE training_id = $1 AND owner_id = ANY($2)`, trainingID, owners); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `
		UPDATE training_interests i SET fulfilled_at = $3
		FROM trainings t WHERE t.id = $1 AND i.kind = t.kind AND i.owner_id = ANY($2) AND i.fulfilled_at IS NULL`,
		trainingID, owners, at)
	return err
}

// JoinTrainingWaitlist puts the owner on the waiting list of a full training and returns their
// place on it. When a seat is free after all (one was freed meanwhile), the owner is registered
// instead and registered is true. Refusals: ErrNotFound, ErrTrainingClosed, ErrAlreadyRegistered,
// ErrAlreadyWaiting (with their place).
func JoinTrainingWaitlist(ctx context.Context, db DB, trainingID, ownerID int64, at time.Time) (registered bool, place int, err error) {
	err = inTx(ctx, db, func(tx DB) error {
		tr, err := lockTraining(ctx, tx, trainingID)
		if err != nil {
			return err
		}
		if tr.CancelledAt != nil || !tr.StartsAt.After(at) {
			return ErrTrainingClosed
		}
		count, mine, err := registrations(ctx, tx, trainingID, ownerID)
		if err != nil {
			return err
		}
		if mine {
			return ErrAlreadyRegistered
		}
		ahead, err := waitingAhead(ctx, tx, trainingID, ownerID)
		if err != nil {
			return err
		}
		if count+ahead < tr.Quota {
			registered = true
			return RegisterForTraining(ctx, tx, trainingID, ownerID, at)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO training_waitlist (training_id, owner_id, joined_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, trainingID, ownerID, at)
		if isForeignKeyViolation(err) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if place, err = waitlistPlace(ctx, tx, trainingID, ownerID); err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrAlreadyWaiting
		}
		return nil
	})
	if err != nil {
		return registered, place, fmt.Errorf("store: owner %d on the waiting list of training %d: %w", ownerID, trainingID, err)
	}
	return registered, place, nil
}

// registrations counts the training's registrations and says whether the owner's is one of them.
func registrations(ctx context.Context, tx DB, trainingID, ownerID int64) (n int, mine bool, err error) {
	err = tx.QueryRow(ctx, `
		SELECT count(*), coalesce(bool_or(owner_id = $2), false) FROM training_registrations WHERE training_id = $1`,
		trainingID, ownerID).Scan(&n, &mine)
	return n, mine, err
}

// waitlistPlace is the owner's place on the training's waiting list (1 is next), 0 when not on it.
func waitlistPlace(ctx context.Context, db DB, trainingID, ownerID int64) (int, error) {
	var place int
	err := db.QueryRow(ctx, `
		SELECT coalesce((SELECT 1 + (SELECT count(*) FROM training_waitlist e WHERE e.training_id = w.training_id
			AND (e.joined_at, e.owner_id) < (w.joined_at, w.owner_id))
		FROM training_waitlist w WHERE w.training_id = $1 AND w.owner_id = $2), 0)`, trainingID, ownerID).Scan(&place)
	return place, err
}

// waitingAhead counts those on the training's waiting list who come before the owner: everyone
// on it (owners who deleted their data aside) when the owner is not on it. A seat free while
// someone waits (one freed without fillSeats: an owner deleted their data) is theirs first.
func waitingAhead(ctx context.Context, tx DB, trainingID, ownerID int64) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `
		SELECT count(*) FROM training_waitlist w JOIN owners o ON o.id = w.owner_id
		WHERE w.training_id = $1 AND w.owner_id <> $2 AND o.deleted_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM training_waitlist me WHERE me.training_id = $1 AND me.owner_id = $2
				AND (me.joined_at, me.owner_id) < (w.joined_at, w.owner_id))`, trainingID, ownerID).Scan(&n)
	return n, err
}

// LeaveTrainingWaitlist takes the owner off the training's waiting list; ErrNotFound when they
// were not on it. It holds the training's row lock, as fillSeats' callers do: a seat freed at
// the same moment is then given after the owner left (to the next in line), never to the leaver
// whose row is gone, which would leave it empty.
func LeaveTrainingWaitlist(ctx context.Context, db DB, trainingID, ownerID int64) error {
	err := inTx(ctx, db, func(tx DB) error {
		if _, err := lockTraining(ctx, tx, trainingID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM training_waitlist WHERE training_id = $1 AND owner_id = $2`, trainingID, ownerID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: owner %d off the waiting list of training %d: %w", ownerID, trainingID, err)
	}
	return nil
}

// SeatsGiven is a training and the owners who got a seat of it from its waiting list.
type SeatsGiven struct {
	Training Training
	Given    []SeatGiven
}

// ReleaseOwnerSeats takes the owner off every training they are registered for that has not
// started by at (the first step of /hapus_data) and gives each freed seat to the first in that
// training's line, returned to be told, as a cancel does.
func ReleaseOwnerSeats(ctx context.Context, db DB, ownerID int64, at time.Time) ([]SeatsGiven, error) {
	var out []SeatsGiven
	err := inTx(ctx, db, func(tx DB) error {
		rows, err := tx.Query(ctx, `
			SELECT r.training_id FROM training_registrations r JOIN trainings t ON t.id = r.training_id
			WHERE r.owner_id = $1 AND t.cancelled_at IS NULL AND t.starts_at > $2
			ORDER BY r.training_id`, ownerID, at)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		for _, id := range ids { // in id order, as every locker of several trainings takes them
			tr, err := lockTraining(ctx, tx, id)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM training_registrations WHERE training_id = $1 AND owner_id = $2`, id, ownerID); err != nil {
				return err
			}
			given, err := fillSeats(ctx, tx, id, at)
			if err != nil {
				return err
			}
			if len(given) > 0 {
				out = append(out, SeatsGiven{Training: tr, Given: given})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: release the seats of owner %d: %w", ownerID, err)
	}
	return out, nil
}
