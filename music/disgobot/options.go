package disgobot

import (
	"context"
	"log/slog"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/ratelimit"
)

// Defaults of a Bot.
const (
	// DefaultProgressInterval is how often the progress bar of a
	// now-playing message moves.
	DefaultProgressInterval = 10 * time.Second
	// MinProgressInterval is the shortest interval [WithProgressInterval]
	// accepts: Discord allows five message edits per five seconds in a
	// channel, and the commands need some of them.
	MinProgressInterval = 5 * time.Second
	// DefaultLiveMessages and DefaultLiveTTL bound the set of live
	// now-playing messages: a message past either bound (the time to
	// live counts from its last progress update) stops being updated and
	// its buttons answer that it is out of date.
	DefaultLiveMessages = 10_000
	DefaultLiveTTL      = 12 * time.Hour
	// DefaultSuggestions and DefaultSuggestionTTL bound the cache of
	// autocomplete suggestions.
	DefaultSuggestions   = 1024
	DefaultSuggestionTTL = 10 * time.Minute
	// DefaultCommandTimeout bounds the work of one command; /play needs
	// the longest (loading tracks, joining voice).
	DefaultCommandTimeout = 30 * time.Second
	// DefaultDeferAfter is how long a command other than /play may take
	// before the Bot defers its answer, so Discord's three-second window
	// is always met.
	DefaultDeferAfter = 2 * time.Second
	// SearchTimeout bounds the search behind an autocomplete answer,
	// which Discord also wants within three seconds.
	SearchTimeout = 2 * time.Second
	// DefaultEditBurst and DefaultEditInterval are the edit budget of a
	// channel ([WithEditBudget]): two edits at once, then one every 2.5
	// seconds, so no five seconds see more than four edits of the Bot's
	// messages in one channel; Discord allows five.
	DefaultEditBurst    = 2
	DefaultEditInterval = 2500 * time.Millisecond
	// DefaultOutageCalm is how long the audio service must run without
	// trouble before an outage counts as over ([WithOutageNotices]).
	DefaultOutageCalm = time.Minute
)

// Discord's own limit on message edits in one channel: five per five
// seconds. [WithEditBudget] refuses a budget that could go past it.
const (
	discordEdits      = 5
	discordEditWindow = 5 * time.Second
)

// DefaultAutocompleteLimit is how many searches each user's /play
// autocomplete may start: 10 per 10 seconds. Suggestions served from the
// cache do not count.
var DefaultAutocompleteLimit = ratelimit.Limit{Rate: 10, Period: 10 * time.Second}

// Cleanup says what happens to a now-playing message when its track ends.
type Cleanup uint8

const (
	// CleanupDisable keeps the message as a record of what played and
	// removes its buttons. It is the default.
	CleanupDisable Cleanup = iota
	// CleanupDelete deletes the message.
	CleanupDelete
)

// String returns "disable" or "delete".
func (c Cleanup) String() string {
	if c == CleanupDelete {
		return "delete"
	}
	return "disable"
}

// Searcher finds tracks for the suggestions of /play's autocomplete.
// [music.Manager] is one ([music.Manager.Search]), and the default;
// [WithSearcher] gives another. An implementation must be safe for
// concurrent use and should honour ctx, which ends after [SearchTimeout].
type Searcher interface {
	Search(ctx context.Context, guild snowflake.ID, query string) ([]music.Track, error)
}

// SearchFunc adapts a function to a [Searcher].
type SearchFunc func(ctx context.Context, guild snowflake.ID, query string) ([]music.Track, error)

// Search calls f.
func (f SearchFunc) Search(ctx context.Context, guild snowflake.ID, query string) ([]music.Track, error) {
	return f(ctx, guild, query)
}

// Option configures a Bot.
type Option func(*config)

type config struct {
	logger         *slog.Logger
	clock          music.Clock
	progress       time.Duration
	liveCap        int
	liveTTL        time.Duration
	cleanup        Cleanup
	searcher       Searcher
	acLimit        ratelimit.Limit
	acLimiter      ratelimit.Limiter
	suggestCap     int
	suggestTTL     time.Duration
	theme          Theme
	commandTimeout time.Duration
	deferAfter     time.Duration
	editBurst      int
	editInterval   time.Duration
	outageCalm     time.Duration
	lyricsLine     bool
}

func defaultConfig() config {
	return config{
		progress:       DefaultProgressInterval,
		liveCap:        DefaultLiveMessages,
		liveTTL:        DefaultLiveTTL,
		acLimit:        DefaultAutocompleteLimit,
		suggestCap:     DefaultSuggestions,
		suggestTTL:     DefaultSuggestionTTL,
		theme:          DefaultTheme(),
		commandTimeout: DefaultCommandTimeout,
		deferAfter:     DefaultDeferAfter,
		editBurst:      DefaultEditBurst,
		editInterval:   DefaultEditInterval,
		outageCalm:     DefaultOutageCalm,
		lyricsLine:     true,
	}
}

// WithLogger sets the logger. Default: slog.Default().
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithClock sets the clock that times progress updates, deferrals and
// the caches. Default: the system clock.
func WithClock(clock music.Clock) Option { return func(c *config) { c.clock = clock } }

// WithProgressInterval sets how often the progress bar of a now-playing
// message moves: d of at least [MinProgressInterval], or a negative d
// for a bar that moves only with other changes. Each move is an edit
// within the channel's budget ([WithEditBudget]), sent only when the
// message changed. Default: [DefaultProgressInterval].
func WithProgressInterval(d time.Duration) Option { return func(c *config) { c.progress = d } }

// WithLiveMessages bounds the set of live now-playing messages: at most
// n (one per guild, the least recently updated evicted first), each
// kept ttl after its last progress update (or its posting, when
// progress updates are off). Default: [DefaultLiveMessages] and
// [DefaultLiveTTL].
func WithLiveMessages(n int, ttl time.Duration) Option {
	return func(c *config) { c.liveCap, c.liveTTL = n, ttl }
}

// WithCleanup sets what happens to a now-playing message when its track
// ends. Default: [CleanupDisable].
func WithCleanup(cl Cleanup) Option { return func(c *config) { c.cleanup = cl } }

// WithSearcher sets where /play's autocomplete finds suggestions.
// Default: the Manager ([music.Manager.Search]).
func WithSearcher(s Searcher) Option { return func(c *config) { c.searcher = s } }

// WithAutocompleteLimit sets how many searches each user's autocomplete
// may start, counted by limiter (nil: an in-memory limiter of the Bot's
// own). Default: [DefaultAutocompleteLimit] in memory.
func WithAutocompleteLimit(limit ratelimit.Limit, limiter ratelimit.Limiter) Option {
	return func(c *config) { c.acLimit, c.acLimiter = limit, limiter }
}

// WithSuggestionCache bounds the cache of autocomplete suggestions: at
// most n queries, each for ttl. Default: [DefaultSuggestions] and
// [DefaultSuggestionTTL].
func WithSuggestionCache(n int, ttl time.Duration) Option {
	return func(c *config) { c.suggestCap, c.suggestTTL = n, ttl }
}

// WithTheme sets the colours and progress bar of every message; zero
// fields keep the [DefaultTheme] values. Default: [DefaultTheme].
func WithTheme(t Theme) Option { return func(c *config) { c.theme = t } }

// WithCommandTimeout bounds the work of each command. Default:
// [DefaultCommandTimeout].
func WithCommandTimeout(d time.Duration) Option { return func(c *config) { c.commandTimeout = d } }

// WithDeferAfter sets how long a command other than /play may run before
// its answer is deferred. Default: [DefaultDeferAfter].
func WithDeferAfter(d time.Duration) Option { return func(c *config) { c.deferAfter = d } }

// WithEditBudget sets how often the Bot edits its messages in one
// channel: a token bucket per channel holding at most burst edits and
// gaining one every interval, shared by every message the Bot keeps up
// to date there (the now-playing message, the one it replaces, a skip
// vote, an outage notice). Any window of length d then holds at most
// burst + d/interval edits; a budget that would allow more than
// Discord's five edits in five seconds is refused. When edits come
// faster, each message keeps only its latest state and older pending
// edits are dropped. Default: [DefaultEditBurst] and
// [DefaultEditInterval].
func WithEditBudget(burst int, interval time.Duration) Option {
	return func(c *config) { c.editBurst, c.editInterval = burst, interval }
}

// WithOutageNotices sets how an outage of the audio service is told:
// the first sign of trouble in a guild (no node able to play, a command
// failing with [music.ErrServiceUnavailable], a [music.PlayerMoved] or
// a [music.HealAttempted]) posts one notice in its channel, and nothing
// more is posted until the service has run for calm without trouble,
// when the notice is edited to say so. A negative calm turns the
// notices off. Default: [DefaultOutageCalm].
func WithOutageNotices(calm time.Duration) Option { return func(c *config) { c.outageCalm = calm } }

// WithSyncedLyrics sets whether the now-playing message shows the line
// of the lyrics being sung, when the track has synced lyrics
// ([music.Manager.Lyrics], asked once per track as the bot's user).
// Default: on.
func WithSyncedLyrics(on bool) Option { return func(c *config) { c.lyricsLine = on } }

// validate returns the first problem of c.
func (c *config) validate() error {
	switch {
	case c.progress >= 0 && c.progress < MinProgressInterval:
		return &ConfigError{Field: "ProgressInterval", Reason: "must be at least " + MinProgressInterval.String() + ", or negative to disable"}
	case c.liveCap < 1:
		return &ConfigError{Field: "LiveMessages", Reason: "capacity must be positive"}
	case c.liveTTL <= 0:
		return &ConfigError{Field: "LiveMessages", Reason: "time to live must be positive"}
	case c.suggestCap < 1:
		return &ConfigError{Field: "SuggestionCache", Reason: "capacity must be positive"}
	case c.suggestTTL <= 0:
		return &ConfigError{Field: "SuggestionCache", Reason: "time to live must be positive"}
	case c.acLimit.Validate() != nil:
		return &ConfigError{Field: "AutocompleteLimit", Reason: c.acLimit.Validate().Error()}
	case c.commandTimeout <= 0:
		return &ConfigError{Field: "CommandTimeout", Reason: "must be positive"}
	case c.deferAfter <= 0 || c.deferAfter >= 3*time.Second:
		return &ConfigError{Field: "DeferAfter", Reason: "must be between 0 and 3s, Discord's answer window"}
	case c.cleanup > CleanupDelete:
		return &ConfigError{Field: "Cleanup", Reason: "unknown cleanup"}
	case c.editBurst < 1 || c.editInterval <= 0:
		return &ConfigError{Field: "EditBudget", Reason: "burst and interval must be positive"}
	case c.editBurst+int(discordEditWindow/c.editInterval) > discordEdits:
		return &ConfigError{Field: "EditBudget", Reason: "allows more than Discord's 5 edits per 5s in a channel"}
	case c.outageCalm == 0:
		return &ConfigError{Field: "OutageNotices", Reason: "calm must be positive, or negative to disable"}
	}
	return nil
}

// systemClock is the default Clock.
type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) music.Timer { return time.AfterFunc(d, f) }
