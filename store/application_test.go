package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// newApplication submits a coffee application of the owner with a label design (given) and a
// lab result (missing).
func newApplication(t *testing.T, db store.DB, o store.Owner, b store.Business, number string, at *time.Time) store.Application {
	t.Helper()
	a := store.Application{Number: number, OwnerID: o.ID, BusinessID: b.ID, Path: "spp_irt", Status: "submitted",
		Product: map[string]string{"name": "Kopi Arabika Bajawa", "brand": "Mantap"}, ProductName: "Kopi Arabika Bajawa",
		Kabupaten: b.Kabupaten}
	if at != nil {
		a.CreatedAt = *at
	}
	docs := []store.NewDocument{
		{Kind: "label_design", Required: true, File: &store.DocumentFile{FileID: "F1", FileUniqueID: "U1",
			FileName: "label.pdf", MIMEType: "application/pdf", SizeBytes: 12345, UploadedAt: t0}},
		{Kind: "lab_result", Required: true},
		{Kind: "nutrition_facts", Required: false},
	}
	if err := store.CreateApplication(context.Background(), db, &a, docs, "owner", o.ID); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCreateApplication(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	o := newOwner(t, db, 1)
	b := store.Business{OwnerID: o.ID, Name: "Kopi Mantap", Kabupaten: "ngada"}
	if err := store.SaveBusiness(ctx, db, &b); err != nil {
		t.Fatal(err)
	}
	a := newApplication(t, db, o, b, "NTT-0000-0001", &t0)
	if a.ID == 0 || !a.CreatedAt.Equal(t0) || a.SubmittedAt == nil || !a.SubmittedAt.Equal(t0) {
		t.Fatalf("created application = %+v", a)
	}

	got, err := store.ApplicationByNumber(ctx, db, "NTT-0000-0001")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || got.OwnerID != o.ID || got.BusinessID != b.ID || got.Path != "spp_irt" || got.Status != "submitted" ||
		got.Product["name"] != "Kopi Arabika Bajawa" || got.Kabupaten != "ngada" || got.DueAt != nil || got.PermitNumber != "" ||
		got.SubmittedAt == nil || !got.SubmittedAt.Equal(t0) {
		t.Fatalf("application by number = %+v", got)
	}
	hist, err := store.StatusHistory(ctx, db, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || hist[0].From != "" || hist[0].To != "submitted" || hist[0].ActorKind != "owner" ||
		hist[0].ActorID != o.ID || !hist[0].At.Equal(t0) {
		t.Fatalf("history = %+v", hist)
	}
	docs, err := store.Documents(ctx, db, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 3 || docs[0].Kind != "label_design" || docs[1].Kind != "lab_result" || docs[2].Kind != "nutrition_facts" {
		t.Fatalf("documents = %+v, want them in the order given", docs)
	}
	want := store.DocumentFile{FileID: "F1", FileUniqueID: "U1", FileName: "label.pdf", MIMEType: "application/pdf",
		SizeBytes: 12345, UploadedAt: t0}
	if f := docs[0].File; f == nil || f.FileID != want.FileID || f.FileUniqueID != want.FileUniqueID ||
		f.FileName != want.FileName || f.MIMEType != want.MIMEType || f.SizeBytes != want.SizeBytes || !f.UploadedAt.Equal(t0) {
		t.Fatalf("label file = %+v, want %+v", docs[0].File, want)
	}
	if docs[1].File != nil || !docs[1].Required || docs[2].Required {
		t.Fatalf("documents = %+v", docs)
	}

	// A draft: no number, no owner-given time, no submitted_at.
	draft := store.Application{OwnerID: o.ID, Path: "md", ProductName: "Se'i sapi"}
	if err := store.CreateApplication(ctx, db, &draft, nil, "owner", o.ID); err != nil {
		t.Fatal(err)
	}
	if draft.Status != "draft" || draft.SubmittedAt != nil || draft.CreatedAt.IsZero() {
		t.Fatalf("draft = %+v", draft)
	}
	apps, err := store.ApplicationsByOwner(ctx, db, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 2 || apps[0].ID != draft.ID || apps[1].ID != a.ID {
		t.Fatalf("applications by owner = %d rows, want the draft then the first", len(apps))
	}
	if apps, err := store.ApplicationsByOwner(ctx, db, 404); err != nil || len(apps) != 0 {
		t.Fatalf("applications of nobody = %v %v", apps, err)
	}

	for name, fn := range map[string]func() error{
		"by number": func() error { _, err := store.ApplicationByNumber(ctx, db, "NTT-XXXX-XXXX"); return err },
		"by permit": func() error { _, err := store.ApplicationByPermitNumber(ctx, db, "P-IRT 1"); return err },
		"by id":     func() error { _, err := store.ApplicationByID(ctx, db, 404); return err },
	} {
		if err := fn(); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
}

// A taken number is reported, and the caller's transaction carries on with a new number.
func TestCreateApplicationDuplicateNumberInTransaction(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	o := newOwner(t, s.DB(), 1)
	newApplication(t, s.DB(), o, store.Business{}, "NTT-TAKE-N001", nil)

	var second store.Application
	err := s.Tx(ctx, func(tx pgx.Tx) error {
		if err := store.SetOwnerContact(ctx, tx, o.ID, "Ibu Ana", ""); err != nil {
			return err
		}
		for _, number := range []string{"NTT-TAKE-N001", "NTT-FREE-0002"} {
			second = store.Application{Number: number, OwnerID: o.ID, Path: "kosmetik", Status: "submitted", ProductName: "Lulur"}
			err := store.CreateApplication(ctx, tx, &second, []store.NewDocument{{Kind: "formula", Required: true}}, "owner", o.ID)
			if errors.Is(err, store.ErrDuplicateNumber) {
				continue
			}
			return err
		}
		return errors.New("no number left")
	})
	if err != nil {
		t.Fatal(err)
	}
	if second.Number != "NTT-FREE-0002" {
		t.Fatalf("created with %s", second.Number)
	}
	if got, err := store.OwnerByID(ctx, s.DB(), o.ID); err != nil || got.Name != "Ibu Ana" {
		t.Fatalf("the caller's earlier write was lost: %+v %v", got, err)
	}
	if docs, err := store.Documents(ctx, s.DB(), second.ID); err != nil || len(docs) != 1 {
		t.Fatalf("documents of the retried application = %v %v", docs, err)
	}
	// Only the committed documents exist: the refused attempt wrote none.
	var n int
	if err := s.DB().QueryRow(ctx, `SELECT count(*) FROM application_documents WHERE kind = 'formula'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("formula rows = %d (%v), want 1", n, err)
	}
}

// Two submissions draw the same number at once: one gets it, the other is told to draw again.
func TestCreateApplicationDuplicateNumberConcurrent(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	o := newOwner(t, s.DB(), 1)
	const n = 6
	errs := make(chan error, n)
	for range n {
		go func() {
			errs <- s.Tx(ctx, func(tx pgx.Tx) error {
				a := store.Application{Number: "NTT-SAME-0001", OwnerID: o.ID, Path: "md", Status: "submitted", ProductName: "Abon"}
				return store.CreateApplication(ctx, tx, &a, []store.NewDocument{{Kind: "lab_result", Required: true}}, "owner", o.ID)
			})
		}()
	}
	ok := 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrDuplicateNumber):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d created, want 1", ok)
	}
}

// A failure half way (a document listed twice) leaves nothing behind and the caller's
// transaction usable.
func TestCreateApplicationAtomic(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	o := newOwner(t, s.DB(), 1)
	err := s.Tx(ctx, func(tx pgx.Tx) error {
		a := store.Application{Number: "NTT-DUPE-DOC1", OwnerID: o.ID, Path: "md", Status: "submitted", ProductName: "Abon"}
		docs := []store.NewDocument{{Kind: "label_design"}, {Kind: "label_design"}}
		if err := store.CreateApplication(ctx, tx, &a, docs, "owner", o.ID); err == nil {
			t.Error("a document listed twice was accepted")
		}
		_, err := store.ApplicationByNumber(ctx, tx, "NTT-DUPE-DOC1")
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("application after the failed create: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestChangeStatus(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	o := newOwner(t, db, 1)
	draft := store.Application{OwnerID: o.ID, Path: "spp_irt", ProductName: "Keripik Pisang", CreatedAt: t0}
	if err := store.CreateApplication(ctx, db, &draft, nil, "owner", o.ID); err != nil {
		t.Fatal(err)
	}
	staff := store.Staff{TelegramUserID: 77, Name: "Petugas", Unit: "kupang", Active: true}
	if err := store.SaveStaff(ctx, db, &staff); err != nil {
		t.Fatal(err)
	}

	t1, t2, t3 := t0.Add(time.Hour), t0.Add(2*time.Hour), t0.Add(3*time.Hour)
	due := t2.Add(14 * 24 * time.Hour)
	steps := []struct {
		from, to, kind string
		actor          int64
		note           string
		due            *time.Time
		at             time.Time
	}{
		{"draft", "submitted", "owner", o.ID, "", nil, t1},
		{"submitted", "in_review", "staff", staff.ID, "", nil, t2},
		{"in_review", "needs_fix", "staff", staff.ID, "Komposisi belum lengkap", &due, t2},
		{"needs_fix", "submitted", "owner", o.ID, "", nil, t3},
	}
	for _, st := range steps {
		if err := store.ChangeStatus(ctx, db, draft.ID, st.from, st.to, st.kind, st.actor, st.note, st.due, st.at); err != nil {
			t.Fatalf("%s→%s: %v", st.from, st.to, err)
		}
		got, err := store.ApplicationByID(ctx, db, draft.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != st.to || got.StatusNote != st.note || (got.DueAt == nil) != (st.due == nil) || !got.UpdatedAt.Equal(st.at) {
			t.Fatalf("after %s→%s: %+v", st.from, st.to, got)
		}
		// submitted_at is the first submission, not the resubmission.
		if got.SubmittedAt == nil || !got.SubmittedAt.Equal(t1) {
			t.Fatalf("after %s→%s: submitted_at %v, want %v", st.from, st.to, got.SubmittedAt, t1)
		}
	}

	hist, err := store.StatusHistory(ctx, db, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1+len(steps) {
		t.Fatalf("history has %d rows, want %d", len(hist), 1+len(steps))
	}
	for i, st := range steps {
		h := hist[i+1]
		if h.From != st.from || h.To != st.to || h.ActorKind != st.kind || h.ActorID != st.actor || h.Note != st.note ||
			!h.At.Equal(st.at) || (h.DueAt == nil) != (st.due == nil) || (st.due != nil && !h.DueAt.Equal(*st.due)) {
			t.Errorf("history[%d] = %+v, want %+v", i+1, h, st)
		}
	}

	// Someone else moved it first.
	err = store.ChangeStatus(ctx, db, draft.ID, "in_review", "approved", "staff", staff.ID, "", nil, t3)
	if !errors.Is(err, store.ErrStatusChanged) {
		t.Fatalf("stale change: %v, want ErrStatusChanged", err)
	}
	if hist2, _ := store.StatusHistory(ctx, db, draft.ID); len(hist2) != len(hist) {
		t.Fatalf("a refused change was recorded in the history")
	}
	err = store.ChangeStatus(ctx, db, 404, "submitted", "in_review", "staff", staff.ID, "", nil, t3)
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("change of a missing application: %v, want ErrNotFound", err)
	}
	// System changes have no actor id.
	if err := store.ChangeStatus(ctx, db, draft.ID, "submitted", "withdrawn", "system", 0, "", nil, t3); err != nil {
		t.Fatal(err)
	}
}

// Two staff members act on the same application at once: exactly one wins.
func TestChangeStatusConcurrent(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	o := newOwner(t, s.DB(), 1)
	a := newApplication(t, s.DB(), o, store.Business{}, "NTT-RACE-0001", nil)
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- s.Tx(ctx, func(tx pgx.Tx) error {
				return store.ChangeStatus(ctx, tx, a.ID, "submitted", "in_review", "system", 0, "", nil, t0.Add(time.Duration(i)))
			})
		}()
	}
	won := 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrStatusChanged):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d changes won, want 1", won)
	}
	if hist, err := store.StatusHistory(ctx, s.DB(), a.ID); err != nil || len(hist) != 2 {
		t.Fatalf("history = %d rows (%v), want 2", len(hist), err)
	}
}

func TestSetPermit(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	db := s.DB()
	o := newOwner(t, db, 1)
	a := newApplication(t, db, o, store.Business{}, "NTT-PERM-0001", nil)
	b := newApplication(t, db, o, store.Business{}, "NTT-PERM-0002", nil)

	wita := time.FixedZone("WITA", 8*3600)
	validUntil := time.Date(2030, 7, 14, 0, 30, 0, 0, wita) // 13 July in UTC: the WITA calendar day counts
	if err := store.SetPermit(ctx, db, a.ID, "P-IRT 2065301010123-30", validUntil); err != nil {
		t.Fatal(err)
	}
	got, err := store.ApplicationByPermitNumber(ctx, db, "P-IRT 2065301010123-30")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || got.PermitValidUntil == nil || !got.PermitValidUntil.Equal(time.Date(2030, 7, 14, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("permit: %+v valid until %v", got, got.PermitValidUntil)
	}

	err = s.Tx(ctx, func(tx pgx.Tx) error {
		if err := store.SetPermit(ctx, tx, b.ID, "P-IRT 2065301010123-30", validUntil); !errors.Is(err, store.ErrDuplicatePermit) {
			t.Errorf("a permit number given twice: %v, want ErrDuplicatePermit", err)
		}
		return store.SetPermit(ctx, tx, b.ID, "P-IRT 2065301010124-30", validUntil) // the transaction goes on
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetPermit(ctx, db, 404, "x", validUntil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("permit of a missing application: %v, want ErrNotFound", err)
	}
}
