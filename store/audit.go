package store

import (
	"context"
	"fmt"
	"time"
)

// AuditEntry is one line of the audit log: who (ActorKind owner, staff or system; ActorID 0 for
// system) did what (Action, e.g. "application.status") to what (SubjectKind and SubjectID, ""
// and 0 when none). Detail holds what else helps later, never message text or phone numbers.
type AuditEntry struct {
	ActorKind   string
	ActorID     int64
	Action      string
	SubjectKind string
	SubjectID   int64
	Detail      map[string]any
}

// Audit appends e to the audit log at the given time.
func Audit(ctx context.Context, db DB, e AuditEntry, at time.Time) error {
	detail := e.Detail
	if detail == nil {
		detail = map[string]any{}
	}
	if _, err := db.Exec(ctx, `
		INSERT INTO audit_log (at, actor_kind, actor_id, action, subject_kind, subject_id, detail)
		VALUES ($1, $2, nullif($3::bigint, 0), $4, nullif($5, ''), nullif($6::bigint, 0), $7)`,
		at, e.ActorKind, e.ActorID, e.Action, e.SubjectKind, e.SubjectID, detail); err != nil {
		return fmt.Errorf("store: audit %s: %w", e.Action, err)
	}
	return nil
}
