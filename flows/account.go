package flows

import (
	"umkmbot/locales"
	"umkmbot/store"
)

// deleteDataFlow deletes the owner's personal data (store.DeleteOwnerData says where it lives)
// after a confirmation that says what goes and what stays. The confirmation it sends quotes
// nothing personal: it is the one message queued after the deletion.
func deleteDataFlow() *Flow {
	return &Flow{
		Name:  "delete_data",
		Title: "DeleteTitle",
		Steps: func(c *Ctx) []*Step {
			return []*Step{{Name: "confirm", Prompt: "DeleteConfirm", Help: "DeleteHelp", Input: InputYesNo,
				Save: func(c *Ctx, v string) error {
					c.Sess.reset()
					if v != "yes" {
						c.say(c.T("DeleteKept"))
						c.showMenu("")
						return nil
					}
					if err := store.DeleteOwnerData(c, c.DB, c.Owner.ID, c.Ev.UpdateID, c.Now); err != nil {
						return err
					}
					// The session holds answers and drafts: it goes, and is not saved again.
					c.forgetSession()
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
