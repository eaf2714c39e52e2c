package bot

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestHealth(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.UpdatesIn.Add(3)
	var dbErr error
	alive := true
	h := &Health{Ping: func(context.Context) error { return dbErr }, IntakeAlive: func() bool { return alive }, Gatherer: reg}
	mux := http.NewServeMux()
	h.Register(mux)
	get := func(path string) (int, string) {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w.Code, w.Body.String()
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("/healthz %d", code)
	}
	if code, _ := get("/readyz"); code != 200 {
		t.Fatalf("/readyz %d when all is well", code)
	}
	alive = false
	if code, _ := get("/readyz"); code != 503 {
		t.Fatalf("/readyz %d with the intake dead", code)
	}
	alive, dbErr = true, errors.New("down")
	if code, _ := get("/readyz"); code != 503 {
		t.Fatalf("/readyz %d with the database down", code)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("/healthz %d: the process is alive whatever the database", code)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "umkmbot_updates_in_total 3") {
		t.Fatalf("/metrics %d:\n%s", code, body)
	}
}
