package node

import (
	"errors"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/secureheaders"
)

func validConfig() Config {
	return Config{Name: "main", Address: "lavalink.local:2333", Password: secureheaders.NewSecret("pw"), UserID: testUser}
}

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		text string
	}{
		{"no name", func(c *Config) { c.Name = "" }, "name"},
		{"no address", func(c *Config) { c.Address = "" }, "host:port"},
		{"scheme", func(c *Config) { c.Address = "http://lavalink:2333" }, "host:port"},
		{"path", func(c *Config) { c.Address = "lavalink:2333/v4" }, "host:port"},
		{"no port", func(c *Config) { c.Address = "lavalink" }, "host:port"},
		{"bad port", func(c *Config) { c.Address = "lavalink:http" }, "port"},
		{"port 0", func(c *Config) { c.Address = "lavalink:0" }, "port"},
		{"no host", func(c *Config) { c.Address = ":2333" }, "host:port"},
		{"no password", func(c *Config) { c.Password = secureheaders.Secret{} }, "password"},
		{"password newline", func(c *Config) { c.Password = secureheaders.NewSecret("a\nb") }, "password"},
		{"no user", func(c *Config) { c.UserID = 0 }, "user id"},
		{"client name newline", func(c *Config) { c.ClientName = "bot\r\nX: y" }, "client name"},
		{"session id slash", func(c *Config) { c.SessionID = "a/b" }, "session id"},
		{"negative timeout", func(c *Config) { c.ResumeTimeout = -time.Second }, "resume timeout"},
		{"negative read timeout", func(c *Config) { c.ReadTimeout = -1 }, "read timeout"},
		{"backoff inverted", func(c *Config) { c.Backoff = Backoff{Initial: time.Minute, Max: time.Second} }, "backoff"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := validConfig()
			tc.edit(&cfg)
			n, err := New(cfg, nil)
			if n != nil || !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.text) {
				t.Errorf("New() = %v, %v; want ErrInvalidConfig about %q", n, err, tc.text)
			}
			if err != nil && strings.Contains(err.Error(), "a\nb") {
				t.Errorf("error %q holds the password", err)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	n, err := New(validConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := n.cfg
	if c.ResumeTimeout != DefaultResumeTimeout || c.HandshakeTimeout != DefaultHandshakeTimeout || c.ReadTimeout != DefaultReadTimeout ||
		c.Backoff != (Backoff{DefaultBackoffInitial, DefaultBackoffMax}) || c.Logger == nil || c.Now == nil || c.After == nil {
		t.Errorf("defaults = %+v", c)
	}
	if !strings.HasPrefix(c.ClientName, "tunekit/") {
		t.Errorf("ClientName = %q", c.ClientName)
	}
	if n.restURL != "http://lavalink.local:2333" || n.wsURL != "ws://lavalink.local:2333/v4/websocket" || !n.ownHTTP || n.client.Timeout != DefaultRequestTimeout {
		t.Errorf("urls %s %s own http %v", n.restURL, n.wsURL, n.ownHTTP)
	}
	if n.Name() != "main" {
		t.Errorf("Name() = %q", n.Name())
	}
	cfg := validConfig()
	cfg.Secure = true
	cfg.Address = "[::1]:443"
	cfg.Logger = &slog.Logger{} // a zero logger must not panic
	n, err = New(cfg, nil)
	if err != nil || n.restURL != "https://[::1]:443" || n.wsURL != "wss://[::1]:443/v4/websocket" {
		t.Errorf("secure urls %v, %v", n, err)
	}
}

func TestResumeSeconds(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want int
	}{{time.Minute, 60}, {1500 * time.Millisecond, 2}, {time.Millisecond, 1}, {10 * time.Minute, 600}} {
		if got := (Config{ResumeTimeout: tc.d}).resumeSeconds(); got != tc.want {
			t.Errorf("resumeSeconds(%v) = %d, want %d", tc.d, got, tc.want)
		}
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Initial: time.Second, Max: 30 * time.Second}
	none := func(int64) int64 { return 0 }
	most := func(k int64) int64 { return k - 1 }
	for _, tc := range []struct {
		attempt  int
		hi, lowN time.Duration
	}{
		{0, time.Second, 500 * time.Millisecond},
		{1, 2 * time.Second, time.Second},
		{2, 4 * time.Second, 2 * time.Second},
		{4, 16 * time.Second, 8 * time.Second},
		{5, 30 * time.Second, 15 * time.Second},
		{60, 30 * time.Second, 15 * time.Second},
		{1 << 30, 30 * time.Second, 15 * time.Second},
	} {
		if got := b.delay(tc.attempt, none); got != tc.hi {
			t.Errorf("delay(%d) without jitter = %v, want %v", tc.attempt, got, tc.hi)
		}
		if got := b.delay(tc.attempt, most); got != tc.lowN {
			t.Errorf("delay(%d) with most jitter = %v, want %v", tc.attempt, got, tc.lowN)
		}
		if got := b.delay(tc.attempt, jitter); got < tc.lowN || got > tc.hi {
			t.Errorf("delay(%d) = %v, want within [%v, %v]", tc.attempt, got, tc.lowN, tc.hi)
		}
	}
	huge := Backoff{Initial: 1 << 62, Max: math.MaxInt64}
	if got := huge.delay(5, none); got != math.MaxInt64 {
		t.Errorf("delay near the int64 limit = %v, want Max", got)
	}
	if got := (Backoff{Initial: 1, Max: 1}).delay(3, jitter); got != 1 {
		t.Errorf("1ns backoff = %v", got)
	}
}

func TestHandlerFuncsNil(t *testing.T) {
	var h HandlerFuncs // every call is ignored
	h.OnReady(nil, "", false)
	h.OnDisconnect(nil, nil)
	h.OnStats(nil, lavalink.Stats{})
	h.OnPlayerUpdate(nil, 1, lavalink.PlayerState{})
	h.OnEvent(nil, TrackEndEvent{})
	calls := 0
	h = HandlerFuncs{
		Ready:        func(*Node, string, bool) { calls++ },
		Disconnect:   func(*Node, error) { calls++ },
		Stats:        func(*Node, lavalink.Stats) { calls++ },
		PlayerUpdate: func(*Node, snowflake.ID, lavalink.PlayerState) { calls++ },
		Event:        func(*Node, lavalink.Event) { calls++ },
	}
	h.OnReady(nil, "", false)
	h.OnDisconnect(nil, nil)
	h.OnStats(nil, lavalink.Stats{})
	h.OnPlayerUpdate(nil, 1, lavalink.PlayerState{})
	h.OnEvent(nil, TrackEndEvent{})
	if calls != 5 {
		t.Errorf("HandlerFuncs made %d calls, want 5", calls)
	}
}
