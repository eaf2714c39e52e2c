package bot

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the bot's Prometheus metrics. One set per process; tests make their own registry.
type Metrics struct {
	UpdatesIn       prometheus.Counter     // updates stored in the inbox (duplicates not counted)
	UpdatesDup      prometheus.Counter     // updates seen again and ignored
	UpdatesHandled  prometheus.Counter     // updates handled and committed
	UpdatesFailed   prometheus.Counter     // updates whose handling failed (panic or error)
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
		HandleSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "umkmbot_update_handle_seconds", Help: "Time to handle one update.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}),
		OutboxDepth:     prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "umkmbot_outbox_pending", Help: "Pending outbox messages by priority."}, []string{"priority"}),
		Sends:           prometheus.NewCounterVec(prometheus.CounterOpts{Name: "umkmbot_sends_total", Help: "Telegram calls by result."}, []string{"result"}),
		TooManyRequests: prometheus.NewCounter(prometheus.CounterOpts{Name: "umkmbot_telegram_429_total", Help: "429 Too Many Requests answers from Telegram."}),
		RetryAfterMax:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "umkmbot_telegram_retry_after_max_seconds", Help: "Longest retry_after Telegram asked for."}),
	}
	if reg != nil {
		reg.MustRegister(m.UpdatesIn, m.UpdatesDup, m.UpdatesHandled, m.UpdatesFailed, m.HandleSeconds,
			m.OutboxDepth, m.Sends, m.TooManyRequests, m.RetryAfterMax)
	}
	return m
}
