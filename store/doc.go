// Package store is umkmbot's PostgreSQL storage: the schema migrations, the queries of every
// entity and the transaction helpers the rest of the program composes.
package store
