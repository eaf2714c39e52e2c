package locales_test

import (
	"fmt"
	"time"

	"umkmbot/locales"
)

func Example() {
	msgs, err := locales.Load()
	if err != nil {
		panic(err)
	}
	training := time.Date(2026, 12, 3, 1, 0, 0, 0, time.UTC) // stored in UTC, shown in WITA
	for _, code := range []string{"id-ID", "en-US"} {
		l := msgs.For(code) // a Telegram language_code
		fmt.Println(l.T("CommonStepProgress", map[string]any{"Step": 2, "Total": 5}))
		fmt.Println(l.N("CommonDaysLeft", 1))
		fmt.Println(l.DateTime(training))
		fmt.Println(l.Rupiah(1500000), l.Number(1250))
	}
	// Output:
	// Langkah 2 dari 5
	// 1 hari lagi
	// Kamis, 3 Desember 2026 pukul 09.00 WITA
	// Rp1.500.000 1.250
	// Step 2 of 5
	// 1 day left
	// Thursday, 3 December 2026 at 09:00 WITA
	// Rp1.500.000 1,250
}
