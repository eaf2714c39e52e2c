// Package owner holds the owner's conversations (pelaku usaha): profile, product registration,
// documents, status, trainings, account, and the owner's menu. Flowset hands them to the engine.
package owner

import (
	"strconv"
	"strings"

	"umkmbot/flows"
)

// Flowset is the owner's side of the bot.
func Flowset() *flows.Flowset {
	return &flows.Flowset{
		Name:  "owner",
		Roles: []flows.Role{flows.RoleOwner},
		Flows: []*flows.Flow{profileFlow(), registerFlow(), documentsFlow(), statusFlow(), withdrawFlow(), deleteDataFlow(), languageFlow(), heldPermitFlow()},
		Commands: map[string]flows.Handler{
			"daftar":     func(c *flows.Ctx, _ string) error { return cmdRegister(c) },
			"profil":     func(c *flows.Ctx, _ string) error { return cmdProfile(c) },
			"dokumen":    func(c *flows.Ctx, _ string) error { return cmdDocuments(c) },
			"status":     cmdStatus,
			"pengajuan":  func(c *flows.Ctx, _ string) error { return cmdApplications(c) },
			"pelatihan":  func(c *flows.Ctx, _ string) error { return cmdTrainings(c) },
			"hapus_data": func(c *flows.Ctx, _ string) error { return c.Start("delete_data") },
			"bahasa":     func(c *flows.Ctx, _ string) error { return c.Start("language") },
			"izin_saya":  cmdHeldPermits,
		},
		Aliases: map[string]string{
			"language": "bahasa", "register": "daftar", "profile": "profil", "documents": "dokumen",
			"applications": "pengajuan", "trainings": "pelatihan", "delete_data": "hapus_data", "my_permits": "izin_saya",
		},
		Actions: map[string]flows.Handler{
			"app": func(c *flows.Ctx, arg string) error {
				id, _ := strconv.ParseInt(arg, 10, 64)
				return showOwnApplication(c, id)
			},
			"docs": func(c *flows.Ctx, arg string) error {
				id, _ := strconv.ParseInt(arg, 10, 64)
				return startDocumentsFor(c, id)
			},
			"wd": func(c *flows.Ctx, arg string) error {
				id, _ := strconv.ParseInt(arg, 10, 64)
				return startWithdraw(c, id)
			},
			"hp": heldPermitAction,
			"tr": func(c *flows.Ctx, arg string) error {
				op, idText, _ := strings.Cut(arg, ":")
				id, _ := strconv.ParseInt(idText, 10, 64)
				return trainingAction(c, op, id)
			},
			"trn": notifyAction,
		},
		DeepLinks: map[string]flows.Handler{"status_": lookupStatus},
		Menu:      menu,
		Greet:     greet,
		Idle:      idle,
	}
}

// greet answers /start: a new owner is asked who they are, a known one sees the menu (or the
// draft they left).
func greet(c *flows.Ctx) error {
	if !c.HasProfile() {
		c.Say(c.T("StartWelcomeNew", map[string]any{"Name": c.Ev.FirstName}))
		if c.Sess.Parked["profile"] != nil {
			return c.OfferResume("profile")
		}
		// Most come to register a product: the registration follows the profile at once.
		if err := c.Start("profile"); err != nil {
			return err
		}
		if c.Sess.Flow == "profile" {
			c.Sess.Then = "register"
		}
		return nil
	}
	welcome := c.T("StartWelcomeBack", map[string]any{"Name": c.Owner.Name})
	if names := c.ParkedNames(); len(names) > 0 {
		c.Note(welcome) // one message: the welcome is the offer's first line
		return c.OfferResume(names[0])
	}
	c.ShowMenu(welcome) // one message: the welcome is the menu's first line
	return nil
}

// idle handles a message when no flow runs: a number is looked up; a greeting, or any text from
// someone new or who deleted their data (the bot promised to start afresh), is greeted; anything
// else gets the menu.
func idle(c *flows.Ctx) error {
	if c.Ev.Kind == flows.EventText {
		text := strings.TrimSpace(c.Ev.Text)
		if _, err := c.Engine().AppNumbers().Parse(text); err == nil {
			return lookupStatus(c, text)
		}
		if looksLikePermitNumber(text) {
			return lookupStatus(c, text)
		}
		if c.NewOwner() || c.Owner.DeletedAt != nil || flows.IsGreeting(text) {
			c.ParkRunning()
			return greet(c)
		}
	}
	c.ShowMenu(c.T("MenuNotUnderstood"))
	return nil
}

// menu is the owner's main menu.
func menu(c *flows.Ctx) (string, [][]flows.Button) {
	return c.T("MenuText"), [][]flows.Button{
		{{Label: c.T("MenuRegister"), Data: "a:go:daftar"}},
		{{Label: c.T("MenuStatus"), Data: "a:go:status"}, {Label: c.T("MenuApplications"), Data: "a:go:pengajuan"}},
		{{Label: c.T("MenuDocuments"), Data: "a:go:dokumen"}, {Label: c.T("MenuTrainings"), Data: "a:go:pelatihan"}},
		{{Label: c.T("MenuProfile"), Data: "a:go:profil"}, {Label: c.T("MenuLanguage"), Data: "a:go:bahasa"}},
		{{Label: c.T("MenuHelpButton"), Data: "a:go:bantuan"}},
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
