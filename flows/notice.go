package flows

import (
	"fmt"

	"umkmbot/store"
)

// NotifyStaff tells the staff of the office that handles the application (domain.OfficeFor: the
// kabupaten health office for SPP-IRT, the BPOM unit otherwise), and the admins, about it (msg: a
// message ID; event: a short word naming what happened, "submitted", "docs", "resubmit",
// "withdrawn", kept as the notice's kind and in its dedupe key), each in their own language.
//
// The notices are not sent at once: they are held (store.HoldStaffNotices, in this update's
// transaction) and the staff-notices job (flows/jobs.StaffNotices) sends each staff chat what it
// holds a moment after the first, as one message: this notice when it came alone, a summary when
// several came together ("5 pengajuan baru di Kupang").
func (c *Ctx) NotifyStaff(app store.Application, msg, event string) error {
	staff, err := store.DigestRecipients(c, c.DB) // active staff and admins, with their language
	if err != nil {
		return err
	}
	office := c.e.OfficeOf(app)
	texts := map[string]string{}
	textIn := func(lang string) string {
		if t, ok := texts[lang]; ok {
			return t
		}
		l := c.e.msgs.For(lang)
		texts[lang] = l.T(msg, map[string]any{"Number": app.Number, "Product": app.ProductName,
			"Path": l.T("PathName_" + app.Path), "Kabupaten": c.KabupatenName(app.Kabupaten)})
		return texts[lang]
	}
	var held []store.PendingStaffNotice
	for _, s := range staff {
		if s.Role != "admin" && s.Unit != office {
			continue
		}
		held = append(held, store.PendingStaffNotice{ChatID: s.ChatID, StaffID: s.StaffID, ApplicationID: app.ID,
			Kind: event, Kabupaten: app.Kabupaten, Text: textIn(s.Lang), CreatedAt: c.Now,
			DedupeKey: fmt.Sprintf("staff:%s:%s:%d:%d", event, app.Number, s.StaffID, c.Now.Unix())})
	}
	_, err = store.HoldStaffNotices(c, c.DB, held)
	return err
}
