package staff

import (
	"math"
	"sort"
	"strings"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/store"
)

// ServiceTarget is how long an application may wait on staff (submitted or in review) before
// /statistik lists it as late. A constant for now; requirements data when offices want their own.
const ServiceTarget = 14 * 24 * time.Hour

// statsListed is how many of the late applications /statistik lists by name.
const statsListed = 10

// showStats (/statistik) shows the office's figures: counts by status, path and kabupaten, the
// median days from submission to approval, and the applications waiting longer than the service
// target, each a button to its card.
func showStats(c *flows.Ctx) error {
	return guarded(c, flows.PowerView, nil, func() error {
		st, err := store.ApplicationStats(c, c.DB, officeFilter(c), c.Now.Add(-ServiceTarget), statsListed)
		if err != nil {
			return err
		}
		var byStatus []string
		for _, s := range domain.Statuses() {
			if n := st.ByStatus[string(s)]; n > 0 {
				byStatus = append(byStatus, "• "+c.StatusName(string(s))+": "+c.L.Number(int64(n)))
			}
		}
		var byPath []string
		for _, p := range c.Engine().Rules().Paths() {
			if n := st.ByPath[string(p.Code)]; n > 0 {
				byPath = append(byPath, "• "+c.PathName(string(p.Code))+": "+c.L.Number(int64(n)))
			}
		}
		byKab := make([]string, 0, len(st.ByKabupaten))
		for k, n := range st.ByKabupaten {
			byKab = append(byKab, "• "+c.KabupatenName(k)+": "+c.L.Number(int64(n)))
		}
		sort.Strings(byKab)
		var late []string
		var rows [][]flows.Button
		for _, a := range st.Oldest {
			days := int(c.Now.Sub(*a.SubmittedAt) / (24 * time.Hour))
			late = append(late, "• "+a.Number+" · "+a.ProductName+" · "+c.L.N("StaffStatsDays", days))
			rows = append(rows, []flows.Button{{Label: a.Number + " · " + a.ProductName, Data: "a:card:" + itoa(a.ID)}})
		}
		none := c.T("StaffStatsNone")
		c.Reply(flows.Reply{Text: c.T("StaffStats", map[string]any{
			"Office":      officeName(c, c.Actor.Office()),
			"ByStatus":    joinOr(byStatus, none),
			"ByPath":      joinOr(byPath, none),
			"ByKabupaten": joinOr(byKab, none),
			"Approved":    st.Approved,
			"Median":      c.L.N("StaffStatsDays", int(math.Round(st.MedianDaysToApproval))),
			"Target":      c.L.N("StaffStatsDays", int(ServiceTarget/(24*time.Hour))),
			"Waiting":     st.Waiting,
			"Late":        strings.Join(late, "\n"),
		}), Buttons: rows})
		return nil
	})
}

func joinOr(lines []string, none string) string {
	if len(lines) == 0 {
		return none
	}
	return strings.Join(lines, "\n")
}
