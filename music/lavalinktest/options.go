package lavalinktest

import (
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Defaults of a [Node]; each has an option to change it.
const (
	// DefaultPassword is the password of a node without [WithPassword],
	// Lavalink's own default.
	DefaultPassword = "youshallnotpass"
	// DefaultVersion is the Lavalink version a node without [WithVersion]
	// speaks.
	DefaultVersion = "4.2.2"
	// DefaultPlayerUpdateInterval is Lavalink's default
	// lavalink.server.playerUpdateInterval.
	DefaultPlayerUpdateInterval = 5 * time.Second
	// DefaultStatsInterval is the period of Lavalink's stats task.
	DefaultStatsInterval = time.Minute
	// DefaultCleanupThreshold is lavaplayer's player cleanup threshold: a
	// track nothing pulls audio from for this long ends with "cleanup".
	DefaultCleanupThreshold = time.Minute
	// DefaultResumeTimeout is the resume timeout of a new session.
	DefaultResumeTimeout = time.Minute
)

// Option configures a [Node].
type Option func(*config)

type config struct {
	password         string
	version          version
	clock            *Clock
	speed            float64
	updateInterval   time.Duration
	statsInterval    time.Duration
	cleanupThreshold time.Duration
	disabledFilters  map[string]bool
	enabledFilters   map[string]bool // nil: every filter
	plugins          []pluginJSON
	lyrics           bool
	lavaSrc          bool
	logger           *slog.Logger
	err              error
}

func newConfig(opts []Option) (config, error) {
	c := config{
		password:         DefaultPassword,
		speed:            1,
		updateInterval:   DefaultPlayerUpdateInterval,
		statsInterval:    DefaultStatsInterval,
		cleanupThreshold: DefaultCleanupThreshold,
		disabledFilters:  map[string]bool{},
		logger:           slog.New(slog.DiscardHandler),
	}
	c.version, _ = parseVersion(DefaultVersion)
	for _, opt := range opts {
		opt(&c)
	}
	if c.err != nil {
		return c, c.err
	}
	if c.enabledFilters != nil {
		for _, f := range filterNames {
			if !c.enabledFilters[f] {
				c.disabledFilters[f] = true
			}
		}
	}
	switch {
	case c.speed <= 0:
		return c, fmt.Errorf("lavalinktest: playback speed %v is not positive", c.speed)
	case c.updateInterval <= 0:
		return c, fmt.Errorf("lavalinktest: player update interval %v is not positive", c.updateInterval)
	case c.statsInterval <= 0:
		return c, fmt.Errorf("lavalinktest: stats interval %v is not positive", c.statsInterval)
	case c.cleanupThreshold <= 0:
		return c, fmt.Errorf("lavalinktest: cleanup threshold %v is not positive", c.cleanupThreshold)
	}
	return c, nil
}

// WithPassword sets the password clients must send in the Authorization
// header. Default: [DefaultPassword].
func WithPassword(password string) Option {
	return func(c *config) { c.password = password }
}

// WithVersion sets the Lavalink version the node reports and follows.
// Versions from 4.2.0 on are strict: a voice update without channelId and
// a null in a field that is not nullable are answered with 400. Older 4.x
// versions accept both (the null is taken as an absent key) and leave out
// causeStackTrace before 4.1.0. Only major version 4 is accepted; NewNode
// fails on anything else. Default: [DefaultVersion].
func WithVersion(v string) Option {
	return func(c *config) {
		parsed, err := parseVersion(v)
		if err != nil {
			c.err = err
			return
		}
		c.version = parsed
	}
}

// WithClock runs the node on clock instead of real time. Default: a
// real-time clock of the node's own.
func WithClock(clock *Clock) Option {
	return func(c *config) { c.clock = clock }
}

// WithPlaybackSpeed makes tracks play speed times faster than the clock
// runs, so that with real time a three-minute track ends after three
// seconds at speed 60. Intervals, timeouts and reported timestamps keep
// the clock's pace. Default: 1.
func WithPlaybackSpeed(speed float64) Option {
	return func(c *config) { c.speed = speed }
}

// WithPlayerUpdateInterval sets how often a player with a track sends
// playerUpdate. Default: [DefaultPlayerUpdateInterval].
func WithPlayerUpdateInterval(d time.Duration) Option {
	return func(c *config) { c.updateInterval = d }
}

// WithStatsInterval sets how often each session receives stats after the
// one sent on connect. Default: [DefaultStatsInterval].
func WithStatsInterval(d time.Duration) Option {
	return func(c *config) { c.statsInterval = d }
}

// WithCleanupThreshold sets how long a track may go without a voice
// connection pulling its audio before it ends with reason "cleanup".
// Default: [DefaultCleanupThreshold].
func WithCleanupThreshold(d time.Duration) Option {
	return func(c *config) { c.cleanupThreshold = d }
}

// WithDisabledFilters disables filters by their JSON key (for example
// "karaoke"), as Lavalink's lavalink.server.filters does: /v4/info leaves
// them out and a player update using one is answered with 400.
func WithDisabledFilters(names ...string) Option {
	return func(c *config) {
		for _, name := range names {
			c.disabledFilters[name] = true
		}
	}
}

// WithFilters makes the node offer only the named filters (JSON keys such
// as "equalizer" or "timescale"), as a Lavalink whose
// lavalink.server.filters turns the others off: /v4/info lists only these
// and a player update using any other is answered with 400.
// [WithDisabledFilters] can still take filters out of the set. NewNode
// fails on a name Lavalink does not know. Default: every filter.
func WithFilters(names ...string) Option {
	return func(c *config) {
		if c.enabledFilters == nil {
			c.enabledFilters = map[string]bool{}
		}
		for _, name := range names {
			if !slices.Contains(filterNames, name) {
				c.err = fmt.Errorf("lavalinktest: unknown filter %q", name)
				return
			}
			c.enabledFilters[name] = true
		}
	}
}

// WithPlugin lists a plugin in /v4/info with the given name and version.
// It adds no behaviour: a node that should serve a plugin's routes needs
// that plugin's option ([WithLyricsPlugin], [WithLavaSrcPlugin]), whose
// reported version WithPlugin can then change. Plugins are listed in the
// order their options are given. NewNode fails on an empty name.
func WithPlugin(name, version string) Option {
	return func(c *config) {
		if name == "" {
			c.err = fmt.Errorf("lavalinktest: plugin without a name")
			return
		}
		c.addPlugin(name, version)
	}
}

// addPlugin lists a plugin, changing the version of one already listed.
func (c *config) addPlugin(name, version string) {
	if i := c.pluginIndex(name); i >= 0 {
		c.plugins[i].Version = version
		return
	}
	c.plugins = append(c.plugins, pluginJSON{Name: name, Version: version})
}

// ensurePlugin lists a plugin unless it is listed already.
func (c *config) ensurePlugin(name, version string) {
	if c.pluginIndex(name) < 0 {
		c.plugins = append(c.plugins, pluginJSON{Name: name, Version: version})
	}
}

func (c *config) pluginIndex(name string) int {
	return slices.IndexFunc(c.plugins, func(p pluginJSON) bool { return p.Name == name })
}

// WithLogger sets the logger for connection and request events. Default:
// a logger that discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// version is a parsed Lavalink version.
type version struct {
	semver              string
	major, minor, patch int
	preRelease, build   string
}

func (v version) atLeast(minor, patch int) bool {
	if v.minor != minor {
		return v.minor > minor
	}
	return v.patch >= patch
}

// strict reports whether the version follows Lavalink 4.2's rules.
func (v version) strict() bool { return v.atLeast(2, 0) }

func parseVersion(s string) (version, error) {
	v := version{semver: s}
	rest := s
	if i := strings.IndexByte(rest, '+'); i >= 0 {
		v.build, rest = rest[i+1:], rest[:i]
	}
	if i := strings.IndexByte(rest, '-'); i >= 0 {
		v.preRelease, rest = rest[i+1:], rest[:i]
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 3 {
		return v, fmt.Errorf("lavalinktest: version %q is not major.minor.patch", s)
	}
	nums := [3]*int{&v.major, &v.minor, &v.patch}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, fmt.Errorf("lavalinktest: version %q is not major.minor.patch", s)
		}
		*nums[i] = n
	}
	if v.major != 4 {
		return v, fmt.Errorf("lavalinktest: version %q: only Lavalink 4 is spoken", s)
	}
	return v, nil
}
