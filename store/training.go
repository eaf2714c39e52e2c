package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Errors of training registration.
var (
	ErrTrainingFull      = errors.New("training is full")
	ErrAlreadyRegistered = errors.New("already registered for this training")
	ErrTrainingClosed    = errors.New("training is cancelled or has started")
)

// Training is a pelatihan (PKP, bimtek, clinic…). OnlineURL and Kabupaten are "" when not set;
// CreatedBy is a staff id, 0 when unknown.
type Training struct {
	ID               int64
	Title, Kind      string
	StartsAt         time.Time
	DurationMinutes  int
	Place, OnlineURL string
	Kabupaten        string
	Quota            int
	Organiser        string
	Description      string
	CreatedBy        int64
	// Office is the code of the office that organises it ("" for one an admin made).
	Office      string
	CancelledAt *time.Time
	CreatedAt   time.Time
}

// TrainingSeat is a training as one owner sees it: how many registered and wait, whether they
// did, and their place on the waiting list (0 when not on it).
type TrainingSeat struct {
	Training
	Registered int
	Mine       bool
	Waiting    int
	Position   int
}

const trainingColumns = `t.id, t.title, t.kind, t.starts_at, t.duration_minutes, t.place, coalesce(t.online_url, ''),
	coalesce(t.kabupaten, ''), t.quota, t.organiser, t.description, coalesce(t.created_by, 0), t.office, t.cancelled_at, t.created_at`

func trainingFields(tr *Training) []any {
	return []any{&tr.ID, &tr.Title, &tr.Kind, &tr.StartsAt, &tr.DurationMinutes, &tr.Place, &tr.OnlineURL,
		&tr.Kabupaten, &tr.Quota, &tr.Organiser, &tr.Description, &tr.CreatedBy, &tr.Office, &tr.CancelledAt, &tr.CreatedAt}
}

// CreateTraining inserts tr and sets its ID and CreatedAt.
func CreateTraining(ctx context.Context, db DB, tr *Training) error {
	err := db.QueryRow(ctx, `
		INSERT INTO trainings (title, kind, starts_at, duration_minutes, place, online_url, kabupaten, quota, organiser,
			description, created_by, cancelled_at, office)
		VALUES ($1, $2, $3, $4, $5, nullif($6, ''), nullif($7, ''), $8, $9, $10, nullif($11::bigint, 0), $12, $13)
		RETURNING id, created_at`,
		tr.Title, tr.Kind, tr.StartsAt, tr.DurationMinutes, tr.Place, tr.OnlineURL, tr.Kabupaten, tr.Quota, tr.Organiser,
		tr.Description, tr.CreatedBy, tr.CancelledAt, tr.Office).Scan(&tr.ID, &tr.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: create training: %w", err)
	}
	return nil
}

// TrainingByID returns the training with this id, cancelled or not, or ErrNotFound.
func TrainingByID(ctx context.Context, db DB, id int64) (Training, error) {
	var tr Training
	err := db.QueryRow(ctx, `SELECT `+trainingColumns+` FROM trainings t WHERE t.id = $1`, id).Scan(trainingFields(&tr)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return Training{}, fmt.Errorf("store: training %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Training{}, fmt.Errorf("store: training %d: %w", id, err)
	}
	return tr, nil
}

// UpcomingTrainings returns up to limit (all when limit <= 0) trainings that start after now and
// are not cancelled, as ownerID sees them: those in kabupaten first, then online ones, then the
// rest, each group by start time. With kabupaten "" the order is by start time only.
func UpcomingTrainings(ctx context.Context, db DB, now time.Time, ownerID int64, kabupaten string, limit int) ([]TrainingSeat, error) {
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := db.Query(ctx, `
		SELECT `+trainingColumns+`,
			(SELECT count(*) FROM training_registrations r WHERE r.training_id = t.id),
			EXISTS (SELECT 1 FROM training_registrations r WHERE r.training_id = t.id AND r.owner_id = $2),
			(SELECT count(*) FROM training_waitlist w WHERE w.training_id = t.id),
			coalesce((SELECT 1 + (SELECT count(*) FROM training_waitlist e WHERE e.training_id = t.id
				AND (e.joined_at, e.owner_id) < (w.joined_at, w.owner_id))
				FROM training_waitlist w WHERE w.training_id = t.id AND w.owner_id = $2), 0)
		FROM trainings t
		WHERE t.cancelled_at IS NULL AND t.starts_at > $1
		ORDER BY CASE WHEN t.kabupaten = $3 THEN 0 WHEN t.online_url IS NOT NULL OR $3 = '' THEN 1 ELSE 2 END,
			t.starts_at, t.id
		LIMIT $4`, now, ownerID, kabupaten, lim)
	if err != nil {
		return nil, fmt.Errorf("store: upcoming trainings: %w", err)
	}
	seats, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TrainingSeat, error) {
		var s TrainingSeat
		err := r.Scan(append(trainingFields(&s.Training), &s.Registered, &s.Mine, &s.Waiting, &s.Position)...)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: upcoming trainings: %w", err)
	}
	return seats, nil
}

// RegisterForTraining registers the owner for the training at the given time. The quota holds
// however many register at once: the training row is locked for the rest of the transaction
// before the seats are counted, so registrations of one training take turns. That relies on READ
// COMMITTED, PostgreSQL's default (each statement sees what the previous lock holder committed).
// It runs as a savepoint of the caller's transaction (or, given the pool, a transaction of its
// own), so a refusal leaves the caller's transaction usable. Refusals: ErrNotFound (no such
// training or owner), ErrTrainingClosed (cancelled, or started by at), ErrAlreadyRegistered,
// ErrTrainingFull.
func RegisterForTraining(ctx context.Context, db DB, trainingID, ownerID int64, at time.Time) error {
	err := inTx(ctx, db, func(tx DB) error {
		tr, err := lockTraining(ctx, tx, trainingID)
		if err != nil {
			return err
		}
		if tr.CancelledAt != nil || !tr.StartsAt.After(at) {
			return ErrTrainingClosed
		}
		registered, mine, err := registrations(ctx, tx, trainingID, ownerID)
		if err != nil {
			return err
		}
		ahead, err := waitingAhead(ctx, tx, trainingID, ownerID)
		if err != nil {
			return err
		}
		switch {
		case mine:
			return ErrAlreadyRegistered
		case registered+ahead >= tr.Quota:
			return ErrTrainingFull
		}
		_, err = tx.Exec(ctx, `INSERT INTO training_registrations (training_id, owner_id, registered_at) VALUES ($1, $2, $3)`,
			trainingID, ownerID, at)
		if isForeignKeyViolation(err) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return seated(ctx, tx, trainingID, []int64{ownerID}, at)
	})
	if err != nil {
		return fmt.Errorf("store: register owner %d for training %d: %w", ownerID, trainingID, err)
	}
	return nil
}

// CancelTrainingRegistration takes the owner off the training's list (ErrNotFound when they were
// not on it) and gives the freed seat to the first on the waiting list, whom it returns to be told.
// The training row is locked first, like a registration, so two cancels at once give two seats
// to two different people, each once.
func CancelTrainingRegistration(ctx context.Context, db DB, trainingID, ownerID int64, at time.Time) ([]SeatGiven, error) {
	var given []SeatGiven
	err := inTx(ctx, db, func(tx DB) error {
		if _, err := lockTraining(ctx, tx, trainingID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM training_registrations WHERE training_id = $1 AND owner_id = $2`, trainingID, ownerID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		given, err = fillSeats(ctx, tx, trainingID, at)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: cancel registration of owner %d for training %d: %w", ownerID, trainingID, err)
	}
	return given, nil
}

// TrainingRegistrations returns the owners registered for the training, in the order they
// registered.
func TrainingRegistrations(ctx context.Context, db DB, trainingID int64) ([]Owner, error) {
	rows, err := db.Query(ctx, `
		SELECT `+ownerColumns+` FROM training_registrations r JOIN owners o ON o.id = r.owner_id
		WHERE r.training_id = $1 ORDER BY r.registered_at, o.id`, trainingID)
	if err != nil {
		return nil, fmt.Errorf("store: registrations of training %d: %w", trainingID, err)
	}
	owners, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Owner, error) { return scanOwner(r) })
	if err != nil {
		return nil, fmt.Errorf("store: registrations of training %d: %w", trainingID, err)
	}
	return owners, nil
}
