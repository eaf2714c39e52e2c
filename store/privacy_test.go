package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// inboxPayload returns the raw update kept for updateID.
func inboxPayload(t *testing.T, db store.DB, updateID int64) string {
	t.Helper()
	var p []byte
	if err := db.QueryRow(context.Background(), `SELECT payload FROM inbox WHERE update_id = $1`, updateID).Scan(&p); err != nil {
		t.Fatalf("inbox row %d: %v", updateID, err)
	}
	return string(p)
}

// jsonEqual compares two JSON texts by meaning (jsonb normalises spacing and key order).
func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("%q: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("%q: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func TestDeleteOwnerData(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	db := s.DB()
	o := newOwner(t, db, 7)
	other := newOwner(t, db, 8)
	if err := store.SetOwnerContact(ctx, db, o.ID, "Yohanes", "+6281111111111"); err != nil {
		t.Fatal(err)
	}
	b := store.Business{OwnerID: o.ID, Name: "Kopi Bajawa Yohanes", NIB: "1234567890123", Kabupaten: "ngada",
		Desa: "Beiposo", OVOPProduct: "kopi"}
	if err := store.SaveBusiness(ctx, db, &b); err != nil {
		t.Fatal(err)
	}
	otherB := store.Business{OwnerID: other.ID, Name: "Tenun Sikka", Kabupaten: "sikka"}
	if err := store.SaveBusiness(ctx, db, &otherB); err != nil {
		t.Fatal(err)
	}
	app := newApplication(t, db, o, b, "NTT-AAAA-AAA1", nil)
	otherApp := newApplication(t, db, other, otherB, "NTT-AAAA-AAA2", nil)
	draft := store.Application{OwnerID: o.ID, BusinessID: b.ID, Path: "md", Status: "draft", ProductName: "Sambal Yohanes"}
	if err := store.CreateApplication(ctx, db, &draft, []store.NewDocument{{Kind: "nib", Required: true,
		File: &store.DocumentFile{FileID: "F-draft", FileName: "nib yohanes.pdf"}}}, "owner", o.ID); err != nil {
		t.Fatal(err)
	}
	tr := newTraining(t, db, "ngada", 5, t0.Add(48*time.Hour))
	for _, id := range []int64{o.ID, other.ID} {
		if err := store.RegisterForTraining(ctx, db, tr.ID, id, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.SaveSession(ctx, db, 7, 7, []byte(`{"flow":"register"}`), t0); err != nil {
		t.Fatal(err)
	}
	if err := store.SaveSession(ctx, db, 8, 8, []byte(`{}`), t0); err != nil {
		t.Fatal(err)
	}
	// The chat's inbox: 10 handled, 11 failed, 12 the update asking for the deletion (pending
	// while it is handled), 13 written afterwards and not handled yet. 20 is another chat's.
	raw := func(id int64) []byte {
		return fmt.Appendf(nil, `{"update_id":%d,"message":{"text":"Yohanes +6281111111111"}}`, id)
	}
	for _, u := range []struct{ id, chat int64 }{{10, 7}, {11, 7}, {12, 7}, {13, 7}, {20, 8}} {
		if _, err := store.StoreUpdate(ctx, db, u.id, u.chat, raw(u.id), t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.MarkHandled(ctx, db, 10); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkFailed(ctx, db, 11, "boom"); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkHandled(ctx, db, 20); err != nil {
		t.Fatal(err)
	}
	for _, chat := range []int64{7, 7, 8} {
		if _, _, err := store.Enqueue(ctx, db, store.OutboxMessage{ChatID: chat, Payload: []byte(`{"text":"Terima kasih, Yohanes"}`)}); err != nil {
			t.Fatal(err)
		}
	}

	at := t0.Add(time.Hour)
	err := s.Tx(ctx, func(tx pgx.Tx) error { return store.DeleteOwnerData(ctx, tx, o.ID, 12, at) })
	if err != nil {
		t.Fatal(err)
	}

	got, err := store.OwnerByID(ctx, db, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "" || got.Phone != "" || got.DeletedAt == nil || !got.DeletedAt.Equal(at) {
		t.Errorf("owner after deletion = %+v", got)
	}
	gotB, err := store.PrimaryBusiness(ctx, db, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if gotB.Name != "(dihapus)" || gotB.NIB != "" || gotB.Desa != "" || gotB.Kabupaten != "ngada" || gotB.OVOPProduct != "kopi" {
		t.Errorf("business after deletion = %+v", gotB)
	}
	regs, err := store.TrainingRegistrations(ctx, db, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(regs) != 1 || regs[0].ID != other.ID {
		t.Errorf("registrations after deletion = %v, want only the other owner", regs)
	}
	if _, _, err := store.LoadSession(ctx, db, 7); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("session after deletion: %v, want ErrNotFound", err)
	}
	if _, _, err := store.LoadSession(ctx, db, 8); err != nil {
		t.Errorf("the other owner's session: %v", err)
	}

	// The submitted application stays the owner's, with its product; its documents keep what
	// was sent and when, not the files.
	gotApp, err := store.ApplicationByID(ctx, db, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if gotApp.OwnerID != o.ID || gotApp.ProductName != app.ProductName || gotApp.Product["brand"] != "Mantap" || gotApp.Number != "NTT-AAAA-AAA1" {
		t.Errorf("application after deletion = %+v, want it kept", gotApp)
	}
	var cleared bool
	var mime string
	var size int64
	var uploaded *time.Time
	if err := db.QueryRow(ctx, `SELECT file_id IS NULL AND file_unique_id IS NULL AND file_name IS NULL,
			mime_type, size_bytes, uploaded_at
		FROM application_documents WHERE application_id = $1 AND kind = 'label_design'`, app.ID).
		Scan(&cleared, &mime, &size, &uploaded); err != nil {
		t.Fatal(err)
	}
	if !cleared {
		t.Error("the document's Telegram file id or name is kept")
	}
	if mime != "application/pdf" || size != 12345 || uploaded == nil || !uploaded.Equal(t0) {
		t.Errorf("document record = %s %d %v, want what was sent and when kept", mime, size, uploaded)
	}
	if _, err := store.ApplicationByID(ctx, db, draft.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("draft application after deletion: %v, want ErrNotFound", err)
	}
	if docs, err := store.Documents(ctx, db, otherApp.ID); err != nil || docs[0].File == nil || docs[0].File.FileID != "F1" {
		t.Errorf("the other owner's documents: %+v, %v", docs, err)
	}

	// The inbox keeps every row; the handled ones and the asking one lose their content.
	for id, want := range map[int64]string{10: `{}`, 11: `{}`, 12: `{}`, 13: string(raw(13)), 20: string(raw(20))} {
		if got := inboxPayload(t, db, id); !jsonEqual(t, got, want) {
			t.Errorf("inbox %d = %s, want %s", id, got, want)
		}
	}
	// What was queued for the chat is dropped; another chat's stays.
	for chat, want := range map[int64]int{7: 0, 8: 1} {
		if msgs, err := store.OutboxForChat(ctx, db, chat); err != nil || len(msgs) != want {
			t.Errorf("chat %d has %d queued messages (%v), want %d", chat, len(msgs), err, want)
		}
	}

	var detail map[string]any
	if err := db.QueryRow(ctx, `SELECT detail FROM audit_log WHERE action = 'owner.delete_data' AND subject_id = $1
		AND actor_kind = 'owner' AND at = $2`, o.ID, at).Scan(&detail); err != nil {
		t.Fatalf("audit row: %v", err)
	}
	wantDetail := map[string]float64{"businesses": 1, "draft_applications": 1, "documents": 1, "training_registrations": 1,
		"inbox_updates": 3, "outbox_messages": 2}
	for k, v := range wantDetail {
		if detail[k] != v {
			t.Errorf("audit detail %s = %v, want %v (all: %v)", k, detail[k], v, detail)
		}
	}

	if err := store.DeleteOwnerData(ctx, db, 404, 0, at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting a missing owner: %v, want ErrNotFound", err)
	}
}
