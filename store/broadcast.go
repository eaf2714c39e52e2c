package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Audience kinds of a broadcast.
const (
	AudienceAll       = "all"       // every owner (within Kabupaten, when set)
	AudienceKabupaten = "kabupaten" // owners with a business in Value (a kabupaten code)
	AudiencePath      = "path"      // owners with a submitted application on the permit path Value
	AudienceStatus    = "status"    // owners with an application in status Value
	AudienceOVOP      = "ovop"      // owners whose business makes their village's OVOP product
	AudienceTraining  = "training"  // owners registered for the training Value (an id), wherever they are
	AudienceInterest  = "interest"  // owners waiting to be told of a training of the kind Value ("Beri tahu saya")
)

// Audience says who receives a broadcast. Kabupaten, when not empty, bounds every kind but
// training: only owners with a business in one of these kabupaten (the sender's office's area, or
// the kabupaten chosen for kind kabupaten, whose Value is then empty). A training's registrants
// are reached wherever they live: the training is the office's, its choice was checked.
type Audience struct {
	Kind      string   `json:"kind"`
	Value     string   `json:"value,omitempty"`
	Kabupaten []string `json:"kabupaten,omitempty"`
}

// ErrEmptyAudience is CreateBroadcast's refusal of a kabupaten audience with no kabupaten: an
// empty list means "the whole province" to the other kinds, never to this one.
var ErrEmptyAudience = errors.New("store: a kabupaten audience with no kabupaten chosen")

// Broadcast statuses.
const (
	BroadcastQueued    = "queued"    // being fanned out into the outbox
	BroadcastSending   = "sending"   // every recipient queued; the sender works through them
	BroadcastDone      = "done"      // nothing of it left to send
	BroadcastCancelled = "cancelled" // cancelled by staff: what was not sent never will be
)

// Broadcast is a pengumuman: Texts is what owners see, per language ("id", "en").
type Broadcast struct {
	ID         int64
	CreatedBy  int64 // staff id
	StaffChat  int64 // where the report goes
	Audience   Audience
	Texts      map[string]string
	Status     string
	FannedTo   int64 // the last owner id queued
	Queued     int
	CreatedAt  time.Time
	FinishedAt *time.Time
	// FileID is a photo (FilePhoto) or document sent with the text, as its caption; "" for none.
	FileID    string
	FilePhoto bool
	// SendAt is when the fan-out may start; nil for at once.
	SendAt *time.Time
	// Expected is the audience's size at the confirmation.
	Expected int
	// Office is the sending office's code; "" for an admin's broadcast. Only its staff and
	// admins may cancel it.
	Office string
}

// BroadcastDedupeKey is the outbox dedupe key of the broadcast's message to one owner.
func BroadcastDedupeKey(broadcastID, ownerID int64) string {
	return "bc:" + strconv.FormatInt(broadcastID, 10) + ":" + strconv.FormatInt(ownerID, 10)
}

// audienceSQL is the condition on owners o that selects the audience $1 (its jsonb). Deleted
// owners and active staff are never in it; owners who blocked the bot are (they are counted as
// unreachable, not retried).
const audienceSQL = `o.deleted_at IS NULL
	AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.telegram_user_id = o.telegram_user_id AND s.active)
	AND ($1::jsonb->>'kind' = 'training' OR jsonb_array_length(coalesce($1::jsonb->'kabupaten', '[]')) = 0 OR EXISTS (
		SELECT 1 FROM businesses b WHERE b.owner_id = o.id AND b.kabupaten IN (SELECT jsonb_array_elements_text($1::jsonb->'kabupaten'))))
	AND CASE $1::jsonb->>'kind'
		WHEN 'all' THEN true
		WHEN 'kabupaten' THEN CASE WHEN coalesce($1::jsonb->>'value', '') = ''
			THEN jsonb_array_length(coalesce($1::jsonb->'kabupaten', '[]')) > 0 -- none chosen is nobody, never everyone
			ELSE EXISTS (SELECT 1 FROM businesses b WHERE b.owner_id = o.id AND b.kabupaten = $1::jsonb->>'value') END
		WHEN 'path' THEN EXISTS (SELECT 1 FROM applications a WHERE a.owner_id = o.id AND a.path = $1::jsonb->>'value' AND a.status <> 'draft')
		WHEN 'status' THEN EXISTS (SELECT 1 FROM applications a WHERE a.owner_id = o.id AND a.status = $1::jsonb->>'value')
		WHEN 'ovop' THEN EXISTS (SELECT 1 FROM businesses b WHERE b.owner_id = o.id AND coalesce(b.ovop_product, '') <> '')
		WHEN 'training' THEN EXISTS (SELECT 1 FROM training_registrations r
			WHERE r.owner_id = o.id AND r.training_id::text = $1::jsonb->>'value')
		WHEN 'interest' THEN EXISTS (SELECT 1 FROM training_interests i
			WHERE i.owner_id = o.id AND i.kind = $1::jsonb->>'value' AND i.fulfilled_at IS NULL)
		ELSE false END`

// AudienceSize counts the owners the audience reaches now, and how many of them blocked the bot.
func AudienceSize(ctx context.Context, db DB, a Audience) (total, unreachable int, err error) {
	err = db.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE o.unreachable_at IS NOT NULL) FROM owners o WHERE `+audienceSQL, a).
		Scan(&total, &unreachable)
	if err != nil {
		return 0, 0, fmt.Errorf("store: audience size: %w", err)
	}
	return total, unreachable, nil
}

// CreateBroadcast stores b as queued (to be fanned out) and sets its ID and CreatedAt. A
// kabupaten audience with no kabupaten is refused (ErrEmptyAudience).
func CreateBroadcast(ctx context.Context, db DB, b *Broadcast) error {
	if b.Audience.Kind == AudienceKabupaten && b.Audience.Value == "" && len(b.Audience.Kabupaten) == 0 {
		return fmt.Errorf("store: create broadcast: %w", ErrEmptyAudience)
	}
	kab := ""
	if b.Audience.Kind == AudienceKabupaten {
		kab = b.Audience.Value
		if kab == "" && len(b.Audience.Kabupaten) == 1 {
			kab = b.Audience.Kabupaten[0]
		}
	}
	err := db.QueryRow(ctx, `
		INSERT INTO broadcasts (created_by, staff_chat, text, kabupaten, audience, texts, status, file_id, file_photo, send_at, expected, office)
		VALUES (nullif($1::bigint, 0), $2, $3, nullif($4, ''), $5, $6, 'queued', nullif($7, ''), $8, $9, $10, nullif($11, ''))
		RETURNING id, created_at`,
		b.CreatedBy, b.StaffChat, b.Texts["id"], kab, b.Audience, b.Texts, b.FileID, b.FilePhoto, b.SendAt, b.Expected, b.Office).
		Scan(&b.ID, &b.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: create broadcast: %w", err)
	}
	b.Status = BroadcastQueued
	return nil
}

const broadcastColumns = `id, coalesce(created_by, 0), staff_chat, audience, texts, status, fanned_to, queued, created_at, finished_at,
	coalesce(file_id, ''), file_photo, send_at, expected, coalesce(office, '')`

// broadcastFields are the scan destinations of broadcastColumns in b.
func broadcastFields(b *Broadcast) []any {
	return []any{&b.ID, &b.CreatedBy, &b.StaffChat, &b.Audience, &b.Texts, &b.Status, &b.FannedTo, &b.Queued,
		&b.CreatedAt, &b.FinishedAt, &b.FileID, &b.FilePhoto, &b.SendAt, &b.Expected, &b.Office}
}

func scanBroadcast(row pgx.Row) (Broadcast, error) {
	var b Broadcast
	err := row.Scan(broadcastFields(&b)...)
	return b, err
}

// BroadcastByID returns the broadcast, or ErrNotFound.
func BroadcastByID(ctx context.Context, db DB, id int64) (Broadcast, error) {
	b, err := scanBroadcast(db.QueryRow(ctx, `SELECT `+broadcastColumns+` FROM broadcasts WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Broadcast{}, fmt.Errorf("store: broadcast %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Broadcast{}, fmt.Errorf("store: broadcast %d: %w", id, err)
	}
	return b, nil
}

// OpenBroadcasts returns the ids of broadcasts still being fanned out or sent, oldest first.
func OpenBroadcasts(ctx context.Context, db DB) ([]int64, error) {
	rows, err := db.Query(ctx, `SELECT id FROM broadcasts WHERE status IN ('queued', 'sending') ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: open broadcasts: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: open broadcasts: %w", err)
	}
	return ids, nil
}

// CancelledBroadcasts returns the broadcasts cancelled after from and no later than to that report
// to a staff chat, by id: those whose report may still have changed after the cancel (a message a
// sender held then and sent counts as delivered once its send is recorded).
func CancelledBroadcasts(ctx context.Context, db DB, from, to time.Time) ([]int64, error) {
	rows, err := db.Query(ctx, `SELECT id FROM broadcasts
		WHERE status = 'cancelled' AND staff_chat <> 0 AND finished_at > $1 AND finished_at <= $2 ORDER BY id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: cancelled broadcasts: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: cancelled broadcasts: %w", err)
	}
	return ids, nil
}

// FanOutBroadcast queues the broadcast's next batch of recipients (up to batch owners, by owner
// id after the last one queued) at broadcast priority, each with the payload of their language
// (payloads["id"] when theirs is missing), in one transaction of its own: the owners read, one
// EnqueueMany, the broadcast's progress. A restart in the middle therefore goes on where the
// last committed batch ended, and the dedupe key per (broadcast, owner) keeps even an overlap
// from sending twice. Owners who blocked the bot go straight to outbox_failed (EnqueueMany). It
// returns how many recipients this batch had and whether the fan-out is over (every recipient
// queued: the broadcast moves to sending; or it was cancelled or is not queued).
func FanOutBroadcast(ctx context.Context, db DB, id int64, payloads map[string][]byte, batch int) (n int, done bool, err error) {
	if len(payloads["id"]) == 0 {
		return 0, false, fmt.Errorf("store: fan out broadcast %d: no payload in id", id)
	}
	err = inTx(ctx, db, func(tx DB) error {
		b, err := scanBroadcast(tx.QueryRow(ctx, `SELECT `+broadcastColumns+` FROM broadcasts WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if b.Status != BroadcastQueued {
			done = true
			return nil
		}
		rows, err := tx.Query(ctx, `SELECT o.id, o.chat_id, o.lang FROM owners o WHERE `+audienceSQL+`
			AND o.id > $2 ORDER BY o.id LIMIT $3`, b.Audience, b.FannedTo, batch)
		if err != nil {
			return err
		}
		type recipient struct {
			id, chat int64
			lang     string
		}
		rcpts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (recipient, error) {
			var x recipient
			err := r.Scan(&x.id, &x.chat, &x.lang)
			return x, err
		})
		if err != nil {
			return err
		}
		msgs := make([]OutboxMessage, len(rcpts))
		for i, r := range rcpts {
			p := payloads[r.lang]
			if len(p) == 0 {
				p = payloads["id"]
			}
			msgs[i] = OutboxMessage{ChatID: r.chat, Priority: PriorityBroadcast, Payload: p, BroadcastID: id,
				DedupeKey: BroadcastDedupeKey(id, r.id)}
		}
		if _, err := EnqueueMany(ctx, tx, msgs); err != nil {
			return err
		}
		n = len(rcpts)
		done = n < batch
		last := b.FannedTo
		if n > 0 {
			last = rcpts[n-1].id
		}
		status := BroadcastQueued
		if done {
			status = BroadcastSending
		}
		_, err = tx.Exec(ctx, `UPDATE broadcasts SET fanned_to = $2, queued = queued + $3, status = $4 WHERE id = $1`,
			id, last, n, status)
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: fan out broadcast %d: %w", id, err)
	}
	return n, done, nil
}

// BroadcastReport is how a broadcast went so far.
type BroadcastReport struct {
	Status      string
	Queued      int // recipients handed to the outbox
	Waiting     int // still in the outbox
	Delivered   int // accepted by Telegram
	Unreachable int // blocked the bot (before or during)
	Failed      int // refused for another reason
	Cancelled   int // dropped by a cancel
}

// Reasons of outbox_failed a broadcast's report reads.
const (
	reasonUnreachable = "owner unreachable"
	reasonCancelled   = "cancelled"
)

// failedCountsSQL counts the outbox_failed rows o by what a report makes of their reason
// (unreachable, cancelled, failed), with reasonUnreachable as $1 and reasonCancelled as $2.
const failedCountsSQL = `count(o.id) FILTER (WHERE o.reason = $1 OR o.reason LIKE 'forbidden%') AS unreachable,
	count(o.id) FILTER (WHERE o.reason = $2) AS cancelled,
	count(o.id) FILTER (WHERE o.reason <> $1 AND o.reason NOT LIKE 'forbidden%' AND o.reason <> $2) AS failed`

// BroadcastReportOf counts the broadcast's messages: delivered are those queued and neither
// still in the outbox nor in outbox_failed. A report frozen by FreezeBroadcastReports is read as
// it was frozen.
func BroadcastReportOf(ctx context.Context, db DB, id int64) (BroadcastReport, error) {
	var r BroadcastReport
	err := db.QueryRow(ctx, `
		SELECT b.status, b.queued,
			(SELECT count(*) FROM outbox o WHERE o.broadcast_id = b.id),
			coalesce((b.report->>'unreachable')::int, f.unreachable),
			coalesce((b.report->>'failed')::int, f.failed),
			coalesce((b.report->>'cancelled')::int, f.cancelled)
		FROM broadcasts b, LATERAL (SELECT `+failedCountsSQL+` FROM outbox_failed o WHERE o.broadcast_id = b.id) f
		WHERE b.id = $3`, reasonUnreachable, reasonCancelled, id).
		Scan(&r.Status, &r.Queued, &r.Waiting, &r.Unreachable, &r.Failed, &r.Cancelled)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("store: broadcast %d report: %w", id, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("store: broadcast %d report: %w", id, err)
	}
	r.Delivered = max(r.Queued-r.Waiting-r.Unreachable-r.Failed-r.Cancelled, 0)
	return r, nil
}

// FreezeBroadcastReports keeps the counts of every broadcast that is over (done or cancelled)
// with nothing of it left in the outbox in the broadcast's own row, before the outbox history
// they are counted from is pruned (PruneOutboxHistory calls it first). It returns how many it froze.
func FreezeBroadcastReports(ctx context.Context, db DB) (int64, error) {
	tag, err := db.Exec(ctx, `
		UPDATE broadcasts b SET report = jsonb_build_object('unreachable', f.unreachable, 'failed', f.failed, 'cancelled', f.cancelled)
		FROM (
			SELECT b2.id, `+failedCountsSQL+`
			FROM broadcasts b2 LEFT JOIN outbox_failed o ON o.broadcast_id = b2.id
			WHERE b2.status IN ('done', 'cancelled') AND b2.report IS NULL
			  AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.broadcast_id = b2.id)
			GROUP BY b2.id) f
		WHERE b.id = f.id`, reasonUnreachable, reasonCancelled)
	if err != nil {
		return 0, fmt.Errorf("store: freeze broadcast reports: %w", err)
	}
	return tag.RowsAffected(), nil
}

// FinishBroadcast marks a broadcast whose recipients are all queued as done once nothing of it
// is left in the outbox, and reports whether it did (false: still sending, or not in sending).
func FinishBroadcast(ctx context.Context, db DB, id int64, at time.Time) (bool, error) {
	tag, err := db.Exec(ctx, `
		UPDATE broadcasts b SET status = 'done', finished_at = $2
		WHERE b.id = $1 AND b.status = 'sending' AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.broadcast_id = b.id)`, id, at)
	if err != nil {
		return false, fmt.Errorf("store: finish broadcast %d: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// CancelBroadcast stops a broadcast still queued or sending: no further recipient is queued and
// what waits in the outbox is dropped (kept in outbox_failed as "cancelled"). It returns how many
// messages were dropped, and ErrNotFound when the broadcast is not open (done, cancelled, none).
// Give it a transaction: the status and the drop go together. A fan-out batch holds the
// broadcast's row while it runs, so the cancel waits for it and then drops its messages too.
func CancelBroadcast(ctx context.Context, db DB, id int64, at time.Time) (int64, error) {
	tag, err := db.Exec(ctx, `UPDATE broadcasts SET status = 'cancelled', finished_at = $2
		WHERE id = $1 AND status IN ('queued', 'sending')`, id, at)
	if err != nil {
		return 0, fmt.Errorf("store: cancel broadcast %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return 0, fmt.Errorf("store: cancel broadcast %d: %w", id, ErrNotFound)
	}
	return DropBroadcastOutbox(ctx, db, id)
}

// RecentBroadcasts returns the latest broadcasts, newest first; createdBy 0 means anyone's.
func RecentBroadcasts(ctx context.Context, db DB, createdBy int64, limit int) ([]Broadcast, error) {
	rows, err := db.Query(ctx, `SELECT `+broadcastColumns+` FROM broadcasts
		WHERE $1 = 0 OR created_by = $1 ORDER BY id DESC LIMIT $2`, createdBy, limit)
	if err != nil {
		return nil, fmt.Errorf("store: recent broadcasts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Broadcast, error) { return scanBroadcast(r) })
	if err != nil {
		return nil, fmt.Errorf("store: recent broadcasts: %w", err)
	}
	return out, nil
}

// ClaimBroadcastProgress says whether a progress edit saying sig may be queued for the broadcast
// now, and if so notes it: not when the last one said the same, nor within every of the last one
// (Telegram lets a message be edited only every few seconds), nor once the broadcast is over.
// Several instances share the note, so together they keep the pace. The broadcast's row is
// locked by it until the caller's transaction ends, so a cancel or the finish, which update the
// row, queue their report after the edit, never before it.
func ClaimBroadcastProgress(ctx context.Context, db DB, id int64, now time.Time, every time.Duration, sig string) (bool, error) {
	tag, err := db.Exec(ctx, `
		UPDATE broadcasts SET progress_at = $2, progress_sig = $4
		WHERE id = $1 AND status IN ('queued', 'sending') AND progress_sig <> $4
			AND (progress_at IS NULL OR progress_at <= $2::timestamptz - $3::interval)`,
		id, now, every, sig)
	if err != nil {
		return false, fmt.Errorf("store: broadcast %d progress: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// BroadcastEntry is a past broadcast with its report and who sent it, for the history.
type BroadcastEntry struct {
	Broadcast
	Report BroadcastReport
	By     string // the staff member's name; "" when unknown
}

// BroadcastHistory returns broadcasts newest first, offset and limit for pages, each with its
// report, and whether there are more. area, when not nil, keeps to the broadcasts whose audience
// lies within those kabupaten (an office's staff see their area's, an admin everything).
func BroadcastHistory(ctx context.Context, db DB, area []string, offset, limit int) ([]BroadcastEntry, bool, error) {
	var bound any
	if area != nil {
		bound = area
	}
	rows, err := db.Query(ctx, `
		SELECT `+broadcastColumns+`, coalesce((SELECT s.name FROM staff s WHERE s.id = b.created_by), '')
		FROM broadcasts b
		WHERE $1::text[] IS NULL OR (
			jsonb_array_length(coalesce(b.audience->'kabupaten', '[]')) > 0
			AND ARRAY(SELECT jsonb_array_elements_text(b.audience->'kabupaten')) <@ $1::text[])
		ORDER BY b.id DESC OFFSET $2 LIMIT $3`, bound, offset, limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("store: broadcast history: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (BroadcastEntry, error) {
		var e BroadcastEntry
		err := r.Scan(append(broadcastFields(&e.Broadcast), &e.By)...)
		return e, err
	})
	if err != nil {
		return nil, false, fmt.Errorf("store: broadcast history: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	for i := range out {
		if out[i].Report, err = BroadcastReportOf(ctx, db, out[i].ID); err != nil {
			return nil, false, err
		}
	}
	return out, more, nil
}

// BroadcastTrainings returns the trainings whose registrants a broadcast may reach: of the office
// (any office's for office ""), not cancelled, starting after since, soonest first; at most limit
// of them, all for limit 0.
func BroadcastTrainings(ctx context.Context, db DB, office string, since time.Time, limit int) ([]Training, error) {
	var bound any // LIMIT NULL: no limit
	if limit > 0 {
		bound = limit
	}
	rows, err := db.Query(ctx, `SELECT `+trainingColumns+` FROM trainings t
		WHERE t.cancelled_at IS NULL AND t.starts_at > $2 AND ($1 = '' OR t.office = $1)
		ORDER BY t.starts_at, t.id LIMIT $3`, office, since, bound)
	if err != nil {
		return nil, fmt.Errorf("store: trainings for a broadcast: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Training, error) {
		var tr Training
		err := r.Scan(trainingFields(&tr)...)
		return tr, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: trainings for a broadcast: %w", err)
	}
	return out, nil
}
