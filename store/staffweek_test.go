package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"umkmbot/store"
	"umkmbot/store/storetest"
)

// DedupeKeys returns exactly the keys that start with the prefix, in order, with the keys next to
// them in the collation's order (shorter, a character after ':', another case, characters beyond
// ASCII) left out or in as they should be. With many other keys in outbox_keys (it keeps every
// key for RETAIN_OUTBOX, millions) and the table analysed, its plan reads the primary key's
// index for the prefix's range and never scans the whole table.
func TestDedupeKeysReadsOnlyThePrefix(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	db := st.DB()
	const prefix = "fixlapsed:staff:"
	want := []string{prefix, prefix + "1:7@1764518340", prefix + "12:7,8", prefix + "é", prefix + "\U0010FFFE", prefix + "~"}
	others := []string{"fixlapsed:staff", "fixlapsed:staff;", "fixlapsed:staff_:1", "fixlapsed:staf:1", "Fixlapsed:staff:1",
		"fixlapsed:stafe:1", "fixlapsed:stafg:1", "fixlapsed:staff 1", "fixlapsedstaff:1", "éfixlapsed:staff:1"}
	for _, k := range append(slices.Clone(want), others...) {
		if _, err := db.Exec(ctx, `INSERT INTO outbox_keys (dedupe_key) VALUES ($1)`, k); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(ctx, `
		INSERT INTO outbox_keys (dedupe_key)
		SELECT 'training:' || g || ':owner:' || (g % 997) || ':opening' FROM generate_series(1, 60000) g
		UNION ALL SELECT 'broadcast:' || g || ':owner:' || g FROM generate_series(1, 60000) g`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `ANALYZE outbox_keys`); err != nil {
		t.Fatal(err)
	}

	got, err := store.DedupeKeys(ctx, db, prefix)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want) // bytes of UTF-8 in order are code points in order, as the collation C.UTF-8 sorts
	if !slices.Equal(got, want) {
		t.Fatalf("keys %q, want %q", got, want)
	}

	// Both as planned for the prefix given (a custom plan) and for any prefix (the generic plan a
	// prepared statement may switch to).
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		var plan []byte
		err := st.Tx(ctx, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SET LOCAL plan_cache_mode = `+mode); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `PREPARE dedupe_keys (text) AS `+store.DedupeKeysQuery); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `EXPLAIN (FORMAT JSON) EXECUTE dedupe_keys ('`+prefix+`')`).Scan(&plan); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `DEALLOCATE dedupe_keys`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var doc []struct{ Plan planNode }
		if err := json.Unmarshal(plan, &doc); err != nil || len(doc) != 1 {
			t.Fatalf("plan %s: %v", plan, err)
		}
		var index, seq bool
		var walk func(n planNode)
		walk = func(n planNode) {
			switch n.NodeType {
			case "Index Scan", "Index Only Scan", "Bitmap Index Scan":
				index = index || n.IndexName == "outbox_keys_pkey"
			case "Seq Scan":
				seq = true
			}
			for _, c := range n.Plans {
				walk(c)
			}
		}
		walk(doc[0].Plan)
		if !index || seq {
			t.Fatalf("%s: the plan does not read outbox_keys_pkey for the prefix alone: %s", mode, plan)
		}
	}
}

// planNode is a node of EXPLAIN (FORMAT JSON)'s plan, as much of it as the tests read.
type planNode struct {
	NodeType  string     `json:"Node Type"`
	IndexName string     `json:"Index Name"`
	Plans     []planNode `json:"Plans"`
}
