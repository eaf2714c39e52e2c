package flows

import (
	"strings"

	"umkmbot/store"
)

// PathName is the name of a permit path in the person's language.
func (c *Ctx) PathName(code string) string { return c.T("PathName_" + code) }

// StatusName is the name of an application status in the person's language.
func (c *Ctx) StatusName(code string) string { return c.T("Status_" + code) }

// KabupatenName is the name of a kabupaten code (place names are not translated).
func (c *Ctx) KabupatenName(code string) string {
	if k, ok := c.e.rules.Kabupaten(code); ok {
		return k.Name
	}
	return code
}

// HasProfile says whether the person has told us who they are and what their business is.
func (c *Ctx) HasProfile() bool {
	if c.Owner.Name == "" {
		return false
	}
	_, err := store.PrimaryBusiness(c, c.DB, c.Owner.ID)
	return err == nil
}

// Summary lists the answers of the named steps of the running flow, one per line.
func (c *Ctx) Summary(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		s := c.StepByName(n)
		if s == nil || (s.Skip != nil && s.Skip(c)) {
			continue
		}
		v := c.Display(s, c.Get(n))
		if v == "" {
			v = "–"
		}
		b.WriteString("• " + c.T(s.fieldLabel()) + ": " + v + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
