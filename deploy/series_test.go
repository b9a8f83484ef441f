package deploy

import (
	"context"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tunekit/tunekit/alerting"
	"github.com/tunekit/tunekit/metrics"
)

// seriesKind says how a series may be read.
type seriesKind int

const (
	kindGauge   seriesKind = iota // read as is
	kindCounter                   // counters and histogram _bucket, _sum, _count: read through rate() or increase()
)

// series is one series name a bot exports, with the label values seen on
// it.
type series struct {
	name   string
	family string // the metric family: the histogram's name for its _bucket series
	kind   seriesKind
	labels map[string]map[string]bool
}

// targetLabels are the labels Prometheus adds to every scraped series.
var targetLabels = []string{"job", "instance"}

// businessCalls records something with every method of *metrics.Business,
// with values from the documented label sets, so every series exists.
var businessCalls = map[string]func(b *metrics.Business){
	"TrackSongPlayed":        func(b *metrics.Business) { b.TrackSongPlayed(metrics.SourceYouTube) },
	"ObserveQueueLength":     func(b *metrics.Business) { b.ObserveQueueLength(3) },
	"ObserveVoiceSession":    func(b *metrics.Business) { b.ObserveVoiceSession(20 * time.Minute) },
	"TrackAutoplay":          func(b *metrics.Business) { b.TrackAutoplay(metrics.OutcomeCompleted) },
	"ObserveTrackStartDelay": func(b *metrics.Business) { b.ObserveTrackStartDelay(800 * time.Millisecond) },
	"SetActiveGuilds":        func(b *metrics.Business) { b.SetActiveGuilds(2) },
	"SetSessions":            func(b *metrics.Business) { b.SetSessions(2) },
	"TrackRateLimited":       func(b *metrics.Business) { b.TrackRateLimited("play", metrics.BackendRedis) },
	"SetLavalinkNodes":       func(b *metrics.Business) { b.SetLavalinkNodes(1, 1) },
	"TrackRedisFailure":      func(b *metrics.Business) { b.TrackRedisFailure("evalsha") },
	"TrackHeal":              func(b *metrics.Business) { b.TrackHeal(metrics.HealStepReplay, metrics.HealHealed) },
	"SetLavalinkPlayers":     func(b *metrics.Business) { b.SetLavalinkPlayers("main", 3) },
	"TrackSkipVote":          func(b *metrics.Business) { b.TrackSkipVote(metrics.VotePassed) },
	"TrackTracksRemoved":     func(b *metrics.Business) { b.TrackTracksRemoved(metrics.RemovedLeft, 2) },
	"TrackPlayRejected":      func(b *metrics.Business) { b.TrackPlayRejected(metrics.RejectedTooLong) },
	"TrackAutoplayProvider": func(b *metrics.Business) {
		b.TrackAutoplayProvider(metrics.ProviderYouTubeMix, metrics.ProviderOK)
	},
	// InstrumentRedis hooks a client; the series it feeds are TrackRedisFailure's.
	"InstrumentRedis": func(b *metrics.Business) { b.InstrumentRedis(nil) },
	"SetBreakerState": func(b *metrics.Business) { b.SetBreakerState("redis", metrics.BreakerClosed) },
	"BreakerObserver": func(b *metrics.Business) {
		b.BreakerObserver()("lavalink", metrics.BreakerClosed, metrics.BreakerOpen)
	},
	"ObserveCommand": func(b *metrics.Business) {
		b.ObserveCommand(context.Background(), "play", metrics.StatusOK, 120*time.Millisecond)
	},
	"TrackError": func(b *metrics.Business) {
		b.TrackError(metrics.ComponentLavalink, metrics.KindTimeout, metrics.SeverityHigh)
	},
	"ObserveLavalinkRequest": func(b *metrics.Business) {
		b.ObserveLavalinkRequest(metrics.OpLoadTracks, metrics.StatusOK, 40*time.Millisecond)
	},
}

// exportedSeries returns every series a tunekit bot exports with the
// default namespace: the metrics package's with each method called once,
// the alerting engine's with an alert firing and notified, and the runtime
// collectors metrics.Handler adds, as one scrape of the handler returns
// them. It fails the test when *metrics.Business has a method
// businessCalls does not call.
func exportedSeries(t testing.TB) map[string]*series {
	t.Helper()
	for m := range reflect.TypeFor[*metrics.Business]().Methods() {
		if _, ok := businessCalls[m.Name]; !ok {
			t.Fatalf("(*metrics.Business).%s is not called by businessCalls: add it so its series are checked", m.Name)
		}
	}
	reg := prometheus.NewRegistry()
	b, err := metrics.New(reg)
	if err != nil {
		t.Fatalf("metrics.New: %v", err)
	}
	for _, call := range businessCalls {
		call(b)
	}

	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	engine := alerting.New(reg,
		alerting.WithRegisterer(reg),
		alerting.WithRules(alerting.Rule{
			Name:     "GuildsActive",
			Severity: alerting.Warning,
			Expr:     alerting.GaugeValue("tunekit_active_guilds").Above(0),
			Actions:  []string{"record"},
		}),
		alerting.WithNotifier("record", alerting.NotifierFunc(func(context.Context, alerting.Notification) error { return nil })),
		alerting.WithClock(func() time.Time { return now }),
		alerting.WithLogger(slog.New(slog.DiscardHandler)),
	)
	if err := engine.Evaluate(context.Background()); err != nil {
		t.Fatalf("alerting engine Evaluate: %v", err)
	}

	rec := httptest.NewRecorder()
	metrics.Handler(reg, metrics.WithRuntimeMetrics()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d:\n%s", rec.Code, rec.Body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(rec.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return seriesOf(families)
}

// seriesOf lists the series names of families, as PromQL sees them.
func seriesOf(families map[string]*dto.MetricFamily) map[string]*series {
	out := map[string]*series{}
	add := func(name, family string, kind seriesKind, m *dto.Metric, extra ...string) {
		s := out[name]
		if s == nil {
			s = &series{name: name, family: family, kind: kind, labels: map[string]map[string]bool{}}
			for _, l := range targetLabels {
				s.labels[l] = map[string]bool{}
			}
			out[name] = s
		}
		for _, lp := range m.GetLabel() {
			s.value(lp.GetName(), lp.GetValue())
		}
		for i := 0; i+1 < len(extra); i += 2 {
			s.value(extra[i], extra[i+1])
		}
	}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				add(name, name, kindCounter, m)
			case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
				for _, bk := range m.GetHistogram().GetBucket() {
					add(name+"_bucket", name, kindCounter, m, "le", strconv.FormatFloat(bk.GetUpperBound(), 'g', -1, 64))
				}
				add(name+"_bucket", name, kindCounter, m, "le", "+Inf")
				add(name+"_sum", name, kindCounter, m)
				add(name+"_count", name, kindCounter, m)
			case dto.MetricType_SUMMARY:
				for _, q := range m.GetSummary().GetQuantile() {
					add(name, name, kindGauge, m, "quantile", strconv.FormatFloat(q.GetQuantile(), 'g', -1, 64))
				}
				add(name+"_sum", name, kindCounter, m)
				add(name+"_count", name, kindCounter, m)
			default:
				add(name, name, kindGauge, m)
			}
		}
	}
	return out
}

// value records that label name was seen with value.
func (s *series) value(name, value string) {
	if s.labels[name] == nil {
		s.labels[name] = map[string]bool{}
	}
	s.labels[name][value] = true
}

// tunekitFamilies lists the metric families of the metrics and alerting
// packages: the ones the dashboard must show.
func tunekitFamilies(all map[string]*series) []string {
	var out []string
	for _, s := range all {
		if strings.HasPrefix(s.family, "tunekit_") && !slices.Contains(out, s.family) {
			out = append(out, s.family)
		}
	}
	slices.Sort(out)
	return out
}

func TestExportedSeries(t *testing.T) {
	all := exportedSeries(t)
	tests := []struct {
		name   string
		kind   seriesKind
		labels []string
	}{
		{"tunekit_command_duration_seconds_bucket", kindCounter, []string{"command", "status", "le", "job", "instance"}},
		{"tunekit_command_duration_seconds_count", kindCounter, []string{"command", "status"}},
		{"tunekit_active_guilds", kindGauge, nil},
		{"tunekit_lavalink_nodes", kindGauge, []string{"state"}},
		{"tunekit_breaker_state", kindGauge, []string{"name"}},
		{"tunekit_redis_failures_total", kindCounter, []string{"operation"}},
		{"tunekit_player_heals_total", kindCounter, []string{"step", "outcome"}},
		{"tunekit_lavalink_players", kindGauge, []string{"node"}},
		{"tunekit_autoplay_provider_requests_total", kindCounter, []string{"provider", "outcome"}},
		{"tunekit_skip_votes_total", kindCounter, []string{"outcome"}},
		{"tunekit_queue_tracks_removed_total", kindCounter, []string{"reason"}},
		{"tunekit_play_rejected_total", kindCounter, []string{"reason"}},
		{"tunekit_alerts", kindGauge, []string{"alertname", "severity", "state"}},
		{"tunekit_alert_notifications_total", kindCounter, []string{"action", "outcome"}},
		{"tunekit_alert_evaluation_failures_total", kindCounter, nil},
		{"process_resident_memory_bytes", kindGauge, nil},
	}
	for _, tt := range tests {
		s := all[tt.name]
		if s == nil {
			t.Errorf("exportedSeries has no %s", tt.name)
			continue
		}
		if s.kind != tt.kind {
			t.Errorf("%s kind = %d, want %d", tt.name, s.kind, tt.kind)
		}
		for _, l := range tt.labels {
			if s.labels[l] == nil {
				t.Errorf("%s has no label %s; it has %v", tt.name, l, s.labels)
			}
		}
	}
	if !all["tunekit_command_duration_seconds_count"].labels["status"][metrics.StatusError] {
		t.Errorf(`tunekit_command_duration_seconds_count has no status="error" series`)
	}
	if !all["tunekit_alerts"].labels["state"]["firing"] {
		t.Errorf(`tunekit_alerts has no state="firing" series`)
	}
	fams := tunekitFamilies(all)
	if len(fams) != 24 || !slices.Contains(fams, "tunekit_command_duration_seconds") || slices.Contains(fams, "process_resident_memory_bytes") {
		t.Errorf("tunekitFamilies = %v, want the 21 families of metrics and the 3 of alerting", fams)
	}
}

func TestSeriesOfSummary(t *testing.T) {
	name, help := "rpc_seconds", "h"
	typ := dto.MetricType_SUMMARY
	q, v := 0.5, 1.0
	fams := map[string]*dto.MetricFamily{name: {
		Name: &name, Help: &help, Type: &typ,
		Metric: []*dto.Metric{{Summary: &dto.Summary{Quantile: []*dto.Quantile{{Quantile: &q, Value: &v}}}}},
	}}
	got := seriesOf(fams)
	for _, want := range []string{"rpc_seconds", "rpc_seconds_sum", "rpc_seconds_count"} {
		if got[want] == nil {
			t.Errorf("seriesOf(summary) has no %s; got %v", want, slices.Sorted(maps.Keys(got)))
		}
	}
	if !got["rpc_seconds"].labels["quantile"]["0.5"] || got["rpc_seconds"].kind != kindGauge || got["rpc_seconds_count"].kind != kindCounter {
		t.Errorf("seriesOf(summary) = %+v", got["rpc_seconds"])
	}
}
