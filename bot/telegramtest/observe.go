package telegramtest

import (
	"encoding/json"
	"strconv"
	"strings"
)

// ChatID is the chat a call is about: its chat_id, for answerCallbackQuery the chat whose
// button was pressed, for setMyCommands and deleteMyCommands the chat of a chat scope. 0 for
// calls about no chat (getUpdates, getMe, the command menu of a wider scope...).
func (c Call) ChatID() int64 {
	if id := c.Params.Int("chat_id"); id != 0 {
		return id
	}
	if c.Params.Has("scope") {
		var scope struct {
			Type   string `json:"type"`
			ChatID int64  `json:"chat_id"`
		}
		if json.Unmarshal([]byte(c.Params.Get("scope")), &scope) == nil && scope.Type == "chat" {
			return scope.ChatID
		}
	}
	if strings.EqualFold(c.Method, "answerCallbackQuery") {
		// A query id is the presser's user id (= their private chat's id) followed by an
		// eight-digit sequence number (see pressLocked).
		q := c.Params.Get("callback_query_id")
		if len(q) > 8 {
			id, _ := strconv.ParseInt(q[:len(q)-8], 10, 64)
			return id
		}
	}
	return 0
}
