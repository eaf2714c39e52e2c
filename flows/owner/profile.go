package owner

import (
	"errors"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/store"
)

// profileFlow asks who the owner is and what their business is: name, business, kabupaten,
// desa, phone, NIB, the village's OVOP product. Run at the first /start, before the first
// registration, and from /profil to change it.
func profileFlow() *flows.Flow {
	return &flows.Flow{
		Name:      "profile",
		Title:     "ProfileTitle",
		Progress:  true,
		Resumable: true,
		Label: func(d map[string]string) string {
			if d["business"] != "" {
				return d["business"]
			}
			return d["name"]
		},
		Start: prefillProfile,
		Steps: func(c *flows.Ctx) []*flows.Step {
			return []*flows.Step{
				{Name: "name", Prompt: "ProfileAskName", Help: "ProfileHelpName", Input: flows.InputText, Parse: parsePersonName},
				{Name: "business", Prompt: "ProfileAskBusiness", Help: "ProfileHelpBusiness", Input: flows.InputText, Parse: parseShortText},
				{Name: "kabupaten", Prompt: "ProfileAskKabupaten", Input: flows.InputChoice, Choices: kabupatenChoices, Columns: 2, PageSize: 8,
					Match:   matchKabupaten,
					Display: func(c *flows.Ctx, v string) string { return c.KabupatenName(v) }},
				{Name: "desa", Prompt: "ProfileAskDesa", Input: flows.InputText, Parse: parseShortText, Skip: firstRun},
				{Name: "phone", Prompt: "ProfileAskPhone", Help: "ProfileHelpPhone", Input: flows.InputContact, Parse: parsePhone,
					Display: func(c *flows.Ctx, v string) string { return domain.FormatPhone(v) },
					Save: func(c *flows.Ctx, v string) error {
						c.Set("phone", v)
						c.Say(c.T("ProfilePhoneSaved"))
						return nil
					}},
				{Name: "nib", Prompt: "ProfileAskNIB", Help: "ProfileHelpNIB", Input: flows.InputText, Optional: "ProfileNoNIB", Parse: parseNIB,
					Display: func(c *flows.Ctx, v string) string {
						if v == "" {
							return c.T("ProfileNIBNone")
						}
						return v
					},
					Save: func(c *flows.Ctx, v string) error {
						c.Set("nib", v)
						if v == "" {
							c.Note(c.T("ProfileNIBHowTo"))
						}
						return nil
					}},
				{Name: "nib_confirm", Prompt: "ProfileConfirmNIB", Input: flows.InputYesNo, Aside: true,
					Data: func(c *flows.Ctx) map[string]any {
						return map[string]any{"NIB": c.Get("nib"), "Digits": len(c.Get("nib"))}
					},
					Skip: func(c *flows.Ctx) bool { return !nibNeedsConfirm(c.Get("nib")) },
					Next: func(c *flows.Ctx, v string) string {
						if v == "no" {
							return "nib"
						}
						return ""
					}},
				{Name: "ovop", Prompt: "ProfileAskOVOP", Help: "ProfileHelpOVOP", Input: flows.InputText, Optional: "CommonSkip", Parse: parseShortText, Skip: firstRun,
					Display: func(c *flows.Ctx, v string) string {
						if v == "" {
							return c.T("ProfileOVOPNone")
						}
						return v
					}},
				{Name: "summary", Prompt: "ProfileSummary", Input: flows.InputConfirm, Skip: firstRun, Confirm: "ProfileSaveButton",
					Data: func(c *flows.Ctx) map[string]any {
						return map[string]any{"Summary": c.Summary(profileFields...) + trainingRecord(c)}
					},
					Editable: profileFields},
			}
		},
		Done: saveProfile,
	}
}

// profileFields are the profile's answers, as its summary lists them.
var profileFields = []string{"name", "business", "kabupaten", "desa", "phone", "nib", "ovop"}

// prefillProfile starts /profil on the summary when a profile exists, so the owner sees it and
// can change any part.
func prefillProfile(c *flows.Ctx) error {
	b, err := store.PrimaryBusiness(c, c.DB, c.Owner.ID)
	if errors.Is(err, store.ErrNotFound) || c.Owner.Name == "" {
		c.Set(keyFirstRun, "1")
		return nil
	}
	if err != nil {
		return err
	}
	c.Set("name", c.Owner.Name)
	c.Set("phone", c.Owner.Phone)
	c.Set("business", b.Name)
	c.Set("kabupaten", b.Kabupaten)
	c.Set("desa", b.Desa)
	c.Set("nib", b.NIB)
	c.Set("ovop", b.OVOPProduct)
	c.Set(flows.KeyPrefilled, "1")
	c.Sess.Trail = slices.Clone(profileFields)
	return c.GoTo("summary")
}

func saveProfile(c *flows.Ctx) error {
	if err := store.SetOwnerContact(c, c.DB, c.Owner.ID, c.Get("name"), c.Get("phone")); err != nil {
		return err
	}
	b, err := store.PrimaryBusiness(c, c.DB, c.Owner.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	b.OwnerID = c.Owner.ID
	b.Name, b.Kabupaten, b.Desa = c.Get("business"), c.Get("kabupaten"), c.Get("desa")
	b.NIB, b.OVOPProduct = c.Get("nib"), c.Get("ovop")
	if err := store.SaveBusiness(c, c.DB, &b); err != nil {
		return err
	}
	c.Owner.Name, c.Owner.Phone = c.Get("name"), c.Get("phone")
	// One message: "saved" above the registration's first question, or above the menu.
	c.Note(c.T("ProfileSaved", map[string]any{"Name": c.Owner.Name}))
	if c.Sess.Then == "" {
		c.Sess.Reset()
		c.ShowMenu(c.TakeNote())
	}
	return nil
}

// keyFirstRun marks the first profile of an owner: it asks only what a registration needs (name,
// business, kabupaten, phone, NIB) and saves without a summary; the desa and the village's OVOP
// product are asked later, in /profil.
const keyFirstRun = "_first"

func firstRun(c *flows.Ctx) bool { return c.Get(keyFirstRun) != "" }

// cmdProfile shows the profile (as a summary that can be changed), or asks for it.
func cmdProfile(c *flows.Ctx) error {
	if c.Sess.Parked["profile"] != nil {
		return c.OfferResume("profile")
	}
	return c.Start("profile")
}

// parsePersonName accepts a name of 2 to 80 characters with at least one letter.
func parsePersonName(c *flows.Ctx, in string) (string, *flows.Problem) {
	in = strings.Join(strings.Fields(in), " ")
	n := utf8.RuneCountInString(in)
	if n < 2 || n > 80 || !strings.ContainsFunc(in, unicode.IsLetter) {
		return "", flows.NewProblem("ProfileBadName")
	}
	return in, nil
}

// parseShortText accepts 2 to 100 characters.
func parseShortText(c *flows.Ctx, in string) (string, *flows.Problem) {
	in = strings.Join(strings.Fields(in), " ")
	n := utf8.RuneCountInString(in)
	if n < 2 {
		return "", flows.NewProblem("CommonTooShort")
	}
	if n > 100 {
		return "", &flows.Problem{Msg: "CommonTooLong", Data: map[string]any{"Max": 100}}
	}
	return in, nil
}

func parsePhone(c *flows.Ctx, in string) (string, *flows.Problem) {
	p, err := domain.NormalizePhone(in)
	if err != nil {
		return "", flows.NewProblem("ProfileBadPhone")
	}
	return p, nil
}

func parseNIB(c *flows.Ctx, in string) (string, *flows.Problem) {
	r, err := domain.CheckNIB(in)
	if err != nil {
		return "", flows.NewProblem("ProfileBadNIB")
	}
	return r.Number, nil
}

// nibNeedsConfirm: NIBs are 13 digits as far as we know; another length is asked back, not refused.
func nibNeedsConfirm(nib string) bool {
	r, err := domain.CheckNIB(nib)
	return nib != "" && err == nil && r.Confirm
}

func kabupatenChoices(c *flows.Ctx) []flows.Choice {
	var out []flows.Choice
	for _, k := range c.Engine().Rules().Kabupatens() {
		out = append(out, flows.Choice{Value: k.Code, Text: k.Name})
	}
	return out
}

// matchKabupaten reads a typed kabupaten as people write it: the seat town ("Bajawa"), an
// abbreviation ("TTS"), "Kab. Ngada", "Kota Kupang". "Kupang" alone may be the city or the
// kabupaten: it is asked back.
func matchKabupaten(c *flows.Ctx, text string) (string, *flows.Problem) {
	t := strings.ToLower(strings.Join(strings.Fields(strings.Trim(text, " .!")), " "))
	if t == "kupang" {
		return "", flows.NewProblem("ProfileKupangWhich")
	}
	if k, ok := c.Engine().Rules().FindKabupaten(text); ok {
		return k.Code, nil
	}
	return "", nil
}
