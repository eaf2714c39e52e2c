package owner

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/store"
)

// statusFlow asks for an application number when /status came without one.
func statusFlow() *flows.Flow {
	return &flows.Flow{
		Name:  "status",
		Title: "StatusTitle",
		Steps: func(c *flows.Ctx) []*flows.Step {
			return []*flows.Step{{Name: "number", Prompt: "StatusAskNumber", Help: "StatusHelpNumber", Input: flows.InputText,
				Save: func(c *flows.Ctx, v string) error {
					c.Sess.Reset()
					return lookupStatus(c, v)
				}}}
		},
	}
}

// cmdStatus looks a number up, or asks for one.
func cmdStatus(c *flows.Ctx, args string) error {
	if strings.TrimSpace(args) != "" {
		return lookupStatus(c, args)
	}
	return c.Start("status")
}

// looksLikePermitNumber says whether text has the shape of a label's permit number.
func looksLikePermitNumber(text string) bool {
	_, err := domain.ParsePermitNumber(text)
	return err == nil
}

// lookupStatus finds an application by its number (or by the permit number of an approved one)
// and shows it: in full to its owner, coarsely to anyone else. Lookups are rate-limited per user
// so that numbers cannot be walked through.
func lookupStatus(c *flows.Ctx, input string) error {
	since := c.Now.Add(-time.Hour)
	total, failed, err := store.CountLookups(c, c.DB, c.Ev.UserID, since)
	if err != nil {
		return err
	}
	if total >= c.Engine().Config().LookupLimit || failed >= c.Engine().Config().LookupFailLimit {
		c.Say(c.T("StatusTooManyLookups"))
		return nil
	}
	app, err := findApplication(c, input)
	switch {
	case errors.Is(err, errBadNumber):
		if err := store.RecordLookup(c, c.DB, c.Ev.UserID, false, c.Now); err != nil {
			return err
		}
		c.Sess.Reset()
		c.Sess.Flow = "status"
		c.Sess.Data = map[string]string{}
		c.Sess.Step = "number"
		c.Ask(&flows.Problem{Msg: "StatusInvalidNumber", Data: map[string]any{"Input": input}}, 0)
		return nil
	case errors.Is(err, store.ErrNotFound):
		if err := store.RecordLookup(c, c.DB, c.Ev.UserID, false, c.Now); err != nil {
			return err
		}
		c.ShowMenu(c.T("StatusNotFound", map[string]any{"Input": normalisedNumber(c, input)}))
		return nil
	case err != nil:
		return err
	}
	if err := store.RecordLookup(c, c.DB, c.Ev.UserID, true, c.Now); err != nil {
		return err
	}
	if app.OwnerID == c.Owner.ID {
		return showApplication(c, app)
	}
	c.Say(c.T("StatusPublic", map[string]any{"Number": app.Number, "Status": c.StatusName(app.Status),
		"Since": c.L.ShortDate(app.UpdatedAt)}) + "\n\n" + c.T("StatusDisclaimer"))
	return nil
}

var errBadNumber = errors.New("not an application or permit number")

// officeName names the office that handles the application (the kabupaten health office for
// SPP-IRT, the BPOM unit otherwise), "" when the requirements data has none.
func officeName(c *flows.Ctx, app store.Application) string {
	o, _ := c.Engine().Rules().OfficeFor(domain.PathCode(app.Path), app.Kabupaten)
	return o.Name
}

// normalisedNumber is input as the bot read it: an application number in its written form
// ("ntt yy27 vrj6" → "NTT-YY27-VRJ6"), a permit number in its canonical form.
func normalisedNumber(c *flows.Ctx, input string) string {
	if num, err := c.Engine().AppNumbers().Parse(input); err == nil {
		return num
	}
	if p, err := domain.ParsePermitNumber(input); err == nil {
		return p.Canonical
	}
	return strings.TrimSpace(input)
}

// findApplication parses input as one of our numbers or as a permit number and finds it.
func findApplication(c *flows.Ctx, input string) (store.Application, error) {
	if num, err := c.Engine().AppNumbers().Parse(input); err == nil {
		return store.ApplicationByNumber(c, c.DB, num)
	}
	if p, err := domain.ParsePermitNumber(input); err == nil {
		app, err := store.ApplicationByPermitNumber(c, c.DB, p.Canonical)
		if err == nil && app.Status != string(domain.StatusApproved) {
			return store.Application{}, store.ErrNotFound
		}
		return app, err
	}
	return store.Application{}, errBadNumber
}

// showOwnApplication opens one of the owner's applications (a button of /pengajuan).
func showOwnApplication(c *flows.Ctx, id int64) error {
	app, err := store.ApplicationByID(c, c.DB, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && app.OwnerID != c.Owner.ID) {
		return c.StaleButton()
	}
	if err != nil {
		return err
	}
	return showApplication(c, app)
}

// showApplication shows an application to its owner: status, history and what to do next.
func showApplication(c *flows.Ctx, app store.Application) error {
	hist, err := store.StatusHistory(c, c.DB, app.ID)
	if err != nil {
		return err
	}
	docs, err := store.Documents(c, c.DB, app.ID)
	if err != nil {
		return err
	}
	var h strings.Builder
	for _, s := range hist {
		h.WriteString("• " + c.L.ShortDate(s.At) + " — " + c.StatusName(s.To))
		if s.Note != "" && s.ActorKind == "staff" {
			h.WriteString(": " + s.Note)
		}
		h.WriteString("\n")
	}
	var missing []string
	for _, d := range docs {
		if d.Required && d.File == nil {
			missing = append(missing, "• "+c.T("DocName_"+d.Kind))
		}
	}
	data := map[string]any{
		"Number": app.Number, "Product": app.ProductName, "Path": c.PathName(app.Path),
		"Status": c.StatusName(app.Status), "History": strings.TrimRight(h.String(), "\n"),
		"Note": app.StatusNote, "Due": "", "Permit": app.PermitNumber, "ValidUntil": "",
		"Missing": strings.Join(missing, "\n"), "Office": officeName(c, app),
	}
	if app.DueAt != nil {
		data["Due"] = c.L.DateTime(*app.DueAt)
	}
	if app.PermitValidUntil != nil {
		data["ValidUntil"] = c.L.Date(*app.PermitValidUntil)
	}
	text := c.T("StatusOwnerView", data) + "\n\n" + c.T("StatusNext_"+app.Status, data)
	if len(missing) > 0 && domain.IsOpen(domain.Status(app.Status)) {
		text += "\n\n" + c.T("StatusMissingDocs", data)
	}
	text += "\n\n" + c.T("StatusDisclaimer")
	r := flows.Reply{Text: text}
	open := domain.IsOpen(domain.Status(app.Status))
	if open && (len(missing) > 0 || app.Status == string(domain.StatusNeedsFix)) {
		r.Buttons = append(r.Buttons, []flows.Button{{Label: c.T("MenuDocuments"), Data: "a:docs:" + itoa(app.ID)}})
	}
	if open && domain.CanTransition(domain.Status(app.Status), domain.StatusWithdrawn, domain.ActorOwner) == nil {
		r.Buttons = append(r.Buttons, []flows.Button{{Label: c.T("StatusWithdrawButton"), Data: "a:wd:" + itoa(app.ID)}})
	}
	r.Buttons = append(r.Buttons, []flows.Button{{Label: c.T("CommonMenu"), Data: "a:go:menu"}})
	c.Reply(r)
	return nil
}

// cmdApplications lists the owner's applications, each a button that opens it.
func cmdApplications(c *flows.Ctx) error {
	apps, err := store.ApplicationsByOwner(c, c.DB, c.Owner.ID)
	if err != nil {
		return err
	}
	if len(apps) == 0 {
		c.Reply(flows.Reply{Text: c.T("ApplicationsNone"), Buttons: [][]flows.Button{{{Label: c.T("MenuRegister"), Data: "a:go:daftar"}}}})
		return nil
	}
	var rows [][]flows.Button
	for _, a := range apps {
		rows = append(rows, []flows.Button{{Label: a.Number + " · " + a.ProductName + " · " + c.StatusName(a.Status), Data: "a:app:" + itoa(a.ID)}})
	}
	c.Reply(flows.Reply{Text: c.L.N("ApplicationsList", len(apps)), Buttons: rows})
	return nil
}

// withdrawFlow asks whether to withdraw an open application (a button under its status) and
// withdraws it through Transition.
func withdrawFlow() *flows.Flow {
	return &flows.Flow{
		Name:  "withdraw",
		Title: "StatusWithdrawTitle",
		Steps: func(c *flows.Ctx) []*flows.Step {
			return []*flows.Step{{Name: "confirm", Prompt: "StatusWithdrawConfirm", Input: flows.InputYesNo,
				Data: func(c *flows.Ctx) map[string]any {
					return map[string]any{"Number": c.Get("number"), "Product": c.Get("product")}
				},
				Save: func(c *flows.Ctx, v string) error {
					id, _ := strconv.ParseInt(c.Get("app"), 10, 64)
					c.Sess.Reset()
					app, err := store.ApplicationByID(c, c.DB, id)
					if err != nil {
						return err
					}
					if v != "yes" {
						c.ShowMenu(c.T("StatusWithdrawKept", map[string]any{"Number": app.Number}))
						return nil
					}
					if err := c.Transition(flows.Change{App: app, To: domain.StatusWithdrawn}); errors.Is(err, flows.ErrMoved) {
						return showApplication(c, app)
					} else if err != nil {
						return err
					}
					c.ShowMenu(c.T("StatusWithdrawn", map[string]any{"Number": app.Number, "Office": officeName(c, app)}))
					return c.NotifyStaff(app, "StaffNoticeWithdrawn", "withdrawn")
				}}}
		},
	}
}

// startWithdraw asks to confirm withdrawing one of the owner's open applications.
func startWithdraw(c *flows.Ctx, id int64) error {
	app, err := store.ApplicationByID(c, c.DB, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (app.OwnerID != c.Owner.ID || !domain.IsOpen(domain.Status(app.Status)))) {
		return c.StaleButton()
	}
	if err != nil {
		return err
	}
	c.ParkRunning()
	c.Sess.Reset()
	c.Sess.Flow = "withdraw"
	c.Sess.Data = map[string]string{"app": itoa(app.ID), "number": app.Number, "product": app.ProductName}
	return c.GoTo("confirm")
}
