package flows

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"umkmbot/flows/domain"
	"umkmbot/store"
)

// profileFlow asks who the owner is and what their business is: name, business, kabupaten,
// desa, phone, NIB, the village's OVOP product. Run at the first /start, before the first
// registration, and from /profil to change it.
func profileFlow() *Flow {
	return &Flow{
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
		Steps: func(c *Ctx) []*Step {
			return []*Step{
				{Name: "name", Prompt: "ProfileAskName", Help: "ProfileHelpName", Input: InputText, Parse: parsePersonName},
				{Name: "business", Prompt: "ProfileAskBusiness", Help: "ProfileHelpBusiness", Input: InputText, Parse: parseShortText},
				{Name: "kabupaten", Prompt: "ProfileAskKabupaten", Input: InputChoice, Choices: kabupatenChoices, Columns: 2, PageSize: 8,
					Display: func(c *Ctx, v string) string { return c.kabupatenName(v) }},
				{Name: "desa", Prompt: "ProfileAskDesa", Input: InputText, Parse: parseShortText},
				{Name: "phone", Prompt: "ProfileAskPhone", Help: "ProfileHelpPhone", Input: InputContact, Parse: parsePhone,
					Save: func(c *Ctx, v string) error {
						c.set("phone", v)
						c.say(c.T("ProfilePhoneSaved"))
						return nil
					}},
				{Name: "nib", Prompt: "ProfileAskNIB", Help: "ProfileHelpNIB", Input: InputText, Optional: "ProfileNoNIB", Parse: parseNIB,
					Display: func(c *Ctx, v string) string {
						if v == "" {
							return c.T("ProfileNIBNone")
						}
						return v
					},
					Save: func(c *Ctx, v string) error {
						c.set("nib", v)
						if v == "" {
							c.say(c.T("ProfileNIBHowTo"))
						}
						return nil
					}},
				{Name: "nib_confirm", Prompt: "ProfileConfirmNIB", Input: InputYesNo,
					Data: func(c *Ctx) map[string]any {
						return map[string]any{"NIB": c.get("nib"), "Digits": len(c.get("nib"))}
					},
					Skip: func(c *Ctx) bool { return !nibNeedsConfirm(c.get("nib")) },
					Next: func(c *Ctx, v string) string {
						if v == "no" {
							return "nib"
						}
						return ""
					}},
				{Name: "ovop", Prompt: "ProfileAskOVOP", Help: "ProfileHelpOVOP", Input: InputText, Optional: "CommonSkip", Parse: parseShortText},
				{Name: "summary", Prompt: "ProfileSummary", Input: InputConfirm,
					Data: func(c *Ctx) map[string]any {
						return map[string]any{"Summary": c.summary("name", "business", "kabupaten", "desa", "phone", "nib", "ovop")}
					},
					Editable: []string{"name", "business", "kabupaten", "desa", "phone", "nib", "ovop"}},
			}
		},
		Done: saveProfile,
	}
}

// prefillProfile starts /profil on the summary when a profile exists, so the owner sees it and
// can change any part.
func prefillProfile(c *Ctx) error {
	b, err := store.PrimaryBusiness(c, c.DB, c.Owner.ID)
	if errors.Is(err, store.ErrNotFound) || c.Owner.Name == "" {
		return nil
	}
	if err != nil {
		return err
	}
	c.set("name", c.Owner.Name)
	c.set("phone", c.Owner.Phone)
	c.set("business", b.Name)
	c.set("kabupaten", b.Kabupaten)
	c.set("desa", b.Desa)
	c.set("nib", b.NIB)
	c.set("ovop", b.OVOPProduct)
	c.set(keyPrefilled, "1")
	c.Sess.Trail = []string{"name", "business", "kabupaten", "desa", "phone", "nib", "ovop"}
	return c.goTo("summary")
}

func saveProfile(c *Ctx) error {
	if err := store.SetOwnerContact(c, c.DB, c.Owner.ID, c.get("name"), c.get("phone")); err != nil {
		return err
	}
	b, err := store.PrimaryBusiness(c, c.DB, c.Owner.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	b.OwnerID = c.Owner.ID
	b.Name, b.Kabupaten, b.Desa = c.get("business"), c.get("kabupaten"), c.get("desa")
	b.NIB, b.OVOPProduct = c.get("nib"), c.get("ovop")
	if err := store.SaveBusiness(c, c.DB, &b); err != nil {
		return err
	}
	c.Owner.Name, c.Owner.Phone = c.get("name"), c.get("phone")
	c.say(c.T("ProfileSaved", map[string]any{"Name": c.Owner.Name}))
	if c.Sess.Then == "" {
		c.Sess.reset()
		c.showMenu("")
	}
	return nil
}

// hasProfile says whether the owner has told us who they are and what their business is.
func (c *Ctx) hasProfile() bool {
	if c.Owner.Name == "" {
		return false
	}
	_, err := store.PrimaryBusiness(c, c.DB, c.Owner.ID)
	return err == nil
}

// cmdProfile shows the profile (as a summary that can be changed), or asks for it.
func (c *Ctx) cmdProfile() error {
	if c.Sess.Parked["profile"] != nil {
		return c.offerResume("profile")
	}
	return c.start("profile")
}

// summary lists the answers of the named steps, one per line.
func (c *Ctx) summary(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		s := c.stepByName(n)
		if s == nil || (s.Skip != nil && s.Skip(c)) {
			continue
		}
		v := c.display(s, c.get(n))
		if v == "" {
			v = "–"
		}
		b.WriteString("• " + c.T(s.fieldLabel()) + ": " + v + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// parsePersonName accepts a name of 2 to 80 characters with at least one letter.
func parsePersonName(c *Ctx, in string) (string, *Problem) {
	in = strings.Join(strings.Fields(in), " ")
	n := utf8.RuneCountInString(in)
	if n < 2 || n > 80 || !strings.ContainsFunc(in, unicode.IsLetter) {
		return "", problem("ProfileBadName")
	}
	return in, nil
}

// parseShortText accepts 2 to 100 characters.
func parseShortText(c *Ctx, in string) (string, *Problem) {
	in = strings.Join(strings.Fields(in), " ")
	n := utf8.RuneCountInString(in)
	if n < 2 {
		return "", problem("CommonTooShort")
	}
	if n > 100 {
		return "", &Problem{Msg: "CommonTooLong", Data: map[string]any{"Max": 100}}
	}
	return in, nil
}

func parsePhone(c *Ctx, in string) (string, *Problem) {
	p, err := domain.NormalizePhone(in)
	if err != nil {
		return "", problem("ProfileBadPhone")
	}
	return p, nil
}

func parseNIB(c *Ctx, in string) (string, *Problem) {
	r, err := domain.CheckNIB(in)
	if err != nil {
		return "", problem("ProfileBadNIB")
	}
	return r.Number, nil
}

// nibNeedsConfirm: NIBs are 13 digits as far as we know; another length is asked back, not refused.
func nibNeedsConfirm(nib string) bool {
	r, err := domain.CheckNIB(nib)
	return nib != "" && err == nil && r.Confirm
}

func kabupatenChoices(c *Ctx) []Choice {
	var out []Choice
	for _, k := range c.e.rules.Kabupatens() {
		out = append(out, Choice{Value: k.Code, Text: k.Name})
	}
	return out
}

// kabupatenName is the name of a kabupaten code (place names are not translated).
func (c *Ctx) kabupatenName(code string) string {
	if k, ok := c.e.rules.Kabupaten(code); ok {
		return k.Name
	}
	return code
}
