package locales

import (
	"maps"
	"text/template"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	i18ntemplate "github.com/nicksnyder/go-i18n/v2/i18n/template"
)

// missingKeyOption makes a template fail on a field the caller did not pass, so a forgotten
// {{.Name}} shows as [[ID]] (caught by tests) instead of "<no value>" inside a sentence.
const missingKeyOption = "missingkey=error"

// Localizer renders messages and formats values in one language. It is read-only and safe for
// concurrent use; a nil *Localizer behaves like one with no messages.
type Localizer struct {
	lang   string
	loc    *i18n.Localizer
	parser i18ntemplate.Parser
}

func newLocalizer(b *i18n.Bundle, lang string) *Localizer {
	return &Localizer{
		lang:   lang,
		loc:    i18n.NewLocalizer(b, lang),
		parser: &i18ntemplate.TextParser{Option: missingKeyOption},
	}
}

// Lang returns the localizer's language, "id" or "en".
func (l *Localizer) Lang() string {
	if l == nil || l.lang == "" {
		return DefaultLang
	}
	return l.lang
}

// T returns message id filled with data (fields are written {{.Name}} in the message files;
// several maps are merged, later ones win). Values are inserted as plain text, never run as
// templates, so names typed by owners are safe to pass. T never panics and never returns an
// empty string: a message missing in this language falls back to Indonesian, and a message
// missing everywhere, or missing a field it uses, comes out as "[[id]]".
func (l *Localizer) T(id string, data ...map[string]any) string {
	return l.localize(id, nil, merge(data))
}

// N is T for a message with plural forms, chosen by count. The count is also available to the
// message as {{.Count}}, overriding any "Count" in data.
func (l *Localizer) N(id string, count int, data ...map[string]any) string {
	d := merge(data)
	d["Count"] = count
	return l.localize(id, count, d)
}

func (l *Localizer) localize(id string, count any, data map[string]any) string {
	if l == nil || l.loc == nil {
		return missing(id)
	}
	// A non-nil error with a non-empty text means the Indonesian fallback was used: still the
	// best thing to show. The completeness test keeps that from shipping.
	text, _ := l.loc.Localize(&i18n.LocalizeConfig{
		MessageID:      id,
		TemplateData:   data,
		PluralCount:    count,
		TemplateParser: l.parser,
	})
	if text == "" {
		return missing(id)
	}
	return text
}

// missing is what an owner sees instead of an undefined message: visible, greppable, and
// never empty (Telegram refuses empty messages).
func missing(id string) string { return "[[" + id + "]]" }

func merge(data []map[string]any) map[string]any {
	merged := map[string]any{}
	for _, d := range data {
		maps.Copy(merged, d)
	}
	return merged
}

// parseTemplate parses one form of m the way the Localizer will execute it.
func parseTemplate(m *i18n.Message, src string) (*template.Template, error) {
	left, right := m.LeftDelim, m.RightDelim
	if left == "" {
		left = "{{"
	}
	if right == "" {
		right = "}}"
	}
	return template.New(m.ID).Delims(left, right).Option(missingKeyOption).Parse(src)
}
