package tracing

import (
	"net/http"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
)

// Transport wraps base (http.DefaultTransport when nil) so every request
// becomes a client span from the global tracer provider, a child of the
// span in the request's context, with the trace context propagated in the
// request headers. See [Tracer.Transport].
func Transport(base http.RoundTripper) http.RoundTripper {
	return transport(base, otel.GetTracerProvider())
}

// Transport wraps base (http.DefaultTransport when nil) with otelhttp so
// every request, such as a Lavalink REST call, becomes a client span from
// t's provider, a child of the span in the request's context. Spans are
// named after the Lavalink v4 route with IDs as placeholders
// ("PATCH /v4/sessions/{sessionId}/players/{guildId}"), or after the
// method alone for other URLs, so names stay few. Request headers (where
// the Lavalink password travels) are not recorded, and user info in URLs
// is removed by otelhttp.
func (t *Tracer) Transport(base http.RoundTripper) http.RoundTripper {
	if t == nil {
		return Transport(base)
	}
	return transport(base, t.tp)
}

func transport(base http.RoundTripper, tp trace.TracerProvider) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return otelhttp.NewTransport(base,
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			return SpanName(r.Method, r.URL.Path)
		}),
	)
}

// SpanName names the client span of a request: the method and the Lavalink
// v4 route template when path is one ("GET /v4/loadtracks",
// "DELETE /v4/sessions/{sessionId}/players/{guildId}"), otherwise the
// method alone, as the HTTP semantic conventions ask when no low-
// cardinality route is known. A method outside the standard ones is named
// HTTP.
func SpanName(method, path string) string {
	method = spanMethod(method)
	if route := lavalinkRoute(path); route != "" {
		return method + " " + route
	}
	return method
}

// spanMethod returns the standard method named by m (any case), GET for
// "" (as net/http does), or HTTP for anything else, so span names stay few.
func spanMethod(m string) string {
	switch m = strings.ToUpper(m); m {
	case "":
		return http.MethodGet
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete,
		http.MethodConnect, http.MethodOptions, http.MethodTrace, http.MethodPatch:
		return m
	}
	return "HTTP"
}

// lavalinkRoute returns the route template of a Lavalink REST path, or "".
func lavalinkRoute(path string) string {
	path = strings.TrimSuffix(path, "/")
	if path == "/version" {
		return "/version"
	}
	_, rest, ok := strings.Cut(path, "/v4/")
	if !ok {
		return ""
	}
	switch rest {
	case "loadtracks", "decodetrack", "decodetracks", "info", "stats",
		"routeplanner/status", "routeplanner/free/address", "routeplanner/free/all":
		return "/v4/" + rest
	}
	parts := strings.Split(rest, "/")
	if parts[0] != "sessions" || len(parts) < 2 || parts[1] == "" {
		return ""
	}
	switch {
	case len(parts) == 2:
		return "/v4/sessions/{sessionId}"
	case len(parts) == 3 && parts[2] == "players":
		return "/v4/sessions/{sessionId}/players"
	case len(parts) == 4 && parts[2] == "players" && parts[3] != "":
		return "/v4/sessions/{sessionId}/players/{guildId}"
	}
	return ""
}
