package jobs_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"umkmbot/flows/jobs"
	"umkmbot/locales"
	"umkmbot/store"
)

func digestJob(j *jobs.Jobs) jobs.Due { return j.StaffDigest }

func (h *harness) staff(tgID int64, office, role string) {
	h.t.Helper()
	s := store.Staff{TelegramUserID: tgID, Name: "Petugas", Unit: office, Role: role, Active: true}
	if err := store.SaveStaff(h.ctx, h.st.DB(), &s); err != nil {
		h.t.Fatal(err)
	}
}

// On Mondays at 08:00 each staff member gets their office's week: the health office of Ngada its
// SPP-IRT, the BPOM unit the other paths, an admin everything; the corrections lapsed are listed
// (number, business, kabupaten, days late), and the trainings of the week in the office's
// kabupaten with seats taken of the quota. A Monday lost to downtime is not made up later in the
// week. Across the end of November, with two schedulers too.
func TestStaffDigest(t *testing.T) {
	for _, schedulers := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d schedulers", schedulers), func(t *testing.T) {
			h := newHarness(t, schedulers, digestJob)
			h.staff(9101, "dinkes_ngada", "staff")
			h.staff(9102, "bbpom_kupang", "staff")
			h.staff(9103, "", "admin")
			h.staff(9104, "dinkes_ngada", "viewer")
			h.exec(`UPDATE staff SET active = false WHERE telegram_user_id = 9104`) // removed: no digest
			owner := h.owner(9200, "id").ID
			app := func(number, path, status string, submitted time.Time) int64 {
				a := store.Application{Number: number, OwnerID: owner, Path: path, Status: status, ProductName: "Kopi", Kabupaten: "ngada", CreatedAt: submitted}
				if err := store.CreateApplication(h.ctx, h.st.DB(), &a, nil, "owner", owner); err != nil {
					t.Fatal(err)
				}
				return a.ID
			}
			app("NTT-SSSS-0001", "spp_irt", "submitted", at(2026, 11, 24, 10, 0)) // new last week
			app("NTT-SSSS-0002", "spp_irt", "submitted", at(2026, 10, 1, 10, 0))  // waiting past the target
			fix := app("NTT-SSSS-0003", "md", "submitted", at(2026, 10, 1, 10, 0))
			h.changeStatus(fix, "submitted", "needs_fix", at(2026, 11, 2, 10, 0), new(at(2026, 11, 26, 23, 59))) // lapsed last week
			// Trainings: in Ngada in the week of 30 November (2 of 30 seats taken), in Ende that week
			// (Loka POM Ende's area: only the admin sees it), a cancelled one that week, and in Ngada
			// on the Sunday before and the Monday after the week of 14 December.
			h.owner(9201, "id")
			h.exec(`INSERT INTO trainings (title, kind, starts_at, duration_minutes, place, kabupaten, quota, cancelled_at) VALUES
				('PKP Ngada', 'pkp', $1, 960, 'Bajawa', 'ngada', 30, NULL), ('Bimtek Ende', 'bimtek', $2, 240, 'Ende', 'ende', 20, NULL),
				('Batal', 'pkp', $3, 60, 'Bajawa', 'ngada', 10, $4), ('Sebelum', 'pkp', $5, 60, 'Bajawa', 'ngada', 10, NULL),
				('Sesudah', 'pkp', $6, 60, 'Bajawa', 'ngada', 10, NULL)`,
				at(2026, 12, 2, 9, 0), at(2026, 12, 1, 9, 0), at(2026, 12, 1, 8, 0), at(2026, 11, 20, 0, 0),
				at(2026, 12, 13, 23, 0), at(2026, 12, 21, 0, 0))
			h.exec(`INSERT INTO training_registrations (training_id, owner_id) SELECT t.id, o.id FROM trainings t, owners o
				WHERE t.title = 'PKP Ngada' AND o.telegram_user_id IN (9200, 9201)`)
			pkp := "Pelatihan minggu ini:\n• PKP Ngada — " + h.jobsLocalizer("id").DateTime(at(2026, 12, 2, 9, 0)) + ", Ngada: 2/30 kursi terisi"

			h.every(time.Hour, at(2026, 11, 29, 0, 0), at(2026, 12, 15, 0, 0), at(2026, 12, 6, 0, 0), at(2026, 12, 8, 9, 0))
			queue := "\n\nLihat antrean dengan /antrian.\n\n"
			block := func(n, w, l int) string {
				return fmt.Sprintf("Pengajuan baru minggu lalu: %d\n• Menunggu lebih dari 14 hari: %d\n• Batas perbaikan lewat minggu lalu: %d", n, w, l)
			}
			h.expect(
				want{chat: 9101, keyEnd: "2026-11-30", at: at(2026, 11, 30, 8, 0), contains: block(1, 1, 0) + queue + pkp},
				want{chat: 9102, keyEnd: "2026-11-30", at: at(2026, 11, 30, 8, 0),
					contains: block(0, 0, 1) + queue + "Batas perbaikan yang lewat minggu lalu:\n• NTT-SSSS-0003 — —, Ngada: lewat 4 hari\n\n" + pkp},
				want{chat: 9103, keyEnd: "2026-11-30", at: at(2026, 11, 30, 8, 0), contains: "Ende: 0/20 kursi terisi\n• PKP Ngada"},
				want{chat: 9101, keyEnd: "2026-12-14", at: at(2026, 12, 14, 8, 0), contains: block(0, 2, 0) + queue + "Pelatihan minggu ini: tidak ada."},
				want{chat: 9102, keyEnd: "2026-12-14", at: at(2026, 12, 14, 8, 0), contains: block(0, 0, 0)},
				want{chat: 9103, keyEnd: "2026-12-14", at: at(2026, 12, 14, 8, 0), contains: "semua kantor"},
			)
		})
	}
}

// The digest warns when the holiday calendar lacks next year.
func TestStaffDigestWarnsOfMissingHolidays(t *testing.T) {
	h := newHarness(t, 1, digestJob)
	h.staff(9101, "dinkes_ngada", "staff")
	monday := at(2027, 12, 6, 8, 0)
	msgs, err := h.jobs.StaffDigest(h.ctx, h.st.DB(), monday)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0].Reply.Text, "Kalender hari libur untuk tahun 2028") {
		t.Fatalf("digest %+v, want one warning of 2028", msgs)
	}
	if msgs, _ := h.jobs.StaffDigest(h.ctx, h.st.DB(), at(2026, 11, 30, 8, 0)); len(msgs) != 1 || strings.Contains(msgs[0].Reply.Text, "Kalender") {
		t.Errorf("a known calendar is warned of: %+v", msgs)
	}
}

// jobsLocalizer is the messages in lang, for expected texts.
func (h *harness) jobsLocalizer(lang string) *locales.Localizer {
	h.t.Helper()
	msgs, err := locales.Load()
	if err != nil {
		h.t.Fatal(err)
	}
	return msgs.For(lang)
}
