// Package staff holds the conversations of BPOM and health-office staff (petugas) and of admins:
// the review queue, an application's card and its actions, staff management. Flowset hands them
// to the engine, which serves them only to active staff; every power is checked by
// flows.Authorize, every status change goes through flows.Transition.
package staff

import (
	"errors"
	"strconv"

	"umkmbot/flows"
	"umkmbot/store"
)

// Flowset is the staff's side of the bot.
func Flowset() *flows.Flowset {
	return &flows.Flowset{
		Name:  "staff",
		Roles: []flows.Role{flows.RoleStaff, flows.RoleAdmin},
		Flows: []*flows.Flow{inviteFlow(), decideFlow(), searchFlow(), broadcastFlow(), trainingNewFlow(), trainingEditFlow(), trainingCertificateFlow(), noteFlow(), importFlow(), exportFlow()},
		Commands: map[string]flows.Handler{
			"antrian":   func(c *flows.Ctx, _ string) error { return showQueue(c, queueView{}) },
			"cari":      cmdSearch,
			"statistik": func(c *flows.Ctx, _ string) error { return showStats(c) },
			"staf_undang": func(c *flows.Ctx, _ string) error {
				return guarded(c, flows.PowerManageStaff, nil, func() error { return c.Start("invite") })
			},
			"staf": func(c *flows.Ctx, _ string) error { return listStaff(c) },
			"pelatihan_baru": func(c *flows.Ctx, _ string) error {
				return guarded(c, flows.PowerTrainings, nil, func() error { return c.Start("training_new") })
			},
			"pelatihan_kelola": func(c *flows.Ctx, _ string) error { return showTrainings(c, 0) },
			"umumkan": func(c *flows.Ctx, _ string) error {
				return guarded(c, flows.PowerBroadcast, nil, func() error {
					if area := c.Engine().Area(c.Actor); area != nil && len(area) == 0 {
						return unlessRefused(c, flows.ErrForbidden, nil) // an office we no longer know reaches no one: say so now
					}
					return c.Start("broadcast")
				})
			},
			"umumkan_riwayat": func(c *flows.Ctx, _ string) error { return showBroadcastHistory(c, "0") },
			"impor":           func(c *flows.Ctx, _ string) error { return startImport(c) },
			"ekspor": func(c *flows.Ctx, _ string) error {
				return guarded(c, flows.PowerView, nil, func() error { return c.Start("csv_export") })
			},
		},
		Aliases: map[string]string{"queue": "antrian", "search": "cari", "staff": "staf", "invite": "staf_undang", "stats": "statistik", "announce": "umumkan", "announce_history": "umumkan_riwayat", "new_training": "pelatihan_baru", "trainings": "pelatihan_kelola", "import": "impor", "export": "ekspor"},
		Actions: map[string]flows.Handler{
			"q":       func(c *flows.Ctx, arg string) error { return showQueue(c, parseQueueView(arg)) },
			"card":    func(c *flows.Ctx, arg string) error { return withApp(c, arg, flows.PowerView, showCard) },
			"claim":   claimAction,
			"unclaim": func(c *flows.Ctx, arg string) error { return withApp(c, arg, flows.PowerAct, unclaim) },
			"doc":     sendDocument,
			"docall":  sendAllDocuments,
			"do":      doAction,
			"note":    noteAction,
			"stfrm":   removeStaff,
			"bcr":     showBroadcastReport,
			"bcx":     cancelBroadcast,
			"trl":     func(c *flows.Ctx, arg string) error { return showTrainings(c, atoi(arg)) },
			"trc":     trainingButton(showTrainingCard),
			"tre":     trainingButton(startTrainingEdit),
			"trx":     trainingButton(askCancelTraining),
			"trxy":    trainingButton(cancelTraining),
			"trr":     trainingButton(showRegistrants),
			"trcsv":   trainingButton(sendRegistrantsCSV),
			"tra":     attendancePage,
			"tram":    markAttendance,
			"trcert":  askCertificate,
			"bch":     showBroadcastHistory,
		},
		DeepLinks: map[string]flows.Handler{"staf_": redeemInvite},
		Menu:      menu,
		Greet:     func(c *flows.Ctx) error { c.ShowMenu(""); return nil },
		Idle: func(c *flows.Ctx) error {
			if isCSV(c.Ev.File) {
				return startImport(c) // a CSV sent as a document is an import
			}
			c.ShowMenu(c.T("MenuNotUnderstood"))
			return nil
		},
	}
}

// menu is the staff's main menu.
func menu(c *flows.Ctx) (string, [][]flows.Button) {
	rows := [][]flows.Button{
		{{Label: c.T("StaffMenuQueue"), Data: "a:go:antrian"}, {Label: c.T("StaffMenuSearch"), Data: "a:go:cari"}},
		{{Label: c.T("StaffMenuStats"), Data: "a:go:statistik"}},
	}
	if c.Authorize(flows.PowerBroadcast, nil) == nil {
		rows[1] = append(rows[1], flows.Button{Label: c.T("StaffMenuBroadcast"), Data: "a:go:umumkan"})
	}
	if c.Authorize(flows.PowerTrainings, nil) == nil {
		rows[1] = append(rows[1], flows.Button{Label: c.T("StaffMenuTrainings"), Data: "a:go:pelatihan_kelola"})
	}
	if c.Authorize(flows.PowerManageStaff, nil) == nil {
		rows = append(rows, []flows.Button{{Label: c.T("StaffMenuInvite"), Data: "a:go:staf_undang"}, {Label: c.T("StaffMenuTeam"), Data: "a:go:staf"}})
	}
	rows = append(rows, []flows.Button{{Label: c.T("StaffMenuOwnerMode"), Data: "a:go:mode_pemilik"}})
	return c.T("StaffMenuText", map[string]any{"Office": officeName(c, c.Actor.Office())}), rows
}

func officeName(c *flows.Ctx, code string) string {
	if o, ok := c.Engine().Rules().Office(code); ok {
		return o.Name
	}
	if code != "" { // an office no longer in the rules: its code, never "all offices"
		return code
	}
	return c.T("StaffAllOffices")
}

// guarded runs do when the person holds the power over app, and otherwise says why not: the one
// answer to a refusal (an application of another office reads as one that does not exist).
func guarded(c *flows.Ctx, p flows.Power, app *store.Application, do func() error) error {
	return unlessRefused(c, c.Authorize(p, app), do)
}

// unlessRefused runs do when err (of an Authorize) is nil, and otherwise gives the refusal's answer.
func unlessRefused(c *flows.Ctx, err error, do func() error) error {
	return unlessRefusedAs(c, "StaffNotFound", err, do)
}

// unlessRefusedTraining is unlessRefused for a training: another office's reads as no such training.
func unlessRefusedTraining(c *flows.Ctx, err error, do func() error) error {
	return unlessRefusedAs(c, "StaffTrainingNotFound", err, do)
}

func unlessRefusedAs(c *flows.Ctx, notFound string, err error, do func() error) error {
	switch {
	case err == nil:
		return do()
	case errors.Is(err, flows.ErrNotFound):
		c.Toast(c.T(notFound))
		c.Say(c.T(notFound))
		return nil
	case errors.Is(err, flows.ErrForbidden):
		c.Toast(c.T("StaffForbidden"))
		c.Say(c.T("StaffForbidden"))
		return nil
	}
	return err
}

// withApp loads the application named by a button's id and runs do under the power.
func withApp(c *flows.Ctx, arg string, p flows.Power, do func(c *flows.Ctx, app store.Application) error) error {
	id, _ := strconv.ParseInt(arg, 10, 64)
	app, err := store.ApplicationByID(c, c.DB, id)
	if errors.Is(err, store.ErrNotFound) {
		return guarded(c, p, &store.Application{ID: id}, nil) // not submitted: reads as not found
	}
	if err != nil {
		return err
	}
	return guarded(c, p, &app, func() error { return do(c, app) })
}

// audit writes a staff action to the audit log, with what it was before and after.
func audit(c *flows.Ctx, action, kind string, id int64, before, after map[string]any) error {
	return store.Audit(c, c.DB, store.AuditEntry{ActorKind: "staff", ActorID: c.Actor.Staff.ID, Action: action,
		SubjectKind: kind, SubjectID: id, Detail: map[string]any{"before": before, "after": after}}, c.Now)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
