package staff

import (
	"errors"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/store"
)

// showCard shows an application to staff: owner and business (phone masked unless the person's
// office handles it), product, documents, history, who handles it, and the actions open now.
func showCard(c *flows.Ctx, app store.Application) error {
	owner, err := store.OwnerByID(c, c.DB, app.OwnerID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	biz, err := store.PrimaryBusiness(c, c.DB, app.OwnerID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	phone := maskPhone(owner.Phone)
	if c.Authorize(flows.PowerSeePhone, &app) == nil {
		phone = owner.Phone
	}
	docs, err := store.Documents(c, c.DB, app.ID)
	if err != nil {
		return err
	}
	hist, err := store.StatusHistory(c, c.DB, app.ID)
	if err != nil {
		return err
	}
	var d, h, p strings.Builder
	for _, doc := range docs {
		mark := "✅"
		if doc.File == nil {
			mark = "—"
		}
		d.WriteString(mark + " " + c.T("DocName_"+doc.Kind) + "\n")
	}
	for _, s := range hist {
		h.WriteString("• " + c.L.ShortDate(s.At) + " — " + c.StatusName(s.To))
		if s.Note != "" {
			h.WriteString(": " + s.Note)
		}
		h.WriteString("\n")
	}
	for _, f := range []struct{ key, label, codes string }{
		{"brand", "RegisterAskBrandField", ""}, {"product_type", "RegisterAskProductTypeField", ""},
		{"composition", "RegisterAskCompositionField", ""}, {"packaging", "RegisterAskPackagingField", "Packaging_"},
		{"net_content", "RegisterAskNetContentField", ""}, {"storage", "RegisterAskStorageField", "Storage_"},
	} {
		v := app.Product[f.key]
		if v == "" {
			continue
		}
		if f.codes != "" {
			v = c.T(f.codes + v)
		}
		p.WriteString("• " + c.T(f.label) + ": " + v + "\n")
	}
	claimed := ""
	if id, err := store.ClaimOf(c, c.DB, app.ID); err != nil {
		return err
	} else if id != 0 {
		if s, err := store.StaffByID(c, c.DB, id); err == nil {
			claimed = s.Name
		}
	}
	text := c.T("StaffCard", map[string]any{
		"Number": app.Number, "Product": app.ProductName, "Path": c.PathName(app.Path), "Status": c.StatusName(app.Status),
		"Owner": owner.Name, "Business": biz.Name, "Phone": phone, "Kabupaten": c.KabupatenName(app.Kabupaten),
		"ProductData": strings.TrimRight(p.String(), "\n"), "Documents": strings.TrimRight(d.String(), "\n"),
		"History": strings.TrimRight(h.String(), "\n"), "Claimed": claimed,
	})
	var rows [][]flows.Button
	if c.Authorize(flows.PowerAct, &app) == nil {
		for _, to := range domain.NextStatuses(domain.Status(app.Status), domain.ActorStaff) {
			rows = append(rows, []flows.Button{{Label: c.T("StaffAction_" + string(to)), Data: "a:do:" + itoa(app.ID) + ":" + app.Status + ":" + string(to)}})
		}
		if domain.IsOpen(domain.Status(app.Status)) {
			rows = append(rows, []flows.Button{{Label: c.T("StaffClaimButton"), Data: "a:claim:" + itoa(app.ID)}})
		}
	}
	rows = append(rows, []flows.Button{{Label: c.T("StaffMenuQueue"), Data: "a:go:antrian"}})
	c.Reply(flows.Reply{Text: text, Buttons: rows})
	return nil
}

// maskPhone shows the country code and the last three digits only.
func maskPhone(p string) string {
	if len(p) < 7 {
		return "–"
	}
	return p[:3] + strings.Repeat("•", len(p)-6) + p[len(p)-3:]
}

// claim records that the person handles the application.
func claim(c *flows.Ctx, app store.Application) error {
	prev, err := store.ClaimApplication(c, c.DB, app.ID, c.Actor.Staff.ID, c.Now)
	if err != nil {
		return err
	}
	if err := audit(c, "application.claim", "application", app.ID, map[string]any{"claimed_by": prev},
		map[string]any{"claimed_by": c.Actor.Staff.ID}); err != nil {
		return err
	}
	c.Toast(c.T("StaffClaimed"))
	c.Say(c.T("StaffClaimed"))
	return nil
}

// doAction answers an action button "a:do:<id>:<from>:<to>": a move without questions is made at
// once, one with questions (a note, a due date, a permit number) starts the decide flow. The
// status the button was made for travels with it, so an old button cannot act on a newer state.
func doAction(c *flows.Ctx, arg string) error {
	parts := strings.SplitN(arg, ":", 3)
	if len(parts) != 3 {
		return c.StaleButton()
	}
	return withApp(c, parts[0], flows.PowerAct, func(c *flows.Ctx, app store.Application) error {
		from, to := parts[1], domain.Status(parts[2])
		if app.Status != from || domain.CanTransition(domain.Status(from), to, domain.ActorStaff) != nil {
			return c.StaleButton()
		}
		switch to {
		case domain.StatusInReview:
			return move(c, flows.Change{App: app, To: to})
		}
		c.Sess.Reset()
		c.Sess.Flow = "decide"
		c.Sess.Data = map[string]string{"app": itoa(app.ID), "from": from, "to": string(to), "path": app.Path}
		return c.GoTo(firstDecideStep(to))
	})
}

// move makes the change and says what happened.
func move(c *flows.Ctx, ch flows.Change) error {
	err := c.Transition(ch)
	switch {
	case errors.Is(err, flows.ErrMoved):
		c.Say(c.T("StaffMovedMeanwhile"))
		return nil
	case errors.Is(err, flows.ErrNotFound), errors.Is(err, flows.ErrForbidden):
		return guarded(c, flows.PowerAct, &ch.App, nil)
	case err != nil:
		return err
	}
	c.Toast(c.T("StaffDone"))
	c.Say(c.T("StaffMoved", map[string]any{"Number": ch.App.Number, "Status": c.StatusName(string(ch.To))}))
	app, err := store.ApplicationByID(c, c.DB, ch.App.ID)
	if err != nil {
		return err
	}
	return showCard(c, app)
}

// parseDate reads YYYY-MM-DD as the end of that day in WITA (23:59), as due dates end.
func parseDate(in string) (time.Time, bool) {
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(in), time.FixedZone("WITA", 8*3600))
	if err != nil {
		return time.Time{}, false
	}
	return d.Add(23*time.Hour + 59*time.Minute), true
}
