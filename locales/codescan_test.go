package locales

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The convention the flows follow, so this test can find every message ID in code: a string
// literal matching idPattern that is
//   - the first argument of a call to a function or method named T, N or Msg, or
//   - the value of a keyed composite-literal field named Prompt, Help, Label, Text, Reason or Msg
//     in a non-test file, unless the literal's type comes from another module (the Telegram library's
//     SendMessageParams{Text: ...} carries text, not an ID).
var (
	idFuncs  = []string{"T", "N", "Msg"}
	idFields = []string{"Prompt", "Help", "Label", "Text", "Reason", "Msg"}
)

// idUse is one place in the code that names a message ID.
type idUse struct {
	ID  string
	Pos token.Position
}

// scanSource returns the message IDs used by one Go file of module modPath; src is as for
// parser.ParseFile.
func scanSource(fset *token.FileSet, modPath, filename string, src any) ([]idUse, error) {
	f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	imports := map[string]string{} // local name -> import path
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if imp.Name != nil {
			name = imp.Name.Name
		}
		imports[name] = path
	}
	// In tests, literals of our own reply types are display text under test, not message IDs.
	isTest := strings.HasSuffix(filename, "_test.go")
	var uses []idUse
	add := func(e ast.Expr) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(lit.Value)
		if err == nil && idPattern.MatchString(s) {
			uses = append(uses, idUse{ID: s, Pos: fset.Position(lit.Pos())})
		}
	}
	var stack []ast.Node
	foreign := map[*ast.CompositeLit]bool{} // its type is declared in another module
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		switch n := n.(type) {
		case *ast.CallExpr:
			if len(n.Args) > 0 && slices.Contains(idFuncs, calleeName(n.Fun)) {
				add(n.Args[0])
			}
		case *ast.CompositeLit:
			if n.Type != nil {
				path, ok := imports[typePackage(n.Type)]
				foreign[n] = ok && path != modPath && !strings.HasPrefix(path, modPath+"/")
			} else if outer := enclosingLit(stack); outer != nil {
				foreign[n] = foreign[outer] // {Text: ...} inside []models.InlineKeyboardButton{...}
			}
			for _, elt := range n.Elts {
				kv, ok := elt.(*ast.KeyValueExpr)
				if !ok || foreign[n] || isTest {
					continue
				}
				if key, ok := kv.Key.(*ast.Ident); ok && slices.Contains(idFields, key.Name) {
					add(kv.Value)
				}
			}
		}
		stack = append(stack, n)
		return true
	})
	return uses, nil
}

// typePackage is "models" for models.Button, []models.Button, map[string]*models.Button and
// models.List[T]; "" for a type of this package.
func typePackage(t ast.Expr) string {
	for {
		switch e := t.(type) {
		case *ast.ArrayType:
			t = e.Elt
		case *ast.MapType:
			t = e.Value
		case *ast.StarExpr:
			t = e.X
		case *ast.IndexExpr:
			t = e.X
		case *ast.IndexListExpr:
			t = e.X
		case *ast.SelectorExpr:
			if pkg, ok := e.X.(*ast.Ident); ok {
				return pkg.Name
			}
			return ""
		default:
			return ""
		}
	}
}

// enclosingLit is the innermost composite literal on the stack, whose type an elided one shares.
func enclosingLit(stack []ast.Node) *ast.CompositeLit {
	for i := len(stack) - 1; i >= 0; i-- {
		if lit, ok := stack[i].(*ast.CompositeLit); ok {
			return lit
		}
	}
	return nil
}

// calleeName is "T" for T(...), l.T(...) and a.b.T(...).
func calleeName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// scanModule scans every .go file of the module rooted at root, tests included, the way the go
// command sees the module: testdata, vendor, hidden and _ directories and nested modules are
// skipped. Positions are relative to root.
func scanModule(root string) ([]idUse, error) {
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, err
	}
	modPath := modulePath(gomod)
	if modPath == "" {
		return nil, fmt.Errorf("no module path in %s", filepath.Join(root, "go.mod"))
	}
	var uses []idUse
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == root {
				return nil
			}
			name := d.Name()
			if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		found, err := scanSource(fset, modPath, filepath.ToSlash(rel), src)
		if err != nil {
			return fmt.Errorf("scan %s: %w", rel, err)
		}
		uses = append(uses, found...)
		return nil
	})
	return uses, err
}

// modulePath returns the path on the module line of a go.mod file, "" if there is none.
func modulePath(gomod []byte) string {
	for line := range strings.Lines(string(gomod)) {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			rest = strings.TrimSpace(rest)
			if unq, err := strconv.Unquote(rest); err == nil {
				return unq
			}
			return rest
		}
	}
	return ""
}

// undefinedIDs returns one line per use of an ID that some language does not define.
func undefinedIDs(b *Bundle, uses []idUse) []string {
	var problems []string
	for _, u := range uses {
		var missingIn []string
		for _, lang := range b.Languages() {
			if !b.Has(lang, u.ID) {
				missingIn = append(missingIn, lang)
			}
		}
		if len(missingIn) > 0 {
			problems = append(problems, fmt.Sprintf("%s:%d: message %s is not defined in %s",
				u.Pos.Filename, u.Pos.Line, u.ID, strings.Join(missingIn, ", ")))
		}
	}
	return problems
}

// moduleRoot walks up from the working directory to the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

func TestCodeUsesOnlyDefinedIDs(t *testing.T) {
	b := mustLoad(t)
	uses, err := scanModule(moduleRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	// The scan must at least see this package's own tests, or it is looking nowhere.
	if !slices.ContainsFunc(uses, func(u idUse) bool { return u.Pos.Filename == "locales/bundle_test.go" }) {
		t.Fatalf("scan found no message IDs in locales/bundle_test.go; found %d uses elsewhere", len(uses))
	}
	for _, p := range undefinedIDs(b, uses) {
		t.Error(p)
	}
}

// A flow file as the flows engineers write it, with IDs that exist and IDs that do not.
const scannedFlow = `package register

import (
	"github.com/go-telegram/bot"
	tg "github.com/go-telegram/bot/models"
	"umkmbot/flows"
)

func ask(l *locales.Localizer, id string) {
	l.T("CommonCancelled")
	l.T("RegisterExampleUndefined", map[string]any{"Name": "Kopi Bajawa"})
	_ = Step{Prompt: "RegisterExampleMissing", Help: "not an ID", Label: ` + "`CommonBack`" + `}
	_ = []flows.Choice{{Label: "CommonYes"}, {Label: "RegisterChooseMD"}}
	reply := l.N("RegisterDocumentsMissing", 3)
	_ = Msg("CommonNo")
	_ = &flows.Problem{Msg: "RegisterReasonDairy"}
	_ = map[string]*Result{"x": {Reason: "CommonMenu"}}
	T("X")
	fmt.Println("RegisterPrintedNotAnID")
	l.T(id)
	l.T("lowercaseNotAnID")
	l.T("Has Spaces")
	l.T(prefix+"Suffix", "RegisterSecondArgument")
	_ = map[string]string{"Prompt": "RegisterMapKeyIsNotAField"}
	_ = Page{Title: "RegisterTitleIsNotScanned"}
	_ = &bot.SendMessageParams{Text: "Selamat", ReplyMarkup: &tg.InlineKeyboardMarkup{
		InlineKeyboard: [][]tg.InlineKeyboardButton{{{Text: "Status"}}}}}
}
`

func TestScannerFindsIDsByConvention(t *testing.T) {
	uses, err := scanSource(token.NewFileSet(), "umkmbot", "flows/register/ask.go", scannedFlow)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range uses {
		got = append(got, fmt.Sprintf("%d:%s", u.Pos.Line, u.ID))
	}
	want := []string{
		"10:CommonCancelled",
		"11:RegisterExampleUndefined",
		"12:RegisterExampleMissing", "12:CommonBack",
		"13:CommonYes", "13:RegisterChooseMD",
		"14:RegisterDocumentsMissing",
		"15:CommonNo",
		"16:RegisterReasonDairy",
		"17:CommonMenu",
	}
	if !slices.Equal(got, want) {
		t.Errorf("scan found\n  %v\nwant\n  %v", got, want)
	}
}

func TestScannerReportsUndefinedIDs(t *testing.T) {
	uses, err := scanSource(token.NewFileSet(), "umkmbot", "flows/register/ask.go", scannedFlow)
	if err != nil {
		t.Fatal(err)
	}
	got := undefinedIDs(mustLoad(t), uses)
	want := []string{
		"flows/register/ask.go:11: message RegisterExampleUndefined is not defined in id, en",
		"flows/register/ask.go:12: message RegisterExampleMissing is not defined in id, en",
		"flows/register/ask.go:13: message RegisterChooseMD is not defined in id, en",
		"flows/register/ask.go:14: message RegisterDocumentsMissing is not defined in id, en",
		"flows/register/ask.go:16: message RegisterReasonDairy is not defined in id, en",
	}
	if !slices.Equal(got, want) {
		t.Errorf("undefinedIDs reported\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestModulePath(t *testing.T) {
	for gomod, want := range map[string]string{
		"module umkmbot\n\ngo 1.26\n":      "umkmbot",
		"// c\nmodule \"example.com/x\"\n": "example.com/x",
		"modules x\n":                      "",
		"go 1.26\n":                        "",
	} {
		if got := modulePath([]byte(gomod)); got != want {
			t.Errorf("modulePath(%q) = %q, want %q", gomod, got, want)
		}
	}
}

func TestUndefinedIDsNamesTheMissingLanguage(t *testing.T) {
	b, err := load(files("id.toml", "RegisterOnlyIndonesian = \"Hanya bahasa Indonesia\"", "en.toml", ""))
	if err != nil {
		t.Fatal(err)
	}
	uses := []idUse{{ID: "RegisterOnlyIndonesian", Pos: token.Position{Filename: "flows/x.go", Line: 7}}}
	got := undefinedIDs(b, uses)
	if want := []string{"flows/x.go:7: message RegisterOnlyIndonesian is not defined in en"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
