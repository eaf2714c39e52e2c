package staff

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/store"
)

const queuePage = 8

// queueView is one page of /antrian with its filters; it travels in the buttons as
// "a:q:<page>:<status>:<path>:<kabupaten>" (each "" for any).
type queueView struct {
	Page               int
	Status, Path, Kab1 string
}

func (v queueView) data() string {
	return fmt.Sprintf("a:q:%d:%s:%s:%s", v.Page, v.Status, v.Path, v.Kab1)
}

func parseQueueView(arg string) queueView {
	parts := strings.SplitN(arg, ":", 4)
	for len(parts) < 4 {
		parts = append(parts, "")
	}
	page, _ := strconv.Atoi(parts[0])
	return queueView{Page: max(page, 0), Status: parts[1], Path: parts[2], Kab1: parts[3]}
}

// officeFilter is the share of applications the person may see (Share: everything for an admin,
// nothing for staff of an unknown office).
func officeFilter(c *flows.Ctx) store.QueueFilter {
	f, _ := actorShare(c)
	return f
}

// showQueue shows the office's open applications, oldest first, a page at a time, with the
// count per status and buttons to filter.
func showQueue(c *flows.Ctx, v queueView) error {
	return guarded(c, flows.PowerView, nil, func() error {
		f := officeFilter(c)
		f.Status, f.Path, f.Kabupaten1 = v.Status, v.Path, v.Kab1
		counts, err := store.CountOpenByStatus(c, c.DB, f)
		if err != nil {
			return err
		}
		f.Offset, f.Limit = v.Page*queuePage, queuePage+1
		apps, err := store.OpenApplications(c, c.DB, f)
		if err != nil {
			return err
		}
		var rows [][]flows.Button
		var statusRow []flows.Button
		var countText []string
		for _, s := range []domain.Status{domain.StatusSubmitted, domain.StatusInReview, domain.StatusNeedsFix, domain.StatusAwaitingPayment} {
			countText = append(countText, fmt.Sprintf("%s: %d", c.StatusName(string(s)), counts[string(s)]))
			label := c.StatusName(string(s))
			if v.Status == string(s) {
				label = "✅ " + label
			}
			statusRow = append(statusRow, flows.Button{Label: label, Data: queueView{Status: string(s), Path: v.Path, Kab1: v.Kab1}.data()})
		}
		rows = append(rows, statusRow[:2], statusRow[2:])
		if f.Paths == nil || len(f.Paths) > 1 {
			var pathRow []flows.Button
			for _, p := range c.Engine().Rules().Paths() {
				if f.Paths != nil && !slices.Contains(f.Paths, string(p.Code)) {
					continue
				}
				pathRow = append(pathRow, flows.Button{Label: c.PathName(string(p.Code)), Data: queueView{Status: v.Status, Path: string(p.Code), Kab1: v.Kab1}.data()})
			}
			rows = append(rows, pathRow)
		}
		if len(f.Kabupaten) > 1 {
			var kabRow []flows.Button
			for _, k := range f.Kabupaten {
				kabRow = append(kabRow, flows.Button{Label: c.KabupatenName(k), Data: queueView{Status: v.Status, Path: v.Path, Kab1: k}.data()})
			}
			rows = append(rows, kabRow)
		}
		if v.Status != "" || v.Path != "" || v.Kab1 != "" {
			rows = append(rows, []flows.Button{{Label: c.T("StaffQueueAll"), Data: queueView{}.data()}})
		}
		more := len(apps) > queuePage
		if more {
			apps = apps[:queuePage]
		}
		for _, a := range apps {
			rows = append(rows, []flows.Button{cardButton(c, a)})
		}
		var nav []flows.Button
		if v.Page > 0 {
			prev := v
			prev.Page--
			nav = append(nav, flows.Button{Label: c.T("CommonPrevPage"), Data: prev.data()})
		}
		if more {
			next := v
			next.Page++
			nav = append(nav, flows.Button{Label: c.T("CommonNextPage"), Data: next.data()})
		}
		if len(nav) > 0 {
			rows = append(rows, nav)
		}
		text := c.T("StaffQueue", map[string]any{"Office": officeName(c, c.Actor.Office()), "Counts": strings.Join(countText, " · "),
			"Empty": len(apps) == 0, "Page": v.Page + 1})
		r := flows.Reply{Text: text, Buttons: rows}
		if c.Ev.Kind == flows.EventButton && c.Ev.MessageID != 0 {
			r.EditMessageID = c.Ev.MessageID
		}
		c.Reply(r)
		return nil
	})
}

// cardButton is an application's line in the queue and the search results: a button to its card.
func cardButton(c *flows.Ctx, a store.Application) flows.Button {
	return flows.Button{Label: a.Number + " · " + a.ProductName + " · " + c.StatusName(a.Status), Data: "a:card:" + itoa(a.ID)}
}

// searchFlow asks what to search for when /cari came without it.
func searchFlow() *flows.Flow {
	return &flows.Flow{
		Name:  "search",
		Title: "StaffSearchTitle",
		Steps: func(c *flows.Ctx) []*flows.Step {
			return []*flows.Step{{Name: "query", Prompt: "StaffSearchAsk", Input: flows.InputText,
				Save: func(c *flows.Ctx, v string) error {
					c.Sess.Reset()
					return search(c, v)
				}}}
		},
	}
}

func cmdSearch(c *flows.Ctx, args string) error {
	return guarded(c, flows.PowerView, nil, func() error {
		if strings.TrimSpace(args) == "" {
			return c.Start("search")
		}
		return search(c, args)
	})
}

// search finds the office's applications by number, owner, business, product or phone.
func search(c *flows.Ctx, q string) error {
	q = strings.TrimSpace(q)
	if len([]rune(q)) < 3 {
		c.Say(c.T("StaffSearchTooShort"))
		return nil
	}
	if n, err := c.Engine().AppNumbers().Parse(q); err == nil {
		q = n
	}
	apps, err := store.SearchApplications(c, c.DB, officeFilter(c), q, 10)
	if err != nil {
		return err
	}
	if len(apps) == 0 {
		c.Say(c.T("StaffSearchNone", map[string]any{"Query": q}))
		return nil
	}
	var rows [][]flows.Button
	for _, a := range apps {
		rows = append(rows, []flows.Button{cardButton(c, a)})
	}
	c.Reply(flows.Reply{Text: c.L.N("StaffSearchFound", len(apps)), Buttons: rows})
	return nil
}
