package staff

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"

	"umkmbot/flows"
	"umkmbot/locales"
	"umkmbot/store"
)

// exportFlow (/ekspor): which export (applications, owners, trainings), whether with personal
// data (asked only of those who may see owners' phones, never assumed), then the CSV as a
// document. Staff of an office get their office's share only — the applications of
// OfficeShare, the owners of the kabupaten their office covers, the trainings it organises —
// and admins everything. Every export is written to the audit log.
func exportFlow() *flows.Flow {
	return &flows.Flow{
		Name:  "csv_export",
		Title: "ExportTitle",
		Steps: func(c *flows.Ctx) []*flows.Step {
			return []*flows.Step{
				{Name: "kind", Prompt: "ExportAskKind", Input: flows.InputChoice,
					Choices: func(c *flows.Ctx) []flows.Choice {
						var out []flows.Choice
						for _, k := range store.ExportKinds() {
							out = append(out, flows.Choice{Value: k, Label: "ExportKind_" + k})
						}
						return out
					}},
				{Name: "personal", Prompt: "ExportAskPersonal", Input: flows.InputChoice,
					Skip: func(c *flows.Ctx) bool { return !mayExportPersonal(c) },
					Choices: func(c *flows.Ctx) []flows.Choice {
						return []flows.Choice{{Value: "no", Label: "ExportPersonalNo"}, {Value: "yes", Label: "ExportPersonalYes"}}
					}},
			}
		},
		Done: func(c *flows.Ctx) error {
			personal := c.Get("personal") == "yes"
			return guarded(c, flows.PowerView, nil, func() error {
				if personal && !mayExportPersonal(c) {
					return unlessRefused(c, flows.ErrForbidden, nil)
				}
				return sendExport(c, c.Get("kind"), personal)
			})
		},
	}
}

// mayExportPersonal says whether the person may take owners' names out of the bot: whoever may
// see an owner's phone somewhere (staff; admins). Which phones go with them is decided row by
// row (exportPhones).
func mayExportPersonal(c *flows.Ctx) bool { return c.Authorize(flows.PowerSeePhone, nil) == nil }

// exportScope is the part of an export the person may take: everything for an admin, their
// office's share for staff. ok is false for staff whose office is unknown (never everything).
func exportScope(c *flows.Ctx, kind string) (store.ExportScope, bool) {
	f, ok := actorShare(c)
	switch {
	case !ok:
		return store.ExportScope{}, false
	case c.Actor.Role == flows.RoleAdmin:
		return store.ExportScope{Phones: exportPhones(c, f)}, true
	}
	switch kind {
	case "applications":
		return store.ExportScope{Paths: f.Paths, Kabupaten: f.Kabupaten, Phones: exportPhones(c, f)}, true
	case "trainings":
		return store.ExportScope{Office: c.Actor.Office(), Phones: exportPhones(c, f)}, true
	}
	return store.ExportScope{Kabupaten: f.Kabupaten, Phones: exportPhones(c, f)}, true
}

// exportPhones is whose phone numbers a personal export may hold: those a card would show,
// row by row. An application's phone where Authorize(PowerSeePhone) holds — the office's share,
// never for an admin, whose cards mask owners' phones; an owner's only when they have an
// application in that share (not every owner of the office's kabupaten); a training
// participant's where AuthorizeTraining(PowerSeePhone) holds — the trainings the office
// organises (an admin: those an admin made), for those who may manage trainings.
func exportPhones(c *flows.Ctx, share store.QueueFilter) *store.PhoneBound {
	b := &store.PhoneBound{Paths: []string{}, Kabupaten: []string{}, Offices: []string{}}
	if c.Actor.Role != flows.RoleAdmin {
		b.Paths, b.Kabupaten = share.Paths, share.Kabupaten
	}
	if c.Authorize(flows.PowerTrainings, nil) == nil {
		b.Offices = []string{c.Actor.Office()} // "" for an admin: the trainings an admin made
	}
	return b
}

// nonNil keeps an empty list a bound: nil would mean "no bound" to the store.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// sendExport makes the export and sends it as a document, and audits it.
func sendExport(c *flows.Ctx, kind string, personal bool) error {
	scope, ok := exportScope(c, kind)
	if !ok {
		return unlessRefused(c, flows.ErrForbidden, nil)
	}
	var buf bytes.Buffer
	n, err := WriteExport(c, c.DB, &buf, kind, personal, scope)
	if err != nil {
		return err
	}
	if err := store.Audit(c, c.DB, store.AuditEntry{ActorKind: "staff", ActorID: c.Actor.Staff.ID, Action: "csv.export",
		SubjectKind: "csv", Detail: map[string]any{"kind": kind, "personal": personal, "rows": n, "office": c.Actor.Office()}}, c.Now); err != nil {
		return err
	}
	text := c.T("ExportDone", map[string]any{"What": c.T("ExportKind_" + kind), "Rows": n, "Office": officeName(c, c.Actor.Office())})
	if personal {
		text += "\n\n" + c.T("ExportPersonalWarning")
	}
	name := c.T("ExportFileName_"+kind) + "-" + c.Now.In(locales.Location()).Format("2006-01-02") + ".csv"
	c.Reply(flows.Reply{Text: text, Upload: &flows.Upload{Name: name, Data: buf.Bytes()}})
	return nil
}

// WriteExport writes the named export (store.Export) within scope as CSV, a header line first,
// and returns the number of data rows. `umkmbot export` and /ekspor both write through it.
func WriteExport(ctx context.Context, db store.DB, w io.Writer, kind string, personal bool, scope store.ExportScope) (int, error) {
	cw := csv.NewWriter(w)
	n := -1
	err := store.Export(ctx, db, kind, personal, scope, func(row []string) error {
		n++
		return cw.Write(row)
	})
	cw.Flush()
	return max(n, 0), errors.Join(err, cw.Error())
}
