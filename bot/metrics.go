package bot

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the bot's Prometheus metrics. One set per process; tests make their own registry.
type Metrics struct {
	UpdatesIn       prometheus.Counter     // updates stored in the inbox (duplicates not counted)
	UpdatesDup      prometheus.Counter     // updates seen again and ignored
	UpdatesHandled  prometheus.Counter     // updates handled and committed
	UpdatesFailed   prometheus.Counter     // updates whose handling failed (panic or error)
	UpdatesRetried  prometheus.Counter     // failed attempts left pending to be tried again
	UpdatesHeld     prometheus.Counter     // updates held back because an earlier one may still arrive
	DispatchBusy    prometheus.Gauge       // dispatcher workers handling a chat now
	MarkRetries     prometheus.Counter     // failed attempts at recording what the sender did
	IntakeLeader    prometheus.Gauge       // 1 while this instance is the one polling Telegram
	HandleSeconds   prometheus.Histogram   // time to handle one update, transaction included
	OutboxDepth     *prometheus.GaugeVec   // pending outbox rows, by priority
	Sends           *prometheus.CounterVec // Telegram calls, by result: ok, retry, failed, blocked, rate_limited
	TooManyRequests prometheus.Counter     // 429 answers from Telegram
	RetryAfterMax   prometheus.Gauge       // the longest retry_after seen, seconds
}

// NewMetrics creates the metrics and registers them with reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		UpdatesIn:      prometheus.NewCounter(prometheus.CounterOpts{Name: "umkmbot_updates_in_total", Help: "Telegram updates stored in the inbox."}),
		UpdatesDup:     prometheus.NewCounter(prometheus.CounterOpts{Name: "umkmbot_updates_duplicate_total", Help: "Telegram updates received again and ignored."}),
		UpdatesHandled: prometheus.NewCounter(prometheus.CounterOpts{Name: "umkmbot_updates_handled_total", Help: "Updates handled and committed."}),
		UpdatesFailed:  prometheus.NewCounter(prometheus.CounterOpts{Name: "umkmbot_updates_failed_total", Help: "Updates whose handling failed."}),
		UpdatesRetried: prometheus.NewCounter(prometheus.CounterOpts{Name: "umkmbot_updates_retried_total", Help: "Failed attempts at updates left pending to be tried again."}),
		UpdatesHeld:    prometheus.NewCounter(prometheus.CounterOpts{Name: "umkmbot_updates_held_total", Help: "Updates held back briefly because an earlier update may still arrive (webhook order)."}),
		DispatchBusy:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "umkmbot_dispatch_busy_workers", Help: "Dispatcher workers handling a chat now."}),
		MarkRetries:    prometheus.NewCounter(prometheus.CounterOpts{Name: "umkmbot_outbox_record_retries_total", Help: "Failed attempts at recording what the sender did (retried until they stick)."}),
		IntakeLeader:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "umkmbot_intake_leader", Help: "1 while this instance is the one polling Telegram."}),
		HandleSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "umkmbot_update_handle_seconds", Help: "Time to handle one update.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}),
		OutboxDepth:     prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "umkmbot_outbox_pending", Help: "Pending outbox messages by priority."}, []string{"priority"}),
		Sends:           prometheus.NewCounterVec(prometheus.CounterOpts{Name: "umkmbot_sends_total", Help: "Telegram calls by result."}, []string{"result"}),
		TooManyRequests: prometheus.NewCounter(prometheus.CounterOpts{Name: "umkmbot_telegram_429_total", Help: "429 Too Many Requests answers from Telegram."}),
		RetryAfterMax:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "umkmbot_telegram_retry_after_max_seconds", Help: "Longest retry_after Telegram asked for."}),
	}
	if reg != nil {
		reg.MustRegister(m.UpdatesIn, m.UpdatesDup, m.UpdatesHandled, m.UpdatesFailed, m.UpdatesRetried, m.UpdatesHeld,
			m.DispatchBusy, m.MarkRetries, m.IntakeLeader, m.HandleSeconds,
			m.OutboxDepth, m.Sends, m.TooManyRequests, m.RetryAfterMax)
	}
	return m
}
