package store_test

import (
	"context"
	"testing"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

func TestAudit(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	if err := store.Audit(ctx, db, store.AuditEntry{ActorKind: "staff", ActorID: 3, Action: "application.status",
		SubjectKind: "application", SubjectID: 42, Detail: map[string]any{"from": "submitted", "to": "in_review"}}, t0); err != nil {
		t.Fatal(err)
	}
	if err := store.Audit(ctx, db, store.AuditEntry{ActorKind: "system", Action: "inbox.prune"}, t0); err != nil {
		t.Fatal(err)
	}
	var (
		actorID, subjectID *int64
		subjectKind        *string
		to                 string
	)
	if err := db.QueryRow(ctx, `SELECT actor_id, subject_kind, subject_id, detail->>'to' FROM audit_log WHERE action = 'application.status' AND at = $1`, t0).
		Scan(&actorID, &subjectKind, &subjectID, &to); err != nil {
		t.Fatal(err)
	}
	if actorID == nil || *actorID != 3 || subjectKind == nil || *subjectKind != "application" || subjectID == nil || *subjectID != 42 || to != "in_review" {
		t.Fatalf("audit row: actor %v subject %v %v to %q", actorID, subjectKind, subjectID, to)
	}
	var detail string
	if err := db.QueryRow(ctx, `SELECT actor_id, subject_kind, subject_id, detail::text FROM audit_log WHERE action = 'inbox.prune'`).
		Scan(&actorID, &subjectKind, &subjectID, &detail); err != nil {
		t.Fatal(err)
	}
	if actorID != nil || subjectKind != nil || subjectID != nil || detail != "{}" {
		t.Fatalf("system audit row: actor %v subject %v %v detail %s, want NULLs and {}", actorID, subjectKind, subjectID, detail)
	}
}
