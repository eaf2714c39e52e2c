package locales

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"text/template/parse"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// pluralFormsNeeded lists the CLDR plural categories each language selects for whole numbers:
// Indonesian never changes a word for number, English has "1 day" and "2 days".
var pluralFormsNeeded = map[string][]string{
	"id": {"other"},
	"en": {"one", "other"},
}

func TestEveryLanguageHasEveryMessage(t *testing.T) {
	b := mustLoad(t)
	all := map[string]bool{}
	for _, lang := range b.Languages() {
		for _, id := range b.IDs(lang) {
			all[id] = true
		}
	}
	for _, id := range slices.Sorted(maps.Keys(all)) {
		for _, lang := range b.Languages() {
			if !b.Has(lang, id) {
				t.Errorf("message %s is missing in %s.toml (or a <flow>.%s.toml)", id, lang, lang)
			}
		}
	}
}

func TestPlaceholdersMatchAcrossLanguages(t *testing.T) {
	b := mustLoad(t)
	for _, id := range b.IDs(DefaultLang) {
		want := placeholders(t, b.messages[DefaultLang][id])
		for _, lang := range b.Languages()[1:] {
			m := b.messages[lang][id]
			if m == nil {
				continue // reported by TestEveryLanguageHasEveryMessage
			}
			if got := placeholders(t, m); !slices.Equal(got, want) {
				t.Errorf("message %s uses %v in %s but %v in %s", id, got, lang, want, DefaultLang)
			}
		}
	}
}

func TestPluralMessagesHaveTheFormsEachLanguageNeeds(t *testing.T) {
	b := mustLoad(t)
	for _, id := range b.IDs(DefaultLang) {
		plural := false
		for _, lang := range b.Languages() {
			if m := b.messages[lang][id]; m != nil && len(pluralForms(m)) > 1 {
				plural = true
			}
		}
		if !plural {
			continue
		}
		for _, lang := range b.Languages() {
			m := b.messages[lang][id]
			if m == nil {
				continue
			}
			got := slices.Sorted(maps.Keys(pluralForms(m)))
			if want := pluralFormsNeeded[lang]; !slices.Equal(got, want) {
				t.Errorf("plural message %s defines %v in %s, want exactly %v", id, got, lang, want)
			}
		}
	}
}

func TestNoMessageIsBlank(t *testing.T) {
	b := mustLoad(t)
	for _, lang := range b.Languages() {
		for id, m := range b.messages[lang] {
			for form, src := range pluralForms(m) {
				if strings.TrimSpace(src) == "" {
					t.Errorf("message %s (%s, %s) is blank", id, lang, form)
				}
			}
		}
	}
}

// placeholders returns the sorted template fields ({{.Name}} -> ".Name") used by any form of m.
func placeholders(t *testing.T, m *i18n.Message) []string {
	t.Helper()
	fields := map[string]bool{}
	for form, src := range pluralForms(m) {
		tmpl, err := parseTemplate(m, src)
		if err != nil {
			t.Fatalf("message %s form %s: %v", m.ID, form, err)
		}
		if tmpl.Tree != nil {
			collectFields(tmpl.Tree.Root, fields)
		}
	}
	return slices.Sorted(maps.Keys(fields))
}

func collectFields(node parse.Node, fields map[string]bool) {
	switch n := node.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				collectFields(c, fields)
			}
		}
	case *parse.ActionNode:
		collectFields(n.Pipe, fields)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				collectFields(c, fields)
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			collectFields(a, fields)
		}
	case *parse.FieldNode:
		fields["."+strings.Join(n.Ident, ".")] = true
	case *parse.ChainNode:
		collectFields(n.Node, fields)
	case *parse.IfNode:
		collectBranch(&n.BranchNode, fields)
	case *parse.RangeNode:
		collectBranch(&n.BranchNode, fields)
	case *parse.WithNode:
		collectBranch(&n.BranchNode, fields)
	case *parse.TemplateNode:
		collectFields(n.Pipe, fields)
	}
}

func collectBranch(n *parse.BranchNode, fields map[string]bool) {
	collectFields(n.Pipe, fields)
	collectFields(n.List, fields)
	collectFields(n.ElseList, fields)
}

func TestPlaceholders(t *testing.T) {
	m := &i18n.Message{ID: "X", One: "{{.Count}} hari", Other: "{{if .Late}}Terlambat {{.Count}}{{else}}{{.Name | printf \"%s\"}}{{end}}"}
	if got, want := placeholders(t, m), []string{".Count", ".Late", ".Name"}; !slices.Equal(got, want) {
		t.Errorf("placeholders = %v, want %v", got, want)
	}
}
