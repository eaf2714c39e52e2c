package flows

// Reply is one thing the bot says, as plain values: text already localized, buttons, a file to
// send again. The Telegram edge renders it; the terminal chat prints it. Replies are stored in the
// outbox as JSON, so field names are part of the stored format: add fields, never rename them.
type Reply struct {
	Text string `json:"text,omitempty"`
	// Buttons is an inline keyboard, rows of buttons under the message.
	Buttons [][]Button `json:"buttons,omitempty"`
	// Keyboard is a reply keyboard (shown in place of the phone's keyboard).
	Keyboard [][]KeyButton `json:"keyboard,omitempty"`
	// RemoveKeyboard takes a reply keyboard away.
	RemoveKeyboard bool `json:"remove_keyboard,omitempty"`
	// EditMessageID, when set, edits that earlier message (the one a button was on) instead of
	// sending a new one.
	EditMessageID int `json:"edit_message_id,omitempty"`
	// FileID sends a stored Telegram file again (a document unless Photo is set), with Text as
	// its caption.
	FileID string `json:"file_id,omitempty"`
	Photo  bool   `json:"photo,omitempty"`
	// Media is an album: stored Telegram files sent again together, each with its own caption.
	// The edge sends photos and documents in separate albums of at most ten (Telegram mixes
	// neither nor takes more), a lone file as itself; Text and the buttons follow in a message
	// of their own. Not with FileID or Upload.
	Media []Media `json:"media,omitempty"`
	// Upload sends bytes the bot made (an export as CSV) as a document, with Text as its caption.
	Upload *Upload `json:"upload,omitempty"`
	// Ref names this message once it is sent (the sender keeps its message id), so that a later
	// reply to the same chat with EditRef edits it: a broadcast's progress message.
	Ref     string `json:"ref,omitempty"`
	EditRef string `json:"edit_ref,omitempty"`
	// CommandMenu, when set, is not a message: it sets this chat's Telegram command menu
	// (setMyCommands scoped to the chat) to the named set — MenuStaff, MenuAdmin — or back to the
	// default (MenuDefault), in the chat's language (Lang).
	CommandMenu string `json:"command_menu,omitempty"`
	// Lang is the chat's language, for the words the edge adds itself (a CommandMenu's command
	// descriptions); "" is Indonesian.
	Lang string `json:"lang,omitempty"`
}

// Media is one file of an album (Reply.Media): a stored Telegram file, a photo or a document.
type Media struct {
	FileID  string `json:"file_id"`
	Photo   bool   `json:"photo,omitempty"`
	Caption string `json:"caption,omitempty"`
}

// Upload is a file the bot made, sent as a document.
type Upload struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// Button is an inline button: a label and the data that comes back when it is pressed. Data
// carries ids and choices only, never a right to act: that is checked again on every press.
type Button struct {
	Label string `json:"label"`
	Data  string `json:"data"`
}

// KeyButton is a reply-keyboard button; RequestContact makes it share the user's own phone
// number.
type KeyButton struct {
	Label          string `json:"label"`
	RequestContact bool   `json:"request_contact,omitempty"`
}

// Notice is a message for another chat (a staff member told of a new application).
type Notice struct {
	ChatID int64 `json:"chat_id"`
	Reply  Reply `json:"reply"`
	// DedupeKey, when set, makes the notice exactly-once even if the update is handled twice.
	DedupeKey string `json:"dedupe_key,omitempty"`
	// Bulk queues the notice behind replies, paced like a reminder (a CSV import's thousand
	// owners' notices must not crowd out the replies to people chatting now).
	Bulk bool `json:"bulk,omitempty"`
}

// Result is everything the engine decided for one event.
type Result struct {
	Replies []Reply  // to the chat the event came from, in order
	Notices []Notice // to other chats
	// Answer is the short text for the button press itself (a toast); empty answers silently.
	// A press is always answered.
	Answer string
}
