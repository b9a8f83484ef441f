package node

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/secureheaders"
)

// Defaults of a [Config]; a zero field takes its default.
const (
	// DefaultResumeTimeout is how long Lavalink keeps a session waiting
	// for its client (Lavalink's own default).
	DefaultResumeTimeout = 60 * time.Second
	// DefaultHandshakeTimeout bounds the websocket handshake and the wait
	// for the ready op.
	DefaultHandshakeTimeout = 10 * time.Second
	// DefaultReadTimeout is how long a connection may go without a frame.
	// Lavalink sends stats every minute, so two minutes of silence means
	// the connection is dead.
	DefaultReadTimeout = 2 * time.Minute
	// DefaultRequestTimeout is the timeout of the HTTP client a node makes
	// when [Config.HTTPClient] is nil.
	DefaultRequestTimeout = 10 * time.Second
	// DefaultBackoffInitial is the first reconnect delay.
	DefaultBackoffInitial = time.Second
	// DefaultBackoffMax caps the reconnect delay.
	DefaultBackoffMax = 30 * time.Second
)

// Config describes one Lavalink node and how to talk to it. Name, Address,
// Password and UserID are required; every other field has a default.
type Config struct {
	// Name identifies the node in logs and errors. Required.
	Name string
	// Address is the node's host:port, without scheme or path. Required.
	Address string
	// Password is sent as the Authorization header. It is revealed only
	// while a request or websocket handshake is being built. Required.
	Password secureheaders.Secret
	// Secure selects https and wss instead of http and ws.
	Secure bool
	// UserID is the bot's user ID, sent as User-Id. Required.
	UserID snowflake.ID
	// ClientName is sent as Client-Name, "NAME/VERSION". Default:
	// "tunekit/" and the module version.
	ClientName string
	// SessionID is a Lavalink session to resume on the first connect, for
	// example one saved before the bot restarted. Default: none, so the
	// first connect opens a new session.
	SessionID string
	// ResumeTimeout is how long the node keeps the session (its players
	// playing, its events queued) after the connection drops; it is sent
	// in whole seconds, rounded up. Default: [DefaultResumeTimeout].
	ResumeTimeout time.Duration
	// HTTPClient sends the REST requests; compose breaker and tracing
	// transports here. Default: a client of the node's own with
	// [DefaultRequestTimeout], whose idle connections Close closes.
	HTTPClient *http.Client
	// HandshakeTimeout bounds the websocket handshake and the wait for
	// the ready op. Default: [DefaultHandshakeTimeout].
	HandshakeTimeout time.Duration
	// ReadTimeout is how long a connection may stay silent before it is
	// taken for dead and replaced. Default: [DefaultReadTimeout].
	ReadTimeout time.Duration
	// Backoff spaces reconnect attempts.
	Backoff Backoff
	// Logger receives connection events and skipped frames. It is wrapped
	// so that the password is masked wherever it would appear. Default:
	// [slog.Default].
	Logger *slog.Logger
	// Now reads the time for [Status.Since]. Default: [time.Now].
	Now func() time.Time
	// After waits out a reconnect delay, as [time.After] does; tests pass
	// a fake to control reconnects. Default: [time.After].
	After func(d time.Duration) <-chan time.Time
}

// Backoff is a jittered exponential backoff: attempt n waits
// min(Max, Initial·2ⁿ), less a random part of up to half of it, so that
// clients of one node do not reconnect in step.
type Backoff struct {
	// Initial is the delay before the first reconnect attempt. Default:
	// [DefaultBackoffInitial].
	Initial time.Duration
	// Max caps the delay. Default: [DefaultBackoffMax].
	Max time.Duration
}

// delay returns the wait before attempt n (0 for the first retry). rnd
// returns a value in [0, k) for k > 0.
func (b Backoff) delay(n int, rnd func(k int64) int64) time.Duration {
	d := b.Initial
	for i := 0; i < n && d < b.Max; i++ {
		if d > b.Max/2 { // doubling would pass Max (or overflow)
			d = b.Max
			break
		}
		d *= 2
	}
	d = min(d, b.Max)
	half := int64(d / 2)
	if half <= 0 {
		return d
	}
	return d - time.Duration(rnd(half+1))
}

// withDefaults validates c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	if c.Name == "" {
		return bad("name is empty")
	}
	host, port, err := net.SplitHostPort(c.Address)
	if err != nil || host == "" || strings.ContainsAny(c.Address, "/?#@") {
		return bad("node %s: address %q is not host:port", c.Name, c.Address)
	}
	if p, err := strconv.ParseUint(port, 10, 16); err != nil || p == 0 {
		return bad("node %s: address %q has no valid port", c.Name, c.Address)
	}
	if c.Password.IsZero() {
		return bad("node %s: password is empty", c.Name)
	}
	if !validHeaderValue(c.Password.Reveal()) {
		return bad("node %s: password is not a valid header value", c.Name)
	}
	if c.UserID == 0 {
		return bad("node %s: user id is zero", c.Name)
	}
	if c.ClientName == "" {
		c.ClientName = defaultClientName
	}
	if !validHeaderValue(c.ClientName) {
		return bad("node %s: client name %q is not a valid header value", c.Name, c.ClientName)
	}
	if c.SessionID != "" && !validSessionID(c.SessionID) {
		return bad("node %s: session id %q is not a Lavalink session id", c.Name, c.SessionID)
	}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"resume timeout", &c.ResumeTimeout, DefaultResumeTimeout},
		{"handshake timeout", &c.HandshakeTimeout, DefaultHandshakeTimeout},
		{"read timeout", &c.ReadTimeout, DefaultReadTimeout},
		{"backoff initial", &c.Backoff.Initial, DefaultBackoffInitial},
		{"backoff max", &c.Backoff.Max, DefaultBackoffMax},
	} {
		if *d.v < 0 {
			return bad("node %s: %s %v is negative", c.Name, d.name, *d.v)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if c.Backoff.Initial > c.Backoff.Max {
		return bad("node %s: backoff initial %v exceeds max %v", c.Name, c.Backoff.Initial, c.Backoff.Max)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.After == nil {
		c.After = time.After
	}
	return c, nil
}

// resumeSeconds is ResumeTimeout in whole seconds, rounded up.
func (c Config) resumeSeconds() int {
	return int((c.ResumeTimeout + time.Second - 1) / time.Second)
}

// validSessionID accepts what Lavalink issues (16 characters from
// [a-z0-9]) and, to stay compatible with other servers, any short token
// of visible ASCII that is safe in a header and a URL path segment.
func validSessionID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '/' || c == '?' || c == '#' || c == '%' {
			return false
		}
	}
	return true
}

// validHeaderValue rejects control characters, which would let a value
// split a header.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// defaultClientName is "tunekit/VERSION", the version taken from the build
// information of the binary ("devel" when tunekit is the main module or
// the information is missing).
var defaultClientName = func() string {
	const path = "github.com/tunekit/tunekit"
	version := "devel"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == path && m.Version != "" {
				version = m.Version
			}
		}
	}
	return "tunekit/" + version
}()

// jitter is the random source of the backoff.
func jitter(k int64) int64 { return rand.Int64N(k) }
