package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// runHealthcheck asks a running `umkmbot serve` on LISTEN_ADDR for /healthz: the container's
// HEALTHCHECK, since the runtime image has no curl.
func runHealthcheck(ctx context.Context, env *runEnv, args []string) error {
	cfg, _, err := parseConfig("healthcheck", "Exit 0 when the umkmbot serving on LISTEN_ADDR answers /healthz, 1 otherwise.",
		[]string{"LISTEN_ADDR"}, args, env.getenv, env.stderr)
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("LISTEN_ADDR %q: %w", cfg.ListenAddr, err)
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
