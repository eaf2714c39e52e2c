package staff

import (
	"errors"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/locales"
	"umkmbot/store"
)

// showCard shows an application to staff: owner and business (phone masked unless the person's
// office handles it), product, documents, history, who handles it, the latest internal notes,
// and the actions open now.
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
	if app.OwnerID == 0 { // the owner deleted their data (/hapus_data): the application stays, anonymised
		owner.Name, biz.Name, phone = c.T("StaffOwnerDeleted"), "–", "–"
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
	claimant, err := store.ClaimOf(c, c.DB, app.ID)
	if err != nil {
		return err
	} else if claimant != 0 {
		if s, err := store.StaffByID(c, c.DB, claimant); err == nil {
			claimed = s.Name
		}
	}
	text := c.T("StaffCard", map[string]any{
		"Number": app.Number, "Product": app.ProductName, "Path": c.PathName(app.Path), "Status": c.StatusName(app.Status),
		"Owner": owner.Name, "Business": biz.Name, "Phone": phone, "Kabupaten": c.KabupatenName(app.Kabupaten),
		"ProductData": strings.TrimRight(p.String(), "\n"), "Documents": strings.TrimRight(d.String(), "\n"),
		"History": strings.TrimRight(h.String(), "\n"), "Claimed": claimed,
	})
	notes, err := notesText(c, app)
	if err != nil {
		return err
	}
	if notes != "" {
		text += "\n\n" + notes
	}
	var rows [][]flows.Button
	for _, doc := range docs {
		if doc.File != nil {
			rows = append(rows, []flows.Button{{Label: "📎 " + c.T("DocName_"+doc.Kind), Data: "a:doc:" + itoa(app.ID) + ":" + itoa(doc.ID)}})
		}
	}
	if files := len(rows); files >= 2 { // so far one row per document with a file
		rows = append(rows, []flows.Button{{Label: c.T("StaffAllDocumentsButton", map[string]any{"Count": files}), Data: "a:docall:" + itoa(app.ID)}})
	}
	if c.Authorize(flows.PowerAct, &app) == nil {
		for _, to := range domain.NextStatuses(domain.Status(app.Status), domain.ActorStaff) {
			label := "StaffAction_" + string(to)
			if domain.Status(app.Status) == domain.StatusAwaitingPayment && to == domain.StatusInReview {
				label = "StaffActionPaymentReceived"
			}
			rows = append(rows, []flows.Button{{Label: c.T(label), Data: "a:do:" + itoa(app.ID) + ":" + app.Status + ":" + string(to)}})
		}
		switch {
		case !domain.IsOpen(domain.Status(app.Status)):
		case claimant == c.Actor.Staff.ID:
			rows = append(rows, []flows.Button{{Label: c.T("StaffUnclaimButton"), Data: "a:unclaim:" + itoa(app.ID)}})
		default:
			rows = append(rows, []flows.Button{{Label: c.T("StaffClaimButton"), Data: "a:claim:" + itoa(app.ID) + ":" + itoa(claimant)}})
		}
		rows = append(rows, []flows.Button{{Label: c.T("StaffNoteButton"), Data: "a:note:" + itoa(app.ID)}})
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

// claimAction answers "a:claim:<id>:<claimant seen>": when someone else handles the application
// now (and the button was not made knowing it), it asks whether to take over instead of
// claiming; "a:claim:<id>:<x>" from the take-over question, with x the claimant it named, claims.
func claimAction(c *flows.Ctx, arg string) error {
	id, seen, _ := strings.Cut(arg, ":")
	return withApp(c, id, flows.PowerAct, func(c *flows.Ctx, app store.Application) error {
		if !domain.IsOpen(domain.Status(app.Status)) {
			return c.StaleButton()
		}
		holder, err := store.ClaimOf(c, c.DB, app.ID)
		if err != nil {
			return err
		}
		if holder == c.Actor.Staff.ID {
			c.Say(c.T("StaffClaimed"))
			return nil
		}
		if holder != 0 && itoa(holder) != seen {
			name := ""
			if s, err := store.StaffByID(c, c.DB, holder); err == nil {
				name = s.Name
			}
			c.Reply(flows.Reply{Text: c.T("StaffClaimedBy", map[string]any{"Name": name, "Number": app.Number}), Buttons: [][]flows.Button{
				{{Label: c.T("StaffTakeOverButton"), Data: "a:claim:" + itoa(app.ID) + ":" + itoa(holder)}},
				{{Label: c.T("StaffMenuQueue"), Data: "a:go:antrian"}},
			}})
			return nil
		}
		return claim(c, app)
	})
}

// unclaim ends the person's own claim on the application.
func unclaim(c *flows.Ctx, app store.Application) error {
	ok, err := store.UnclaimApplication(c, c.DB, app.ID, c.Actor.Staff.ID)
	if err != nil || !ok {
		if err == nil {
			return c.StaleButton()
		}
		return err
	}
	if err := audit(c, "application.unclaim", "application", app.ID, map[string]any{"claimed_by": c.Actor.Staff.ID},
		map[string]any{"claimed_by": nil}); err != nil {
		return err
	}
	c.Toast(c.T("StaffUnclaimed"))
	c.Say(c.T("StaffUnclaimed"))
	return nil
}

// sendDocument answers "a:doc:<app>:<doc>": the document sent again from its Telegram file id.
func sendDocument(c *flows.Ctx, arg string) error {
	appID, docID, _ := strings.Cut(arg, ":")
	return withApp(c, appID, flows.PowerView, func(c *flows.Ctx, app store.Application) error {
		docs, err := store.Documents(c, c.DB, app.ID)
		if err != nil {
			return err
		}
		for _, d := range docs {
			if itoa(d.ID) == docID && d.File != nil {
				m := documentMedia(c, app, d)
				c.Reply(flows.Reply{FileID: m.FileID, Photo: m.Photo, Text: m.Caption})
				return nil
			}
		}
		return c.StaleButton()
	})
}

// sendAllDocuments answers "a:docall:<app>": every document with a file sent again at once, as
// albums (the edge splits photos from documents and keeps albums within Telegram's ten).
func sendAllDocuments(c *flows.Ctx, arg string) error {
	return withApp(c, arg, flows.PowerView, func(c *flows.Ctx, app store.Application) error {
		docs, err := store.Documents(c, c.DB, app.ID)
		if err != nil {
			return err
		}
		var media []flows.Media
		for _, d := range docs {
			if d.File != nil {
				media = append(media, documentMedia(c, app, d))
			}
		}
		if len(media) == 0 {
			return c.StaleButton()
		}
		c.Reply(flows.Reply{Media: media})
		return nil
	})
}

// documentMedia is a document as the card sends it again: its file, as a photo when it came as
// one (a compressed photo has no file name), captioned with its name and the application's number.
func documentMedia(c *flows.Ctx, app store.Application, d store.Document) flows.Media {
	return flows.Media{FileID: d.File.FileID, Photo: d.File.FileName == "" && strings.HasPrefix(d.File.MIMEType, "image/"),
		Caption: c.T("DocName_"+d.Kind) + " — " + app.Number}
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
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(in), locales.Location())
	if err != nil {
		return time.Time{}, false
	}
	return d.Add(23*time.Hour + 59*time.Minute), true
}
