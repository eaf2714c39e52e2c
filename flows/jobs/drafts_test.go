package jobs_test

import (
	"fmt"
	"testing"
	"time"

	"umkmbot/flows/jobs"
	"umkmbot/store"
)

func draftJob(j *jobs.Jobs) jobs.Due { return j.IdleDrafts }

// session saves the chat's conversation state as of when; the chat's owner is made first.
func (h *harness) session(chat int64, state string, when time.Time) {
	h.t.Helper()
	if err := store.SaveSession(h.ctx, h.st.DB(), chat, chat, []byte(state), when); err != nil {
		h.t.Fatal(err)
	}
}

// An unfinished registration, under way or set aside, is nudged once when the conversation has
// been quiet two days, with a button to go on; coming back starts the count again; another flow,
// or a draft quiet for more than a week, is not nudged. After downtime the nudge comes when the
// bot is back. Across the end of November, with two schedulers too.
func TestIdleDrafts(t *testing.T) {
	for _, schedulers := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d schedulers", schedulers), func(t *testing.T) {
			h := newHarness(t, schedulers, draftJob)
			for _, chat := range []int64{701, 702, 703, 704, 705, 706} {
				h.owner(chat, "id")
			}
			h.owner(707, "en")
			// 708 and 709 are staff with a draft of their own business: 708 is in staff mode,
			// where the nudge's button would be a stale one; 709 in owner mode.
			for _, chat := range []int64{708, 709} {
				h.owner(chat, "id")
				if _, err := h.st.DB().Exec(h.ctx, `INSERT INTO staff (telegram_user_id, name, unit, role) VALUES ($1, 'Petugas', 'bbpom_kupang', 'staff')`, chat); err != nil {
					t.Fatal(err)
				}
			}
			running := `{"flow":"register","step":"product_name","seq":4,"data":{"path":"spp_irt"}}`
			h.session(701, running, at(2026, 11, 28, 20, 0))
			h.session(702, `{"parked":{"register":{"flow":"register","step":"brand","at":"2026-11-29T02:00:00Z"}},"seq":7}`, at(2026, 11, 29, 10, 30))
			h.session(703, `{"flow":"profile","step":"name","seq":2}`, at(2026, 11, 28, 20, 0))
			h.session(704, running, at(2026, 11, 20, 9, 0))
			h.session(705, running, at(2026, 11, 28, 20, 0))
			h.session(706, running, at(2026, 12, 1, 9, 0))
			h.session(707, running, at(2026, 11, 28, 20, 0))
			h.session(708, `{"parked":{"register":{"flow":"register","step":"brand","at":"2026-11-28T20:00:00Z"}},"seq":3}`, at(2026, 11, 28, 20, 0))
			h.session(709, `{"parked":{"register":{"flow":"register","step":"brand","at":"2026-11-28T20:00:00Z"}},"seq":3,"as_owner":true}`, at(2026, 11, 28, 20, 0))

			down, up := at(2026, 12, 2, 0, 0), at(2026, 12, 5, 9, 0)
			h.every(time.Hour, at(2026, 11, 28, 0, 0), at(2026, 11, 29, 12, 0))
			h.session(705, running, at(2026, 11, 29, 12, 0)) // the owner came back and left again
			h.every(time.Hour, at(2026, 11, 29, 12, 0), at(2026, 12, 12, 0, 0), down, up)

			h.expect(
				want{chat: 701, keyEnd: fmt.Sprint(at(2026, 11, 28, 20, 0).Unix()), at: at(2026, 11, 30, 20, 0), contains: "belum selesai"},
				want{chat: 702, keyEnd: fmt.Sprint(at(2026, 11, 29, 10, 30).Unix()), at: at(2026, 12, 1, 11, 0)},
				want{chat: 705, keyEnd: fmt.Sprint(at(2026, 11, 29, 12, 0).Unix()), at: at(2026, 12, 1, 12, 0)},
				want{chat: 706, keyEnd: fmt.Sprint(at(2026, 12, 1, 9, 0).Unix()), at: up},
				want{chat: 707, keyEnd: fmt.Sprint(at(2026, 11, 28, 20, 0).Unix()), at: at(2026, 11, 30, 20, 0), contains: "not finished"},
				want{chat: 709, keyEnd: fmt.Sprint(at(2026, 11, 28, 20, 0).Unix()), at: at(2026, 11, 30, 20, 0)},
			)
		})
	}
}
