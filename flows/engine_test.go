package flows_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"umkmbot/flows"
	"umkmbot/flows/domain"
	"umkmbot/flows/owner"
	"umkmbot/locales"
)

// A year without holidays in the data is a warning in the log at start, never a silent
// weekday count; a year of estimates says so too.
func TestEngineWarnsOfMissingHolidays(t *testing.T) {
	msgs, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	rules, err := domain.LoadRules()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		now  time.Time
		want []string
	}{
		{time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), []string{"estimates", "year=2027"}},
		{time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC), []string{"missing", "years=[2028]"}},
	} {
		var log bytes.Buffer
		_, err := flows.New(flows.Config{Messages: msgs, Rules: rules, Now: func() time.Time { return tt.now },
			Logger: slog.New(slog.NewTextHandler(&log, nil))}, owner.Flowset())
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(log.String(), w) || !strings.Contains(log.String(), "level=WARN") {
				t.Errorf("at %s the log lacks a warning with %q:\n%s", tt.now.Format(time.DateOnly), w, log.String())
			}
		}
	}
}
