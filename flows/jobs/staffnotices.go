package jobs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/staff"
	"umkmbot/store"
)

// DefaultStaffNoticeDelay is how long the first notice to a staff chat waits for others to come
// with it.
const DefaultStaffNoticeDelay = time.Minute

// noticeKinds are the kinds of staff notice (flows.Ctx.NotifyStaff's events) in the order a
// summary lists them, each with the status the queue button filters on ("" any open one; no
// button for a withdrawn application, which has left the queue).
var noticeKinds = []struct {
	kind, status string
	button       bool
}{
	{"submitted", "submitted", true},
	{"resubmit", "submitted", true},
	{"docs", "", true},
	{"withdrawn", "", false},
}

// StaffNotices sends the staff notices held for each staff chat (flows.Ctx.NotifyStaff) once the
// first of them has waited delay: one held alone goes as it is, several go as one summary by kind
// and kabupaten ("5 pengajuan baru di Kupang"), with buttons to the queue filtered accordingly.
// Unlike the reminders it writes: it takes (deletes) the notices it sends, in the run's
// transaction, so that each is queued once however many runs there are; the message's dedupe key
// (the chat and its first notice) says the same to the outbox. A notice for someone no longer
// staff is dropped.
func (j *Jobs) StaffNotices(delay time.Duration) Due {
	if delay <= 0 {
		delay = DefaultStaffNoticeDelay
	}
	return func(ctx context.Context, db store.DB, now time.Time) ([]Message, error) {
		held, err := store.TakeStaffNotices(ctx, db, now.Add(-delay))
		if err != nil {
			return nil, fmt.Errorf("staff notices: %w", err)
		}
		held = slices.DeleteFunc(held, func(n store.PendingStaffNotice) bool { return !n.Active })
		if len(held) == 0 {
			return nil, nil
		}
		// A summary is written in its reader's language, as the digest is.
		recipients, err := store.DigestRecipients(ctx, db)
		if err != nil {
			return nil, fmt.Errorf("staff notices: %w", err)
		}
		lang := map[int64]string{} // staff id → language
		for _, r := range recipients {
			lang[r.StaffID] = r.Lang
		}
		var msgs []Message
		for len(held) > 0 {
			n := 1 // held is ordered by chat: the chat's notices are the first n
			for n < len(held) && held[n].ChatID == held[0].ChatID {
				n++
			}
			msgs = append(msgs, Message{ChatID: held[0].ChatID, Key: fmt.Sprintf("staff-notices:%d:%d", held[0].ChatID, held[0].ID),
				Reply: j.staffNoticeReply(lang[held[0].StaffID], held[:n])})
			held = held[n:]
		}
		return msgs, nil
	}
}

// staffNoticeReply is what one staff chat gets for its notices: the notice itself when alone,
// else a line per kind and kabupaten, each with a button to the queue, in the reader's language
// lang ("" reads Indonesian).
func (j *Jobs) staffNoticeReply(lang string, ns []store.PendingStaffNotice) flows.Reply {
	if len(ns) == 1 {
		return flows.Reply{Text: ns[0].Text}
	}
	l := j.localizer(lang)
	var lines []string
	var rows [][]flows.Button
	for _, k := range noticeKinds {
		counts := map[string]int{}
		var kabs []string
		for _, n := range ns {
			if n.Kind != k.kind {
				continue
			}
			if counts[n.Kabupaten] == 0 {
				kabs = append(kabs, n.Kabupaten)
			}
			counts[n.Kabupaten]++
		}
		slices.SortFunc(kabs, func(a, b string) int { return strings.Compare(j.kabupatenName(a), j.kabupatenName(b)) })
		for _, kab := range kabs {
			data := map[string]any{"Kabupaten": j.kabupatenName(kab)}
			lines = append(lines, l.N("StaffNoticesLine_"+k.kind, counts[kab], data))
			if k.button && len(rows) < maxNoticeButtons {
				rows = append(rows, []flows.Button{{Label: l.T("StaffNoticesOpen_"+k.kind, data),
					Data: staff.QueueLink(k.status, kab)}})
			}
		}
	}
	return flows.Reply{Text: l.N("StaffNoticesGrouped", len(ns), map[string]any{"Lines": strings.Join(lines, "\n")}), Buttons: rows}
}

// maxNoticeButtons bounds a summary's queue buttons (an admin may hear of every kabupaten).
const maxNoticeButtons = 8

// kabupatenName is a kabupaten's name (place names are not translated).
func (j *Jobs) kabupatenName(code string) string {
	if j.cfg.Rules != nil {
		if k, ok := j.cfg.Rules.Kabupaten(code); ok {
			return k.Name
		}
	}
	return code
}
