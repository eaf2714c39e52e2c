package flows

import (
	"strings"
	"time"
	"unicode"
)

// EventKind says what a person did.
type EventKind string

// The kinds of event the engine understands.
const (
	EventText     EventKind = "text"     // a plain message
	EventCommand  EventKind = "command"  // /name args
	EventButton   EventKind = "button"   // an inline button pressed (callback data)
	EventContact  EventKind = "contact"  // a shared contact
	EventDocument EventKind = "document" // a file sent as a document
	EventPhoto    EventKind = "photo"    // a photo (the largest size)
)

// Event is one thing a person did in one chat, already stripped of Telegram's shapes.
type Event struct {
	ChatID    int64
	UserID    int64
	FirstName string
	LangCode  string // Telegram's language_code, used at first contact only
	Kind      EventKind
	Text      string // the message text (EventText), or the arguments of a command
	Command   string // the command without its slash and bot name, lower case (EventCommand)
	Data      string // callback data (EventButton)
	MessageID int    // for a button press, the message the button was on
	Contact   *Contact
	File      *File
	At        time.Time
	// UpdateID is Telegram's id of the update this event came from (its inbox row); 0 when there
	// is none (the terminal chat). /hapus_data scrubs that row too.
	UpdateID int64
}

// Contact is a shared phone contact.
type Contact struct {
	Phone  string
	UserID int64 // the Telegram user the contact belongs to; 0 when not a Telegram user
}

// File is an uploaded document or photo, as Telegram describes it (the bytes stay at Telegram).
type File struct {
	ID       string // file_id: valid for this bot, used to send it again or download it
	UniqueID string // file_unique_id: the same file across bots, for dedupe
	Name     string
	MIME     string
	Size     int64
}

// clean makes the event's strings safe to keep: valid UTF-8 without NUL and other control
// characters but line breaks and tabs (PostgreSQL refuses a NUL in text and in JSON, and a
// person never means one).
func (ev *Event) clean() {
	ev.Text, ev.Command, ev.Data, ev.FirstName = cleanText(ev.Text), cleanText(ev.Command), cleanText(ev.Data), cleanText(ev.FirstName)
	if ev.Contact != nil {
		c := *ev.Contact
		c.Phone = cleanText(c.Phone)
		ev.Contact = &c
	}
	if ev.File != nil {
		f := *ev.File
		f.ID, f.UniqueID, f.Name, f.MIME = cleanText(f.ID), cleanText(f.UniqueID), cleanText(f.Name), cleanText(f.MIME)
		ev.File = &f
	}
}

func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, s)
}
