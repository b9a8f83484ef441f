package metrics

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// HandlerOption configures [Handler].
type HandlerOption func(*handlerConfig)

type handlerConfig struct {
	runtime bool
	logger  *slog.Logger
}

// WithRuntimeMetrics adds the Go runtime (go_*) and process (process_*)
// collectors to what [Handler] serves. They live in a registry of the
// handler's own, so g is not modified; do not use this option when g
// already holds those collectors, or every scrape fails on the duplicates.
// Default: off.
func WithRuntimeMetrics() HandlerOption { return func(c *handlerConfig) { c.runtime = true } }

// WithErrorLogger logs errors met while gathering or writing metrics.
// Default: they are not logged (the scrape still fails with status 500).
func WithErrorLogger(l *slog.Logger) HandlerOption { return func(c *handlerConfig) { c.logger = l } }

// Handler serves the metrics of g for Prometheus. It negotiates the format
// with the scraper: the OpenMetrics text format when asked for (the only
// text format that carries exemplars, such as the trace IDs of
// command_duration_seconds), the Prometheus protobuf format (which carries
// native histograms), or the classic text format; responses are compressed
// when the scraper accepts it. A gathering error fails the scrape with
// status 500 rather than serving partial data. A nil g serves nothing but
// the runtime collectors, if enabled.
func Handler(g prometheus.Gatherer, opts ...HandlerOption) http.Handler {
	var c handlerConfig
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	var gs prometheus.Gatherers
	if g != nil {
		gs = append(gs, g)
	}
	if c.runtime {
		rt := prometheus.NewRegistry()
		rt.MustRegister(
			collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		)
		gs = append(gs, rt)
	}
	ho := promhttp.HandlerOpts{
		EnableOpenMetrics: true,
		ErrorHandling:     promhttp.HTTPErrorOnError,
	}
	if c.logger != nil {
		ho.ErrorLog = errorLog{c.logger}
	}
	return promhttp.HandlerFor(gs, ho)
}

// errorLog adapts a *slog.Logger to promhttp.Logger.
type errorLog struct{ l *slog.Logger }

func (e errorLog) Println(v ...any) {
	e.l.Error(strings.TrimSpace(fmt.Sprintln(v...)), "component", "metrics")
}
