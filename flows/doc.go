// Package flows is the conversation state machine and every flow of umkmbot. It knows nothing
// of Telegram: events come in as plain values and replies go out as plain values.
package flows
