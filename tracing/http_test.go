package tracing_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/tunekit/tunekit/tracing"
)

const lavalinkPassword = "youshallnotpass-Kk31"

// fakeLavalink answers every request with status and records the
// Authorization header it saw.
func fakeLavalink(t *testing.T, status int) (*httptest.Server, chan string) {
	t.Helper()
	auth := make(chan string, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth <- r.Header.Get("Authorization")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	return srv, auth
}

func TestTransportMakesChildSpans(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		path       string
		status     int
		wantName   string
		wantStatus codes.Code
	}{
		{"update player", http.MethodPatch, "/v4/sessions/s3ss10n/players/817327181659111454?noReplace=false", 200, "PATCH /v4/sessions/{sessionId}/players/{guildId}", codes.Unset},
		{"load tracks", http.MethodGet, "/v4/loadtracks?identifier=ytsearch%3Alofi", 200, "GET /v4/loadtracks", codes.Unset},
		{"server error", http.MethodDelete, "/v4/sessions/s/players/1", 500, "DELETE /v4/sessions/{sessionId}/players/{guildId}", codes.Error},
		{"not found", http.MethodGet, "/v4/sessions/s/players/1", 404, "GET /v4/sessions/{sessionId}/players/{guildId}", codes.Error},
		{"other url", http.MethodGet, "/lyrics/42", 200, "GET", codes.Unset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, auth := fakeLavalink(t, tt.status)
			tr, rec := recorded(t)
			client := &http.Client{Transport: tr.Transport(nil)}
			u, _ := url.Parse(srv.URL + tt.path)
			u.User = url.UserPassword("node", lavalinkPassword)

			var parent trace.SpanContext
			err := tr.Trace(t.Context(), "player.update", func(ctx context.Context) error {
				parent = trace.SpanContextFromContext(ctx)
				req, err := http.NewRequestWithContext(ctx, tt.method, u.String(), nil)
				if err != nil {
					return err
				}
				req.Header.Set("Authorization", lavalinkPassword)
				resp, err := client.Do(req)
				if err != nil {
					return err
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				return resp.Body.Close()
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := <-auth; got != lavalinkPassword {
				t.Errorf("server saw Authorization %q; the transport must pass it on", got)
			}
			var span sdktrace.ReadOnlySpan
			for _, s := range rec.Ended() {
				if s.SpanKind() == trace.SpanKindClient {
					span = s
				}
			}
			if span == nil {
				t.Fatal("no client span")
			}
			if span.Name() != tt.wantName {
				t.Errorf("span name = %q, want %q", span.Name(), tt.wantName)
			}
			if span.Parent().SpanID() != parent.SpanID() || span.SpanContext().TraceID() != parent.TraceID() {
				t.Errorf("client span parent = %v, want %v", span.Parent().SpanID(), parent.SpanID())
			}
			if span.Status().Code != tt.wantStatus {
				t.Errorf("status = %v, want %v", span.Status().Code, tt.wantStatus)
			}
			if a := attrs(span); a["http.response.status_code"] == "" {
				t.Errorf("attributes lack the status code: %v", a)
			}
			if found := leaks(rec.Ended(), lavalinkPassword); len(found) > 0 {
				t.Errorf("password reached spans:\n%s", strings.Join(found, "\n"))
			}
		})
	}
}

func TestSpanName(t *testing.T) {
	t.Parallel()
	tests := []struct{ method, path, want string }{
		{"GET", "/v4/loadtracks", "GET /v4/loadtracks"},
		{"GET", "/v4/decodetrack", "GET /v4/decodetrack"},
		{"POST", "/v4/decodetracks", "POST /v4/decodetracks"},
		{"GET", "/v4/info/", "GET /v4/info"},
		{"GET", "/v4/stats", "GET /v4/stats"},
		{"GET", "/version", "GET /version"},
		{"GET", "/v4/routeplanner/status", "GET /v4/routeplanner/status"},
		{"POST", "/v4/routeplanner/free/all", "POST /v4/routeplanner/free/all"},
		{"PATCH", "/v4/sessions/abc", "PATCH /v4/sessions/{sessionId}"},
		{"GET", "/v4/sessions/abc/players", "GET /v4/sessions/{sessionId}/players"},
		{"GET", "/proxy/v4/sessions/abc/players/1", "GET /v4/sessions/{sessionId}/players/{guildId}"},
		{"", "/v4/info", "GET /v4/info"},
		{"GET", "/v4/sessions//players", "GET"},
		{"GET", "/v4/sessions/abc/queue", "GET"},
		{"GET", "/v4/sessions/abc/players/1/x", "GET"},
		{"GET", "/v4/unknown", "GET"},
		{"POST", "/api/webhook", "POST"},
		{"get", "/v4/info", "GET /v4/info"},
		{"head", "/version", "HEAD /version"},
		{"Put", "/x", "PUT"},
		{"CONNECT", "/x", "CONNECT"},
		{"options", "/x", "OPTIONS"},
		{"trace", "/x", "TRACE"},
		{"BREW", "/v4/info", "HTTP /v4/info"},
		{"G T", "/x", "HTTP"},
	}
	for _, tt := range tests {
		if got := tracing.SpanName(tt.method, tt.path); got != tt.want {
			t.Errorf("SpanName(%q, %q) = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}

func FuzzSpanName(f *testing.F) {
	f.Add("GET", "/v4/sessions/abc/players/1")
	f.Add("PATCH", "/v4/sessions/817327181659111454")
	f.Add("GET", "/v4/v4/sessions/x/players/y")
	f.Fuzz(func(t *testing.T, method, path string) {
		got := tracing.SpanName(method, path)
		// IDs never reach span names: anything after the method is a route
		// template made of fixed words.
		m, route, ok := strings.Cut(got, " ")
		switch m {
		case "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "HTTP":
		default:
			t.Fatalf("SpanName(%q, %q) = %q: method part %q", method, path, got, m)
		}
		if !ok {
			return
		}
		for _, seg := range strings.Split(strings.TrimPrefix(route, "/"), "/") {
			switch seg {
			case "v4", "loadtracks", "decodetrack", "decodetracks", "info", "stats", "version",
				"routeplanner", "status", "free", "address", "all", "sessions", "{sessionId}",
				"players", "{guildId}":
			default:
				t.Fatalf("SpanName(%q, %q) = %q holds segment %q", method, path, got, seg)
			}
		}
	})
}

// TestTransportGlobal uses the global provider and propagator, so it is not
// parallel.
func TestTransportGlobal(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() {
		otel.SetTracerProvider(noop.NewTracerProvider())
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator())
	})
	traceparent := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		traceparent <- r.Header.Get("Traceparent")
	}))
	defer srv.Close()

	client := &http.Client{Transport: tracing.Transport(nil)}
	resp, err := client.Get(srv.URL + "/v4/info")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	ended := rec.Ended()
	if len(ended) != 1 || ended[0].Name() != "GET /v4/info" {
		t.Fatalf("spans = %v, want one GET /v4/info", ended)
	}
	want := "00-" + ended[0].SpanContext().TraceID().String() + "-" + ended[0].SpanContext().SpanID().String() + "-01"
	if got := <-traceparent; got != want {
		t.Errorf("traceparent = %q, want %q", got, want)
	}
}
