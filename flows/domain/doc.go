// Package domain holds umkmbot's domain rules as pure Go: application and permit numbers, phone
// numbers and NIB, the kabupaten/kota of NTT and their BPOM units, the permit paths with their
// documents, the "help me choose" questions and the application statuses. It does no I/O beyond
// reading its embedded requirements.toml and returns codes and typed errors, never sentences: the
// flows turn them into localized text.
package domain
