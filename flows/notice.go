package flows

import (
	"fmt"

	"umkmbot/store"
)

// NotifyStaff tells the staff of the office that handles the application (domain.OfficeFor: the
// kabupaten health office for SPP-IRT, the BPOM unit otherwise), and the admins, about it (msg: a
// message ID; event: a short word for the dedupe key). Staff read Indonesian.
func (c *Ctx) NotifyStaff(app store.Application, msg, event string) error {
	staff, err := store.ActiveStaff(c, c.DB)
	if err != nil {
		return err
	}
	office := c.e.OfficeOf(app)
	l := c.e.msgs.For("id")
	text := l.T(msg, map[string]any{"Number": app.Number, "Product": app.ProductName,
		"Path": l.T("PathName_" + app.Path), "Kabupaten": c.KabupatenName(app.Kabupaten)})
	for _, s := range staff {
		if s.Role != "admin" && s.Unit != office {
			continue
		}
		c.Notify(Notice{ChatID: s.TelegramUserID, Reply: Reply{Text: text},
			DedupeKey: fmt.Sprintf("staff:%s:%s:%d:%d", event, app.Number, s.ID, c.Now.Unix())})
	}
	return nil
}
