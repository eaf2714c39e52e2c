package locales

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

func mustLoad(t *testing.T) *Bundle {
	t.Helper()
	b, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return b
}

func files(kv ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for i := 0; i < len(kv); i += 2 {
		fsys[kv[i]] = &fstest.MapFile{Data: []byte(kv[i+1])}
	}
	return fsys
}

func TestLoadEmbedded(t *testing.T) {
	b := mustLoad(t)
	if got := b.Languages(); !slices.Equal(got, []string{"id", "en"}) {
		t.Errorf("Languages() = %v, want [id en]", got)
	}
	for _, lang := range b.Languages() {
		ids := b.IDs(lang)
		if len(ids) == 0 || !slices.IsSorted(ids) {
			t.Errorf("IDs(%q) = %v, want a sorted non-empty list", lang, ids)
		}
		if !b.Has(lang, "CommonCancelled") {
			t.Errorf("Has(%q, CommonCancelled) = false", lang)
		}
	}
	if !b.Has("en-US", "CommonBack") || !b.Has("", "CommonBack") {
		t.Error("Has does not normalize the language")
	}
	unknown := "CommonNoSuchMessage"
	if b.Has("id", unknown) {
		t.Errorf("Has(id, %s) = true", unknown)
	}
}

func TestLoadPerFlowFiles(t *testing.T) {
	b, err := load(files(
		"id.toml", `CommonYes = "Ya"`,
		"en.toml", `CommonYes = "Yes"`,
		"register.id.toml", `RegisterAskName = "Apa nama produk Bapak/Ibu?"`,
		"register.en.toml", `RegisterAskName = "What is the name of your product?"`,
		"training-list.id.toml", "[TrainingNone]\ndescription = \"x\"\nother = \"Belum ada pelatihan.\"",
	))
	if err != nil {
		t.Fatal(err)
	}
	// IDs that exist only in this test's files are variables, so the code-scan test skips them.
	askName, trainingNone := "RegisterAskName", "TrainingNone"
	if got := b.For("en").T(askName); got != "What is the name of your product?" {
		t.Errorf("en RegisterAskName = %q", got)
	}
	if got := b.IDs("id"); !slices.Equal(got, []string{"CommonYes", "RegisterAskName", "TrainingNone"}) {
		t.Errorf("IDs(id) = %v", got)
	}
	// Missing in English: the Indonesian text is better than nothing.
	if got := b.For("en").T(trainingNone); got != "Belum ada pelatihan." {
		t.Errorf("en falls back to id: got %q", got)
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		wantErr []string
	}{
		{"same ID in two files of one language",
			files("id.toml", `CommonYes = "Ya"`, "register.id.toml", `CommonYes = "Iya"`),
			[]string{"CommonYes", "id.toml", "register.id.toml"}},
		{"same ID in two flow files",
			files("a.en.toml", `X1 = "a"`, "b.en.toml", "[X1]\nother = \"b\""),
			[]string{"X1", "a.en.toml", "b.en.toml"}},
		{"unsupported language", files("register.fr.toml", `RegisterX = "x"`), []string{"fr"}},
		{"language typo", files("register.ind.toml", `RegisterX = "x"`), []string{"ind"}},
		{"too many dots", files("a.b.id.toml", `RegisterX = "x"`), []string{"a.b.id.toml"}},
		{"flow name with capitals", files("Register.id.toml", `RegisterX = "x"`), []string{"Register.id.toml"}},
		{"snake_case ID", files("id.toml", `common_yes = "Ya"`), []string{"common_yes"}},
		{"nested table", files("id.toml", "[Common]\nYes = \"Ya\""), []string{"Common.Yes"}},
		{"no other form", files("en.toml", "[CommonDays]\none = \"1 day\""), []string{"CommonDays", "other"}},
		{"broken template", files("id.toml", `CommonHi = "Halo {{.Name"`), []string{"CommonHi"}},
		{"bad TOML", files("id.toml", `CommonHi = `), []string{"id.toml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(tt.fsys)
			if err == nil {
				t.Fatal("load succeeded, want an error")
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestSameIDInTwoLanguagesIsFine(t *testing.T) {
	if _, err := load(files("id.toml", `CommonYes = "Ya"`, "en.toml", `CommonYes = "Yes"`)); err != nil {
		t.Fatal(err)
	}
}

func TestForNormalizes(t *testing.T) {
	b := mustLoad(t)
	for code, want := range map[string]string{"": "id", "id": "id", "id-ID": "id", "en": "en", "en-US": "en", "fr": "id"} {
		if got := b.For(code).Lang(); got != want {
			t.Errorf("For(%q).Lang() = %q, want %q", code, got, want)
		}
	}
}

func TestNormalizeLang(t *testing.T) {
	tests := []struct{ code, want string }{
		{"", "id"},
		{"id", "id"},
		{"id-ID", "id"},
		{"in", "id"}, // the old code for Indonesian
		{"ms", "id"},
		{"jv", "id"},
		{"en", "en"},
		{"en-US", "en"},
		{"en-gb", "en"},
		{"en_AU", "en"},
		{" EN ", "en"},
		{"fr", "id"},
		{"eng", "id"},
		{"-", "id"},
	}
	for _, tt := range tests {
		if got := NormalizeLang(tt.code); got != tt.want {
			t.Errorf("NormalizeLang(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestT(t *testing.T) {
	b := mustLoad(t)
	step := map[string]any{"Step": 2, "Total": 5}
	tests := []struct {
		lang, want string
	}{
		{"id", "Langkah 2 dari 5"},
		{"en", "Step 2 of 5"},
	}
	for _, tt := range tests {
		if got := b.For(tt.lang).T("CommonStepProgress", step); got != tt.want {
			t.Errorf("%s: T = %q, want %q", tt.lang, got, tt.want)
		}
	}
	if got := b.For("id").T("CommonStepProgress", map[string]any{"Step": 1}, map[string]any{"Total": 3}); got != "Langkah 1 dari 3" {
		t.Errorf("merged data: got %q", got)
	}
}

func TestTNeverEmpty(t *testing.T) {
	b := mustLoad(t)
	undefined := "RegisterNoSuchMessage" // a variable, so the code-scan test does not see it
	stepProgress := "CommonStepProgress"
	var nilLocalizer *Localizer
	var nilBundle *Bundle
	tests := []struct {
		name string
		got  func() string
		want string
	}{
		{"undefined ID", func() string { return b.For("en").T(undefined) }, "[[RegisterNoSuchMessage]]"},
		{"undefined plural ID", func() string { return b.For("id").N(undefined, 2) }, "[[RegisterNoSuchMessage]]"},
		{"field not passed", func() string { return b.For("id").T(stepProgress, map[string]any{"Step": 1}) }, "[[CommonStepProgress]]"},
		{"no data at all", func() string { return b.For("en").T(stepProgress) }, "[[CommonStepProgress]]"},
		{"nil localizer", func() string { return nilLocalizer.T(stepProgress) }, "[[CommonStepProgress]]"},
		{"nil bundle", func() string { return nilBundle.For("en").T(stepProgress) }, "[[CommonStepProgress]]"},
	}
	for _, tt := range tests {
		if got := tt.got(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	if nilLocalizer.Lang() != "id" || nilBundle.Has("id", stepProgress) || nilBundle.IDs("id") != nil {
		t.Error("nil receivers should act as empty")
	}
}

// Owners type product names; whatever they type must come out as typed.
func TestUserDataIsText(t *testing.T) {
	b, err := load(files("id.toml", `CommonHello = "Halo, {{.Name}}! Produk: {{.Product}}"`))
	if err != nil {
		t.Fatal(err)
	}
	hello := "CommonHello" // defined only in this test's file: a variable, so the code scan skips it
	for _, typed := range []string{
		"{{.Count}}", `{{template "x"}}`, "{{printf \"%s\" 1}}", "<b>Kopi</b> & Teh", "Se'i \"Sapi\"", "[[CommonHello]]",
	} {
		got := b.For("id").T(hello, map[string]any{"Name": typed, "Product": typed})
		want := "Halo, " + typed + "! Produk: " + typed
		if got != want {
			t.Errorf("typed %q: got %q, want %q", typed, got, want)
		}
	}
}

func TestN(t *testing.T) {
	b := mustLoad(t)
	tests := []struct {
		lang  string
		count int
		want  string
	}{
		{"id", 0, "0 hari lagi"},
		{"id", 1, "1 hari lagi"},
		{"id", 14, "14 hari lagi"},
		{"en", 0, "0 days left"},
		{"en", 1, "1 day left"},
		{"en", 2, "2 days left"},
		{"en", -1, "-1 day left"},
	}
	for _, tt := range tests {
		if got := b.For(tt.lang).N("CommonDaysLeft", tt.count); got != tt.want {
			t.Errorf("%s N(%d) = %q, want %q", tt.lang, tt.count, got, tt.want)
		}
	}
	data := map[string]any{"Count": 99, "Other": "x"}
	before := maps.Clone(data)
	if got := b.For("en").N("CommonDaysLeft", 1, data); got != "1 day left" {
		t.Errorf("count must override data[Count]: got %q", got)
	}
	if !maps.Equal(data, before) {
		t.Errorf("N changed the caller's map: %v", data)
	}
}

func TestConcurrentUse(t *testing.T) {
	b := mustLoad(t)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			l := b.For([]string{"id", "en"}[i%2])
			for n := range 50 {
				if l.N("CommonDaysLeft", n) == "" || l.T("CommonStepProgress", map[string]any{"Step": n, "Total": 50}) == "" {
					t.Error("empty message")
				}
			}
		})
	}
	wg.Wait()
}
