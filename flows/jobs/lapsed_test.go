package jobs_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"umkmbot/flows/jobs"
	"umkmbot/store"
)

func lapsedJob(j *jobs.Jobs) jobs.Due { return j.CorrectionsLapsed }

// lapsedApp makes an application of a business in Ngada on the path, asked for corrections on
// 20 November due at due.
func (h *harness) lapsedApp(number, path, business string, due time.Time) int64 {
	h.t.Helper()
	owner := h.owner(9400+int64(number[len(number)-1]), "id").ID
	b := store.Business{OwnerID: owner, Name: business, Kabupaten: "ngada"}
	if err := store.SaveBusiness(h.ctx, h.st.DB(), &b); err != nil {
		h.t.Fatal(err)
	}
	a := store.Application{Number: number, OwnerID: owner, BusinessID: b.ID, Path: path, Status: "submitted", ProductName: "Kopi",
		Kabupaten: "ngada", CreatedAt: at(2026, 11, 1, 10, 0)}
	if err := store.CreateApplication(h.ctx, h.st.DB(), &a, nil, "owner", owner); err != nil {
		h.t.Fatal(err)
	}
	h.changeStatus(a.ID, "submitted", "needs_fix", at(2026, 11, 2, 10, 0), &due)
	return a.ID
}

// When corrections lapse unanswered, the staff of the handling office (the Ngada health office
// for SPP-IRT, the BPOM unit for MD) and the admin are told, one message per person per run
// naming each application once, with a button to its card: across the end of November, with a
// downtime gap after which two lapses are named together; an answer in time and a lapse older
// than a week are never named. Hourly, with one and two schedulers.
func TestCorrectionsLapsed(t *testing.T) {
	for _, schedulers := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d schedulers", schedulers), func(t *testing.T) {
			h := newHarness(t, schedulers, lapsedJob)
			h.staff(9301, "dinkes_ngada", "staff")
			h.staff(9302, "bbpom_kupang", "staff")
			h.staff(9303, "", "admin")
			h.owner(9302, "en") // the BPOM staff member reads English
			endNov := at(2026, 11, 30, 23, 59)
			a := h.lapsedApp("NTT-LLLL-0001", "spp_irt", "Kopi Sikka Jaya", endNov)
			b := h.lapsedApp("NTT-LLLL-0002", "md", "Madu Hutan Ngada", endNov)
			answered := h.lapsedApp("NTT-LLLL-0003", "spp_irt", "Tenun Bajawa", at(2026, 12, 2, 23, 59))
			d := h.lapsedApp("NTT-LLLL-0004", "spp_irt", "Keripik Ubi", at(2026, 12, 3, 23, 59))
			e := h.lapsedApp("NTT-LLLL-0005", "spp_irt", "Sambal Roa", at(2026, 12, 4, 23, 59))
			h.lapsedApp("NTT-LLLL-0006", "spp_irt", "Lama", at(2026, 11, 10, 23, 59)) // lapsed long before
			g := h.lapsedApp("NTT-LLLL-0007", "spp_irt", "Garam Lamakera", at(2026, 12, 1, 23, 59))

			// The admin's message names both of the first night, each with a button to its card.
			msgs, err := h.jobs.CorrectionsLapsed(h.ctx, h.st.DB(), at(2026, 12, 1, 0, 0))
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 3 || len(msgs[2].Reply.Buttons) != 2 || msgs[2].Reply.Buttons[0][0].Data != fmt.Sprintf("a:card:%d", a) ||
				msgs[2].Reply.Buttons[1][0].Data != fmt.Sprintf("a:card:%d", b) {
				t.Fatalf("messages at the first lapse: %+v", msgs)
			}

			h.every(time.Hour, at(2026, 11, 30, 0, 0), at(2026, 12, 2, 12, 0))
			h.changeStatus(answered, "needs_fix", "submitted", at(2026, 12, 2, 12, 0), nil) // answered in time
			down, up := at(2026, 12, 3, 20, 0), at(2026, 12, 5, 10, 0)
			h.every(time.Hour, at(2026, 12, 2, 12, 0), at(2026, 12, 13, 0, 0), down, up)

			due := map[int64]time.Time{a: endNov, b: endNov, g: at(2026, 12, 1, 23, 59), d: at(2026, 12, 3, 23, 59), e: at(2026, 12, 4, 23, 59)}
			ids := func(ids ...int64) string { // the lapses a key names: <id>@<due>,…
				s := ""
				for _, id := range ids {
					s += fmt.Sprintf(",%d@%d", id, due[id].Unix())
				}
				return ":" + s[1:]
			}
			h.expect(
				want{chat: 9301, keyEnd: ids(a), at: at(2026, 12, 1, 0, 0), contains: "NTT-LLLL-0001 — Kopi Sikka Jaya, Ngada: lewat 1 hari"},
				want{chat: 9302, keyEnd: ids(b), at: at(2026, 12, 1, 0, 0), contains: "NTT-LLLL-0002 — Madu Hutan Ngada, Ngada: 1 day late"},
				want{chat: 9303, keyEnd: ids(a, b), at: at(2026, 12, 1, 0, 0)},
				want{chat: 9301, keyEnd: ids(g), at: at(2026, 12, 2, 0, 0)},
				want{chat: 9303, keyEnd: ids(g), at: at(2026, 12, 2, 0, 0)},
				want{chat: 9301, keyEnd: ids(d, e), at: up, contains: "NTT-LLLL-0004 — Keripik Ubi, Ngada: lewat 2 hari"},
				want{chat: 9303, keyEnd: ids(d, e), at: up, contains: "NTT-LLLL-0005 — Sambal Roa, Ngada: lewat 1 hari"},
			)
		})
	}
}

// Two instances deciding at once, the second a day later with one more lapse: the second waits
// for the first to commit and then names only the new one. (Without the wait both would read
// no keys yet, and the first lapse would be named twice under two keys.)
func TestCorrectionsLapsedRunsTakeTurns(t *testing.T) {
	h := newHarness(t, 1, lapsedJob)
	h.staff(9301, "dinkes_ngada", "staff")
	dueA, dueG := at(2026, 11, 30, 23, 59), at(2026, 12, 1, 23, 59)
	a := h.lapsedApp("NTT-LLLL-0001", "spp_irt", "Kopi Sikka Jaya", dueA)
	g := h.lapsedApp("NTT-LLLL-0007", "spp_irt", "Garam Lamakera", dueG)
	decide := func(tx pgx.Tx, now time.Time) []jobs.Message {
		msgs, err := h.jobs.CorrectionsLapsed(h.ctx, tx, now)
		if err != nil {
			t.Error(err)
			return nil
		}
		out := make([]store.OutboxMessage, len(msgs))
		for i, m := range msgs {
			out[i] = store.OutboxMessage{ChatID: m.ChatID, Priority: store.PriorityReminder, Payload: []byte(`{}`), DedupeKey: m.Key}
		}
		if _, err := store.EnqueueMany(h.ctx, tx, out); err != nil {
			t.Error(err)
		}
		return msgs
	}
	first, err := h.st.Pool().Begin(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback(h.ctx)
	if msgs := decide(first, at(2026, 12, 1, 8, 0)); len(msgs) != 1 || !strings.HasSuffix(msgs[0].Key, fmt.Sprintf(":%d@%d", a, dueA.Unix())) {
		t.Fatalf("first run: %+v", msgs)
	}
	second := make(chan []jobs.Message, 1)
	go func() {
		var msgs []jobs.Message
		err := h.st.Tx(h.ctx, func(tx pgx.Tx) error { msgs = decide(tx, at(2026, 12, 2, 8, 0)); return nil })
		if err != nil {
			t.Error(err)
		}
		second <- msgs
	}()
	// The second run waits on the first's lock.
	for waiting := 0; waiting == 0; {
		// The job's lock in this schema (store.LockTx's key): its high and low 32 bits.
		if err := h.st.DB().QueryRow(h.ctx, `
			WITH k AS (SELECT hashtextextended('corrections-lapsed' || '@' || current_schema(), 0) AS v)
			SELECT count(*) FROM pg_locks, k WHERE locktype = 'advisory' AND NOT granted
				AND classid = ((k.v >> 32) & 4294967295)::oid AND objid = (k.v & 4294967295)::oid`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		select {
		case msgs := <-second:
			t.Fatalf("the second run did not wait for the first: %+v", msgs)
		case <-time.After(5 * time.Millisecond): // look again
		}
	}
	if err := first.Commit(h.ctx); err != nil {
		t.Fatal(err)
	}
	if msgs := <-second; len(msgs) != 1 || !strings.HasSuffix(msgs[0].Key, fmt.Sprintf(":%d@%d", g, dueG.Unix())) {
		t.Errorf("second run: %+v, want only the new lapse", msgs)
	}
}

// An application whose corrections lapse, are answered, are asked again with a new due date and
// lapse again is named a second time (its key names it with each due date): hourly, from the
// first lapse to a week after the second, with one and two schedulers.
func TestCorrectionsLapsedTwice(t *testing.T) {
	for _, schedulers := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d schedulers", schedulers), func(t *testing.T) {
			h := newHarness(t, schedulers, lapsedJob)
			h.staff(9301, "dinkes_ngada", "staff")
			first, second := at(2026, 11, 30, 23, 59), at(2026, 12, 10, 23, 59)
			a := h.lapsedApp("NTT-LLLL-0001", "spp_irt", "Kopi Sikka Jaya", first)
			h.every(time.Hour, at(2026, 11, 30, 0, 0), at(2026, 12, 2, 12, 0))
			h.changeStatus(a, "needs_fix", "submitted", at(2026, 12, 2, 12, 0), nil) // answered late
			h.every(time.Hour, at(2026, 12, 2, 12, 0), at(2026, 12, 3, 10, 0))
			h.changeStatus(a, "submitted", "needs_fix", at(2026, 12, 3, 10, 0), &second) // asked again
			h.every(time.Hour, at(2026, 12, 3, 10, 0), at(2026, 12, 18, 0, 0))
			h.expect(
				want{chat: 9301, keyEnd: fmt.Sprintf(":%d@%d", a, first.Unix()), at: at(2026, 12, 1, 0, 0), contains: "lewat 1 hari"},
				want{chat: 9301, keyEnd: fmt.Sprintf(":%d@%d", a, second.Unix()), at: at(2026, 12, 11, 0, 0), contains: "NTT-LLLL-0001 — Kopi Sikka Jaya, Ngada: lewat 1 hari"},
			)
		})
	}
}

// Staff of one office are told each what they have not heard: one who joins after a lapse was
// named hears of it with the next lapse; the one told already hears only of the next.
func TestCorrectionsLapsedEachPerson(t *testing.T) {
	h := newHarness(t, 1, lapsedJob)
	h.staff(9301, "dinkes_ngada", "staff")
	dueA, dueG := at(2026, 11, 30, 23, 59), at(2026, 12, 1, 23, 59)
	a := h.lapsedApp("NTT-LLLL-0001", "spp_irt", "Kopi Sikka Jaya", dueA)
	g := h.lapsedApp("NTT-LLLL-0007", "spp_irt", "Garam Lamakera", dueG)
	h.every(time.Hour, at(2026, 11, 30, 0, 0), at(2026, 12, 1, 12, 0)) // 9301 is told of a
	h.staff(9304, "dinkes_ngada", "staff")
	msgs, err := h.jobs.CorrectionsLapsed(h.ctx, h.st.DB(), at(2026, 12, 2, 8, 0))
	if err != nil {
		t.Fatal(err)
	}
	keys := map[int64]string{}
	for _, m := range msgs {
		keys[m.ChatID] = m.Key
	}
	if len(msgs) != 2 || !strings.HasSuffix(keys[9301], fmt.Sprintf(":%d@%d", g, dueG.Unix())) ||
		!strings.HasSuffix(keys[9304], fmt.Sprintf(":%d@%d,%d@%d", a, dueA.Unix(), g, dueG.Unix())) {
		t.Fatalf("messages: %+v", msgs)
	}
}
