package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// MessageRef is a message the sender sent with a name (flows.Reply.Ref): a later reply to the
// same chat naming it (EditRef) edits that message. The sender records it with the send's outcome
// (QueueOutcome.Refs), in the same batch.
type MessageRef struct {
	Ref       string
	MessageID int
}

// MessageRefID returns the Telegram message id last sent under ref in the chat; ok is false when
// there is none.
func MessageRefID(ctx context.Context, db DB, chatID int64, ref string) (id int, ok bool, err error) {
	err = db.QueryRow(ctx, `SELECT message_id FROM message_refs WHERE chat_id = $1 AND ref = $2`, chatID, ref).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: message ref of chat %d: %w", chatID, err)
	}
	return id, true, nil
}

// queueMessageRefs adds to b the statement that keeps the refs of outcomes (the latest message
// under a name wins).
func queueMessageRefs(b *pgx.Batch, outcomes []QueueOutcome) {
	var chats, ids []int64
	var refs []string
	type chatRef struct {
		chat int64
		ref  string
	}
	seen := map[chatRef]int{} // index in ids
	for _, o := range outcomes {
		for _, r := range o.Refs {
			if r.Ref == "" || r.MessageID == 0 {
				continue
			}
			k := chatRef{o.ChatID, r.Ref}
			if i, ok := seen[k]; ok {
				ids[i] = int64(r.MessageID) // one statement may not touch a row twice
				continue
			}
			seen[k] = len(ids)
			chats, refs, ids = append(chats, o.ChatID), append(refs, r.Ref), append(ids, int64(r.MessageID))
		}
	}
	if len(ids) == 0 {
		return
	}
	b.Queue(`
		INSERT INTO message_refs (chat_id, ref, message_id)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])
		ON CONFLICT (chat_id, ref) DO UPDATE SET message_id = excluded.message_id, updated_at = now()`, chats, refs, ids)
}
