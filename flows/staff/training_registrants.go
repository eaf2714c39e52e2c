package staff

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/locales"
	"umkmbot/store"
)

// attendancePageSize is how many registrants one attendance message shows (two buttons each).
const attendancePageSize = 8

// registrantPlace is where a registrant's business is: "Beiposo, Ngada".
func registrantPlace(c *flows.Ctx, p store.Registrant) string {
	var parts []string
	if p.Desa != "" {
		parts = append(parts, p.Desa)
	}
	if p.Kabupaten != "" {
		parts = append(parts, c.KabupatenName(p.Kabupaten))
	}
	return strings.Join(parts, ", ")
}

// registrantPhone is the phone as this staff member may see it: whole for the organising
// office, masked for anyone else.
func registrantPhone(c *flows.Ctx, t store.Training, phone string) string {
	if phone == "" {
		return "–"
	}
	if c.AuthorizeTraining(flows.PowerSeePhone, &t) == nil {
		return domain.FormatPhone(phone)
	}
	return maskPhone(phone)
}

// showRegistrants (a:trr:<id>) lists the registrants in the order they registered, then the
// waiting list: name, business, desa and kabupaten, and the phone for the organising office.
func showRegistrants(c *flows.Ctx, t store.TrainingStats) error {
	people, err := store.TrainingRegistrants(c, c.DB, t.ID)
	if err != nil {
		return err
	}
	var reg, wait strings.Builder
	n, w := 0, 0
	for _, p := range people {
		line := fmt.Sprintf("%s — %s — %s — %s", p.Name, orDash(p.Business), orDash(registrantPlace(c, p)), registrantPhone(c, t.Training, p.Phone))
		if p.Waiting {
			w++
			fmt.Fprintf(&wait, "\n%d. %s", w, line)
			continue
		}
		n++
		fmt.Fprintf(&reg, "\n%d. %s", n, line)
	}
	text := c.T("TrainingRegistrantsList", map[string]any{"Title": t.Title, "When": c.L.DateTime(t.StartsAt),
		"Registered": n, "Quota": t.Quota, "List": reg.String(), "Waiting": w, "WaitList": wait.String()})
	id := itoa(t.ID)
	c.Reply(flows.Reply{Text: text, Buttons: [][]flows.Button{{
		{Label: c.T("TrainingManageCSVButton"), Data: "a:trcsv:" + id},
		{Label: c.T("TrainingManageBackButton"), Data: "a:trc:" + id}}}})
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// sendRegistrantsCSV (a:trcsv:<id>) sends the registrants and the waiting list as a CSV
// document (UTF-8, a header line first), its header, values and name in the reader's language;
// the phone column only for the organising office.
func sendRegistrantsCSV(c *flows.Ctx, t store.TrainingStats) error {
	people, err := store.TrainingRegistrants(c, c.DB, t.ID)
	if err != nil {
		return err
	}
	phones := c.AuthorizeTraining(flows.PowerSeePhone, &t.Training) == nil
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := []string{c.T("TrainingCSVHeaderNo"), c.T("TrainingCSVHeaderStatus"), c.T("TrainingCSVHeaderName"),
		c.T("TrainingCSVHeaderBusiness"), c.T("TrainingCSVHeaderDesa"), c.T("TrainingCSVHeaderKabupaten")}
	if phones {
		header = append(header, c.T("TrainingCSVHeaderPhone"))
	}
	header = append(header, c.T("TrainingCSVHeaderRegisteredAt"), c.T("TrainingCSVHeaderAttended"))
	_ = w.Write(header)
	for i, p := range people {
		status := c.T("TrainingCSVRegistered")
		if p.Waiting {
			status = c.T("TrainingCSVWaiting")
		}
		attended := ""
		switch {
		case p.Attended == nil:
		case *p.Attended:
			attended = c.T("TrainingCSVAttendedYes")
		default:
			attended = c.T("TrainingCSVAttendedNo")
		}
		row := []string{strconv.Itoa(i + 1), status, cell(p.Name), cell(p.Business), cell(p.Desa), c.KabupatenName(p.Kabupaten)}
		if phones {
			row = append(row, p.Phone)
		}
		row = append(row, p.At.In(locales.Location()).Format("2006-01-02 15:04"), attended)
		_ = w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("registrants CSV of training %d: %w", t.ID, err)
	}
	if err := audit(c, "training.registrants_csv", "training", t.ID, nil, map[string]any{"rows": len(people), "phones": phones}); err != nil {
		return err
	}
	c.Reply(flows.Reply{Text: c.T("TrainingRegistrantsCSVCaption", map[string]any{"Title": t.Title, "Count": len(people)}),
		Upload: &flows.Upload{Name: c.T("TrainingCSVFileName") + "-" + strconv.FormatInt(t.ID, 10) + ".csv", Data: buf.Bytes()}})
	return nil
}

// cell keeps a typed name from being read as a formula by a spreadsheet.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// showAttendance (a:tra:<id>:<page>) shows a page of registrants with a button each for
// attended and absent; it is offered once the training has started.
func showAttendance(c *flows.Ctx, t store.TrainingStats, page int, edit int) error {
	if trainingState(c, t.Training) != "started" {
		c.Say(c.T("TrainingAttendanceNotYet", map[string]any{"When": c.L.DateTime(t.StartsAt)}))
		return nil
	}
	people, err := store.TrainingRegistrants(c, c.DB, t.ID)
	if err != nil {
		return err
	}
	var regs []store.Registrant
	for _, p := range people {
		if !p.Waiting {
			regs = append(regs, p)
		}
	}
	pages := max(1, (len(regs)+attendancePageSize-1)/attendancePageSize)
	page = min(max(page, 0), pages-1)
	from, to := page*attendancePageSize, min((page+1)*attendancePageSize, len(regs))
	var lines strings.Builder
	var rows [][]flows.Button
	id := itoa(t.ID)
	for i, p := range regs[from:to] {
		n := from + i + 1
		mark := "⬜"
		if p.Attended != nil && *p.Attended {
			mark = "✅"
		} else if p.Attended != nil {
			mark = "❌"
		}
		cert := ""
		if p.Certificate {
			cert = " 📄"
		}
		fmt.Fprintf(&lines, "\n%s %d. %s — %s%s", mark, n, p.Name, orDash(p.Business), cert)
		data := fmt.Sprintf("a:tram:%s:%d:%%d:%d", id, p.OwnerID, page)
		row := []flows.Button{
			{Label: c.T("TrainingAttendedButton", map[string]any{"N": n, "Name": p.Name}), Data: fmt.Sprintf(data, 1)},
			{Label: c.T("TrainingAbsentButton", map[string]any{"N": n}), Data: fmt.Sprintf(data, 0)}}
		if p.Attended != nil && *p.Attended {
			row = append(row, flows.Button{Label: c.T("TrainingCertificateButton", map[string]any{"N": n}),
				Data: fmt.Sprintf("a:trcert:%s:%d", id, p.OwnerID)})
		}
		rows = append(rows, row)
	}
	var nav []flows.Button
	if page > 0 {
		nav = append(nav, flows.Button{Label: c.T("CommonPrevPage"), Data: fmt.Sprintf("a:tra:%s:%d", id, page-1)})
	}
	if to < len(regs) {
		nav = append(nav, flows.Button{Label: c.T("CommonNextPage"), Data: fmt.Sprintf("a:tra:%s:%d", id, page+1)})
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	rows = append(rows, []flows.Button{{Label: c.T("TrainingManageBackButton"), Data: "a:trc:" + id}})
	c.Reply(flows.Reply{EditMessageID: edit, Buttons: rows, Text: c.T("TrainingAttendanceList", map[string]any{
		"Title": t.Title, "When": c.L.DateTime(t.StartsAt), "List": lines.String(), "Page": page + 1, "Pages": pages,
		"Attended": t.Attended, "Absent": t.Absent, "Registered": len(regs)})})
	return nil
}

// attendancePage answers a:tra:<id>:<page>: a page of the attendance list.
func attendancePage(c *flows.Ctx, arg string) error {
	id, page, _ := strings.Cut(arg, ":")
	return withTraining(c, id, flows.PowerTrainings, func(t store.TrainingStats) error {
		return showAttendance(c, t, atoi(page), 0)
	})
}

// markAttendance answers a:tram:<id>:<owner>:<1|0>:<page>: one registrant marked attended or
// absent (audited), then the same page again in place.
func markAttendance(c *flows.Ctx, arg string) error {
	parts := strings.Split(arg, ":")
	if len(parts) != 4 || (parts[2] != "0" && parts[2] != "1") {
		return c.StaleButton()
	}
	owner, _ := strconv.ParseInt(parts[1], 10, 64)
	attended := parts[2] == "1"
	return withTraining(c, parts[0], flows.PowerTrainings, func(t store.TrainingStats) error {
		if trainingState(c, t.Training) != "started" {
			return c.StaleButton()
		}
		err := store.MarkAttendance(c, c.DB, t.ID, owner, attended, c.Actor.Staff.ID, c.Now)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return c.StaleButton()
			}
			return err
		}
		if err := audit(c, "training.attendance", "training", t.ID, nil, map[string]any{"owner": owner, "attended": attended}); err != nil {
			return err
		}
		t, err = store.TrainingStatsByID(c, c.DB, t.ID)
		if err != nil {
			return err
		}
		c.Toast(c.T("StaffDone"))
		return showAttendance(c, t, atoi(parts[3]), c.Ev.MessageID)
	})
}
