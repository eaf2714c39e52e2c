package jobs_test

import (
	"fmt"
	"testing"
	"time"

	"umkmbot/flows/jobs"
	"umkmbot/store"
)

func documentJob(j *jobs.Jobs) jobs.Due { return j.MissingDocuments }

// submitted creates an application of the owner submitted at when, in the given status, whose
// documents are those kinds, none sent; required ones are marked with a leading "!".
func (h *harness) submitted(number string, owner int64, status string, when time.Time, kinds ...string) int64 {
	h.t.Helper()
	var docs []store.NewDocument
	for _, k := range kinds {
		req := k[0] == '!'
		if req {
			k = k[1:]
		}
		docs = append(docs, store.NewDocument{Kind: k, Required: req})
	}
	a := store.Application{Number: number, OwnerID: owner, Path: "spp_irt", Status: status, ProductName: "Keripik Pisang", CreatedAt: when}
	if err := store.CreateApplication(h.ctx, h.st.DB(), &a, docs, "owner", owner); err != nil {
		h.t.Fatal(err)
	}
	return a.ID
}

func (h *harness) attach(app int64, kind string, when time.Time) {
	h.t.Helper()
	f := store.DocumentFile{FileID: "f-" + kind, FileUniqueID: fmt.Sprintf("u-%d-%s", app, kind), UploadedAt: when}
	if err := store.AttachDocument(h.ctx, h.st.DB(), app, kind, f); err != nil {
		h.t.Fatal(err)
	}
}

// Required documents left for later are asked for 3 days after submitting, then weekly, three
// times at most, listing what is still missing; sending them stops it; optional documents and
// closed applications are never asked for. Across the end of November, with two schedulers too.
func TestMissingDocumentsReminders(t *testing.T) {
	for _, schedulers := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d schedulers", schedulers), func(t *testing.T) {
			h := newHarness(t, schedulers, documentJob)
			sub := at(2026, 11, 28, 15, 0)
			a := h.submitted("NTT-DDDD-0001", h.owner(501, "id").ID, "submitted", sub, "!nib", "!label_design", "product_photo")
			b := h.submitted("NTT-DDDD-0002", h.owner(502, "en").ID, "submitted", sub, "!nib")
			h.changeStatus(b, "submitted", "in_review", sub.Add(time.Hour), nil)
			h.submitted("NTT-DDDD-0003", h.owner(503, "id").ID, "submitted", sub, "product_photo")
			approved := h.submitted("NTT-DDDD-0004", h.owner(504, "id").ID, "submitted", sub, "!nib")
			h.changeStatus(approved, "submitted", "approved", sub.Add(time.Hour), nil)

			h.every(time.Hour, at(2026, 11, 28, 16, 0), at(2026, 12, 5, 0, 0))
			h.attach(a, "nib", at(2026, 12, 5, 0, 0))
			h.attach(b, "nib", at(2026, 12, 5, 0, 0))
			h.every(time.Hour, at(2026, 12, 5, 0, 0), at(2026, 12, 30, 0, 0))

			h.expect(
				want{chat: 501, keyEnd: ":n1", at: at(2026, 12, 1, 8, 0), contains: "Masih ada 2 dokumen wajib"},
				want{chat: 501, keyEnd: ":n2", at: at(2026, 12, 8, 8, 0), contains: "Masih ada 1 dokumen wajib"},
				want{chat: 501, keyEnd: ":n3", at: at(2026, 12, 15, 8, 0)},
				want{chat: 502, keyEnd: ":n1", at: at(2026, 12, 1, 8, 0), contains: "1 required document has not"},
			)
		})
	}
}

// After downtime, a reminder whose week is still open comes when the bot is back; one whose whole
// week passed in the downtime is not sent late.
func TestMissingDocumentsAfterDowntime(t *testing.T) {
	h := newHarness(t, 1, documentJob)
	h.submitted("NTT-EEEE-0001", h.owner(601, "id").ID, "submitted", at(2026, 11, 28, 15, 0), "!nib")
	h.submitted("NTT-EEEE-0002", h.owner(602, "id").ID, "submitted", at(2026, 11, 20, 15, 0), "!nib")
	down, up := at(2026, 12, 7, 0, 0), at(2026, 12, 14, 12, 0)
	h.every(time.Hour, at(2026, 11, 28, 16, 0), at(2026, 12, 30, 0, 0), down, up)
	h.expect(
		want{chat: 601, keyEnd: ":n1", at: at(2026, 12, 1, 8, 0)},
		want{chat: 601, keyEnd: ":n2", at: up},
		want{chat: 601, keyEnd: ":n3", at: at(2026, 12, 15, 8, 0)},
		want{chat: 602, keyEnd: ":n1", at: at(2026, 11, 28, 16, 0)}, // the first run catches up
		want{chat: 602, keyEnd: ":n2", at: at(2026, 11, 30, 8, 0)},
	)
}
