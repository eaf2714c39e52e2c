package jobs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"umkmbot/flows"
	"umkmbot/store"
)

// TrainingOpenings tells owners who asked to be told ("Beri tahu saya") of a kind of training
// when one of that kind opens in their kabupaten: one message per training, with a button to sign
// up and one to stop being told. The wish stays open until they sign up for a training of that
// kind (or stop it), so an owner who cannot come on the first date hears of the next one. Each
// training is told to an owner once: the store records whom it was told to until it starts
// (store.TrainingOpenings, in this run's transaction), since the key, which names the training
// and the owner, is pruned after RETAIN_OUTBOX while a training scheduled further ahead is still
// upcoming. A training is useful to tell until it starts; a cancelled one is not told.
func (j *Jobs) TrainingOpenings(ctx context.Context, db store.DB, now time.Time) ([]Message, error) {
	list, err := store.TrainingOpenings(ctx, db, now)
	if err != nil {
		return nil, fmt.Errorf("training openings: %w", err)
	}
	msgs := make([]Message, 0, len(list))
	for _, o := range list {
		tr := o.Training
		l := j.localizer(o.Lang)
		kind := l.T("TrainingKind_" + tr.Kind)
		text := l.T("TrainingOpeningNotice", map[string]any{"Kind": kind, "Title": tr.Title, "When": l.DateTime(tr.StartsAt),
			"Place": tr.Place, "Online": tr.OnlineURL, "Organiser": tr.Organiser})
		id := strconv.FormatInt(tr.ID, 10)
		msgs = append(msgs, Message{
			ChatID: o.ChatID,
			Key:    fmt.Sprintf("training:%d:owner:%d:opening", tr.ID, o.OwnerID),
			Reply: flows.Reply{Text: text, Buttons: [][]flows.Button{
				{{Label: l.T("TrainingRegisterButton"), Data: "a:tr:reg:" + id}},
				{{Label: l.T("TrainingNotifyStopButton", map[string]any{"Kind": kind}), Data: "a:trn:off:" + tr.Kind}},
			}},
		})
	}
	return msgs, nil
}
