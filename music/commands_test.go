package music

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/tunekit/tunekit/metrics"
	"github.com/tunekit/tunekit/ratelimit"
)

// metricValue sums the samples (counter values, histogram counts) of the
// series of family name whose labels include want.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, want map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if labels[k] != v {
					continue next
				}
			}
			sum += sampleValue(m)
		}
	}
	return sum
}

func sampleValue(m *dto.Metric) float64 {
	switch {
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return 0
}

func newMetrics(t *testing.T) (*metrics.Business, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	b, err := metrics.New(reg)
	if err != nil {
		t.Fatalf("metrics.New: %v", err)
	}
	return b, reg
}

func TestPermissionDenials(t *testing.T) {
	business, reg := newMetrics(t)
	dj := snowflake.ID(500000000000000001)
	h := newHarness(t, harnessConfig{cfg: func(c *Config) { c.Metrics = business }})
	h.addTracks("one", "two")
	h.listen(guildID, userID, voiceID)
	h.listen(guildID, otherID, voiceID)
	ctx := h.ctx()
	if _, err := h.m.UpdateSettings(ctx, guildID, listener, func(s Settings) (Settings, error) {
		return s.WithDJRoleID(dj), nil
	}); err != nil {
		t.Fatalf("UpdateSettings = %v", err)
	}
	h.play(guildID, listener, "one")
	other := Actor{UserID: otherID, VoiceChannelID: voiceID}
	outside := Actor{UserID: otherID, VoiceChannelID: voice2ID}
	djActor := Actor{UserID: otherID, VoiceChannelID: voiceID, RoleIDs: []snowflake.ID{dj}}

	tests := []struct {
		name string
		run  func() error
		want error
	}{
		{"pause without DJ", func() error { return h.m.Pause(ctx, guildID, other) }, ErrNoPermission},
		{"play from another channel", func() error {
			_, err := h.m.Play(ctx, guildID, outside, "two", PlaceEnd)
			return err
		}, ErrNotInVoice},
		{"play without voice", func() error {
			_, err := h.m.Play(ctx, guildID, Actor{UserID: otherID}, "two", PlaceEnd)
			return err
		}, ErrNotInVoice},
		{"skip someone else's track: a vote", func() error {
			res, err := h.m.Skip(ctx, guildID, other, 1)
			if err == nil && (res.Vote == nil || !res.Vote.Passed) {
				return errors.New("no passed vote in the result")
			}
			return err
		}, nil},
		{"settings without DJ", func() error {
			_, err := h.m.UpdateSettings(ctx, guildID, other, func(s Settings) (Settings, error) { return s, nil })
			return err
		}, ErrNoPermission},
		{"play as listener", func() error {
			_, err := h.m.Play(ctx, guildID, other, "two", PlaceEnd)
			return err
		}, nil},
		{"pause as DJ", func() error { return h.m.Pause(ctx, guildID, djActor) }, nil},
		{"resume by the requester", func() error { return h.m.Resume(ctx, guildID, listener) }, ErrNoPermission},
		{"skip by the requester", func() error {
			_, err := h.m.Skip(ctx, guildID, listener, 1)
			return err
		}, nil},
	}
	for _, tt := range tests {
		err := tt.run()
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
		if tt.want != nil && UserMessage(err) == UserMessage(errors.New("x")) {
			t.Errorf("%s: UserMessage is the generic one", tt.name)
		}
	}
	if got := metricValue(t, reg, "tunekit_command_duration_seconds", map[string]string{"command": "pause", "status": "denied"}); got != 1 {
		t.Errorf("pause denied observations = %v, want 1", got)
	}
	if got := metricValue(t, reg, "tunekit_command_duration_seconds", map[string]string{"command": "play", "status": "ok"}); got != 2 {
		t.Errorf("play ok observations = %v, want 2", got)
	}
}

func TestRateLimited(t *testing.T) {
	business, reg := newMetrics(t)
	clock := newFakeClock()
	h := newHarness(t, harnessConfig{clock: clock, cfg: func(c *Config) {
		c.Metrics = business
		c.Limiter = ratelimit.NewMemory(ratelimit.WithClock(clock.Now))
		c.Policy = ratelimit.Policy{Default: ratelimit.PerMinute(2)}
	}})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	ctx := h.ctx()
	for i := range 2 {
		if _, err := h.m.Queue(ctx, guildID, listener, 1); err != nil {
			t.Fatalf("Queue #%d = %v", i+1, err)
		}
	}
	h.clock.Advance(20 * time.Second)
	_, err := h.m.Queue(ctx, guildID, listener, 1)
	var rl *RateLimitedError
	if !errors.As(err, &rl) || rl.Command != "queue" || rl.RetryAfter != 40*time.Second {
		t.Fatalf("third Queue = %v, want *RateLimitedError retrying after 40s", err)
	}
	if msg := UserMessage(err); msg != "Slow down! Try again in 40 seconds." {
		t.Errorf("UserMessage = %q", msg)
	}
	// Other commands and users have their own limits.
	if _, err := h.m.Queue(ctx, guildID, Actor{UserID: otherID}, 1); err != nil {
		t.Errorf("Queue by another user = %v", err)
	}
	if got := metricValue(t, reg, "tunekit_rate_limited_total", map[string]string{"command": "queue", "backend": "memory"}); got != 1 {
		t.Errorf("rate_limited_total = %v, want 1", got)
	}
	if got := metricValue(t, reg, "tunekit_command_duration_seconds", map[string]string{"command": "queue", "status": "rate_limited"}); got != 1 {
		t.Errorf("rate-limited observations = %v, want 1", got)
	}
	h.clock.Advance(40 * time.Second)
	if _, err := h.m.Queue(ctx, guildID, listener, 1); err != nil {
		t.Errorf("Queue after the window = %v", err)
	}
}

func TestPlayErrors(t *testing.T) {
	h := newHarness(t, harnessConfig{cfg: func(c *Config) { c.AllowedHosts = []string{"youtube.com"} }})
	h.addTracks("one")
	h.nodes[0].FailLoad("ytsearch:broken", lavalink.Exception{Message: "Video unavailable", Severity: lavalink.SeverityCommon})
	h.listen(guildID, userID, voiceID)
	ctx := h.ctx()
	tests := []struct {
		query string
		want  error
	}{
		{"", ErrInvalidQuery},
		{"file:///etc/passwd", ErrInvalidQuery},
		{"https://evil.example.com/a.mp3", ErrInvalidQuery},
		{"nothing matches this", ErrTrackNotFound},
		{"broken", ErrTrackNotFound},
		{"spsearch:one", ErrUnsupported},
	}
	for _, tt := range tests {
		_, err := h.m.Play(ctx, guildID, listener, tt.query, PlaceEnd)
		if !errors.Is(err, tt.want) {
			t.Errorf("Play(%q) = %v, want %v", tt.query, err, tt.want)
		}
	}
	var le *LoadError
	if _, err := h.m.Play(ctx, guildID, listener, "broken", PlaceEnd); !errors.As(err, &le) || le.Message != "Video unavailable" {
		t.Errorf("Play(broken) = %v, want *LoadError", err)
	}
	if calls := h.voice.callsFor(guildID); len(calls) != 0 {
		t.Errorf("voice calls after failed plays = %+v, want none", calls)
	}
	if p := h.m.players.get(guildID); p != nil {
		t.Errorf("a failed Play left a player behind")
	}
}

func TestPlayPlaylistAndQueueFull(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	var infos []lavalink.TrackInfo
	for _, id := range []string{"p1", "p2", "p3", "p4", "p5"} {
		infos = append(infos, lavalink.TrackInfo{Identifier: id, Title: "Song " + id, Author: "Band", Length: 120 * lavalink.Second})
	}
	url := "https://www.youtube.com/playlist?list=PL1"
	if _, err := h.nodes[0].AddPlaylist(url, lavalink.PlaylistInfo{Name: "Mix", SelectedTrack: -1}, infos...); err != nil {
		t.Fatal(err)
	}
	h.listen(guildID, userID, voiceID)
	ctx := h.ctx()
	if _, err := h.m.UpdateSettings(ctx, guildID, listener, func(s Settings) (Settings, error) { return s.WithMaxQueueLength(3) }); err != nil {
		t.Fatal(err)
	}
	res := h.play(guildID, listener, url)
	// p1 plays; p2..p4 fill the queue of 3; p5 is dropped.
	if !res.Started || res.Added != 4 || res.Dropped != 1 || res.Playlist != "Mix" || res.Track.Info.Identifier != "p1" {
		t.Fatalf("Play(playlist) = %+v", res)
	}
	if _, err := h.m.Play(ctx, guildID, listener, url, PlaceEnd); !errors.Is(err, ErrQueueFull) {
		t.Errorf("Play into a full queue = %v, want ErrQueueFull", err)
	}
	if !strings.Contains(UserMessage(&QueueFullError{Max: 3, Dropped: 1}), "3") {
		t.Errorf("queue full message does not give the cap")
	}
	res, err := h.m.Play(ctx, guildID, Actor{UserID: userID, VoiceChannelID: voiceID}, "Song p5", PlaceNext)
	if !errors.Is(err, ErrQueueFull) {
		t.Errorf("Play next into a full queue = %+v, %v", res, err)
	}
}

func TestVoiceTimeout(t *testing.T) {
	h := newHarness(t, harnessConfig{voice: &fakeVoice{silent: true}, opts: []Option{WithVoiceTimeout(5 * time.Second)}})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	errc := make(chan error, 1)
	go func() {
		_, err := h.m.Play(h.ctx(), guildID, listener, "one", PlaceEnd)
		errc <- err
	}()
	// Advance until the join has registered its timeout, then past it.
	deadline := time.After(patience)
	for {
		h.clock.Advance(time.Second)
		select {
		case err := <-errc:
			if !errors.Is(err, ErrVoiceTimeout) {
				t.Fatalf("Play = %v, want ErrVoiceTimeout", err)
			}
			calls := h.voice.callsFor(guildID)
			if len(calls) != 2 || calls[1].channel != 0 {
				t.Errorf("voice calls = %+v, want a join and a leave", calls)
			}
			if p := h.m.players.get(guildID); p != nil {
				t.Errorf("a failed join left a player behind")
			}
			return
		case <-deadline:
			t.Fatal("Play never returned")
		default:
		}
	}
}
