package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// TrainingRegistrant is one owner registered for a training, as a scheduled reminder needs them:
// where to write and in which language.
type TrainingRegistrant struct {
	Training     Training
	OwnerID      int64
	ChatID       int64
	Lang         string
	RegisteredAt time.Time
}

// RegistrantsOfTrainingsStarting returns the registrants of every training that is not cancelled
// and starts after from and no later than to, by start time, training and registration. Owners
// who deleted their data are left out.
func RegistrantsOfTrainingsStarting(ctx context.Context, db DB, from, to time.Time) ([]TrainingRegistrant, error) {
	rows, err := db.Query(ctx, `
		SELECT `+trainingColumns+`, o.id, o.chat_id, o.lang, r.registered_at
		FROM trainings t
			JOIN training_registrations r ON r.training_id = t.id
			JOIN owners o ON o.id = r.owner_id
		WHERE t.cancelled_at IS NULL AND t.starts_at > $1 AND t.starts_at <= $2 AND o.deleted_at IS NULL
		ORDER BY t.starts_at, t.id, r.registered_at, o.id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: registrants of trainings starting by %v: %w", to, err)
	}
	regs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TrainingRegistrant, error) {
		var g TrainingRegistrant
		err := r.Scan(append(trainingFields(&g.Training), &g.OwnerID, &g.ChatID, &g.Lang, &g.RegisteredAt)...)
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: registrants of trainings starting by %v: %w", to, err)
	}
	return regs, nil
}
