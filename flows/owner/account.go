package owner

import (
	"strings"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/locales"
	"umkmbot/store"
)

// deleteDataFlow deletes the owner's personal data (store.DeleteOwnerData says where it lives)
// after a confirmation that says what goes and what stays, and lets go of the applications
// already handed to an office (store.DetachOwnerApplications): they stay there, anonymised, and
// are no longer this chat's. The one message queued after the deletion says what was deleted
// and which applications stay with which office; it quotes nothing personal.
func deleteDataFlow() *flows.Flow {
	return &flows.Flow{
		Name:  "delete_data",
		Title: "DeleteTitle",
		Steps: func(c *flows.Ctx) []*flows.Step {
			return []*flows.Step{{Name: "confirm", Prompt: "DeleteConfirm", Help: "DeleteHelp", Input: flows.InputYesNo,
				Save: func(c *flows.Ctx, v string) error {
					c.Sess.Reset()
					if v != "yes" {
						c.ShowMenu(c.T("DeleteKept"))
						return nil
					}
					kept, err := keptApplications(c)
					if err != nil {
						return err
					}
					// Their seats in trainings to come go to the first in each line, told at once.
					freed, err := store.ReleaseOwnerSeats(c, c.DB, c.Owner.ID, c.Now)
					if err != nil {
						return err
					}
					for _, f := range freed {
						c.NotifySeatsGiven(f.Training, f.Given)
					}
					if err := store.DeleteOwnerData(c, c.DB, c.Owner.ID, c.Ev.UpdateID, c.Now); err != nil {
						return err
					}
					if _, err := store.DetachOwnerApplications(c, c.DB, c.Owner.ID); err != nil {
						return err
					}
					// The session holds answers and drafts: it goes, and is not saved again.
					c.ForgetSession()
					text := c.T("DeleteDone")
					if kept != "" {
						text += "\n\n" + c.T("DeleteDoneKept", map[string]any{"Kept": kept})
					}
					c.Say(text + "\n\n" + c.T("DeleteDoneAfter"))
					return nil
				}}}
		},
	}
}

// keptApplications lists, one per line, the owner's applications that outlive /hapus_data (every
// one handed over, whatever its status) with the office that keeps each.
func keptApplications(c *flows.Ctx) (string, error) {
	apps, err := store.ApplicationsByOwner(c, c.DB, c.Owner.ID)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, a := range apps {
		if a.Status == string(domain.StatusDraft) {
			continue
		}
		office := officeName(c, a)
		if office == "" {
			office = c.T("DeleteKeptOfficeUnknown")
		}
		b.WriteString(c.T("DeleteKeptLine", map[string]any{"Number": a.Number, "Product": a.ProductName,
			"Path": c.PathName(a.Path), "Office": office}) + "\n")
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

// languageFlow lets the owner choose Bahasa Indonesia or English.
func languageFlow() *flows.Flow {
	return &flows.Flow{
		Name:  "language",
		Title: "LanguageTitle",
		Steps: func(c *flows.Ctx) []*flows.Step {
			return []*flows.Step{{Name: "lang", Prompt: "LanguageAsk", Input: flows.InputChoice, Columns: 2,
				Choices: func(c *flows.Ctx) []flows.Choice {
					return []flows.Choice{{Value: "id", Label: "LanguageIndonesian"}, {Value: "en", Label: "LanguageEnglish"}}
				},
				Save: func(c *flows.Ctx, v string) error {
					if err := store.SetOwnerLang(c, c.DB, c.Owner.ID, v); err != nil {
						return err
					}
					c.Owner.Lang = v
					c.L = c.Engine().Messages().For(locales.NormalizeLang(v))
					c.Sess.Reset()
					c.ShowMenu(c.T("LanguageChanged"))
					return nil
				}}}
		},
	}
}
