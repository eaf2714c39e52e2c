package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// TrainingStats is a training as staff manage it: seats taken, the waiting list, attendance.
type TrainingStats struct {
	Training
	Registered, Waiting, Attended, Absent int
}

const trainingStatsColumns = trainingColumns + `,
	(SELECT count(*) FROM training_registrations r WHERE r.training_id = t.id),
	(SELECT count(*) FROM training_waitlist w WHERE w.training_id = t.id),
	(SELECT count(*) FROM training_registrations r WHERE r.training_id = t.id AND r.attended),
	(SELECT count(*) FROM training_registrations r WHERE r.training_id = t.id AND NOT r.attended)`

func scanTrainingStats(r pgx.CollectableRow) (TrainingStats, error) {
	var s TrainingStats
	err := r.Scan(append(trainingFields(&s.Training), &s.Registered, &s.Waiting, &s.Attended, &s.Absent)...)
	return s, err
}

// OfficeTrainings returns the trainings an office organises (every office's when all) that start
// after since, cancelled ones included, by start time; limit rows from offset.
func OfficeTrainings(ctx context.Context, db DB, office string, all bool, since time.Time, limit, offset int) ([]TrainingStats, error) {
	rows, err := db.Query(ctx, `
		SELECT `+trainingStatsColumns+` FROM trainings t
		WHERE ($2 OR t.office = $1) AND t.starts_at > $3
		ORDER BY t.starts_at, t.id LIMIT $4 OFFSET $5`, office, all, since, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("store: trainings of %q: %w", office, err)
	}
	list, err := pgx.CollectRows(rows, scanTrainingStats)
	if err != nil {
		return nil, fmt.Errorf("store: trainings of %q: %w", office, err)
	}
	return list, nil
}

// TrainingStatsByID returns one training with its counts, or ErrNotFound.
func TrainingStatsByID(ctx context.Context, db DB, id int64) (TrainingStats, error) {
	rows, err := db.Query(ctx, `SELECT `+trainingStatsColumns+` FROM trainings t WHERE t.id = $1`, id)
	if err != nil {
		return TrainingStats{}, fmt.Errorf("store: training %d: %w", id, err)
	}
	s, err := pgx.CollectExactlyOneRow(rows, scanTrainingStats)
	if errors.Is(err, pgx.ErrNoRows) {
		return TrainingStats{}, fmt.Errorf("store: training %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return TrainingStats{}, fmt.Errorf("store: training %d: %w", id, err)
	}
	return s, nil
}

// LockTraining returns the training with its row locked for the rest of the caller's
// transaction (an edit or a cancel takes turns with sign-ups), or ErrNotFound.
func LockTraining(ctx context.Context, db DB, id int64) (Training, error) {
	tr, err := lockTraining(ctx, db, id)
	if err != nil {
		return Training{}, fmt.Errorf("store: lock training %d: %w", id, err)
	}
	return tr, nil
}

// UpdateTraining saves what staff may change of a training (title, start, duration, place and
// link, quota, organiser, description) and, when seats were freed (a raised quota), gives them to
// the waiting list, returning whom. The caller holds the row lock (LockTraining).
func UpdateTraining(ctx context.Context, db DB, tr Training, at time.Time) ([]SeatGiven, error) {
	tag, err := db.Exec(ctx, `
		UPDATE trainings SET title = $2, starts_at = $3, duration_minutes = $4, place = $5, online_url = nullif($6, ''),
			quota = $7, organiser = $8, description = $9
		WHERE id = $1 AND cancelled_at IS NULL`,
		tr.ID, tr.Title, tr.StartsAt, tr.DurationMinutes, tr.Place, tr.OnlineURL, tr.Quota, tr.Organiser, tr.Description)
	if err != nil {
		return nil, fmt.Errorf("store: update training %d: %w", tr.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return nil, fmt.Errorf("store: update training %d: %w", tr.ID, ErrTrainingClosed)
	}
	given, err := fillSeats(ctx, db, tr.ID, at)
	if err != nil {
		return nil, fmt.Errorf("store: update training %d: %w", tr.ID, err)
	}
	return given, nil
}

// CancelTraining marks the training cancelled at at; ErrTrainingClosed when it already was.
// Registrations and the waiting list are kept (who was told, who was there).
func CancelTraining(ctx context.Context, db DB, id int64, at time.Time) error {
	tag, err := db.Exec(ctx, `UPDATE trainings SET cancelled_at = $2 WHERE id = $1 AND cancelled_at IS NULL`, id, at)
	if err != nil {
		return fmt.Errorf("store: cancel training %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: cancel training %d: %w", id, ErrTrainingClosed)
	}
	return nil
}

// Registrant is an owner on a training's list or its waiting list, as staff see them.
// Attended is nil until marked.
type Registrant struct {
	OwnerID, ChatID           int64
	Lang, Name, Phone         string
	Business, Desa, Kabupaten string
	At                        time.Time // registered or joined the waiting list
	Attended                  *bool
	Waiting                   bool
	Certificate               bool // staff sent their certificate
}

// TrainingRegistrants returns the training's registrants in the order they registered, then its
// waiting list in order. Owners who deleted their data are left out.
func TrainingRegistrants(ctx context.Context, db DB, trainingID int64) ([]Registrant, error) {
	rows, err := db.Query(ctx, `
		WITH people AS (
			SELECT r.owner_id, r.registered_at AS at, r.attended, false AS waiting, r.certificate_file_id IS NOT NULL AS cert
			FROM training_registrations r WHERE r.training_id = $1
			UNION ALL
			SELECT w.owner_id, w.joined_at, NULL, true, false FROM training_waitlist w WHERE w.training_id = $1
		)
		SELECT o.id, o.chat_id, o.lang, coalesce(o.name, ''), coalesce(o.phone, ''),
			coalesce(b.name, ''), coalesce(b.desa, ''), coalesce(b.kabupaten, ''), p.at, p.attended, p.waiting, p.cert
		FROM people p JOIN owners o ON o.id = p.owner_id
			LEFT JOIN LATERAL (SELECT * FROM businesses b WHERE b.owner_id = o.id ORDER BY b.created_at, b.id LIMIT 1) b ON true
		WHERE o.deleted_at IS NULL
		ORDER BY p.waiting, p.at, o.id`, trainingID)
	if err != nil {
		return nil, fmt.Errorf("store: registrants of training %d: %w", trainingID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Registrant, error) {
		var g Registrant
		err := r.Scan(&g.OwnerID, &g.ChatID, &g.Lang, &g.Name, &g.Phone, &g.Business, &g.Desa, &g.Kabupaten, &g.At, &g.Attended, &g.Waiting, &g.Certificate)
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: registrants of training %d: %w", trainingID, err)
	}
	return list, nil
}

// MarkAttendance records whether a registrant attended; ErrNotFound when they are not
// registered for the training.
func MarkAttendance(ctx context.Context, db DB, trainingID, ownerID int64, attended bool, staffID int64, at time.Time) error {
	tag, err := db.Exec(ctx, `
		UPDATE training_registrations SET attended = $3, attendance_marked_at = $5, attendance_marked_by = nullif($4::bigint, 0)
		WHERE training_id = $1 AND owner_id = $2`, trainingID, ownerID, attended, staffID, at)
	if err != nil {
		return fmt.Errorf("store: attendance of owner %d at training %d: %w", ownerID, trainingID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: attendance of owner %d at training %d: %w", ownerID, trainingID, ErrNotFound)
	}
	return nil
}

// AttendedTraining is a training an owner attended, for their profile; Certificate is the
// Telegram file id of the certificate staff sent, "" when none.
type AttendedTraining struct {
	Kind, Title string
	StartsAt    time.Time
	Certificate string
}

// AttendedTrainings returns the trainings the owner attended, most recent first.
func AttendedTrainings(ctx context.Context, db DB, ownerID int64) ([]AttendedTraining, error) {
	rows, err := db.Query(ctx, `
		SELECT t.kind, t.title, t.starts_at, coalesce(r.certificate_file_id, '') FROM training_registrations r JOIN trainings t ON t.id = r.training_id
		WHERE r.owner_id = $1 AND r.attended AND t.cancelled_at IS NULL
		ORDER BY t.starts_at DESC, t.id DESC`, ownerID)
	if err != nil {
		return nil, fmt.Errorf("store: trainings attended by owner %d: %w", ownerID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AttendedTraining, error) {
		var a AttendedTraining
		return a, r.Scan(&a.Kind, &a.Title, &a.StartsAt, &a.Certificate)
	})
	if err != nil {
		return nil, fmt.Errorf("store: trainings attended by owner %d: %w", ownerID, err)
	}
	return list, nil
}

// SetTrainingCertificate keeps the Telegram file id of an attending registrant's certificate;
// ErrNotFound when they are not registered as having attended.
func SetTrainingCertificate(ctx context.Context, db DB, trainingID, ownerID int64, fileID string) error {
	tag, err := db.Exec(ctx, `
		UPDATE training_registrations SET certificate_file_id = $3 WHERE training_id = $1 AND owner_id = $2 AND attended`,
		trainingID, ownerID, fileID)
	if err != nil {
		return fmt.Errorf("store: certificate of owner %d at training %d: %w", ownerID, trainingID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: certificate of owner %d at training %d: %w", ownerID, trainingID, ErrNotFound)
	}
	return nil
}
