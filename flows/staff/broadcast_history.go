package staff

import (
	"strconv"
	"strings"

	"umkmbot/flows"
	"umkmbot/store"
)

// historyPage is how many broadcasts one page of /umumkan_riwayat shows.
const historyPage = 5

// showBroadcastHistory (/umumkan_riwayat, and its page buttons a:bch:<page>): past broadcasts,
// newest first, each with its report, when, by whom and to whom. An office's staff see the
// broadcasts within their area; an admin all of them.
func showBroadcastHistory(c *flows.Ctx, arg string) error {
	return guarded(c, flows.PowerBroadcast, nil, func() error {
		page, _ := strconv.Atoi(arg)
		page = max(page, 0)
		entries, more, err := store.BroadcastHistory(c, c.DB, c.Engine().Area(c.Actor), page*historyPage, historyPage)
		if err != nil {
			return err
		}
		if len(entries) == 0 && page == 0 {
			c.Say(c.T("BroadcastHistoryEmpty"))
			return nil
		}
		parts := []string{c.T("BroadcastHistoryTitle", map[string]any{"Page": page + 1})}
		for _, e := range entries {
			parts = append(parts, historyEntry(c, e))
		}
		var nav []flows.Button
		if page > 0 {
			nav = append(nav, flows.Button{Label: c.T("BroadcastHistoryNewer"), Data: "a:bch:" + strconv.Itoa(page-1)})
		}
		if more {
			nav = append(nav, flows.Button{Label: c.T("BroadcastHistoryOlder"), Data: "a:bch:" + strconv.Itoa(page+1)})
		}
		r := flows.Reply{Text: strings.Join(parts, "\n\n")}
		if len(nav) > 0 {
			r.Buttons = [][]flows.Button{nav}
		}
		if c.Ev.Kind == flows.EventButton {
			r.EditMessageID = c.Ev.MessageID
		}
		c.Reply(r)
		return nil
	})
}

// historyEntry is one broadcast of the history.
func historyEntry(c *flows.Ctx, e store.BroadcastEntry) string {
	by := e.By
	if by == "" {
		by = c.T("BroadcastHistoryUnknownSender")
	}
	office := ""
	if len(e.Audience.Kabupaten) > 0 {
		office = officeOfArea(c, e.Audience.Kabupaten)
	}
	when := c.L.DateTime(e.CreatedAt)
	if e.SendAt != nil {
		when = c.L.DateTime(*e.SendAt)
	}
	r := e.Report
	return c.T("BroadcastHistoryEntry", map[string]any{"ID": e.ID, "When": when, "By": by,
		"Audience": audienceName(c, e.Audience, office), "Status": c.T("BroadcastStatus_" + r.Status),
		"Delivered": r.Delivered, "Waiting": r.Waiting, "Unreachable": r.Unreachable, "Failed": r.Failed, "Cancelled": r.Cancelled,
		"File": e.FileID != ""})
}

// officeOfArea names the office whose area is exactly these kabupaten, "" when none is.
func officeOfArea(c *flows.Ctx, area []string) string {
	for _, o := range c.Engine().Rules().Offices() {
		if len(o.Kabupaten) == len(area) && strings.Join(o.Kabupaten, ",") == strings.Join(area, ",") {
			return o.Code
		}
	}
	return ""
}
