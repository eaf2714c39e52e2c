package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

func TestMissingAndAttachDocuments(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t).DB()
	o := newOwner(t, db, 1)
	other := newOwner(t, db, 2)
	open := newApplication(t, db, o, store.Business{}, "NTT-DOCS-0001", nil)
	done := newApplication(t, db, o, store.Business{}, "NTT-DOCS-0002", nil)
	theirs := newApplication(t, db, other, store.Business{}, "NTT-DOCS-0003", nil)
	if err := store.ChangeStatus(ctx, db, done.ID, "submitted", "withdrawn", "owner", o.ID, "", nil, t0); err != nil {
		t.Fatal(err)
	}

	missing, err := store.MissingDocuments(ctx, db, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Only the open application, only its required document without a file.
	if len(missing) != 1 || len(missing[open.ID]) != 1 || missing[open.ID][0].Kind != "lab_result" || missing[open.ID][0].File != nil {
		t.Fatalf("missing = %+v", missing)
	}

	f := store.DocumentFile{FileID: "F2", FileUniqueID: "U2", FileName: "uji-lab.jpg", MIMEType: "image/jpeg",
		SizeBytes: 2 << 20, UploadedAt: t0.Add(time.Hour)}
	if err := store.AttachDocument(ctx, db, open.ID, "lab_result", f); err != nil {
		t.Fatal(err)
	}
	missing, err = store.MissingDocuments(ctx, db, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 0 {
		t.Fatalf("missing after upload = %+v, want none", missing)
	}
	if m, err := store.MissingDocuments(ctx, db, other.ID); err != nil || len(m[theirs.ID]) != 1 {
		t.Fatalf("the other owner's missing documents = %+v %v", m, err)
	}

	// A new file replaces the earlier one.
	f2 := store.DocumentFile{FileID: "F3", FileUniqueID: "U3", FileName: "label-v2.png", MIMEType: "image/png", SizeBytes: 99}
	if err := store.AttachDocument(ctx, db, open.ID, "label_design", f2); err != nil {
		t.Fatal(err)
	}
	docs, err := store.Documents(ctx, db, open.ID)
	if err != nil {
		t.Fatal(err)
	}
	label, lab := docs[0].File, docs[1].File
	if label == nil || label.FileID != "F3" || label.FileName != "label-v2.png" || label.SizeBytes != 99 || label.UploadedAt.IsZero() {
		t.Fatalf("replaced label = %+v", label)
	}
	if lab == nil || lab.FileID != f.FileID || lab.FileName != f.FileName || lab.SizeBytes != f.SizeBytes ||
		!lab.UploadedAt.Equal(f.UploadedAt) {
		t.Fatalf("lab result = %+v, want %+v", lab, f)
	}

	if err := store.AttachDocument(ctx, db, open.ID, "no_such_kind", f); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("attach of an unknown kind: %v, want ErrNotFound", err)
	}
	if err := store.AttachDocument(ctx, db, 404, "lab_result", f); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("attach to a missing application: %v, want ErrNotFound", err)
	}
	if docs, err := store.Documents(ctx, db, 404); err != nil || len(docs) != 0 {
		t.Fatalf("documents of a missing application = %v %v", docs, err)
	}
}
