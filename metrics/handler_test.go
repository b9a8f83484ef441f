package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/tunekit/tunekit/metrics"
)

// scrape fetches h with the given Accept header and returns the content
// type and body.
func scrape(t *testing.T, h http.Handler, accept string) (int, string, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(body)
}

// populated returns a registry where every series of a Business exists.
func populated(t *testing.T, opts ...metrics.Option) *prometheus.Registry {
	t.Helper()
	b, reg := newBusiness(t, opts...)
	recordAllCombinations(b, []string{"redis", "lavalink:main"})
	b.ObserveQueueLength(12)
	b.ObserveVoiceSession(time.Hour)
	b.ObserveTrackStartDelay(time.Second)
	b.SetActiveGuilds(3)
	b.SetSessions(2)
	b.SetLavalinkNodes(1, 1)
	ctx, _ := sampledContext(t, true)
	b.ObserveCommand(ctx, "play", metrics.StatusOK, 120*time.Millisecond)
	return reg
}

func TestPromlintFindsNoProblems(t *testing.T) {
	t.Parallel()
	for _, native := range []bool{false, true} {
		reg := populated(t, metrics.WithNativeHistograms(native))
		problems, err := testutil.GatherAndLint(reg)
		if err != nil {
			t.Fatalf("GatherAndLint: %v", err)
		}
		for _, p := range problems {
			t.Errorf("promlint (native=%v): %s: %s", native, p.Metric, p.Text)
		}
	}
}

// promtool returns the path of promtool or skips the test, unless
// TUNEKIT_REQUIRE_PROMTOOL=1 makes a missing promtool a failure.
func promtool(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		msg := "promtool not found on PATH; install it (apt-get install -y prometheus) to check the exposition"
		if os.Getenv("TUNEKIT_REQUIRE_PROMTOOL") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

func TestHandlerPassesPromtool(t *testing.T) {
	t.Parallel()
	bin := promtool(t)
	tests := []struct {
		name string
		opts []metrics.HandlerOption
	}{
		{"business metrics", nil},
		{"with runtime metrics", []metrics.HandlerOption{metrics.WithRuntimeMetrics()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := populated(t, metrics.WithConstLabels(prometheus.Labels{"shard": "0"}))
			status, _, body := scrape(t, metrics.Handler(reg, tt.opts...), "")
			if status != http.StatusOK {
				t.Fatalf("status = %d, want 200; body:\n%s", status, body)
			}
			if !strings.Contains(body, "tunekit_command_duration_seconds_bucket{") {
				t.Fatalf("body lacks the command histogram:\n%s", body)
			}
			cmd := exec.CommandContext(t.Context(), bin, "check", "metrics")
			cmd.Stdin = strings.NewReader(body)
			out, err := cmd.CombinedOutput()
			if err != nil || len(bytes.TrimSpace(out)) != 0 {
				t.Errorf("promtool check metrics: %v\n%s", err, out)
			}
		})
	}
}

func TestHandlerFormats(t *testing.T) {
	t.Parallel()
	reg := populated(t)
	_, sc := sampledContext(t, true)
	tests := []struct {
		name         string
		accept       string
		wantType     string
		wantExemplar bool
	}{
		{"classic text", "", "text/plain", false},
		{"openmetrics", "application/openmetrics-text; version=1.0.0; charset=utf-8", "application/openmetrics-text", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, ctype, body := scrape(t, metrics.Handler(reg), tt.accept)
			if status != http.StatusOK || !strings.HasPrefix(ctype, tt.wantType) {
				t.Fatalf("status, content type = %d, %q; want 200, %s", status, ctype, tt.wantType)
			}
			exemplar := `trace_id="` + sc.TraceID().String() + `"`
			if got := strings.Contains(body, exemplar); got != tt.wantExemplar {
				t.Errorf("body contains exemplar %s = %v, want %v", exemplar, got, tt.wantExemplar)
			}
		})
	}
}

func TestHandlerRuntimeMetrics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []metrics.HandlerOption
		want bool
	}{
		{"off by default", nil, false},
		{"on", []metrics.HandlerOption{metrics.WithRuntimeMetrics()}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, reg := newBusiness(t)
			_, _, body := scrape(t, metrics.Handler(reg, tt.opts...), "")
			if got := strings.Contains(body, "\ngo_goroutines "); got != tt.want {
				t.Errorf("go_goroutines served = %v, want %v", got, tt.want)
			}
			if got := strings.Contains(body, "tunekit_active_guilds"); !got {
				t.Error("business metrics missing from the handler's output")
			}
			// The caller's registry is left alone.
			if n := seriesCount(t, reg)["go_goroutines"]; n != 0 {
				t.Errorf("go_goroutines registered on the caller's registry")
			}
		})
	}
	t.Run("nil gatherer", func(t *testing.T) {
		t.Parallel()
		status, _, body := scrape(t, metrics.Handler(nil, metrics.WithRuntimeMetrics()), "")
		if status != http.StatusOK || !strings.Contains(body, "go_goroutines") || strings.Contains(body, "tunekit_") {
			t.Errorf("Handler(nil) = %d with tunekit=%v go=%v; want 200 with only runtime metrics",
				status, strings.Contains(body, "tunekit_"), strings.Contains(body, "go_goroutines"))
		}
	})
}

func TestHandlerGatherError(t *testing.T) {
	t.Parallel()
	failing := prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		return nil, errors.New("collector exploded")
	})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	status, _, _ := scrape(t, metrics.Handler(failing, metrics.WithErrorLogger(logger)), "")
	if status != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", status)
	}
	if !strings.Contains(logs.String(), "collector exploded") || !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("log = %q; want an error record naming the failure", logs.String())
	}
}

func TestExemplarServedOnlyForSampledSpans(t *testing.T) {
	t.Parallel()
	b, reg := newBusiness(t)
	ctx, _ := sampledContext(t, false)
	b.ObserveCommand(ctx, "play", metrics.StatusOK, time.Second)
	b.ObserveCommand(context.Background(), "play", metrics.StatusOK, time.Second)
	_, _, body := scrape(t, metrics.Handler(reg), "application/openmetrics-text; version=1.0.0")
	if strings.Contains(body, "trace_id") {
		t.Errorf("OpenMetrics output carries an exemplar without a sampled span:\n%s", body)
	}
}
