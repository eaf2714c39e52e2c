// Package bot is the Telegram edge of umkmbot: durable intake of updates, ordered per-chat
// dispatch into the conversation engine, and a rate-limited outbox sender.
package bot
