package staff

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/store"
)

// ImportHeader is the header a status import must have, in this order.
var ImportHeader = []string{"nomor_pengajuan", "status", "catatan", "nomor_izin", "berlaku_sampai", "batas_waktu"}

// MaxImportRows caps one import: a larger file is refused whole.
const MaxImportRows = 20000

// ImportError is one invalid row of an import: its line in the file and what is wrong, in the
// importer's language.
type ImportError struct {
	Line int
	Text string
}

// ImportReport is what an import did. Notices are the owners' notices of the changes made,
// each keyed by application, target status and which change of that application it is, so a
// notice is queued once however often the same file is imported.
type ImportReport struct {
	Rows      int // data rows read
	Applied   int // changes made
	Unchanged int // rows whose application already had that status
	Errors    []ImportError
	Notices   []flows.Notice
}

// importRow is one valid row, ready to apply.
type importRow struct {
	line    int
	target  store.ImportTarget
	change  flows.Change
	already bool // the application already has the row's status
}

// statusWords are the short Indonesian names DOMAIN.md's status diagram uses, accepted in the
// status column beside the codes and the names the bot shows (Status_<code>).
var statusWords = map[string]domain.Status{
	"draf": domain.StatusDraft, "diajukan": domain.StatusSubmitted, "diperiksa": domain.StatusInReview,
	"perbaikan": domain.StatusNeedsFix, "perbaikan berkas": domain.StatusNeedsFix,
	"menunggu pembayaran": domain.StatusAwaitingPayment, "disetujui": domain.StatusApproved,
	"ditolak": domain.StatusRejected, "dibatalkan": domain.StatusWithdrawn,
}

// Import applies the status changes of a CSV file (ImportHeader; dates YYYY-MM-DD) as the person
// of c, through flows.Transition: the same arrows, history, audit and owner notices as a staff
// action. Every row is checked first; when any is invalid nothing is applied, unless partial,
// when the valid rows are. The applications named are locked until c's transaction ends. The
// caller queues report.Notices (Transition's own notices are taken back and rekeyed).
func Import(c *flows.Ctx, r io.Reader, partial bool) (ImportReport, error) {
	var rep ImportReport
	if err := c.Authorize(flows.PowerAct, nil); err != nil {
		return rep, err
	}
	rows, err := readImport(c, r, &rep)
	if err != nil || len(rep.Errors) > 0 && !partial {
		return rep, err
	}
	for _, row := range rows {
		if row.already {
			rep.Unchanged++
			continue
		}
		if err := c.Transition(row.change); err != nil {
			return rep, fmt.Errorf("staff: import line %d (%s): %w", row.line, row.target.App.Number, err)
		}
		for _, n := range c.TakeNotices() {
			n.DedupeKey = fmt.Sprintf("status:%d:%s:%d", row.target.App.ID, row.change.To, row.target.Changes+1)
			rep.Notices = append(rep.Notices, n)
		}
		rep.Applied++
	}
	return rep, nil
}

// ImportPreview is what an import would change, checked and not applied: the changes by the
// status they move to, the rows whose application already has their status, the invalid rows.
type ImportPreview struct {
	Rows      int
	Changes   map[domain.Status]int
	Unchanged int
	Errors    []ImportError
}

// Valid is the number of rows that would change something.
func (p ImportPreview) Valid() int {
	n := 0
	for _, k := range p.Changes {
		n += k
	}
	return n
}

// PreviewImport checks a status import as Import does, as the person of c, and applies nothing.
func PreviewImport(c *flows.Ctx, r io.Reader) (ImportPreview, error) {
	var p ImportPreview
	if err := c.Authorize(flows.PowerAct, nil); err != nil {
		return p, err
	}
	var rep ImportReport
	rows, err := readImport(c, r, &rep)
	if err != nil {
		return p, err
	}
	p.Rows, p.Errors, p.Changes = rep.Rows, rep.Errors, map[domain.Status]int{}
	for _, row := range rows {
		if row.already {
			p.Unchanged++
		} else {
			p.Changes[row.change.To]++
		}
	}
	return p, nil
}

// readImport reads and checks every row, collecting the errors in rep; it returns the valid rows.
func readImport(c *flows.Ctx, r io.Reader, rep *ImportReport) ([]importRow, error) {
	fail := func(line int, msg string, data map[string]any) {
		if data == nil {
			data = map[string]any{}
		}
		data["Line"] = line
		rep.Errors = append(rep.Errors, ImportError{Line: line, Text: c.T(msg, data)})
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		fail(1, "ImportEmpty", nil)
		return nil, nil
	}
	if err != nil || !sameHeader(header) {
		fail(1, "ImportBadHeader", map[string]any{"Want": strings.Join(ImportHeader, ",")})
		return nil, nil
	}
	type raw struct {
		line   int
		fields []string
	}
	var raws []raw
	var numbers []string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			fail(pe.StartLine, "ImportBadCSV", nil)
			return nil, nil // the rest of the file cannot be trusted
		}
		if err != nil {
			return nil, err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		rep.Rows++
		if rep.Rows > MaxImportRows {
			rep.Errors = []ImportError{{Line: line, Text: c.T("ImportTooManyRows", map[string]any{"Max": MaxImportRows})}}
			return nil, nil
		}
		if len(rec) != len(ImportHeader) {
			fail(line, "ImportBadColumns", map[string]any{"Got": len(rec), "Want": len(ImportHeader)})
			continue
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		raws = append(raws, raw{line, rec})
		if n, err := c.Engine().AppNumbers().Parse(rec[0]); err == nil {
			numbers = append(numbers, n)
		}
	}
	if rep.Rows == 0 && len(rep.Errors) == 0 {
		fail(1, "ImportEmpty", nil)
		return nil, nil
	}
	targets, err := store.LockApplicationsByNumber(c, c.DB, numbers)
	if err != nil {
		return nil, err
	}
	var permits []string
	for _, rw := range raws {
		if p, err := domain.ParsePermitNumber(rw.fields[3]); err == nil {
			permits = append(permits, p.Canonical)
		}
	}
	holders, err := store.PermitHolders(c, c.DB, permits)
	if err != nil {
		return nil, err
	}
	seenApp, seenPermit := map[string]int{}, map[string]int{}
	var out []importRow
	for _, rw := range raws {
		row, msg, data := checkRow(c, rw.fields, targets, holders)
		if msg == "" {
			if other, dup := seenApp[row.target.App.Number]; dup {
				msg, data = "ImportDuplicateApp", map[string]any{"Number": row.target.App.Number, "Other": other}
			} else if other, dup := seenPermit[row.change.Permit]; dup && row.change.Permit != "" {
				msg, data = "ImportDuplicatePermit", map[string]any{"Permit": row.change.Permit, "Other": other}
			}
		}
		if msg != "" {
			fail(rw.line, msg, data)
			continue
		}
		seenApp[row.target.App.Number] = rw.line
		if row.change.Permit != "" {
			seenPermit[row.change.Permit] = rw.line
		}
		row.line = rw.line
		out = append(out, row)
	}
	return out, nil
}

func sameHeader(h []string) bool {
	if len(h) != len(ImportHeader) {
		return false
	}
	for i, name := range h {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
		if name != ImportHeader[i] {
			return false
		}
	}
	return true
}

// checkRow checks one row: the application exists and is the importer's to act on, the status
// is known and reachable by staff along DOMAIN's arrows, and what the move carries is there and
// well-formed. It returns the row, or the message ID (and data) of what is wrong.
func checkRow(c *flows.Ctx, f []string, targets map[string]store.ImportTarget, holders map[string]int64) (importRow, string, map[string]any) {
	numberIn, statusIn, note, permitIn, untilIn, dueIn := f[0], f[1], f[2], f[3], f[4], f[5]
	number, err := c.Engine().AppNumbers().Parse(numberIn)
	if err != nil {
		return importRow{}, "ImportBadNumber", map[string]any{"Value": numberIn}
	}
	t, ok := targets[number]
	if !ok || c.Authorize(flows.PowerAct, &t.App) != nil {
		return importRow{}, "ImportUnknownApp", map[string]any{"Number": number}
	}
	to, ok := parseStatus(c, statusIn)
	if !ok {
		return importRow{}, "ImportBadStatus", map[string]any{"Value": statusIn}
	}
	row := importRow{target: t, change: flows.Change{App: t.App, To: to, Note: note}}
	if len([]rune(note)) > 1000 {
		return row, "ImportNoteTooLong", map[string]any{"Max": 1000}
	}
	if (to == domain.StatusNeedsFix || to == domain.StatusRejected) && note == "" {
		return row, "ImportNoteRequired", map[string]any{"Status": c.StatusName(string(to))}
	}
	if permitIn != "" && to != domain.StatusApproved || untilIn != "" && to != domain.StatusApproved {
		return row, "ImportPermitOnlyApproved", nil
	}
	if dueIn != "" && to != domain.StatusNeedsFix && to != domain.StatusAwaitingPayment {
		return row, "ImportDueNotHere", map[string]any{"Status": c.StatusName(string(to))}
	}
	if string(to) == t.App.Status {
		row.already = true
		return row, "", nil
	}
	if domain.CanTransition(domain.Status(t.App.Status), to, domain.ActorStaff) != nil {
		return row, "ImportNotAllowed", map[string]any{"Number": number, "From": c.StatusName(t.App.Status), "To": c.StatusName(string(to))}
	}
	if dueIn != "" {
		due, ok := parseDate(dueIn)
		if !ok || !due.After(c.Now) {
			return row, "ImportBadDate", map[string]any{"Column": "batas_waktu", "Value": dueIn}
		}
		row.change.Due = &due
	} else if d, ok := c.Engine().Rules().DefaultDue(to, c.Now); ok {
		due, _ := parseDate(d.Format("2006-01-02"))
		row.change.Due = &due
	}
	if to != domain.StatusApproved {
		return row, "", nil
	}
	p, err := domain.ParsePermitNumber(permitIn)
	switch {
	case permitIn == "":
		return row, "ImportPermitRequired", nil
	case err != nil || string(p.Path) != t.App.Path:
		return row, "ImportBadPermit", map[string]any{"Value": permitIn, "Path": c.PathName(t.App.Path)}
	case holders[p.Canonical] != 0 && holders[p.Canonical] != t.App.ID:
		return row, "ImportPermitTaken", map[string]any{"Permit": p.Canonical}
	}
	row.change.Permit = p.Canonical
	var until time.Time
	if untilIn != "" {
		d, err := time.Parse("2006-01-02", untilIn)
		if err != nil || !d.After(c.Now) {
			return row, "ImportBadDate", map[string]any{"Column": "berlaku_sampai", "Value": untilIn}
		}
		until = d
	} else if pirt, ok := p.PIRT(); ok {
		until = time.Date(pirt.ExpiryYear, 12, 31, 0, 0, 0, 0, time.UTC)
	} else {
		return row, "ImportValidUntilRequired", nil
	}
	row.change.ValidUntil = &until
	return row, "", nil
}

// parseStatus reads a status as its code, the name the bot shows in Bahasa Indonesia, or the
// short word of DOMAIN.md's diagram; case, spaces, hyphens and underscores do not matter.
func parseStatus(c *flows.Ctx, in string) (domain.Status, bool) {
	norm := func(s string) string {
		return strings.Join(strings.Fields(strings.NewReplacer("_", " ", "-", " ").Replace(strings.ToLower(s))), " ")
	}
	in = norm(in)
	if s, ok := statusWords[in]; ok {
		return s, true
	}
	id := c.Engine().Messages().For("id")
	for _, s := range domain.Statuses() {
		if in == norm(string(s)) || in == norm(id.T("Status_"+string(s))) {
			return s, true
		}
	}
	return "", false
}
