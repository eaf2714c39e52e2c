package staff

import (
	"strconv"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/store"
)

func firstDecideStep(to domain.Status) string {
	switch to {
	case domain.StatusApproved:
		return "permit"
	case domain.StatusAwaitingPayment:
		return "amount"
	}
	return "note"
}

// decideFlow asks what a move carries: corrections (a note and a due date), a payment order (an
// optional amount and a due date), an approval (the permit number and, unless the number says it,
// the date it is valid until), a rejection (the reason). The move itself is flows.Transition.
func decideFlow() *flows.Flow {
	return &flows.Flow{
		Name:  "decide",
		Title: "StaffDecideTitle",
		Steps: func(c *flows.Ctx) []*flows.Step {
			to := domain.Status(c.Get("to"))
			var steps []*flows.Step
			switch to {
			case domain.StatusNeedsFix, domain.StatusRejected:
				prompt := "StaffAskFixNote"
				if to == domain.StatusRejected {
					prompt = "StaffAskRejectReason"
				}
				steps = append(steps, &flows.Step{Name: "note", Prompt: prompt, Input: flows.InputText, Parse: textBetween(3, 1000)})
			case domain.StatusAwaitingPayment:
				steps = append(steps, &flows.Step{Name: "amount", Prompt: "StaffAskAmount", Input: flows.InputText, Optional: "CommonSkip", Parse: parseAmount})
			case domain.StatusApproved:
				steps = append(steps,
					&flows.Step{Name: "permit", Prompt: "StaffAskPermit", Input: flows.InputText, Parse: parsePermit,
						Data: func(c *flows.Ctx) map[string]any { return map[string]any{"Path": c.PathName(c.Get("path"))} }},
					&flows.Step{Name: "valid_until", Prompt: "StaffAskValidUntil", Input: flows.InputText, Parse: parseDue,
						Skip: func(c *flows.Ctx) bool { return c.Get("derived_until") != "" }})
			}
			if to == domain.StatusNeedsFix || to == domain.StatusAwaitingPayment {
				steps = append(steps, &flows.Step{Name: "due", Prompt: "StaffAskDue", Input: flows.InputText, Optional: "StaffDueDefault", Parse: parseDue,
					Data: func(c *flows.Ctx) map[string]any {
						d, _ := c.Engine().Rules().DefaultDue(domain.Status(c.Get("to")), c.Now)
						return map[string]any{"Default": c.L.Date(d)}
					}})
			}
			return steps
		},
		Done: finishDecision,
	}
}

func parseAmount(c *flows.Ctx, in string) (string, *flows.Problem) {
	digits := strings.NewReplacer(".", "", ",", "", " ", "", "Rp", "", "rp", "").Replace(in)
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n <= 0 || n > 1_000_000_000 {
		return "", flows.NewProblem("StaffBadAmount")
	}
	return strconv.FormatInt(n, 10), nil
}

func parseDue(c *flows.Ctx, in string) (string, *flows.Problem) {
	d, ok := parseDate(in)
	if !ok || !d.After(c.Now) {
		return "", flows.NewProblem("StaffBadDate")
	}
	return d.Format(time.RFC3339), nil
}

// parsePermit checks the number against the path's format; a P-IRT number names the year it
// lapses, so its valid-until is derived (the end of that year) and not asked.
func parsePermit(c *flows.Ctx, in string) (string, *flows.Problem) {
	p, err := domain.ParsePermitNumber(in)
	if err != nil || string(p.Path) != c.Get("path") {
		return "", &flows.Problem{Msg: "StaffBadPermit", Data: map[string]any{"Path": c.PathName(c.Get("path"))}}
	}
	c.Del("derived_until")
	if f, ok := p.PIRT(); ok {
		until := time.Date(f.ExpiryYear, 12, 31, 0, 0, 0, 0, time.UTC)
		if !until.After(c.Now) {
			return "", &flows.Problem{Msg: "StaffBadPermit", Data: map[string]any{"Path": c.PathName(c.Get("path"))}}
		}
		c.Set("derived_until", until.Format(time.RFC3339))
	}
	return p.Canonical, nil
}

// finishDecision makes the move with what was asked.
func finishDecision(c *flows.Ctx) error {
	id, _ := strconv.ParseInt(c.Get("app"), 10, 64)
	app, err := store.ApplicationByID(c, c.DB, id)
	if err != nil {
		return err
	}
	to := domain.Status(c.Get("to"))
	ch := flows.Change{App: app, To: to, Note: c.Get("note")}
	if app.Status != c.Get("from") {
		c.Sess.Reset()
		c.Say(c.T("StaffMovedMeanwhile"))
		return nil
	}
	if to == domain.StatusNeedsFix || to == domain.StatusAwaitingPayment {
		due, ok := c.Engine().Rules().DefaultDue(to, c.Now)
		if v := c.Get("due"); v != "" {
			due, _ = time.Parse(time.RFC3339, v)
		} else if ok {
			due, _ = parseDate(due.Format("2006-01-02"))
		}
		ch.Due = &due
	}
	if amount := c.Get("amount"); amount != "" {
		n, _ := strconv.ParseInt(amount, 10, 64)
		ch.Note = c.T("StaffPaymentNote", map[string]any{"Amount": c.L.Rupiah(n)})
	}
	if to == domain.StatusApproved {
		v := c.Get("derived_until")
		if v == "" {
			v = c.Get("valid_until")
		}
		until, _ := time.Parse(time.RFC3339, v)
		ch.Permit, ch.ValidUntil = c.Get("permit"), &until
	}
	c.Sess.Reset()
	return move(c, ch)
}
