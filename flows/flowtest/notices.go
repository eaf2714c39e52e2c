package flowtest

import (
	"context"

	"github.com/jackc/pgx/v5"

	"umkmbot/flows"
)

// HeldStaffNotices are the staff notices held for the staff-notices job (flows.Ctx.NotifyStaff),
// oldest first, as the notices each would be alone; DedupeKey starts "staff:<kind>:".
func (h *Harness) HeldStaffNotices() []flows.Notice {
	h.TB.Helper()
	rows, err := h.DB.DB().Query(context.Background(), `SELECT chat_id, text, dedupe_key FROM staff_notices_pending ORDER BY id`)
	if err != nil {
		h.TB.Fatal(err)
	}
	ns, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (flows.Notice, error) {
		var n flows.Notice
		err := r.Scan(&n.ChatID, &n.Reply.Text, &n.DedupeKey)
		return n, err
	})
	if err != nil {
		h.TB.Fatal(err)
	}
	return ns
}
