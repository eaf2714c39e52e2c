package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// runHealthcheck asks a running `umkmbot serve` for /healthz, on METRICS_ADDR when it is set,
// else on LISTEN_ADDR: the container's HEALTHCHECK, since the runtime image has no curl.
func runHealthcheck(ctx context.Context, env *runEnv, args []string) error {
	cfg, _, err := parseConfig("healthcheck", "Exit 0 when the umkmbot serving on METRICS_ADDR (when set) or LISTEN_ADDR answers /healthz, 1 otherwise.",
		[]string{"LISTEN_ADDR", "METRICS_ADDR"}, args, env.getenv, env.stderr)
	if err != nil {
		return err
	}
	addr := cfg.ListenAddr
	if cfg.MetricsAddr != "" {
		addr = cfg.MetricsAddr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthz: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz: %s", resp.Status)
	}
	return nil
}
