package flows

import (
	"fmt"

	"umkmbot/store"
)

// NotifyStaff tells the staff of the office that handles the application (domain.OfficeFor: the
// kabupaten health office for SPP-IRT, the BPOM unit otherwise), and the admins, about it (msg: a
// message ID; event: a short word naming what happened, "submitted", "docs", "resubmit",
// "withdrawn", kept as the notice's kind and in its dedupe key). Staff read Indonesian.
//
// The notices are not sent at once: they are held (store.HoldStaffNotices, in this update's
// transaction) and the staff-notices job (flows/jobs.StaffNotices) sends each staff chat what it
// holds a moment after the first, as one message: this notice when it came alone, a summary when
// several came together ("5 pengajuan baru di Kupang").
func (c *Ctx) NotifyStaff(app store.Application, msg, event string) error {
	staff, err := store.ActiveStaff(c, c.DB)
	if err != nil {
		return err
	}
	office := c.e.OfficeOf(app)
	l := c.e.msgs.For("id")
	text := l.T(msg, map[string]any{"Number": app.Number, "Product": app.ProductName,
		"Path": l.T("PathName_" + app.Path), "Kabupaten": c.KabupatenName(app.Kabupaten)})
	var held []store.PendingStaffNotice
	for _, s := range staff {
		if s.Role != "admin" && s.Unit != office {
			continue
		}
		held = append(held, store.PendingStaffNotice{ChatID: s.TelegramUserID, StaffID: s.ID, ApplicationID: app.ID,
			Kind: event, Kabupaten: app.Kabupaten, Text: text, CreatedAt: c.Now,
			DedupeKey: fmt.Sprintf("staff:%s:%s:%d:%d", event, app.Number, s.ID, c.Now.Unix())})
	}
	_, err = store.HoldStaffNotices(c, c.DB, held)
	return err
}
