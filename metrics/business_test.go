package metrics_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/tunekit/tunekit/metrics"
)

func TestNewRejectsBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       []metrics.Option
		wantOption string
	}{
		{"namespace with dash", []metrics.Option{metrics.WithNamespace("tune-kit")}, "WithNamespace"},
		{"namespace starting with digit", []metrics.Option{metrics.WithNamespace("9bot")}, "WithNamespace"},
		{"namespace with colon", []metrics.Option{metrics.WithNamespace("a:b")}, "WithNamespace"},
		{"const label name with dash", []metrics.Option{metrics.WithConstLabels(prometheus.Labels{"shard-id": "1"})}, "WithConstLabels"},
		{"reserved const label name", []metrics.Option{metrics.WithConstLabels(prometheus.Labels{"__shard": "1"})}, "WithConstLabels"},
		{"empty const label value", []metrics.Option{metrics.WithConstLabels(prometheus.Labels{"shard": ""})}, "WithConstLabels"},
		{"invalid UTF-8 const label value", []metrics.Option{metrics.WithConstLabels(prometheus.Labels{"shard": "\xff"})}, "WithConstLabels"},
		{"too long const label value", []metrics.Option{metrics.WithConstLabels(prometheus.Labels{"pod": strings.Repeat("p", 257)})}, "WithConstLabels"},
		{"empty command", []metrics.Option{metrics.WithCommands([]string{"play", ""})}, "WithCommands"},
		{"slash-only command", []metrics.Option{metrics.WithCommands([]string{"/"})}, "WithCommands"},
		{"invalid UTF-8 command", []metrics.Option{metrics.WithCommands([]string{"pl\xffay"})}, "WithCommands"},
		{"control character in command", []metrics.Option{metrics.WithCommands([]string{"pl\nay"})}, "WithCommands"},
		{"command too long", []metrics.Option{metrics.WithCommands([]string{strings.Repeat("a", 65)})}, "WithCommands"},
		{"negative breaker bound", []metrics.Option{metrics.WithMaxBreakers(-1)}, "WithMaxBreakers"},
		{"negative node bound", []metrics.Option{metrics.WithMaxNodes(-1)}, "WithMaxNodes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			reg := prometheus.NewRegistry()
			b, err := metrics.New(reg, tt.opts...)
			if b != nil || !errors.Is(err, metrics.ErrInvalidOption) {
				t.Fatalf("New() = %v, %v; want nil, ErrInvalidOption", b, err)
			}
			var oe *metrics.OptionError
			if !errors.As(err, &oe) || oe.Option != tt.wantOption {
				t.Errorf("New() error = %v; want *OptionError for %s", err, tt.wantOption)
			}
			if n := len(seriesCount(t, reg)); n != 0 {
				t.Errorf("registry holds %d families after a failed New; want 0", n)
			}
		})
	}
}

func TestNewNilRegisterer(t *testing.T) {
	t.Parallel()
	b, err := metrics.New(nil)
	if b != nil || !errors.Is(err, metrics.ErrNilRegisterer) {
		t.Fatalf("New(nil) = %v, %v; want nil, ErrNilRegisterer", b, err)
	}
}

func TestNewRegistrationFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	t.Run("conflict with an existing collector", func(t *testing.T) {
		t.Parallel()
		reg := prometheus.NewRegistry()
		// A counter under the name of a gauge New registers half-way through.
		squatter := prometheus.NewCounter(prometheus.CounterOpts{Name: "tunekit_active_guilds", Help: "something else"})
		reg.MustRegister(squatter)
		if _, err := metrics.New(reg); err == nil {
			t.Fatal("New() = nil error; want a registration error")
		}
		got := seriesCount(t, reg)
		if len(got) != 1 || got["tunekit_active_guilds"] != 1 {
			t.Errorf("registry after failed New = %v; want only the squatter", got)
		}
	})
	t.Run("same namespace twice", func(t *testing.T) {
		t.Parallel()
		reg := prometheus.NewRegistry()
		if _, err := metrics.New(reg); err != nil {
			t.Fatalf("first New: %v", err)
		}
		before := seriesCount(t, reg)
		_, err := metrics.New(reg)
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			t.Fatalf("second New() error = %v; want AlreadyRegisteredError", err)
		}
		if after := seriesCount(t, reg); len(after) != len(before) {
			t.Errorf("families after failed New = %d; want %d", len(after), len(before))
		}
		if _, err := metrics.New(reg, metrics.WithNamespace("second")); err != nil {
			t.Errorf("New with another namespace on the same registry: %v", err)
		}
	})
	t.Run("const label reusing a series label", func(t *testing.T) {
		t.Parallel()
		reg := prometheus.NewRegistry()
		if _, err := metrics.New(reg, metrics.WithConstLabels(prometheus.Labels{"command": "x"})); err == nil {
			t.Fatal("New() = nil error; want a registration error")
		}
		if n := len(seriesCount(t, reg)); n != 0 {
			t.Errorf("registry holds %d families after a failed New; want 0", n)
		}
	})
}

func TestNamespaceAndConstLabels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ns       string
		wantName string
	}{
		{"bot", "bot_songs_played_total"},
		{"", "songs_played_total"},
	}
	for _, tt := range tests {
		t.Run(tt.wantName, func(t *testing.T) {
			t.Parallel()
			b, reg := newBusiness(t, metrics.WithNamespace(tt.ns), metrics.WithConstLabels(prometheus.Labels{"shard": "3"}))
			b.TrackSongPlayed(metrics.SourceDeezer)
			if got := value(t, reg, tt.wantName, map[string]string{"source": "deezer", "shard": "3"}); got != 1 {
				t.Errorf("%s{source=deezer,shard=3} = %v, want 1", tt.wantName, got)
			}
		})
	}
}

func TestRecording(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	ctx := context.Background()
	tests := []struct {
		name    string
		record  func(b *metrics.Business)
		series  string
		labels  map[string]string
		want    float64 // value, or sample count for histograms
		wantSum float64 // histogram sum; NaN skips the check
	}{
		{"song from a known source", func(b *metrics.Business) { b.TrackSongPlayed("youtube") }, "tunekit_songs_played_total", map[string]string{"source": "youtube"}, 1, nan},
		{"song source in upper case", func(b *metrics.Business) { b.TrackSongPlayed("SoundCloud") }, "tunekit_songs_played_total", map[string]string{"source": "soundcloud"}, 1, nan},
		{"song from a plugin source", func(b *metrics.Business) { b.TrackSongPlayed("nicovideo") }, "tunekit_songs_played_total", map[string]string{"source": "other"}, 1, nan},
		{"queue length", func(b *metrics.Business) { b.ObserveQueueLength(7); b.ObserveQueueLength(3) }, "tunekit_queue_length", nil, 2, 10},
		{"negative queue length", func(b *metrics.Business) { b.ObserveQueueLength(-4) }, "tunekit_queue_length", nil, 1, 0},
		{"voice session", func(b *metrics.Business) { b.ObserveVoiceSession(90 * time.Second) }, "tunekit_voice_session_duration_seconds", nil, 1, 90},
		{"autoplay completed", func(b *metrics.Business) { b.TrackAutoplay(metrics.OutcomeCompleted) }, "tunekit_autoplay_tracks_total", map[string]string{"outcome": "completed"}, 1, nan},
		{"autoplay skipped", func(b *metrics.Business) { b.TrackAutoplay(metrics.OutcomeSkipped) }, "tunekit_autoplay_tracks_total", map[string]string{"outcome": "skipped"}, 1, nan},
		{"autoplay unknown outcome", func(b *metrics.Business) { b.TrackAutoplay("liked") }, "tunekit_autoplay_tracks_total", map[string]string{"outcome": "other"}, 1, nan},
		{"command ok", func(b *metrics.Business) { b.ObserveCommand(ctx, "play", metrics.StatusOK, 250*time.Millisecond) }, "tunekit_command_duration_seconds", map[string]string{"command": "play", "status": "ok"}, 1, 0.25},
		{"command with slash and case", func(b *metrics.Business) { b.ObserveCommand(ctx, "/Skip", metrics.StatusDenied, time.Second) }, "tunekit_command_duration_seconds", map[string]string{"command": "skip", "status": "denied"}, 1, 1},
		{"command rate limited", func(b *metrics.Business) { b.ObserveCommand(ctx, "queue", metrics.StatusRateLimited, 0) }, "tunekit_command_duration_seconds", map[string]string{"command": "queue", "status": "rate_limited"}, 1, 0},
		{"unknown command", func(b *metrics.Business) { b.ObserveCommand(ctx, "guild-123456", metrics.StatusError, time.Second) }, "tunekit_command_duration_seconds", map[string]string{"command": "other", "status": "error"}, 1, 1},
		{"unknown status", func(b *metrics.Business) { b.ObserveCommand(ctx, "stop", "exploded", -time.Second) }, "tunekit_command_duration_seconds", map[string]string{"command": "stop", "status": "other"}, 1, 0},
		{"track start delay", func(b *metrics.Business) { b.ObserveTrackStartDelay(1500 * time.Millisecond) }, "tunekit_track_start_delay_seconds", nil, 1, 1.5},
		{"active guilds", func(b *metrics.Business) { b.SetActiveGuilds(40); b.SetActiveGuilds(12) }, "tunekit_active_guilds", nil, 12, nan},
		{"sessions", func(b *metrics.Business) { b.SetSessions(3) }, "tunekit_music_sessions", nil, 3, nan},
		{"rate limited", func(b *metrics.Business) { b.TrackRateLimited("play", metrics.BackendFallback) }, "tunekit_rate_limited_total", map[string]string{"command": "play", "backend": "fallback"}, 1, nan},
		{"rate limited unknown", func(b *metrics.Business) { b.TrackRateLimited("user-42", "etcd") }, "tunekit_rate_limited_total", map[string]string{"command": "other", "backend": "other"}, 1, nan},
		{"error", func(b *metrics.Business) {
			b.TrackError(metrics.ComponentRedis, metrics.KindTimeout, metrics.SeverityHigh)
		}, "tunekit_errors_total", map[string]string{"component": "redis", "kind": "timeout", "severity": "high"}, 1, nan},
		{"error unknown labels", func(b *metrics.Business) { b.TrackError("guild-1", "boom", "apocalyptic") }, "tunekit_errors_total", map[string]string{"component": "other", "kind": "other", "severity": "other"}, 1, nan},
		{"lavalink nodes connected", func(b *metrics.Business) { b.SetLavalinkNodes(2, 1) }, "tunekit_lavalink_nodes", map[string]string{"state": "connected"}, 2, nan},
		{"lavalink nodes disconnected", func(b *metrics.Business) { b.SetLavalinkNodes(2, 1) }, "tunekit_lavalink_nodes", map[string]string{"state": "disconnected"}, 1, nan},
		{"lavalink request", func(b *metrics.Business) {
			b.ObserveLavalinkRequest(metrics.OpLoadTracks, metrics.StatusOK, 20*time.Millisecond)
		}, "tunekit_lavalink_request_duration_seconds", map[string]string{"operation": "load_tracks", "status": "ok"}, 1, 0.02},
		{"lavalink request unknown", func(b *metrics.Business) {
			b.ObserveLavalinkRequest("/v4/sessions/abc", "418", time.Second)
		}, "tunekit_lavalink_request_duration_seconds", map[string]string{"operation": "other", "status": "other"}, 1, 1},
		{"redis failure", func(b *metrics.Business) { b.TrackRedisFailure("evalsha") }, "tunekit_redis_failures_total", map[string]string{"operation": "evalsha"}, 1, nan},
		{"redis failure upper case", func(b *metrics.Business) { b.TrackRedisFailure("GET") }, "tunekit_redis_failures_total", map[string]string{"operation": "get"}, 1, nan},
		{"redis failure unknown", func(b *metrics.Business) { b.TrackRedisFailure("flushall") }, "tunekit_redis_failures_total", map[string]string{"operation": "other"}, 1, nan},
		{"heal", func(b *metrics.Business) { b.TrackHeal(metrics.HealStepReplay, metrics.HealHealed) }, "tunekit_player_heals_total", map[string]string{"step": "replay", "outcome": "healed"}, 1, nan},
		{"heal upper case", func(b *metrics.Business) { b.TrackHeal("MOVE", "Error") }, "tunekit_player_heals_total", map[string]string{"step": "move", "outcome": "error"}, 1, nan},
		{"heal unknown labels", func(b *metrics.Business) { b.TrackHeal("reboot", "guild-1") }, "tunekit_player_heals_total", map[string]string{"step": "other", "outcome": "other"}, 1, nan},
		{"lavalink players", func(b *metrics.Business) { b.SetLavalinkPlayers("eu-1", 7); b.SetLavalinkPlayers("eu-1", 4) }, "tunekit_lavalink_players", map[string]string{"node": "eu-1"}, 4, nan},
		{"lavalink players negative", func(b *metrics.Business) { b.SetLavalinkPlayers("eu-1", -3) }, "tunekit_lavalink_players", map[string]string{"node": "eu-1"}, 0, nan},
		{"autoplay provider", func(b *metrics.Business) {
			b.TrackAutoplayProvider(metrics.ProviderLavaSrc, metrics.ProviderOK)
		}, "tunekit_autoplay_provider_requests_total", map[string]string{"provider": "lavasrc", "outcome": "ok"}, 1, nan},
		{"autoplay provider music name", func(b *metrics.Business) {
			b.TrackAutoplayProvider("youtube-music-search", "cooling")
		}, "tunekit_autoplay_provider_requests_total", map[string]string{"provider": "ytmusic", "outcome": "cooling"}, 1, nan},
		{"autoplay provider music names", func(b *metrics.Business) {
			for _, p := range []string{"youtube-mix", "lavasrc-mix", "artist-search", "YouTube_Mix"} {
				b.TrackAutoplayProvider(p, metrics.ProviderFailed)
			}
		}, "tunekit_autoplay_provider_requests_total", map[string]string{"provider": "youtube_mix", "outcome": "failed"}, 2, nan},
		{"autoplay provider of a bot", func(b *metrics.Business) {
			b.TrackAutoplayProvider("lastfm", "timeout")
		}, "tunekit_autoplay_provider_requests_total", map[string]string{"provider": "other", "outcome": "other"}, 1, nan},
		{"skip vote started", func(b *metrics.Business) { b.TrackSkipVote(metrics.VoteStarted) }, "tunekit_skip_votes_total", map[string]string{"outcome": "started"}, 1, nan},
		{"skip vote track changed", func(b *metrics.Business) {
			b.TrackSkipVote(metrics.VoteTrackChanged)
			b.TrackSkipVote("trackChanged")
		}, "tunekit_skip_votes_total", map[string]string{"outcome": "track_changed"}, 2, nan},
		{"skip vote unknown", func(b *metrics.Business) { b.TrackSkipVote("vetoed") }, "tunekit_skip_votes_total", map[string]string{"outcome": "other"}, 1, nan},
		{"tracks removed", func(b *metrics.Business) {
			b.TrackTracksRemoved(metrics.RemovedLeft, 4)
			b.TrackTracksRemoved(metrics.RemovedLeft, 3)
		}, "tunekit_queue_tracks_removed_total", map[string]string{"reason": "left"}, 7, nan},
		{"tracks removed none", func(b *metrics.Business) {
			b.TrackTracksRemoved(metrics.RemovedCommand, 0)
			b.TrackTracksRemoved(metrics.RemovedCommand, -5)
		}, "tunekit_queue_tracks_removed_total", map[string]string{"reason": "command"}, 0, nan},
		{"tracks removed unknown", func(b *metrics.Business) { b.TrackTracksRemoved("kicked", 2) }, "tunekit_queue_tracks_removed_total", map[string]string{"reason": "other"}, 2, nan},
		{"play rejected", func(b *metrics.Business) { b.TrackPlayRejected(metrics.RejectedOverShare) }, "tunekit_play_rejected_total", map[string]string{"reason": "over_share"}, 1, nan},
		{"play rejected upper case", func(b *metrics.Business) { b.TrackPlayRejected("TOO_LONG") }, "tunekit_play_rejected_total", map[string]string{"reason": "too_long"}, 1, nan},
		{"play rejected unknown", func(b *metrics.Business) { b.TrackPlayRejected("guild-1") }, "tunekit_play_rejected_total", map[string]string{"reason": "other"}, 1, nan},
		{"lavalink players bad name", func(b *metrics.Business) { b.SetLavalinkPlayers("eu\n1", 2) }, "tunekit_lavalink_players", map[string]string{"node": "other"}, 2, nan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, reg := newBusiness(t)
			tt.record(b)
			if got := value(t, reg, tt.series, tt.labels); got != tt.want {
				t.Errorf("%s%v = %v, want %v", tt.series, tt.labels, got, tt.want)
			}
			if !math.IsNaN(tt.wantSum) {
				if got := histogramSum(t, reg, tt.series, tt.labels); math.Abs(got-tt.wantSum) > 1e-9 {
					t.Errorf("sum of %s%v = %v, want %v", tt.series, tt.labels, got, tt.wantSum)
				}
			}
		})
	}
}

func TestSeriesExistBeforeFirstUse(t *testing.T) {
	t.Parallel()
	_, reg := newBusiness(t, metrics.WithCommands([]string{"play", "skip"}))
	got := seriesCount(t, reg)
	want := map[string]int{
		"tunekit_songs_played_total":       11,    // 10 sources + other
		"tunekit_autoplay_tracks_total":    3,     // 2 outcomes + other
		"tunekit_command_duration_seconds": 3 * 5, // (2 commands + other) x (4 statuses + other)
		"tunekit_lavalink_nodes":           2,
		"tunekit_redis_failures_total":     len(metrics.RedisOperations()) + 1,
		"tunekit_active_guilds":            1,
		"tunekit_music_sessions":           1,
		"tunekit_queue_length":             1,
		"tunekit_player_heals_total":       4 * 4, // (3 steps + other) x (3 outcomes + other)
		// (4 providers + other) x (4 outcomes + other)
		"tunekit_autoplay_provider_requests_total": 5 * 5,
		"tunekit_skip_votes_total":                 5, // 4 outcomes + other
		"tunekit_queue_tracks_removed_total":       3, // 2 reasons + other
		"tunekit_play_rejected_total":              3, // 2 reasons + other
	}
	for name, n := range want {
		if got[name] != n {
			t.Errorf("series of %s before any call = %d, want %d", name, got[name], n)
		}
	}
	for _, lazy := range []string{"tunekit_errors_total", "tunekit_rate_limited_total", "tunekit_breaker_state", "tunekit_lavalink_players"} {
		if got[lazy] != 0 {
			t.Errorf("series of %s before any call = %d, want 0", lazy, got[lazy])
		}
	}
}

func TestWithCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		commands []string
		in       string
		want     string
	}{
		{"normalized known command", []string{"/Dance", "sing"}, "dance", "dance"},
		{"known command", []string{"/Dance", "sing"}, "/sing", "sing"},
		{"default command now unknown", []string{"/Dance", "sing"}, "play", "other"},
		{"empty list", []string{}, "play", "other"},
		{"duplicates and other", []string{"play", "PLAY", "other"}, "play", "play"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, reg := newBusiness(t, metrics.WithCommands(tt.commands))
			b.ObserveCommand(context.Background(), tt.in, metrics.StatusOK, time.Millisecond)
			if got := value(t, reg, "tunekit_command_duration_seconds", map[string]string{"command": tt.want, "status": "ok"}); got != 1 {
				t.Errorf("ObserveCommand(%q) with commands %q: count{command=%q} = %v, want 1", tt.in, tt.commands, tt.want, got)
			}
		})
	}
}

func TestListsAreCopies(t *testing.T) {
	t.Parallel()
	d := metrics.DefaultCommands()
	d[0] = "changed"
	if got := metrics.DefaultCommands()[0]; got != "play" {
		t.Errorf("DefaultCommands()[0] after modifying a previous result = %q, want play", got)
	}
	r := metrics.RedisOperations()
	r[0] = "changed"
	if got := metrics.RedisOperations()[0]; got != "get" {
		t.Errorf("RedisOperations()[0] after modifying a previous result = %q, want get", got)
	}
}

// sampledContext returns a context holding a sampled remote span context.
func sampledContext(t testing.TB, sampled bool) (context.Context, trace.SpanContext) {
	t.Helper()
	cfg := trace.SpanContextConfig{
		TraceID: trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:  trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
	}
	if sampled {
		cfg.TraceFlags = trace.FlagsSampled
	}
	sc := trace.NewSpanContext(cfg)
	return trace.ContextWithSpanContext(context.Background(), sc), sc
}

func TestObserveCommandExemplar(t *testing.T) {
	t.Parallel()
	for _, native := range []bool{false, true} {
		t.Run(map[bool]string{false: "classic", true: "native"}[native], func(t *testing.T) {
			t.Parallel()
			b, reg := newBusiness(t, metrics.WithNativeHistograms(native))
			ctx, sc := sampledContext(t, true)
			b.ObserveCommand(ctx, "play", metrics.StatusOK, 300*time.Millisecond)
			h := find(t, reg, "tunekit_command_duration_seconds", map[string]string{"command": "play", "status": "ok"}).GetHistogram()
			var got map[string]string
			for _, bk := range h.GetBucket() {
				if ex := bk.GetExemplar(); ex != nil {
					got = map[string]string{}
					for _, l := range ex.GetLabel() {
						got[l.GetName()] = l.GetValue()
					}
					if ex.GetValue() != 0.3 {
						t.Errorf("exemplar value = %v, want 0.3", ex.GetValue())
					}
				}
			}
			if got["trace_id"] != sc.TraceID().String() || got["span_id"] != sc.SpanID().String() {
				t.Errorf("exemplar labels = %v, want trace_id=%s span_id=%s", got, sc.TraceID(), sc.SpanID())
			}
		})
	}
	t.Run("no exemplar without a sampled span", func(t *testing.T) {
		t.Parallel()
		b, reg := newBusiness(t)
		unsampled, _ := sampledContext(t, false)
		var nilCtx context.Context
		for _, ctx := range []context.Context{context.Background(), unsampled, nilCtx} {
			b.ObserveCommand(ctx, "play", metrics.StatusOK, 300*time.Millisecond)
		}
		h := find(t, reg, "tunekit_command_duration_seconds", map[string]string{"command": "play", "status": "ok"}).GetHistogram()
		if h.GetSampleCount() != 3 {
			t.Errorf("sample count = %d, want 3", h.GetSampleCount())
		}
		for _, bk := range h.GetBucket() {
			if bk.GetExemplar() != nil {
				t.Errorf("bucket le=%v has exemplar %v; want none", bk.GetUpperBound(), bk.GetExemplar())
			}
		}
	})
}

func TestNativeHistograms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		native     bool
		wantSparse bool
	}{{false, false}, {true, true}}
	for _, tt := range tests {
		t.Run(map[bool]string{false: "off", true: "on"}[tt.native], func(t *testing.T) {
			t.Parallel()
			b, reg := newBusiness(t, metrics.WithNativeHistograms(tt.native))
			b.ObserveTrackStartDelay(3 * time.Second)
			h := find(t, reg, "tunekit_track_start_delay_seconds", nil).GetHistogram()
			if got := len(h.GetBucket()); got != 11 {
				t.Errorf("classic buckets = %d, want 11 (they stay on)", got)
			}
			if got := len(h.GetPositiveSpan()) > 0; got != tt.wantSparse {
				t.Errorf("native buckets present = %v, want %v", got, tt.wantSparse)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	b, reg := newBusiness(t)
	observe := b.BreakerObserver()
	const workers, each = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				b.ObserveCommand(context.Background(), "play", metrics.StatusOK, time.Millisecond)
				b.TrackSongPlayed(metrics.SourceYouTube)
				b.TrackError(metrics.ComponentLavalink, metrics.KindUnavailable, metrics.SeverityCritical)
				b.TrackRateLimited("skip", metrics.BackendRedis)
				observe("lavalink-"+string(rune('a'+w)), metrics.BreakerClosed, metrics.BreakerOpen)
				b.SetSessions(i)
			}
		})
	}
	wg.Wait()
	total := float64(workers * each)
	checks := []struct {
		series string
		labels map[string]string
	}{
		{"tunekit_command_duration_seconds", map[string]string{"command": "play", "status": "ok"}},
		{"tunekit_songs_played_total", map[string]string{"source": "youtube"}},
		{"tunekit_errors_total", map[string]string{"component": "lavalink"}},
		{"tunekit_rate_limited_total", map[string]string{"command": "skip", "backend": "redis"}},
	}
	for _, c := range checks {
		if got := value(t, reg, c.series, c.labels); got != total {
			t.Errorf("%s%v = %v, want %v", c.series, c.labels, got, total)
		}
	}
	if got := len(labelValues(t, reg, "tunekit_breaker_state", "name")); got != workers {
		t.Errorf("breaker names = %d, want %d", got, workers)
	}
}

func TestNilBusinessRecordsNothing(t *testing.T) {
	t.Parallel()
	var b *metrics.Business
	ctx := context.Background()
	// None of these may panic.
	b.TrackSongPlayed(metrics.SourceYouTube)
	b.ObserveQueueLength(1)
	b.ObserveVoiceSession(time.Second)
	b.TrackAutoplay(metrics.OutcomeCompleted)
	b.ObserveCommand(ctx, "play", metrics.StatusOK, time.Second)
	b.ObserveTrackStartDelay(time.Second)
	b.SetActiveGuilds(1)
	b.SetSessions(1)
	b.TrackRateLimited("play", metrics.BackendRedis)
	b.TrackError(metrics.ComponentRedis, metrics.KindTimeout, metrics.SeverityLow)
	b.SetLavalinkNodes(1, 0)
	b.ObserveLavalinkRequest(metrics.OpInfo, metrics.StatusOK, time.Second)
	b.TrackRedisFailure("get")
	b.SetBreakerState("redis", metrics.BreakerOpen)
	b.TrackHeal(metrics.HealStepVoice, metrics.HealHealed)
	b.SetLavalinkPlayers("main", 3)
	b.TrackAutoplayProvider(metrics.ProviderArtist, metrics.ProviderOK)
	b.TrackSkipVote(metrics.VoteStarted)
	b.TrackTracksRemoved(metrics.RemovedLeft, 2)
	b.TrackPlayRejected(metrics.RejectedTooLong)
	observe := b.BreakerObserver()
	if observe == nil {
		t.Fatal("BreakerObserver() on a nil Business = nil, want a no-op function")
	}
	observe("redis", metrics.BreakerClosed, metrics.BreakerOpen)
}
