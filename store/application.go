package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrDuplicateNumber is returned by CreateApplication when the application number is taken: the
// caller draws a new number and tries again (the transaction it passed is still usable).
var ErrDuplicateNumber = errors.New("application number already in use")

// ErrStatusChanged is returned by ChangeStatus when the application is no longer in the status
// the caller saw: someone else changed it first.
var ErrStatusChanged = errors.New("application status changed meanwhile")

// ErrDuplicatePermit is returned by SetPermit when another application already holds the permit
// number.
var ErrDuplicatePermit = errors.New("permit number already recorded for another application")

// Application is an owner's pengajuan: a request for help with one product's permit. Number is
// "" until it is submitted; OwnerID and BusinessID are 0 when the row they pointed to is gone.
// PermitValidUntil is a date: midnight UTC of that calendar day.
type Application struct {
	ID                                 int64
	Number                             string
	OwnerID, BusinessID                int64
	Path, Status                       string
	Product                            map[string]string // name, brand, type, composition, ...
	ProductName, Kabupaten, StatusNote string
	DueAt                              *time.Time
	PermitNumber                       string
	PermitValidUntil                   *time.Time
	SubmittedAt                        *time.Time
	CreatedAt, UpdatedAt               time.Time
}

// StatusChange is one row of an application's history. From is "" for the first one.
type StatusChange struct {
	ID, ApplicationID   int64
	From, To, ActorKind string // ActorKind: owner, staff or system
	ActorID             int64  // owners.id or staff.id; 0 for system
	Note                string
	DueAt               *time.Time
	At                  time.Time
}

// NewDocument is a document row to create with an application: File is nil when the owner
// answered "nanti" (later).
type NewDocument struct {
	Kind     string
	Required bool
	File     *DocumentFile
}

const applicationColumns = `a.id, coalesce(a.number, ''), coalesce(a.owner_id, 0), coalesce(a.business_id, 0), a.path, a.status,
	a.product, a.product_name, coalesce(a.kabupaten, ''), coalesce(a.status_note, ''), a.due_at,
	coalesce(a.permit_number, ''), a.permit_valid_until, a.submitted_at, a.created_at, a.updated_at`

// applicationFields are the scan targets of applicationColumns, for a query that selects more.
func applicationFields(a *Application) []any {
	return []any{&a.ID, &a.Number, &a.OwnerID, &a.BusinessID, &a.Path, &a.Status,
		&a.Product, &a.ProductName, &a.Kabupaten, &a.StatusNote, &a.DueAt,
		&a.PermitNumber, &a.PermitValidUntil, &a.SubmittedAt, &a.CreatedAt, &a.UpdatedAt}
}

func scanApplication(row pgx.Row) (Application, error) {
	var a Application
	err := row.Scan(applicationFields(&a)...)
	return a, err
}

// CreateApplication inserts a (status a.Status, "draft" when empty), a document row for each of
// docs and the first history row (from nothing to a.Status, by the given actor), and sets a.ID and
// the times. a.CreatedAt, when set, is the creation time (else now), and a submitted application
// gets it as SubmittedAt unless that is set. The number comes from the caller; when it is taken
// the result is ErrDuplicateNumber and nothing was written, and the caller's transaction is still
// usable, so it can retry with a new number. Everything else commits together: in the caller's
// transaction (as a savepoint) or, given the pool, in a transaction of its own.
func CreateApplication(ctx context.Context, db DB, a *Application, docs []NewDocument, actorKind string, actorID int64) error {
	status := a.Status
	if status == "" {
		status = "draft"
	}
	product := a.Product
	if product == nil {
		product = map[string]string{}
	}
	var submittedAt *time.Time
	var created, updated time.Time
	var id int64
	err := inTx(ctx, db, func(tx DB) error {
		// ON CONFLICT … DO NOTHING rather than catching the unique violation: a violation would
		// abort the caller's transaction, and a taken number is an expected outcome.
		err := tx.QueryRow(ctx, `
			INSERT INTO applications (number, owner_id, business_id, path, status, product, product_name, kabupaten,
				status_note, due_at, submitted_at, created_at, updated_at)
			VALUES (nullif($1, ''), nullif($2::bigint, 0), nullif($3::bigint, 0), $4, $5, $6, $7, nullif($8, ''),
				nullif($9, ''), $10, coalesce($11, CASE WHEN $5 = 'submitted' THEN coalesce($12, now()) END),
				coalesce($12, now()), coalesce($12, now()))
			ON CONFLICT (number) DO NOTHING
			RETURNING id, created_at, updated_at, submitted_at`,
			a.Number, a.OwnerID, a.BusinessID, a.Path, status, product, a.ProductName, a.Kabupaten,
			a.StatusNote, a.DueAt, a.SubmittedAt, timeOrNil(a.CreatedAt)).
			Scan(&id, &created, &updated, &submittedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrDuplicateNumber
		}
		if err != nil {
			return err
		}
		if err := insertDocuments(ctx, tx, id, docs); err != nil {
			return err
		}
		return insertStatusChange(ctx, tx, id, "", status, actorKind, actorID, a.StatusNote, a.DueAt, created)
	})
	if errors.Is(err, ErrDuplicateNumber) {
		return fmt.Errorf("store: create application %s: %w", a.Number, ErrDuplicateNumber)
	}
	if err != nil {
		return fmt.Errorf("store: create application: %w", err)
	}
	a.ID, a.Status, a.Product, a.SubmittedAt, a.CreatedAt, a.UpdatedAt = id, status, product, submittedAt, created, updated
	return nil
}

func insertStatusChange(ctx context.Context, db DB, applicationID int64, from, to, actorKind string, actorID int64,
	note string, dueAt *time.Time, at time.Time) error {
	_, err := db.Exec(ctx, `
		INSERT INTO application_status_history (application_id, from_status, to_status, actor_kind, actor_id, note, due_at, created_at)
		VALUES ($1, nullif($2, ''), $3, $4, nullif($5::bigint, 0), nullif($6, ''), $7, $8)`,
		applicationID, from, to, actorKind, actorID, note, dueAt, at)
	if err != nil {
		return fmt.Errorf("record status %s→%s: %w", from, to, err)
	}
	return nil
}

// ApplicationByNumber returns the application with this number (canonical form, as stored), or
// ErrNotFound.
func ApplicationByNumber(ctx context.Context, db DB, number string) (Application, error) {
	return applicationWhere(ctx, db, "number "+number, `a.number = $1`, number)
}

// ApplicationByPermitNumber returns the application that was given this permit number
// (canonical form), or ErrNotFound.
func ApplicationByPermitNumber(ctx context.Context, db DB, permit string) (Application, error) {
	return applicationWhere(ctx, db, "permit "+permit, `a.permit_number = $1`, permit)
}

// ApplicationByID returns the application with this id, or ErrNotFound.
func ApplicationByID(ctx context.Context, db DB, id int64) (Application, error) {
	return applicationWhere(ctx, db, fmt.Sprint(id), `a.id = $1`, id)
}

func applicationWhere(ctx context.Context, db DB, what, cond string, arg any) (Application, error) {
	a, err := scanApplication(db.QueryRow(ctx, `SELECT `+applicationColumns+` FROM applications a WHERE `+cond, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return Application{}, fmt.Errorf("store: application %s: %w", what, ErrNotFound)
	}
	if err != nil {
		return Application{}, fmt.Errorf("store: application %s: %w", what, err)
	}
	return a, nil
}

// ApplicationsByOwner returns the owner's applications, the newest first.
func ApplicationsByOwner(ctx context.Context, db DB, ownerID int64) ([]Application, error) {
	rows, err := db.Query(ctx, `SELECT `+applicationColumns+` FROM applications a WHERE a.owner_id = $1
		ORDER BY a.created_at DESC, a.id DESC`, ownerID)
	if err != nil {
		return nil, fmt.Errorf("store: applications of owner %d: %w", ownerID, err)
	}
	apps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Application, error) { return scanApplication(r) })
	if err != nil {
		return nil, fmt.Errorf("store: applications of owner %d: %w", ownerID, err)
	}
	return apps, nil
}

// StatusHistory returns every status change of the application, the oldest first.
func StatusHistory(ctx context.Context, db DB, applicationID int64) ([]StatusChange, error) {
	rows, err := db.Query(ctx, `
		SELECT id, application_id, coalesce(from_status, ''), to_status, actor_kind, coalesce(actor_id, 0),
			coalesce(note, ''), due_at, created_at
		FROM application_status_history WHERE application_id = $1 ORDER BY id`, applicationID)
	if err != nil {
		return nil, fmt.Errorf("store: status history of application %d: %w", applicationID, err)
	}
	changes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StatusChange, error) {
		var c StatusChange
		err := r.Scan(&c.ID, &c.ApplicationID, &c.From, &c.To, &c.ActorKind, &c.ActorID, &c.Note, &c.DueAt, &c.At)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: status history of application %d: %w", applicationID, err)
	}
	return changes, nil
}

// ChangeStatus moves the application from status from to status to, if it is still in from
// (ErrStatusChanged otherwise; ErrNotFound when there is no such application), and records the
// change in its history. The note and due date replace the application's latest ones (nil clears
// the due date); SubmittedAt is set on the first move to "submitted". Whether the move is allowed
// is for the caller (flows/domain) to decide. Both writes commit together, as ChangeStatus runs as
// a savepoint of the caller's transaction or, given the pool, in a transaction of its own.
func ChangeStatus(ctx context.Context, db DB, applicationID int64, from, to, actorKind string, actorID int64,
	note string, dueAt *time.Time, at time.Time) error {
	err := inTx(ctx, db, func(tx DB) error {
		tag, err := tx.Exec(ctx, `
			UPDATE applications SET status = $3, status_note = nullif($4, ''), due_at = $5, updated_at = $6,
				submitted_at = CASE WHEN $3 = 'submitted' AND submitted_at IS NULL THEN $6 ELSE submitted_at END
			WHERE id = $1 AND status = $2`,
			applicationID, from, to, note, dueAt, at)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM applications WHERE id = $1)`, applicationID).Scan(&exists); err != nil {
				return err
			}
			if !exists {
				return ErrNotFound
			}
			return ErrStatusChanged
		}
		return insertStatusChange(ctx, tx, applicationID, from, to, actorKind, actorID, note, dueAt, at)
	})
	if err != nil {
		return fmt.Errorf("store: change status of application %d from %s to %s: %w", applicationID, from, to, err)
	}
	return nil
}

// SetPermit records the permit number (canonical form) and the date it is valid until (its
// calendar day in validUntil's own location). ErrDuplicatePermit when another application holds
// that number; the caller's transaction stays usable.
func SetPermit(ctx context.Context, db DB, applicationID int64, permitNumber string, validUntil time.Time) error {
	err := inTx(ctx, db, func(tx DB) error {
		tag, err := tx.Exec(ctx, `
			UPDATE applications SET permit_number = $2, permit_valid_until = $3::date, updated_at = now() WHERE id = $1`,
			applicationID, permitNumber, validUntil)
		if isUniqueViolation(err, "applications_permit_idx") {
			return ErrDuplicatePermit
		}
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: set permit of application %d: %w", applicationID, err)
	}
	return nil
}

// beginner is what can open a transaction: the pool (a transaction) and a pgx.Tx (a savepoint).
type beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// inTx runs fn so that its writes commit together without spoiling the caller's transaction: as
// a savepoint when db is a transaction (a failure rolls back to it and the caller's transaction
// goes on), as a transaction of its own when db is the pool. A DB that cannot begin runs fn as is.
func inTx(ctx context.Context, db DB, fn func(tx DB) error) error {
	b, ok := db.(beginner)
	if !ok {
		return fn(db)
	}
	tx, err := b.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503"
}

// timeOrNil is t, or SQL NULL for the zero time ("not given").
func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
