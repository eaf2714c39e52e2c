package owner

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/store"
)

// documentsFlow takes the documents an owner left for later, and replaces documents already sent
// when staff asked for corrections: choose the application (when there are several), then
//   - for an application in corrections (needs_fix): pick any of its documents to send anew, as
//     often as needed, then "send back for review" (needs_fix → submitted, through Transition);
//   - otherwise: each document without a file in turn, the required ones first, then the
//     recommended ones skipped with "Nanti".
//
// Each upload is saved at once, so nothing is lost if the owner stops half way.
func documentsFlow() *flows.Flow {
	return &flows.Flow{
		Name:  "documents",
		Title: "DocumentsTitle",
		Steps: func(c *flows.Ctx) []*flows.Step {
			steps := []*flows.Step{{Name: "app", Prompt: "DocumentsAskApplication", Input: flows.InputChoice, Choices: documentAppChoices,
				Skip: func(c *flows.Ctx) bool { return c.Get("app_fixed") != "" },
				Save: func(c *flows.Ctx, v string) error {
					id, _ := strconv.ParseInt(v, 10, 64)
					c.Sess.Trail = append(c.Sess.Trail, "app") // back from a document returns to this choice
					return chooseDocumentsApp(c, id)
				}}}
			fixing := c.Get("mode") == "fix"
			if fixing {
				steps = append(steps, &flows.Step{Name: "pick", Prompt: "DocumentsAskReplace", Input: flows.InputChoice, Choices: replaceChoices,
					Data: func(c *flows.Ctx) map[string]any { return map[string]any{"Number": c.Get("number")} },
					Save: func(c *flows.Ctx, v string) error {
						if v == "resubmit" {
							return resubmit(c)
						}
						return nil // the document's question follows (Next); nothing to keep
					},
					Next: func(c *flows.Ctx, v string) string { return "doc_" + v }})
			}
			for _, kind := range strings.Fields(c.Get("missing")) {
				kind := kind
				prompt := "DocumentsAskDocument"
				if fixing {
					prompt = "DocumentsAskReplacement"
				}
				steps = append(steps, &flows.Step{Name: "doc_" + kind, Prompt: prompt, Help: "DocGuide_" + kind, Field: "DocName_" + kind,
					Input: flows.InputFile, Optional: "CommonLater",
					Data: func(c *flows.Ctx) map[string]any {
						rule, _ := documentRule(c, kind)
						return map[string]any{"Name": c.T("DocName_" + kind), "Explain": c.T("DocHelp_" + kind), "Number": c.Get("number"),
							"Required": rule.Need == domain.NeedRequired}
					},
					Accept: func(c *flows.Ctx, f *flows.File) *flows.Problem {
						if rule, ok := documentRule(c, kind); ok {
							return c.CheckFile(rule, f)
						}
						return nil
					},
					Save: func(c *flows.Ctx, v string) error { return attachUpload(c, kind, v) },
					Next: func(c *flows.Ctx, v string) string {
						if fixing {
							return "pick"
						}
						return ""
					},
				})
			}
			return steps
		},
		Start: func(c *flows.Ctx) error {
			apps, err := documentApps(c)
			if err != nil {
				return err
			}
			if len(apps) == 0 {
				c.Sess.Reset()
				c.ShowMenu(c.T("DocumentsNoneMissing"))
				return nil
			}
			if len(apps) == 1 {
				c.Set("app_fixed", "1")
				return chooseDocumentsApp(c, apps[0].app.ID)
			}
			return nil
		},
		Done: finishDocuments,
	}
}

// documentRule is the rule of a document of the application's path.
func documentRule(c *flows.Ctx, kind string) (domain.DocumentRule, bool) {
	for _, rule := range c.Engine().Rules().Documents(domain.PathCode(c.Get("path"))) {
		if rule.Code == kind {
			return rule, true
		}
	}
	return domain.DocumentRule{}, false
}

// cmdDocuments starts the documents flow.
func cmdDocuments(c *flows.Ctx) error { return c.Start("documents") }

// startDocumentsFor starts the documents flow on one application (a button under its status).
func startDocumentsFor(c *flows.Ctx, appID int64) error {
	app, err := store.ApplicationByID(c, c.DB, appID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && app.OwnerID != c.Owner.ID) {
		return c.StaleButton()
	}
	if err != nil {
		return err
	}
	c.ParkRunning()
	c.Sess.Reset()
	c.Sess.Flow = "documents"
	c.Sess.Data = map[string]string{"app_fixed": "1"}
	return chooseDocumentsApp(c, appID)
}

// appWork is an open application of the owner with something to send: documents without a file,
// or corrections asked.
type appWork struct {
	app     store.Application
	missing int
}

// documentApps lists the owner's open applications with something to send, newest first.
func documentApps(c *flows.Ctx) ([]appWork, error) {
	apps, err := store.ApplicationsByOwner(c, c.DB, c.Owner.ID)
	if err != nil {
		return nil, err
	}
	var out []appWork
	for _, a := range apps {
		if !domain.IsOpen(domain.Status(a.Status)) || a.Status == string(domain.StatusDraft) {
			continue
		}
		docs, err := store.Documents(c, c.DB, a.ID)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, d := range docs {
			if d.File == nil {
				n++
			}
		}
		if n > 0 || a.Status == string(domain.StatusNeedsFix) {
			out = append(out, appWork{a, n})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].app.ID > out[j].app.ID })
	return out, nil
}

// chooseDocumentsApp fixes the application and lists its documents to send as the next steps.
func chooseDocumentsApp(c *flows.Ctx, appID int64) error {
	app, err := store.ApplicationByID(c, c.DB, appID)
	if err != nil {
		return err
	}
	if app.OwnerID != c.Owner.ID || !domain.IsOpen(domain.Status(app.Status)) {
		return c.StaleButton()
	}
	docs, err := store.Documents(c, c.DB, appID)
	if err != nil {
		return err
	}
	c.Set("app", itoa(appID))
	c.Set("number", app.Number)
	c.Set("path", app.Path)
	c.Set("uploaded", "0")
	if app.Status == string(domain.StatusNeedsFix) {
		var all []string
		for _, d := range docs {
			all = append(all, d.Kind)
		}
		c.Set("mode", "fix")
		c.Set("missing", strings.Join(all, " "))
		return c.GoTo("pick")
	}
	var required, recommended []string
	for _, d := range docs {
		switch {
		case d.File != nil:
		case d.Required:
			required = append(required, d.Kind)
		default:
			recommended = append(recommended, d.Kind)
		}
	}
	kinds := append(required, recommended...)
	if len(kinds) == 0 {
		c.Sess.Reset()
		c.ShowMenu(c.T("DocumentsAppComplete", map[string]any{"Number": app.Number}))
		return nil
	}
	c.Set("missing", strings.Join(kinds, " "))
	return c.GoTo("doc_" + kinds[0])
}

func documentAppChoices(c *flows.Ctx) []flows.Choice {
	apps, err := documentApps(c)
	if err != nil {
		return nil
	}
	var out []flows.Choice
	for _, w := range apps {
		out = append(out, flows.Choice{Value: itoa(w.app.ID), Text: w.app.Number + " · " + w.app.ProductName + " (" + strconv.Itoa(w.missing) + ")"})
	}
	return out
}

// replaceChoices lists every document of an application in corrections (📄 sent, ➕ not yet) and
// the button that sends it back for review.
func replaceChoices(c *flows.Ctx) []flows.Choice {
	id, _ := strconv.ParseInt(c.Get("app"), 10, 64)
	docs, err := store.Documents(c, c.DB, id)
	if err != nil {
		return nil
	}
	var out []flows.Choice
	for _, d := range docs {
		mark := "➕ "
		if d.File != nil {
			mark = "📄 "
		}
		out = append(out, flows.Choice{Value: d.Kind, Text: mark + c.T("DocName_"+d.Kind)})
	}
	return append(out, flows.Choice{Value: "resubmit", Label: "DocumentsResubmitButton"})
}

// resubmit sends an application in corrections back for review (needs_fix → submitted) and tells
// its office.
func resubmit(c *flows.Ctx) error {
	id, _ := strconv.ParseInt(c.Get("app"), 10, 64)
	app, err := store.ApplicationByID(c, c.DB, id)
	if err != nil {
		return err
	}
	c.Sess.Reset()
	if err := c.Transition(flows.Change{App: app, To: domain.StatusSubmitted}); errors.Is(err, flows.ErrMoved) {
		return showApplication(c, app)
	} else if err != nil {
		return err
	}
	c.ShowMenu(c.T("DocumentsResubmitted", map[string]any{"Number": app.Number}))
	return c.NotifyStaff(app, "StaffNoticeResubmitted", "resubmit")
}

// attachUpload saves one upload to its application at once.
func attachUpload(c *flows.Ctx, kind, v string) error {
	f, ok := flows.DecodeFile(v)
	if !ok {
		return nil // "Nanti": stays missing
	}
	id, _ := strconv.ParseInt(c.Get("app"), 10, 64)
	if err := store.AttachDocument(c, c.DB, id, kind, documentFile(f, c.Now)); err != nil {
		return err
	}
	n, _ := strconv.Atoi(c.Get("uploaded"))
	c.Set("uploaded", strconv.Itoa(n+1))
	// One message: "saved" above the next document's question, or above where the application
	// stands when it was the last.
	c.Note(c.T("DocumentsSaved", map[string]any{"Name": c.T("DocName_" + kind)}))
	return nil
}

// documentFile is an upload as the store keeps it, uploaded at.
func documentFile(f flows.StoredFile, at time.Time) store.DocumentFile {
	return store.DocumentFile{FileID: f.ID, FileUniqueID: f.UniqueID, FileName: f.Name, MIMEType: f.MIME, SizeBytes: f.Size, UploadedAt: at}
}

// finishDocuments tells the owner where the application stands, and staff when it is complete.
func finishDocuments(c *flows.Ctx) error {
	id, _ := strconv.ParseInt(c.Get("app"), 10, 64)
	app, err := store.ApplicationByID(c, c.DB, id)
	if err != nil {
		return err
	}
	docs, err := store.Documents(c, c.DB, id)
	if err != nil {
		return err
	}
	left := 0
	for _, d := range docs {
		if d.Required && d.File == nil {
			left++
		}
	}
	uploaded := c.Get("uploaded")
	c.Sess.Reset()
	saved := c.TakeNote()
	if saved != "" {
		saved += "\n\n"
	}
	if left > 0 {
		c.ShowMenu(saved + c.L.N("DocumentsStillMissing", left, map[string]any{"Number": app.Number}))
		return nil
	}
	c.ShowMenu(saved + c.T("DocumentsAllDone", map[string]any{"Number": app.Number}))
	if uploaded == "0" {
		return nil
	}
	return c.NotifyStaff(app, "StaffDocumentsComplete", "docs")
}
