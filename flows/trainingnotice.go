package flows

import (
	"fmt"
	"strconv"

	"umkmbot/store"
)

// NotifySeatsGiven tells each owner who got a seat of the training from its waiting list (an
// owner cancelled, staff raised the quota), at once, in their language, with a button to cancel.
// The dedupe key names the moment the seat was given: this seat is told once, a seat given again
// later (after they cancelled and waited again) is told again.
func (c *Ctx) NotifySeatsGiven(tr store.Training, given []store.SeatGiven) {
	for _, g := range given {
		l := c.e.msgs.For(g.Lang)
		c.Notify(Notice{ChatID: g.ChatID, DedupeKey: fmt.Sprintf("training:%d:owner:%d:seat:%d", tr.ID, g.OwnerID, g.At.UnixMicro()),
			Reply: Reply{
				Text: l.T("TrainingSeatGiven", map[string]any{"Title": tr.Title, "When": l.DateTime(tr.StartsAt), "Place": tr.Place,
					"Online": tr.OnlineURL}),
				Buttons: [][]Button{{{Label: l.T("TrainingCancelButton"), Data: "a:tr:cancel:" + strconv.FormatInt(tr.ID, 10)}}},
			}})
	}
}
