package music

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/ratelimit"
	"github.com/tunekit/tunekit/resilience"
	"github.com/tunekit/tunekit/secureheaders"
)

func TestNewManagerValidates(t *testing.T) {
	good := func() Config {
		return Config{
			Nodes:  []NodeConfig{{Name: "a", Address: "127.0.0.1:1", Password: secureheaders.NewSecret("pw")}},
			UserID: botID,
			Voice:  &fakeVoice{},
		}
	}
	tests := []struct {
		field string
		edit  func(*Config)
		opts  []Option
	}{
		{"Nodes", func(c *Config) { c.Nodes = nil }, nil},
		{"Nodes[0].Name", func(c *Config) { c.Nodes[0].Name = " " }, nil},
		{"Nodes[1].Name", func(c *Config) { c.Nodes = append(c.Nodes, c.Nodes[0]) }, nil},
		{"Nodes[0].Address", func(c *Config) { c.Nodes[0].Address = "" }, nil},
		{"Nodes[0].Password", func(c *Config) { c.Nodes[0].Password = secureheaders.Secret{} }, nil},
		{"UserID", func(c *Config) { c.UserID = 0 }, nil},
		{"Voice", func(c *Config) { c.Voice = nil }, nil},
		{"SearchPrefix", func(c *Config) { c.SearchPrefix = "file:" }, nil},
		{"AllowedHosts[0]", func(c *Config) { c.AllowedHosts = []string{"https://x.com/"} }, nil},
		{"Policy", func(c *Config) {
			c.Limiter = ratelimit.NewMemory()
			c.Policy = ratelimit.Policy{Default: ratelimit.Limit{Rate: -1, Period: time.Second}}
		}, nil},
		{"WithClock", nil, []Option{WithClock(nil)}},
		{"WithGracePeriod", nil, []Option{WithGracePeriod(-1)}},
		{"WithMigrationLimits", nil, []Option{WithMigrationLimits(0, 1)}},
		{"WithErrorLimit", nil, []Option{WithErrorLimit(0, time.Second)}},
		{"WithSaveInterval", nil, []Option{WithSaveInterval(-1)}},
		{"WithSaveRetry", nil, []Option{WithSaveRetry(2*time.Second, time.Second)}},
		{"WithVoiceTimeout", nil, []Option{WithVoiceTimeout(0)}},
		{"WithAutoplayCooldown", nil, []Option{WithAutoplayCooldown(-1)}},
		{"WithSettingsTTL", nil, []Option{WithSettingsTTL(0)}},
		{"WithResumeTimeout", nil, []Option{WithResumeTimeout(time.Millisecond)}},
		{"WithReconnectBackoff", nil, []Option{WithReconnectBackoff(0, time.Second)}},
	}
	for _, tt := range tests {
		cfg := good()
		if tt.edit != nil {
			tt.edit(&cfg)
		}
		_, err := NewManager(cfg, tt.opts...)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != tt.field || !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("NewManager with a bad %s = %v", tt.field, err)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("error %q shows the password", err)
		}
	}
	m, err := NewManager(good(), WithMigrationLimits(3, 1), WithSaveInterval(time.Second), WithSettingsTTL(time.Second),
		WithResumeTimeout(time.Minute), WithHTTPClient(&httpClientStub), WithAutoplayCooldown(0))
	if err != nil {
		t.Fatalf("NewManager with good options = %v", err)
	}
	if err := m.Close(context.Background()); err != nil {
		t.Errorf("Close of a manager never started = %v", err)
	}
}

func TestLifecycle(t *testing.T) {
	h := newHarness(t, harnessConfig{noStart: true})
	h.addTracks("one")
	ctx := h.ctx()
	if _, err := h.m.Play(ctx, guildID, listener, "one", PlaceEnd); !errors.Is(err, ErrNotStarted) {
		t.Errorf("Play before Start = %v, want ErrNotStarted", err)
	}
	if err := h.m.WaitReady(ctx); !errors.Is(err, ErrNotStarted) {
		t.Errorf("WaitReady before Start = %v", err)
	}
	h.start()
	if err := h.m.Start(ctx); err == nil {
		t.Error("second Start succeeded")
	}
	if err := h.m.WaitReady(ctx); err != nil {
		t.Errorf("WaitReady = %v", err)
	}
	if _, err := h.m.Play(ctx, 0, listener, "one", PlaceEnd); !errors.Is(err, ErrInvalidID) {
		t.Errorf("Play in guild 0 = %v, want ErrInvalidID", err)
	}
	if err := h.m.Leave(ctx, guildID, listener); !errors.Is(err, ErrNothingPlaying) {
		t.Errorf("Leave without a session = %v", err)
	}
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	if _, err := h.m.Previous(ctx, guildID, listener); !errors.Is(err, ErrHistoryEmpty) {
		t.Errorf("Previous with no history = %v", err)
	}
	if err := h.m.Close(ctx); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if err := h.m.Close(ctx); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := h.m.Start(ctx); !errors.Is(err, ErrManagerClosed) {
		t.Errorf("Start after Close = %v", err)
	}
	if _, err := h.m.NowPlaying(ctx, guildID, listener); !errors.Is(err, ErrManagerClosed) {
		t.Errorf("NowPlaying after Close = %v", err)
	}
	if err := h.m.WaitReady(ctx); !errors.Is(err, ErrManagerClosed) {
		t.Errorf("WaitReady after Close = %v", err)
	}
	// Close saved the session.
	if snap, err := h.store.Load(ctx, guildID); err != nil || snap.Current == nil {
		t.Errorf("stored after Close = %+v, %v", snap, err)
	}
}

func TestLeaveWithoutSession(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	h.m.OnVoiceStateUpdate(VoiceStateUpdate{GuildID: guildID, UserID: botID, ChannelID: voiceID, SessionID: "x", Bot: true})
	h.listen(guildID, userID, voiceID)
	if err := h.m.Leave(h.ctx(), guildID, listener); err != nil {
		t.Fatalf("Leave = %v", err)
	}
	if calls := h.voice.callsFor(guildID); len(calls) != 1 || calls[0].channel != 0 {
		t.Errorf("voice calls = %+v, want one leave", calls)
	}
}

func TestPlayStartFailureAbandonsSession(t *testing.T) {
	h := newHarness(t, harnessConfig{})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.voice.onJoin = func() { h.nodes[0].FailRequests(1, 500) } // the PATCH that starts the track fails
	_, err := h.m.Play(h.ctx(), guildID, listener, "one", PlaceEnd)
	if !errors.Is(err, ErrServiceUnavailable) {
		t.Fatalf("Play = %v, want ErrServiceUnavailable", err)
	}
	if p := h.m.players.get(guildID); p != nil {
		t.Error("a Play that could not start left a session")
	}
	calls := h.voice.callsFor(guildID)
	if last := calls[len(calls)-1]; last.channel != 0 {
		t.Errorf("voice calls = %+v, want a leave last", calls)
	}
}

func TestLimiterFailureDenies(t *testing.T) {
	h := newHarness(t, harnessConfig{cfg: func(c *Config) { c.Limiter = ratelimit.NewFailSafe(nil, nil) }})
	_, err := h.m.Queue(h.ctx(), guildID, listener, 1)
	var rl *RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Errorf("Queue with a failed limiter = %v, want a denial retrying after 1s", err)
	}
}

func TestVoiceSessionInvalidRejoins(t *testing.T) {
	voice := &fakeVoice{joined: make(chan snowflake.ID, 8)}
	h := newHarness(t, harnessConfig{voice: voice})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	<-voice.joined
	before, _ := h.nodePlayer(0, guildID)
	if err := h.nodes[0].CloseVoice(guildID, 4006, "Session is no longer valid", true); err != nil {
		t.Fatal(err)
	}
	select {
	case <-voice.joined:
	case <-time.After(patience):
		t.Fatal("no rejoin")
	}
	h.sync(guildID) // the rejoin's voice update has been sent
	after, _ := h.nodePlayer(0, guildID)
	if after.Voice.SessionID == before.Voice.SessionID || !after.Connected || after.Track == nil {
		t.Errorf("voice after rejoin = %+v (before %+v)", after.Voice, before.Voice)
	}
}

func TestBreakerOpenMovesPlayers(t *testing.T) {
	breaker := resilience.Lavalink()
	breaker.MinimumRequests = 1
	h := newHarness(t, harnessConfig{nodes: 2, cfg: func(c *Config) { c.Breaker = &breaker },
		opts: []Option{WithGracePeriod(time.Second)}})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	first := h.waitEvent(isStarted("one")).(TrackStarted)
	bad := 0
	if first.Node == "node-2" {
		bad = 1
	}
	h.nodes[bad].FailRequests(100, 503)
	ln := h.m.byName[first.Node]
	for i := 0; ln.breaker.State() != resilience.StateOpen; i++ {
		if err := h.m.Pause(h.ctx(), guildID, listener); !errors.Is(err, ErrServiceUnavailable) || i == 100 {
			t.Fatalf("Pause #%d on a failing node = %v", i+1, err)
		}
	}
	h.waitSup(func(m supMsg) bool { return m.kind == msgBreaker && m.state == resilience.StateOpen })
	h.clock.Advance(time.Second)
	moved := h.waitEvent(isType(TypePlayerMoved)).(PlayerMoved)
	if moved.From != first.Node || moved.To == first.Node {
		t.Errorf("PlayerMoved = %+v", moved)
	}
	if np, ok := h.nodePlayer(1-bad, guildID); !ok || np.Track == nil || np.Paused {
		t.Errorf("player on the new node = %+v", np)
	}
}

func TestStrayPlayerDestroyedAfterResume(t *testing.T) {
	h := newHarness(t, harnessConfig{nodes: 2, opts: []Option{WithGracePeriod(time.Second), WithReconnectBackoff(10*time.Second, 10*time.Second)}})
	h.addTracks("one")
	h.listen(guildID, userID, voiceID)
	h.play(guildID, listener, "one")
	first := h.waitEvent(isStarted("one")).(TrackStarted)
	from := 0
	if first.Node == "node-2" {
		from = 1
	}
	if err := h.nodes[from].Disconnect(0, ""); err != nil { // the session waits to be resumed
		t.Fatal(err)
	}
	h.waitSup(func(m supMsg) bool { return m.kind == msgDown })
	h.clock.Advance(time.Second)
	h.waitEvent(isType(TypePlayerMoved))
	if _, ok := h.nodePlayer(from, guildID); !ok {
		t.Fatal("the old node lost the player before resuming")
	}
	h.advanceUntilSup(10*time.Second, func(m supMsg) bool { return m.kind == msgReconciled })
	if _, ok := h.nodePlayer(from, guildID); ok {
		t.Error("the stray player on the old node survived")
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	const password = "fake-hunter2-password"
	var buf bytes.Buffer
	var mu sync.Mutex
	clock := newFakeClock()
	node := lavalinktest.NewNodeT(t, lavalinktest.WithClock(clock.ll), lavalinktest.WithPassword("another"))
	m, err := NewManager(Config{
		Nodes:  []NodeConfig{{Name: "n", Address: node.Addr(), Password: secureheaders.NewSecret(password)}},
		UserID: botID,
		Voice:  &fakeVoice{},
		Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	m.log.Info("echo", "password", password) // even a careless log line is masked
	for range 3 {
		clock.Advance(2 * time.Second)
		<-clock.added
	}
	if err := m.Close(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(buf.String(), password) {
		t.Errorf("the node password was logged:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), "echo") {
		t.Errorf("nothing was logged")
	}
}

type lockedWriter struct {
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

var httpClientStub = http.Client{}
