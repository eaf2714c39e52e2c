package owner

import (
	"umkmbot/flows"
	"umkmbot/locales"
	"umkmbot/store"
)

// deleteDataFlow deletes the owner's personal data (store.DeleteOwnerData says where it lives)
// after a confirmation that says what goes and what stays. The confirmation it sends quotes
// nothing personal: it is the one message queued after the deletion.
func deleteDataFlow() *flows.Flow {
	return &flows.Flow{
		Name:  "delete_data",
		Title: "DeleteTitle",
		Steps: func(c *flows.Ctx) []*flows.Step {
			return []*flows.Step{{Name: "confirm", Prompt: "DeleteConfirm", Help: "DeleteHelp", Input: flows.InputYesNo,
				Save: func(c *flows.Ctx, v string) error {
					c.Sess.Reset()
					if v != "yes" {
						c.Say(c.T("DeleteKept"))
						c.ShowMenu("")
						return nil
					}
					if err := store.DeleteOwnerData(c, c.DB, c.Owner.ID, c.Ev.UpdateID, c.Now); err != nil {
						return err
					}
					// The session holds answers and drafts: it goes, and is not saved again.
					c.ForgetSession()
					c.Say(c.T("DeleteDone"))
					return nil
				}}}
		},
	}
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
					c.Say(c.T("LanguageChanged"))
					c.ShowMenu("")
					return nil
				}}}
		},
	}
}
