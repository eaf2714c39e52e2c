package jobs_test

import (
	"fmt"
	"testing"
	"time"

	"umkmbot/flows/jobs"
	"umkmbot/store"
)

func paymentJob(j *jobs.Jobs) jobs.Due { return j.PaymentDue }

// awaitingPayment creates an application of the owner whose payment order, issued at asked, is
// due at due.
func (h *harness) awaitingPayment(number string, owner int64, asked, due time.Time) int64 {
	h.t.Helper()
	a := store.Application{Number: number, OwnerID: owner, Path: "md", Status: "in_review", ProductName: "Madu Hutan"}
	if err := store.CreateApplication(h.ctx, h.st.DB(), &a, nil, "owner", owner); err != nil {
		h.t.Fatal(err)
	}
	h.changeStatus(a.ID, "in_review", "awaiting_payment", asked, &due)
	return a.ID
}

// 3 working days and 1 working day before the payment order lapses, at 08:00: weekends are not
// counted (due on a Monday: Wednesday and Friday before), across the end of November, with two
// schedulers too; a payment order issued after the 3-day moment gets only the last one, and a
// paid one (the application moved on) none.
func TestPaymentDueReminders(t *testing.T) {
	for _, schedulers := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d schedulers", schedulers), func(t *testing.T) {
			h := newHarness(t, schedulers, paymentJob)
			tuesday := at(2026, 12, 1, 23, 59)
			monday := at(2026, 12, 7, 23, 59)
			h.awaitingPayment("NTT-PPPP-0001", h.owner(801, "id").ID, at(2026, 11, 17, 10, 0), tuesday)
			h.awaitingPayment("NTT-PPPP-0002", h.owner(802, "en").ID, at(2026, 11, 17, 10, 0), monday)
			h.awaitingPayment("NTT-PPPP-0003", h.owner(803, "id").ID, at(2026, 11, 27, 10, 0), tuesday)
			paid := h.awaitingPayment("NTT-PPPP-0004", h.owner(804, "id").ID, at(2026, 11, 17, 10, 0), tuesday)
			h.changeStatus(paid, "awaiting_payment", "in_review", at(2026, 11, 20, 10, 0), nil)

			h.every(time.Hour, at(2026, 11, 20, 0, 0), at(2026, 12, 9, 0, 0))
			h.expect(
				want{chat: 801, keyEnd: "p3:2026-12-01", at: at(2026, 11, 26, 8, 0), contains: "3 hari kerja lagi"},
				want{chat: 801, keyEnd: "p1:2026-12-01", at: at(2026, 11, 30, 8, 0), contains: "1 hari kerja lagi"},
				want{chat: 802, keyEnd: "p3:2026-12-07", at: at(2026, 12, 2, 8, 0), contains: "3 working days left"},
				want{chat: 802, keyEnd: "p1:2026-12-07", at: at(2026, 12, 4, 8, 0), contains: "1 working day left"},
				want{chat: 803, keyEnd: "p1:2026-12-01", at: at(2026, 11, 30, 8, 0)},
			)
		})
	}
}

// Down over the 3-day reminder's window, the bot sends the 1-day one when it is back, and not the
// one it missed.
func TestPaymentDueAfterDowntime(t *testing.T) {
	h := newHarness(t, 1, paymentJob)
	h.awaitingPayment("NTT-QQQQ-0001", h.owner(811, "id").ID, at(2026, 11, 17, 10, 0), at(2026, 12, 1, 23, 59))
	down, up := at(2026, 11, 25, 0, 0), at(2026, 11, 30, 10, 0)
	h.every(time.Hour, at(2026, 11, 20, 0, 0), at(2026, 12, 3, 0, 0), down, up)
	h.expect(want{chat: 811, keyEnd: "p1:2026-12-01", at: up})
}
