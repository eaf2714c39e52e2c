package owner

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/locales"
	"umkmbot/store"
)

// /izin_saya: an owner records a permit they already hold — most OVOP products already carry a
// P-IRT that lapses, and no one reminds their makers — and the permit-expiry job (flows/jobs)
// reminds them before it lapses. The owner can list their records and remove one.

// cmdHeldPermits lists the owner's recorded permits with a button to remove each and one to
// record another; with none yet, it explains and starts recording.
func cmdHeldPermits(c *flows.Ctx, _ string) error {
	permits, err := store.HeldPermits(c, c.DB, c.Owner.ID)
	if err != nil {
		return err
	}
	if len(permits) == 0 {
		c.Say(c.T("PermitHeldIntro"))
		return c.Start("held_permit")
	}
	lines := []string{c.T("PermitHeldList")}
	var buttons [][]flows.Button
	for _, p := range permits {
		lines = append(lines, c.T("PermitHeldListItem", map[string]any{"Product": p.ProductName, "Number": p.Number,
			"Path": c.PathName(p.Path), "Until": heldPermitUntil(c, p.ValidUntil, p.YearOnly)}))
		buttons = append(buttons, []flows.Button{{Label: c.T("PermitHeldRemoveButton", map[string]any{"Product": p.ProductName}),
			Data: "a:hp:rm:" + itoa(p.ID)}})
	}
	buttons = append(buttons, []flows.Button{{Label: c.T("PermitHeldAddButton"), Data: "a:hp:add"}})
	c.Reply(flows.Reply{Text: strings.Join(lines, "\n"), Buttons: buttons})
	return nil
}

// heldPermitAction answers the list's buttons: a:hp:add records another permit, a:hp:rm:<id>
// removes one of the owner's own.
func heldPermitAction(c *flows.Ctx, arg string) error {
	op, idText, _ := strings.Cut(arg, ":")
	switch op {
	case "add":
		c.ParkRunning()
		return c.Start("held_permit")
	case "rm":
		id, _ := strconv.ParseInt(idText, 10, 64)
		p, err := store.RemoveHeldPermit(c, c.DB, c.Owner.ID, id)
		if errors.Is(err, store.ErrNotFound) {
			return c.StaleButton()
		}
		if err != nil {
			return err
		}
		c.Say(c.T("PermitHeldRemoved", map[string]any{"Number": p.Number, "Product": p.ProductName}))
		return nil
	}
	return c.StaleButton()
}

// heldPermitFlow records one permit: which kind, its number (checked against that kind's
// format), the product, and until when it is valid — for a P-IRT the year its last two digits
// name, confirmed by the owner; for the others the date, asked.
func heldPermitFlow() *flows.Flow {
	return &flows.Flow{
		Name:  "held_permit",
		Title: "PermitHeldTitle",
		Steps: func(c *flows.Ctx) []*flows.Step {
			pirt := c.Get("path") == string(domain.PathSPPIRT) && c.Get("year") != ""
			return []*flows.Step{
				{Name: "path", Prompt: "PermitHeldAskPath", Input: flows.InputChoice, Choices: heldPathChoices},
				{Name: "number", Prompt: "PermitHeldAskNumber", Help: "PermitHeldHelpNumber", Input: flows.InputText,
					Data: heldPathData, Parse: parseHeldNumber},
				{Name: "product", Prompt: "PermitHeldAskProduct", Input: flows.InputText, Parse: parseShortText},
				{Name: "year_ok", Prompt: "PermitHeldConfirmYear", Input: flows.InputYesNo,
					Data: func(c *flows.Ctx) map[string]any { return map[string]any{"Year": c.Get("year")} },
					Skip: func(*flows.Ctx) bool { return !pirt }},
				{Name: "valid_until", Prompt: "PermitHeldAskValidUntil", Input: flows.InputText, Parse: parseHeldUntil,
					Skip: func(c *flows.Ctx) bool { return pirt && c.Get("year_ok") == "yes" }},
			}
		},
		Done: saveHeldPermit,
	}
}

// heldPathChoices are the registration's path buttons without "help me choose": a permit held
// has its kind.
func heldPathChoices(c *flows.Ctx) []flows.Choice {
	return slices.DeleteFunc(pathChoices(c), func(ch flows.Choice) bool { return ch.Value == "help" })
}

// heldPathData names the chosen path and shows an example number of it.
func heldPathData(c *flows.Ctx) map[string]any {
	path := c.Get("path")
	return map[string]any{"Path": c.PathName(path), "Example": c.T("PermitHeldExample_" + path)}
}

// parseHeldNumber accepts a number of the chosen path, in its canonical form ("SPP-IRT No." and
// the other prefixes are tolerated). A P-IRT's last two digits name the year it lapses (DOMAIN.md):
// kept for the owner to confirm, and a year already past is refused with the reason.
func parseHeldNumber(c *flows.Ctx, in string) (string, *flows.Problem) {
	path := c.Get("path")
	p, err := domain.ParsePermitNumber(in)
	switch {
	case err == nil && string(p.Path) != path:
		return "", &flows.Problem{Msg: "PermitHeldOtherPath", Data: map[string]any{"Path": c.PathName(path), "Detected": c.PathName(string(p.Path))}}
	case errors.Is(err, domain.ErrPermitDigits):
		return "", &flows.Problem{Msg: "PermitHeldBadDigits", Data: heldPathData(c)}
	case err != nil:
		return "", &flows.Problem{Msg: "PermitHeldBadNumber", Data: heldPathData(c)}
	}
	c.Del("year")
	c.Del("year_ok")
	if p.Path == domain.PathSPPIRT {
		year := 2000 + int(p.Digits[len(p.Digits)-2]-'0')*10 + int(p.Digits[len(p.Digits)-1]-'0')
		if year < c.Now.In(locales.Location()).Year() {
			return "", &flows.Problem{Msg: "PermitHeldLapsedYear", Data: map[string]any{"Year": year}}
		}
		c.Set("year", strconv.Itoa(year))
	}
	return p.Canonical, nil
}

// parseHeldUntil reads the last valid day, day first as owners write it (31-12-2028,
// 31/12/2028, 31.12.2028) or as 2028-12-31: from today to 10 years ahead.
func parseHeldUntil(c *flows.Ctx, in string) (string, *flows.Problem) {
	in = strings.TrimSpace(in)
	today := c.Now.In(locales.Location())
	first := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	for _, layout := range []string{"2-1-2006", "2/1/2006", "2.1.2006", "2006-1-2"} {
		d, err := time.Parse(layout, in)
		if err != nil {
			continue
		}
		if d.Before(first) || d.After(first.AddDate(10, 0, 0)) {
			break
		}
		return d.Format(time.DateOnly), nil
	}
	return "", flows.NewProblem("PermitHeldBadDate")
}

// saveHeldPermit records the permit and says until when it is valid.
func saveHeldPermit(c *flows.Ctx) error {
	p := store.HeldPermit{OwnerID: c.Owner.ID, Path: c.Get("path"), Number: c.Get("number"), ProductName: c.Get("product")}
	if y, err := strconv.Atoi(c.Get("year")); err == nil && c.Get("year_ok") == "yes" {
		p.ValidUntil, p.YearOnly = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), true
	} else {
		p.ValidUntil, _ = time.Parse(time.DateOnly, c.Get("valid_until"))
	}
	if err := store.SaveHeldPermit(c, c.DB, &p, c.Now); err != nil {
		return err
	}
	c.Say(c.T("PermitHeldSaved", map[string]any{"Number": p.Number, "Product": p.ProductName,
		"Until": heldPermitUntil(c, p.ValidUntil, p.YearOnly)}))
	return nil
}

// heldPermitUntil is until when a recorded permit is valid, as the owner reads it: its day, or
// the year when only that is known.
func heldPermitUntil(c *flows.Ctx, validUntil time.Time, yearOnly bool) string {
	if yearOnly {
		return c.T("PermitHeldUntilYear", map[string]any{"Year": validUntil.Year()})
	}
	y, m, d := validUntil.Date()
	return c.L.Date(time.Date(y, m, d, 12, 0, 0, 0, locales.Location()))
}
