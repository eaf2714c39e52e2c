package staff

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/store"
)

// maxImportBytes caps a CSV sent in the chat: 1,000 rows are about 100 KB, so 5 MB is far beyond
// a real file and well within what the Bot API lets a bot download (20 MB).
const maxImportBytes = 5 << 20

// maxShownErrors is how many invalid rows the chat lists in a message; more come as a file.
const maxShownErrors = 15

// importFlow (/impor, or a .csv sent as a document): the file is fetched and checked whole like
// `umkmbot import` (Import); the invalid rows are listed with their lines and nothing is applied;
// then what would change is shown with "apply all" (or, when some rows are invalid, "apply the
// valid rows only") and "cancel". Only the file's id and its SHA-256 wait in the session: the file
// is fetched again on confirmation (a 1,000-row file does not belong in a session saved on every
// update), checked again against the database as it is then, and applied only if it is still the
// same bytes, in the update's one transaction.
func importFlow() *flows.Flow {
	return &flows.Flow{
		Name:  "csv_import",
		Title: "ImportChatTitle",
		Start: func(c *flows.Ctx) error {
			if c.Ev.File == nil {
				return nil // /impor: the question asks for the file
			}
			c.Sess.Step = "file" // a document sent outside a conversation answers it at once
			return takeImportFile(c, c.Ev.File)
		},
		Steps: func(c *flows.Ctx) []*flows.Step {
			return []*flows.Step{
				{Name: "file", Prompt: "ImportAskFile", Input: flows.InputFile, Accept: acceptCSV,
					Data: func(c *flows.Ctx) map[string]any {
						return map[string]any{"Header": strings.Join(ImportHeader, ",")}
					},
					Display: flows.DisplayFile,
					Save:    func(c *flows.Ctx, _ string) error { return takeImportFile(c, c.Ev.File) }},
				{Name: "apply", Prompt: "ImportChatConfirm", Input: flows.InputChoice, Data: importConfirmData,
					Choices: func(c *flows.Ctx) []flows.Choice {
						if c.Get("invalid") != "0" {
							return []flows.Choice{{Value: "valid", Label: "ImportChatApplyValid"}}
						}
						return []flows.Choice{{Value: "all", Label: "ImportChatApplyAll"}}
					}},
			}
		},
		Done: applyImport,
	}
}

// startImport answers /impor and a CSV sent outside a conversation: only for those who may act on
// applications (the power `umkmbot import` acts with).
func startImport(c *flows.Ctx) error {
	return guarded(c, flows.PowerAct, nil, func() error { return c.Start("csv_import") })
}

// isCSV says whether an upload looks like a CSV file.
func isCSV(f *flows.File) bool {
	return f != nil && (strings.HasSuffix(strings.ToLower(f.Name), ".csv") || f.MIME == "text/csv")
}

func acceptCSV(c *flows.Ctx, f *flows.File) *flows.Problem {
	switch {
	case c.Ev.Kind != flows.EventDocument || !isCSV(f):
		return flows.NewProblem("ImportChatNotCSV")
	case f.Size > maxImportBytes:
		return &flows.Problem{Msg: "CommonFileTooLarge", Data: map[string]any{"MaxMB": maxImportBytes >> 20}}
	}
	return nil
}

// takeImportFile fetches and checks the file: the invalid rows are listed; with nothing valid to
// change the file is asked for again (or the import ends, when every row is already done); else
// what would change is shown for confirmation.
func takeImportFile(c *flows.Ctx, f *flows.File) error {
	if p := acceptCSV(c, f); p != nil {
		c.Ask(p, 0)
		return nil
	}
	data, ok, err := fetchImport(c, f.ID)
	if !ok {
		return err
	}
	p, err := PreviewImport(c, bytes.NewReader(data))
	if err != nil {
		c.Sess.Reset()
		return unlessRefused(c, err, nil)
	}
	showImportErrors(c, p.Errors)
	switch {
	case p.Valid() == 0 && len(p.Errors) > 0:
		c.Ask(flows.NewProblem("ImportChatNothingValid"), 0)
		return nil
	case p.Valid() == 0:
		c.Sess.Reset()
		c.Say(c.T("ImportChatNothingToChange", map[string]any{"Rows": p.Rows, "Unchanged": p.Unchanged}))
		return nil
	}
	sum := sha256.Sum256(data)
	c.Set("file", flows.EncodeFile(f, c.Ev.Kind, c.Now))
	c.Set("sha256", hex.EncodeToString(sum[:]))
	c.Set("rows", strconv.Itoa(p.Rows))
	c.Set("changes", changesText(c, p))
	c.Set("unchanged", strconv.Itoa(p.Unchanged))
	c.Set("invalid", strconv.Itoa(len(p.Errors)))
	c.Sess.Trail = []string{"file"}
	return c.GoTo("apply")
}

// fetchImport reads the file; when it cannot (too large, Telegram away, no fetcher here) it
// says so, asks for the file again or ends the import, and ok is false.
func fetchImport(c *flows.Ctx, fileID string) (data []byte, ok bool, err error) {
	data, err = c.FetchFile(fileID, maxImportBytes)
	switch {
	case err == nil:
		return data, true, nil
	case errors.Is(err, flows.ErrNoFetcher):
		c.Sess.Reset()
		c.Say(c.T("ImportChatNotReady"))
	case errors.Is(err, flows.ErrFileTooLarge):
		c.Sess.Step = "file"
		c.Ask(&flows.Problem{Msg: "CommonFileTooLarge", Data: map[string]any{"MaxMB": maxImportBytes >> 20}}, 0)
	default:
		// The error names neither the file's contents nor the token (bot.Files).
		c.Engine().Config().Logger.Warn("staff: the import file could not be fetched", "err", err)
		c.Sess.Step = "file"
		c.Ask(flows.NewProblem("ImportChatFetchFailed"), 0)
	}
	return nil, false, nil
}

// showImportErrors lists the invalid rows, each with its line: the first few in the message, all
// of them as a CSV file when there are more.
func showImportErrors(c *flows.Ctx, errs []ImportError) {
	if len(errs) == 0 {
		return
	}
	lines := []string{c.T("ImportChatErrors", map[string]any{"Count": len(errs)})}
	for _, e := range errs[:min(len(errs), maxShownErrors)] {
		lines = append(lines, "• "+e.Text)
	}
	if len(errs) <= maxShownErrors {
		c.Say(strings.Join(lines, "\n"))
		return
	}
	lines = append(lines, c.T("ImportChatMoreErrors", map[string]any{"More": len(errs) - maxShownErrors}))
	c.Say(strings.Join(lines, "\n"))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{c.T("ImportChatErrorsHeaderLine"), c.T("ImportChatErrorsHeaderError")})
	for _, e := range errs {
		w.Write([]string{strconv.Itoa(e.Line), e.Text})
	}
	w.Flush()
	c.Reply(flows.Reply{Text: c.T("ImportChatErrorsFile"), Upload: &flows.Upload{Name: c.T("ImportChatErrorsFileName") + ".csv", Data: buf.Bytes()}})
}

// changesText lists the changes by the status they move to, in the order of an application's life.
func changesText(c *flows.Ctx, p ImportPreview) string {
	var lines []string
	for _, s := range domain.Statuses() {
		if n := p.Changes[s]; n > 0 {
			lines = append(lines, c.T("ImportChatChangeLine", map[string]any{"Status": c.StatusName(string(s)), "Count": n}))
		}
	}
	return strings.Join(lines, "\n")
}

func importConfirmData(c *flows.Ctx) map[string]any {
	f, _ := flows.DecodeFile(c.Get("file"))
	return map[string]any{"File": f.Name, "Rows": c.Get("rows"), "Changes": c.Get("changes"),
		"Unchanged": c.Get("unchanged"), "Invalid": c.Get("invalid")}
}

// applyImport applies the confirmed import: the same file fetched again, checked again and
// applied through Import in this update's transaction, the owners' notices queued under Import's
// keys (once each however often the file is imported), the import written to the audit log.
func applyImport(c *flows.Ctx) error {
	f, _ := flows.DecodeFile(c.Get("file"))
	partial := c.Get("apply") == "valid"
	data, ok, err := fetchImport(c, f.ID)
	if !ok {
		c.Sess.Reset() // the confirmation cannot be kept without its file
		return err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != c.Get("sha256") {
		c.Say(c.T("ImportChatFileChanged"))
		return nil
	}
	rep, err := Import(c, bytes.NewReader(data), partial)
	if err != nil {
		return unlessRefused(c, err, nil)
	}
	if len(rep.Errors) > 0 && !partial {
		// The database moved since the check (another officer acted): nothing is applied.
		showImportErrors(c, rep.Errors)
		c.Say(c.T("ImportNothingApplied"))
		return nil
	}
	for _, n := range rep.Notices {
		n.Bulk = true
		c.Notify(n)
	}
	if err := store.Audit(c, c.DB, store.AuditEntry{ActorKind: "staff", ActorID: c.Actor.Staff.ID, Action: "csv.import",
		SubjectKind: "csv", Detail: map[string]any{"file": f.Name, "sha256": c.Get("sha256"), "partial": partial,
			"rows": rep.Rows, "applied": rep.Applied, "unchanged": rep.Unchanged, "invalid": len(rep.Errors)}}, c.Now); err != nil {
		return err
	}
	c.Say(c.T("ImportSummary", map[string]any{"Rows": rep.Rows, "Applied": rep.Applied, "Unchanged": rep.Unchanged,
		"Invalid": len(rep.Errors), "Notices": len(rep.Notices)}))
	return nil
}
