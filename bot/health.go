package bot

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Health serves the operator's endpoints: /healthz (the process answers), /readyz (the database
// answers and the intake is alive) and /metrics (Prometheus).
type Health struct {
	// Ping checks the database (store.Store.Ping).
	Ping func(ctx context.Context) error
	// IntakeAlive reports whether updates can come in (Poller.Alive or Webhook.Alive); nil
	// means there is no intake to wait for.
	IntakeAlive func() bool
	// Gatherer is the registry the Metrics were registered with.
	Gatherer prometheus.Gatherer
}

// Register mounts the endpoints on mux.
func (h *Health) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", h.ready)
	if h.Gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(h.Gatherer, promhttp.HandlerOpts{}))
	}
}

func (h *Health) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if h.Ping != nil {
		if err := h.Ping(ctx); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
	}
	if h.IntakeAlive != nil && !h.IntakeAlive() {
		http.Error(w, "intake not alive", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}
