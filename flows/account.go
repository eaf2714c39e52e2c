package flows

import (
	"umkmbot/locales"
	"umkmbot/store"
)

// deleteDataFlow deletes the owner's personal data after a confirmation that says what goes
// and what stays.
func deleteDataFlow() *Flow {
	return &Flow{
		Name:  "delete_data",
		Title: "DeleteTitle",
		Steps: func(c *Ctx) []*Step {
			return []*Step{{Name: "confirm", Prompt: "DeleteConfirm", Input: InputYesNo,
				Save: func(c *Ctx, v string) error {
					c.Sess.reset()
					if v != "yes" {
						c.say(c.T("DeleteKept"))
						c.showMenu("")
						return nil
					}
					if err := store.DeleteOwnerData(c, c.DB, c.Owner.ID, c.Now); err != nil {
						return err
					}
					c.Sess.Parked = nil // the drafts hold personal data too
					c.Sess.KeyboardOpen = false
					c.say(c.T("DeleteDone"))
					return nil
				}}}
		},
	}
}

// languageFlow lets the owner choose Bahasa Indonesia or English.
func languageFlow() *Flow {
	return &Flow{
		Name:  "language",
		Title: "LanguageTitle",
		Steps: func(c *Ctx) []*Step {
			return []*Step{{Name: "lang", Prompt: "LanguageAsk", Input: InputChoice, Columns: 2,
				Choices: func(c *Ctx) []Choice {
					return []Choice{{Value: "id", Label: "LanguageIndonesian"}, {Value: "en", Label: "LanguageEnglish"}}
				},
				Save: func(c *Ctx, v string) error {
					if err := store.SetOwnerLang(c, c.DB, c.Owner.ID, v); err != nil {
						return err
					}
					c.Owner.Lang = v
					c.L = c.e.msgs.For(locales.NormalizeLang(v))
					c.Sess.reset()
					c.say(c.T("LanguageChanged"))
					c.showMenu("")
					return nil
				}}}
		},
	}
}
