// Package locales holds every word umkmbot shows to a user, in Bahasa Indonesia (the default)
// and English, and formats dates, times and amounts the way owners in NTT read them.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// DefaultLang is the language used when an owner's language is unknown or unsupported.
const DefaultLang = "id"

//go:embed *.toml
var messageFiles embed.FS

// idPattern is the shape of every message ID. The code-scan test recognises exactly this shape,
// so an ID of another shape could never be checked against the message files.
var idPattern = regexp.MustCompile(`^[A-Z][A-Za-z0-9]+(_[a-z0-9_]+)?$`)

// flowNamePattern is the shape of <name> in a per-flow file <name>.<lang>.toml.
var flowNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Bundle is the loaded, read-only set of messages in every supported language.
// It is safe for concurrent use.
type Bundle struct {
	messages   map[string]map[string]*i18n.Message // lang -> ID -> message
	localizers map[string]*Localizer               // lang -> localizer
}

// Load reads the message files embedded in the package. It fails when a file name does not
// follow the naming rule, when two files define the same ID in one language, when an ID is not
// CamelCase, when a message has no "other" text, or when a message template does not parse.
func Load() (*Bundle, error) {
	return load(messageFiles)
}

// load reads every *.toml file at the root of fsys.
func load(fsys fs.FS) (*Bundle, error) {
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, fmt.Errorf("locales: list message files: %w", err)
	}
	ib := i18n.NewBundle(language.Make(DefaultLang))
	ib.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	b := &Bundle{messages: map[string]map[string]*i18n.Message{}}
	definedIn := map[string]map[string]string{} // lang -> ID -> file name
	for _, name := range names {
		lang, err := fileLang(name)
		if err != nil {
			return nil, err
		}
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("locales: read %s: %w", name, err)
		}
		mf, err := ib.ParseMessageFileBytes(buf, name)
		if err != nil {
			return nil, fmt.Errorf("locales: parse %s: %w", name, err)
		}
		if mf.Tag.String() != lang {
			return nil, fmt.Errorf("locales: %s: language parsed as %q, want %q", name, mf.Tag, lang)
		}
		if definedIn[lang] == nil {
			definedIn[lang] = map[string]string{}
			b.messages[lang] = map[string]*i18n.Message{}
		}
		for _, m := range mf.Messages {
			if prev, dup := definedIn[lang][m.ID]; dup {
				return nil, fmt.Errorf("locales: %s: message %q is already defined in %s", name, m.ID, prev)
			}
			if err := checkMessage(m); err != nil {
				return nil, fmt.Errorf("locales: %s: %w", name, err)
			}
			definedIn[lang][m.ID] = name
			b.messages[lang][m.ID] = m
		}
	}
	b.localizers = map[string]*Localizer{}
	for _, lang := range supportedLangs() {
		b.localizers[lang] = newLocalizer(ib, lang)
	}
	return b, nil
}

// fileLang returns the language of a message file named <lang>.toml or <flow>.<lang>.toml.
func fileLang(name string) (string, error) {
	parts := strings.Split(strings.TrimSuffix(name, ".toml"), ".")
	lang := parts[len(parts)-1]
	switch {
	case len(parts) > 2:
		return "", fmt.Errorf("locales: %s: name must be <lang>.toml or <flow>.<lang>.toml", name)
	case len(parts) == 2 && !flowNamePattern.MatchString(parts[0]):
		return "", fmt.Errorf("locales: %s: flow name must be lower case letters, digits, - or _", name)
	case !slices.Contains(supportedLangs(), lang):
		return "", fmt.Errorf("locales: %s: language %q is not one of %v", name, lang, supportedLangs())
	}
	return lang, nil
}

// checkMessage rejects a message that would misbehave only when shown to an owner.
func checkMessage(m *i18n.Message) error {
	if !idPattern.MatchString(m.ID) {
		return fmt.Errorf("message ID %q is not CamelCase, optionally with a _lower_case code suffix (%s); nested tables are not allowed", m.ID, idPattern)
	}
	if m.Other == "" {
		return fmt.Errorf("message %q has no \"other\" text", m.ID)
	}
	for form, src := range pluralForms(m) {
		if _, err := parseTemplate(m, src); err != nil {
			return fmt.Errorf("message %q, form %q: %w", m.ID, form, err)
		}
	}
	return nil
}

// pluralForms returns the non-empty texts of m by CLDR plural category.
func pluralForms(m *i18n.Message) map[string]string {
	forms := map[string]string{}
	for form, src := range map[string]string{
		"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other,
	} {
		if src != "" {
			forms[form] = src
		}
	}
	return forms
}

// supportedLangs lists the languages the bot speaks, the default first.
func supportedLangs() []string { return []string{DefaultLang, "en"} }

// NormalizeLang maps a Telegram language_code (an IETF tag such as "en", "en-US" or "id") to a
// supported language: "en" for any English variant, "id" for everything else, including an
// empty code, since most owners in NTT read Indonesian best.
func NormalizeLang(code string) string {
	base := strings.ToLower(strings.TrimSpace(code))
	if i := strings.IndexAny(base, "-_"); i >= 0 {
		base = base[:i]
	}
	if base == "en" {
		return "en"
	}
	return DefaultLang
}

// For returns the Localizer for an owner's language code, normalized with NormalizeLang.
// It never returns nil.
func (b *Bundle) For(lang string) *Localizer {
	lang = NormalizeLang(lang)
	if b != nil {
		if l := b.localizers[lang]; l != nil {
			return l
		}
	}
	return &Localizer{lang: lang} // no messages: T shows [[ID]] rather than failing
}

// Languages returns the supported languages, the default first: ["id", "en"].
func (b *Bundle) Languages() []string { return supportedLangs() }

// Has reports whether message id is defined in lang (normalized with NormalizeLang).
func (b *Bundle) Has(lang, id string) bool {
	if b == nil {
		return false
	}
	_, ok := b.messages[NormalizeLang(lang)][id]
	return ok
}

// IDs returns the sorted IDs of the messages defined in lang (normalized with NormalizeLang).
func (b *Bundle) IDs(lang string) []string {
	if b == nil {
		return nil
	}
	ids := make([]string, 0, len(b.messages[NormalizeLang(lang)]))
	for id := range b.messages[NormalizeLang(lang)] {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
