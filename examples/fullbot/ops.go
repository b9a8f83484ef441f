package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/tunekit/tunekit/metrics"
	"github.com/tunekit/tunekit/music"
)

// readiness answers /readyz: not ready until run has connected, ready
// while the gateway is up and a Lavalink node is connected, and not ready
// again once shutdown starts. The body says what each check found, with a
// line per Lavalink node that says whether it is draining. A draining
// node leaves the bot ready: the others take its players, and with none
// to take them they play on where they are.
type readiness struct {
	mu       sync.Mutex
	discord  func() bool
	lavalink func() bool // the Manager's Ready
	nodes    func() []music.NodeStatus
	stopping bool
}

// set installs the checks once the parts they look at exist.
func (r *readiness) set(discord, lavalink func() bool, nodes func() []music.NodeStatus) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.discord, r.lavalink, r.nodes = discord, lavalink, nodes
}

// stop makes the bot unready for good, at the start of shutdown.
func (r *readiness) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopping = true
}

// check returns the report and whether every check passed.
func (r *readiness) check() (string, bool) {
	r.mu.Lock()
	discord, lavalink, nodes, stopping := r.discord, r.lavalink, r.nodes, r.stopping
	r.mu.Unlock()
	switch {
	case stopping:
		return "shutting down\n", false
	case discord == nil:
		return "starting\n", false
	}
	var b strings.Builder
	ok := true
	if discord() {
		b.WriteString("discord: connected\n")
	} else {
		b.WriteString("discord: not connected\n")
		ok = false
	}
	if lavalink() {
		b.WriteString("lavalink: connected\n")
	} else {
		b.WriteString("lavalink: no node connected\n")
		ok = false
	}
	for _, n := range nodes() {
		state := "disconnected"
		if n.Connected {
			state = "connected"
		}
		if n.Draining {
			state += ", draining"
		}
		fmt.Fprintf(&b, "lavalink node %s: %s, breaker %s, %d players\n", n.Name, state, n.Breaker, n.Players)
	}
	return b.String(), ok
}

func (r *readiness) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	body, ok := r.check()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_, _ = w.Write([]byte(body))
}

// opsServer is the HTTP server of /metrics, /healthz, /readyz and, with
// ADMIN_TOKEN, the admin routes.
type opsServer struct {
	srv    *http.Server
	addr   string
	admin  *admin        // nil without ADMIN_TOKEN
	failed chan error    // receives the error if serving stops on its own
	done   chan struct{} // closed when the serving goroutine returns
}

// serveOps listens on METRICS_ADDR (or the test's listener) and serves
// the operator routes in a goroutine until shutdown.
func serveOps(cfg config, reg *prometheus.Registry, ready *readiness, logger *slog.Logger) (*opsServer, error) {
	ln := cfg.hooks.listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", cfg.metricsAddr); err != nil {
			return nil, fmt.Errorf("metrics server: %w", err)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler(reg, metrics.WithRuntimeMetrics(), metrics.WithErrorLogger(logger)))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /readyz", ready)
	var adm *admin
	if !cfg.adminToken.IsZero() {
		adm = &admin{token: cfg.adminToken, logger: logger.With("component", "admin")}
		adm.register(mux)
	}
	s := &opsServer{
		admin: adm,
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 5 * time.Second,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		},
		addr:   ln.Addr().String(),
		failed: make(chan error, 1),
		done:   make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.failed <- fmt.Errorf("metrics server: %w", err)
		}
	}()
	return s, nil
}

// shutdown stops the server, letting requests in flight finish, and
// waits for its goroutine.
func (s *opsServer) shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	<-s.done
	return err
}

// processRegistry holds the process collector the alert engine reads for
// its memory rule. /metrics serves the same series from the metrics
// handler's own runtime collectors, so they are not on the main registry.
func processRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}
