// Package flows is the conversation engine of umkmbot: sessions, steps, inputs, routing and the
// actor (owner, staff, admin) each update is handled for. It knows neither the owner's nor the
// staff's flows: each kind of conversation is a Flowset (flows/owner, flows/staff) that the binary
// hands to New. It knows nothing of Telegram: events come in as plain values and replies go out as
// plain values.
package flows
