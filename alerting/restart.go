package alerting

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Defaults of [Restarter].
const (
	DefaultRestartMinInterval = 10 * time.Minute
	DefaultMaxRestarts        = 3
)

// RestartExhaustedRule is the rule name of the critical notice a
// [Restarter] sends when it gives up on a service.
const RestartExhaustedRule = "AutoRestartExhausted"

// Restarter is a [Notifier] that restarts a service when an alert fires, by
// calling a function the host provides. The service is the alert's
// "service" label (the default Lavalink rule sets service="lavalink");
// alerts without one are refused as [Permanent] errors.
//
// Restarts are rate-limited per service so a flapping alert cannot cause a
// restart storm: at most one per MinInterval, and at most MaxRestarts in
// any hour. When the hourly budget is spent it gives up: it logs an error
// and sends one critical [RestartExhaustedRule] notification to Escalate
// (if set), then does nothing for that service until the hour has rolled
// on. Resolved notifications are ignored. While an alert keeps firing the
// engine asks again every MinInterval (Restarter is a [Repeater]).
//
// The restart function is where a deployment's own mechanism goes, for
// example:
//
//	// docker compose
//	func(ctx context.Context, service string) error {
//		return exec.CommandContext(ctx, "docker", "compose", "restart", service).Run()
//	}
//	// Kubernetes
//	func(ctx context.Context, service string) error {
//		return exec.CommandContext(ctx, "kubectl", "rollout", "restart", "deployment/"+service).Run()
//	}
//
// A failed restart still counts against the limits and is not retried
// within MinInterval. Set the fields before first use; a Restarter is safe
// for concurrent use and must not be copied after first use.
type Restarter struct {
	// Restart restarts the named service. Required.
	Restart func(ctx context.Context, service string) error
	// MinInterval is the least time between two restarts of one service.
	// Default: [DefaultRestartMinInterval].
	MinInterval time.Duration
	// MaxRestarts is the most restarts of one service in any hour.
	// Default: [DefaultMaxRestarts].
	MaxRestarts int
	// Escalate receives the critical notice when the Restarter gives up.
	// Optional.
	Escalate Notifier
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// Logger records restarts and give-ups. Default: slog.Default().
	Logger *slog.Logger

	mu      sync.Mutex
	history map[string][]time.Time // restarts in the last hour, per service
	gaveUp  map[string]bool        // escalated since the last restart
}

// RepeatInterval makes the engine ask again every MinInterval while an
// alert fires, so a restart that did not help is tried again.
func (r *Restarter) RepeatInterval() time.Duration { return r.minInterval() }

func (r *Restarter) minInterval() time.Duration {
	if r.MinInterval > 0 {
		return r.MinInterval
	}
	return DefaultRestartMinInterval
}

func (r *Restarter) maxRestarts() int {
	if r.MaxRestarts > 0 {
		return r.MaxRestarts
	}
	return DefaultMaxRestarts
}

func (r *Restarter) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Restarter) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

// Notify restarts the service of each firing alert in n, within the limits.
func (r *Restarter) Notify(ctx context.Context, n Notification) error {
	if n.Status != StateFiring {
		return nil
	}
	if r.Restart == nil {
		return Permanent(errors.New("alerting: Restarter has no Restart function"))
	}
	var services []string
	for _, a := range n.Alerts {
		s := a.Labels["service"]
		if s == "" {
			return Permanent(fmt.Errorf("alerting: restart: alert %q has no service label", a.Rule))
		}
		if !slices.Contains(services, s) {
			services = append(services, s)
		}
	}
	var errs []error
	for _, s := range services {
		errs = append(errs, r.restart(ctx, s, n))
	}
	return errors.Join(errs...)
}

// Restarts returns how many restarts of service were made in the last hour.
func (r *Restarter) Restarts(service string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.prune(service, r.now()))
}

// prune drops restarts older than an hour. r.mu is held.
func (r *Restarter) prune(service string, now time.Time) []time.Time {
	h := r.history[service]
	i := 0
	for i < len(h) && now.Sub(h[i]) >= time.Hour {
		i++
	}
	h = h[i:]
	if r.history != nil {
		r.history[service] = h
	}
	return h
}

func (r *Restarter) restart(ctx context.Context, service string, n Notification) error {
	r.mu.Lock()
	if r.history == nil {
		r.history, r.gaveUp = map[string][]time.Time{}, map[string]bool{}
	}
	now := r.now()
	h := r.prune(service, now)
	if len(h) > 0 && now.Sub(h[len(h)-1]) < r.minInterval() {
		r.mu.Unlock()
		return nil // restarted recently; give it time
	}
	if len(h) >= r.maxRestarts() {
		if r.gaveUp[service] {
			r.mu.Unlock()
			return nil
		}
		r.gaveUp[service] = true
		r.mu.Unlock()
		if err := r.escalate(ctx, service, n, now, len(h)); err != nil {
			r.mu.Lock()
			r.gaveUp[service] = false // let a retry escalate again
			r.mu.Unlock()
			return err
		}
		return nil
	}
	r.gaveUp[service] = false
	r.history[service] = append(h, now)
	r.mu.Unlock()

	r.logger().WarnContext(ctx, "restarting service for alert", "service", service, "rule", n.Rule)
	if err := r.Restart(ctx, service); err != nil {
		// Not retried: the next attempt waits for MinInterval.
		return Permanent(fmt.Errorf("alerting: restart %q: %w", service, err))
	}
	return nil
}

func (r *Restarter) escalate(ctx context.Context, service string, n Notification, now time.Time, restarts int) error {
	r.logger().ErrorContext(ctx, "auto-restart gave up", "service", service, "rule", n.Rule, "restarts_last_hour", restarts)
	if r.Escalate == nil {
		return nil
	}
	labels := map[string]string{"alertname": RestartExhaustedRule, "severity": Critical.String(), "service": service, "trigger": n.Rule}
	a := Alert{
		Rule: RestartExhaustedRule, Severity: Critical, State: StateFiring, Labels: labels,
		Annotations: map[string]string{
			"summary": fmt.Sprintf("Auto-restart of %s gave up", service),
			"description": fmt.Sprintf("%d restarts of %s in the last hour did not clear %s; restarts stop until the hour rolls on. Investigate by hand.",
				restarts, service, n.Rule),
		},
		Value: float64(restarts), Threshold: float64(r.maxRestarts()), Comparison: ">=",
		ActiveAt: now, FiredAt: now, Fingerprint: fingerprint(labels),
	}
	return r.Escalate.Notify(ctx, Notification{
		Receiver: n.Receiver, Status: StateFiring, Rule: RestartExhaustedRule,
		Alerts: []Alert{a}, ExternalURL: n.ExternalURL, Time: now,
	})
}
