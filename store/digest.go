package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DigestRecipient is an active staff member or admin as the weekly digest needs them: where to
// write, in which language, their office (Unit; "" for an admin of every office) and their role
// ("staff", "viewer" or "admin": only the role makes an admin, never a missing office).
type DigestRecipient struct {
	StaffID int64
	ChatID  int64
	Lang    string
	Unit    string
	Role    string
}

// DigestRecipients returns every active staff member and admin, by id. Their chat is their
// private chat with the bot (their owners row, else their Telegram id).
func DigestRecipients(ctx context.Context, db DB) ([]DigestRecipient, error) {
	rows, err := db.Query(ctx, `
		SELECT s.id, coalesce(o.chat_id, s.telegram_user_id), coalesce(o.lang, 'id'), coalesce(s.unit, ''), s.role
		FROM staff s LEFT JOIN owners o ON o.telegram_user_id = s.telegram_user_id
		WHERE s.active ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("store: digest recipients: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[DigestRecipient])
	if err != nil {
		return nil, fmt.Errorf("store: digest recipients: %w", err)
	}
	return out, nil
}

// Digest is a week of an office's share of the applications: those submitted since the week
// began, those waiting on staff since before the service target, and the corrections whose due
// date passed during the week without an answer.
type Digest struct {
	New, Waiting, Lapsed int
}

// WeekDigest counts the Digest of the applications the filter's Paths and Kabupaten let through
// (nil for any), for the week from weekFrom to now.
func WeekDigest(ctx context.Context, db DB, f QueueFilter, weekFrom, now, waitingSince time.Time) (Digest, error) {
	var d Digest
	err := db.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE a.submitted_at >= $3 AND a.submitted_at < $4),
			count(*) FILTER (WHERE a.status IN ('submitted', 'in_review') AND a.submitted_at < $5),
			count(*) FILTER (WHERE a.status = 'needs_fix' AND a.due_at >= $3 AND a.due_at < $4)
		FROM applications a
		WHERE a.number IS NOT NULL AND `+officeShareSQL,
		f.Paths, f.Kabupaten, weekFrom, now, waitingSince).Scan(&d.New, &d.Waiting, &d.Lapsed)
	if err != nil {
		return d, fmt.Errorf("store: week digest: %w", err)
	}
	return d, nil
}
