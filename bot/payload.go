package bot

import (
	"encoding/json"

	"umkmbot/flows"
)

// Payload is what an outbox row holds: one call to make to Telegram for one chat. It is stored
// as JSON, so field names are a stored format: add fields, never rename them.
type Payload struct {
	Kind PayloadKind `json:"kind"`
	// Reply is the message to send or edit (KindReply).
	Reply *flows.Reply `json:"reply,omitempty"`
	// CallbackID and Text answer a pressed button (KindCallbackAnswer): Telegram shows the text as
	// a toast, and the button stops spinning.
	CallbackID string `json:"callback_id,omitempty"`
	Text       string `json:"text,omitempty"`
	// Sent is how many of the payload's Telegram calls an earlier attempt made (a long text goes
	// as several messages): a retry goes on from there instead of sending the first ones twice.
	Sent int `json:"sent,omitempty"`
}

// PayloadKind says which Telegram call a payload becomes.
type PayloadKind string

// The kinds of outgoing call.
const (
	KindReply          PayloadKind = "reply"
	KindCallbackAnswer PayloadKind = "callback_answer"
)

// EncodePayload turns a payload into the outbox's JSON.
func EncodePayload(p Payload) ([]byte, error) { return json.Marshal(p) }

// DecodePayload reads an outbox row's JSON.
func DecodePayload(b []byte) (Payload, error) {
	var p Payload
	err := json.Unmarshal(b, &p)
	return p, err
}
