package owner_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"umkmbot/flows"
	"umkmbot/flows/flowtest"
)

// BenchmarkHandle measures one update through the engine in its own transaction against the
// real PostgreSQL: owner upsert, session lock/load/save and the flow's own queries. Two shapes:
// a menu (cheap) and an answer in the middle of a registration (steps computed, validation,
// progress).
func BenchmarkHandle(b *testing.B) {
	h := flowtest.New(b)
	ctx := context.Background()
	handle := func(ev flows.Event) {
		err := h.DB.Tx(ctx, func(tx pgx.Tx) error {
			_, err := h.E.Handle(ctx, tx, ev)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Run("menu", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			handle(flows.Event{ChatID: 1, UserID: 1, Kind: flows.EventCommand, Command: "menu"})
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
	})
	b.Run("registration-answer", func(b *testing.B) {
		// Park the owner on the product-name question, then answer it over and over with /kembali
		// in between, so each iteration is one answer and one step back.
		c := h.Chat(2, "id")
		c.CompleteProfile("Kopi Bajawa")
		c.Send("/daftar")
		c.PressMsg("PathName_md")
		for i := 0; b.Loop(); i++ {
			handle(flows.Event{ChatID: 2, UserID: 2, Kind: flows.EventText, Text: "Kopi Bajawa"})
			handle(flows.Event{ChatID: 2, UserID: 2, Kind: flows.EventCommand, Command: "kembali"})
		}
		b.ReportMetric(2*float64(b.N)/b.Elapsed().Seconds(), "updates/s")
	})
}
