package music

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/metrics"
	"github.com/tunekit/tunekit/music/internal/node"
	"github.com/tunekit/tunekit/ratelimit"
	"github.com/tunekit/tunekit/resilience"
	"github.com/tunekit/tunekit/secureheaders"
	"github.com/tunekit/tunekit/tracing"
	"github.com/tunekit/tunekit/ttlcache"
)

// Defaults of a [Manager].
const (
	// DefaultIdleTimeout is how long the bot stays in a voice channel
	// with nothing playing before it leaves.
	DefaultIdleTimeout = 5 * time.Minute
	// DefaultEmptyChannelTimeout is how long the bot stays, paused, in a
	// voice channel nobody listens in before it leaves.
	DefaultEmptyChannelTimeout = 2 * time.Minute
	// DefaultSearchPrefix is the Lavalink search prefix put before text
	// that is not a link.
	DefaultSearchPrefix = "ytsearch:"
	// DefaultGracePeriod is how long a Lavalink node may be gone before
	// its players move to another node.
	DefaultGracePeriod = 5 * time.Second
	// DefaultMaxMigrations and DefaultMaxMigrationsPerNode bound how many
	// players move at once, in all and onto one node.
	DefaultMaxMigrations        = 5
	DefaultMaxMigrationsPerNode = 2
	// DefaultErrorLimit and DefaultErrorWindow: a player that fails this
	// many times within the window is stopped instead of trying on.
	DefaultErrorLimit  = 3
	DefaultErrorWindow = 35 * time.Second
	// DefaultSaveInterval is the least time between two writes of a
	// guild's session, except on a track change and on shutdown.
	DefaultSaveInterval = 250 * time.Millisecond
	// DefaultVoiceTimeout bounds the wait for Discord's voice events
	// after asking to join a channel.
	DefaultVoiceTimeout = 10 * time.Second
	// DefaultAutoplayCooldown is the least time between two autoplay
	// picks in one guild.
	DefaultAutoplayCooldown = 10 * time.Second
	// DefaultSettingsTTL is how long settings read from the store are
	// served from memory before they are read again.
	DefaultSettingsTTL = time.Minute
	// DefaultRequestTimeout bounds each Lavalink REST request unless the
	// breaker settings give a timeout.
	DefaultRequestTimeout = 10 * time.Second
	// MaxQueryLength is the longest query, in characters, Play accepts.
	MaxQueryLength = 500
)

// NodeConfig describes one Lavalink node.
type NodeConfig struct {
	// Name identifies the node in logs, metrics and events. Required and
	// unique.
	Name string
	// Address is host:port, without scheme or path. Required.
	Address string
	// Password is the node's password. It is revealed only while a
	// request header is built and is masked in every log line.
	Password secureheaders.Secret
	// Secure selects https and wss.
	Secure bool
}

// VoiceGateway is what the Manager needs from the Discord side: a way to
// ask the gateway to move the bot into a voice channel (channel non-nil)
// or out of voice (channel nil), as Discord's opcode 4 does. The frontend
// implements it; music/disgobot does for disgo.
type VoiceGateway interface {
	UpdateVoiceState(ctx context.Context, guild snowflake.ID, channel *snowflake.ID, selfMute, selfDeaf bool) error
}

// Config is what a [Manager] is built from. Nodes, UserID and Voice are
// required; every other field has a default.
type Config struct {
	// Nodes are the Lavalink nodes to play on; at least one.
	Nodes []NodeConfig
	// UserID is the bot's user ID.
	UserID snowflake.ID
	// Voice asks Discord to join and leave voice channels.
	Voice VoiceGateway

	// Settings and Sessions store the guilds' settings and sessions.
	// Default: one [MemoryStore] for both.
	Settings SettingsStore
	Sessions SessionStore
	// Events receives every [Event]. Default: a [Bus] the Manager owns
	// and closes.
	Events EventBus

	// Limiter and Policy rate-limit commands per user and guild. A nil
	// Limiter turns rate limiting off; a zero Policy means
	// [ratelimit.DefaultPolicy].
	Limiter ratelimit.Limiter
	Policy  ratelimit.Policy
	// Metrics, Tracer and Logger observe the Manager. Nil metrics and
	// tracer record nothing; a nil Logger means [slog.Default]. The
	// logger is wrapped so that node passwords are masked.
	Metrics *metrics.Business
	Tracer  *tracing.Tracer
	Logger  *slog.Logger
	// Breaker configures the circuit breaker of each node's REST API.
	// Default (nil): [resilience.Lavalink].
	Breaker *resilience.Settings

	// IdleTimeout is how long the bot stays with nothing playing;
	// EmptyChannelTimeout how long it stays paused with nobody listening.
	// Zero selects [DefaultIdleTimeout] and [DefaultEmptyChannelTimeout];
	// a negative value never leaves. A guild's 24/7 setting
	// ([Settings.StayConnected]) overrides both.
	IdleTimeout         time.Duration
	EmptyChannelTimeout time.Duration
	// SearchPrefix goes before search text. Default: [DefaultSearchPrefix].
	SearchPrefix string
	// AllowedHosts, when not empty, are the only hosts (and their
	// subdomains) links may point to, such as "youtube.com".
	AllowedHosts []string
	// Recommender picks tracks for autoplay. Default: a
	// [RecommenderChain] of [DefaultProviders] with SearchPrefix.
	Recommender Recommender
	// DefaultSettings are the bot's defaults for what a guild has not
	// chosen (see [Settings.WithDefaults]). Default: tunekit's.
	DefaultSettings Settings

	// Owns reports whether this process serves a guild, for bots run as
	// several processes on one store (one per group of Discord shards,
	// say). Start restores, and Play and takeovers create, sessions only
	// for guilds it serves; Play in another guild fails with a
	// [*NotServedError]. It must be cheap and safe for concurrent use.
	// Default (nil): every guild.
	Owns func(guild snowflake.ID) bool
}

// Clock is the Manager's source of time: timeouts, the grace period,
// save coalescing and positions all read it. Tests inject a manual one
// with [WithClock].
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed, as
	// [time.AfterFunc] does, unless the returned Timer is stopped first.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending [Clock.AfterFunc] call.
type Timer interface {
	// Stop prevents the call, reporting whether it was still pending.
	Stop() bool
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }
func (systemClock) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(d, f)
}

// Option tunes a [Manager]; the defaults suit production.
type Option func(*options)

type options struct {
	clock            Clock
	grace            time.Duration
	maxMigrations    int
	maxPerNode       int
	errorLimit       int
	errorWindow      time.Duration
	saveInterval     time.Duration
	saveRetryMin     time.Duration
	saveRetryMax     time.Duration
	voiceTimeout     time.Duration
	autoplayCooldown time.Duration
	settingsTTL      time.Duration
	resumeTimeout    time.Duration
	backoffMin       time.Duration
	backoffMax       time.Duration
	httpClient       *http.Client
	seed             uint64

	// The silent-player watchdog (watchdog.go).
	silenceThreshold time.Duration
	healBackoff      time.Duration
	voteTimeout      time.Duration // see vote.go
	leaveGrace       time.Duration // see queuecontrol.go

	ownerID  string        // see ownership.go
	leaseTTL time.Duration // see ownership.go
}

// WithClock makes the Manager read time and set timers through c.
// Default: the system clock.
func WithClock(c Clock) Option { return func(o *options) { o.clock = c } }

// WithGracePeriod sets how long a node may be gone (websocket closed or
// breaker open) before its players move. Default: [DefaultGracePeriod].
func WithGracePeriod(d time.Duration) Option { return func(o *options) { o.grace = d } }

// WithMigrationLimits bounds how many players move at once, in all and
// onto any one node. Default: [DefaultMaxMigrations] and
// [DefaultMaxMigrationsPerNode].
func WithMigrationLimits(total, perNode int) Option {
	return func(o *options) { o.maxMigrations, o.maxPerNode = total, perNode }
}

// WithErrorLimit stops a guild's playback once its player failed n times
// (track exceptions, stuck tracks, failed moves) within window. Default:
// [DefaultErrorLimit] within [DefaultErrorWindow].
func WithErrorLimit(n int, window time.Duration) Option {
	return func(o *options) { o.errorLimit, o.errorWindow = n, window }
}

// WithSaveInterval sets the least time between two coalesced writes of a
// guild's session. Default: [DefaultSaveInterval].
func WithSaveInterval(d time.Duration) Option { return func(o *options) { o.saveInterval = d } }

// WithSaveRetry sets the backoff of failed store writes, which are
// retried until they succeed: from min doubling to max. Default: 1 s to
// 30 s.
func WithSaveRetry(min, max time.Duration) Option {
	return func(o *options) { o.saveRetryMin, o.saveRetryMax = min, max }
}

// WithVoiceTimeout bounds the wait for Discord's voice events after a
// join. Default: [DefaultVoiceTimeout].
func WithVoiceTimeout(d time.Duration) Option { return func(o *options) { o.voiceTimeout = d } }

// WithAutoplayCooldown sets the least time between two autoplay picks in
// a guild. Default: [DefaultAutoplayCooldown].
func WithAutoplayCooldown(d time.Duration) Option {
	return func(o *options) { o.autoplayCooldown = d }
}

// WithSettingsTTL sets how long settings are served from memory before
// the store is read again. Default: [DefaultSettingsTTL].
func WithSettingsTTL(d time.Duration) Option { return func(o *options) { o.settingsTTL = d } }

// WithResumeTimeout sets how long a Lavalink node keeps a session (its
// players playing) for the Manager after the connection drops or the bot
// restarts. Default: 60 s.
func WithResumeTimeout(d time.Duration) Option { return func(o *options) { o.resumeTimeout = d } }

// WithReconnectBackoff sets the jittered exponential backoff between
// attempts to reconnect to a node. Default: 1 s doubling to 30 s.
func WithReconnectBackoff(initial, max time.Duration) Option {
	return func(o *options) { o.backoffMin, o.backoffMax = initial, max }
}

// WithHTTPClient sets the client whose Transport carries Lavalink REST
// requests; the Manager adds a breaker, tracing and metrics around it.
// Default: a client of the Manager's own.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// withSeed makes random choices repeatable in tests.
func withSeed(seed uint64) Option { return func(o *options) { o.seed = seed } }

// ErrInvalidConfig is matched by the error [NewManager] returns for a
// Config or Option it cannot use.
var ErrInvalidConfig = errors.New("music: invalid manager config")

// ConfigError describes what is wrong with a Config.
type ConfigError struct {
	Field  string // such as "Nodes[1].Name"
	Reason string
}

// Error implements the error interface.
func (e *ConfigError) Error() string {
	return "music: invalid manager config: " + e.Field + ": " + e.Reason
}

// Is reports whether target is [ErrInvalidConfig].
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Manager plays music in Discord guilds through Lavalink nodes: the
// application layer every frontend (a Discord adapter, an HTTP API, a
// test) drives with plain IDs. See the package documentation for its
// behaviour.
//
// A Manager is safe for concurrent use. It owns its goroutines, which
// [Manager.Close] stops.
type Manager struct {
	cfg    Config
	opt    options
	clock  Clock
	log    *slog.Logger
	events EventBus
	ownBus *Bus
	policy ratelimit.Policy
	rec    Recommender
	nonce  uint64
	seq    atomic.Uint64

	transport *http.Transport // ours to close; nil with WithHTTPClient
	nodes     []*lavaNode
	byName    map[string]*lavaNode

	players  playerMap
	voice    voiceMap
	settings *ttlcache.Cache[snowflake.ID, settingsEntry]
	cooldown *ttlcache.Cache[snowflake.ID, struct{}]
	saver    *saver
	sup      *supervisor
	sessions atomic.Int64

	ctx    context.Context // lifecycle: cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine the Manager starts

	life     sync.RWMutex
	started  bool
	closed   bool
	phase    atomic.Uint32  // phaseNew, phaseStarted or phaseClosed, for lock-free readers
	inflight sync.WaitGroup // commands running

	// observeStats, set by tests before Start, sees each stats op once
	// the node's client has taken it in.
	observeStats func(ln *lavaNode)

	// own holds the guild leases when Sessions is a Leaser and a
	// FencedStore (ownership.go); nil otherwise.
	own *ownership
	// fenced is Sessions as a FencedStore when the Manager leases guilds
	// or shares queues, which both write through it; nil otherwise.
	fenced FencedStore
	// fencedSettings is Settings as a FencedStore when it is the session
	// store and the Manager leases guilds: settings writes then carry the
	// lease's token.
	fencedSettings FencedStore
	// queues edits the shared queues when Sessions is a QueueEditor and
	// a FencedStore (sharedqueue.go); watcher reports changes to them.
	queues    QueueEditor
	watcher   QueueWatcher
	stopWatch func()

	// lyricsCache holds lyrics lookups by encoded track (lyrics.go).
	lyricsCache *ttlcache.Cache[string, lyricsEntry]
	// looks schedules the watchdog's looks (watchdog.go).
	looks looks
	// hooks are for tests (watchdog.go).
	hooks testHooks
}

// NewManager validates cfg and returns a Manager that has not connected
// yet; [Manager.Start] connects to the nodes and restores the stored
// sessions. It returns a [*ConfigError] for a bad Config.
func NewManager(cfg Config, opts ...Option) (*Manager, error) {
	o := options{
		clock:            systemClock{},
		grace:            DefaultGracePeriod,
		maxMigrations:    DefaultMaxMigrations,
		maxPerNode:       DefaultMaxMigrationsPerNode,
		errorLimit:       DefaultErrorLimit,
		errorWindow:      DefaultErrorWindow,
		saveInterval:     DefaultSaveInterval,
		saveRetryMin:     time.Second,
		saveRetryMax:     30 * time.Second,
		voiceTimeout:     DefaultVoiceTimeout,
		autoplayCooldown: DefaultAutoplayCooldown,
		settingsTTL:      DefaultSettingsTTL,
		resumeTimeout:    node.DefaultResumeTimeout,
		backoffMin:       node.DefaultBackoffInitial,
		backoffMax:       node.DefaultBackoffMax,
		seed:             rand.Uint64(),
		silenceThreshold: DefaultSilenceThreshold,
		healBackoff:      DefaultHealBackoff,
		voteTimeout:      DefaultVoteSkipTimeout,
		leaveGrace:       DefaultLeaveGrace,
		leaseTTL:         DefaultLeaseTTL,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if err := validate(&cfg, &o); err != nil {
		return nil, err
	}
	if err := validateWatchdog(&o); err != nil {
		return nil, err
	}
	m := &Manager{cfg: cfg, opt: o, clock: o.clock, byName: make(map[string]*lavaNode)}
	m.nonce = o.seed
	secrets := make([]secureheaders.Secret, 0, len(cfg.Nodes))
	for _, n := range cfg.Nodes {
		secrets = append(secrets, n.Password)
	}
	base := cfg.Logger
	if base == nil {
		base = slog.Default()
	}
	m.log = slog.New(secureheaders.NewRedactingHandler(base.Handler(), secrets...)).With("component", "music")
	if cfg.Events == nil {
		m.ownBus = NewBus()
		m.events = m.ownBus
	} else {
		m.events = cfg.Events
	}
	if cfg.Settings == nil || cfg.Sessions == nil {
		mem := NewMemoryStore()
		if m.cfg.Settings == nil {
			m.cfg.Settings = mem
		}
		if m.cfg.Sessions == nil {
			m.cfg.Sessions = mem
		}
	}
	m.sharedStores()
	m.policy = cfg.Policy
	if m.policy.Default == (ratelimit.Limit{}) && len(m.policy.Commands) == 0 {
		m.policy = ratelimit.DefaultPolicy()
	}
	m.rec = cfg.Recommender
	if m.rec == nil {
		m.rec = NewRecommenderChain(DefaultProviders(m.cfg.SearchPrefix), WithChainClock(o.clock.Now),
			WithProviderObserver(func(provider string, outcome ProviderOutcome, _ time.Duration) {
				m.cfg.Metrics.TrackAutoplayProvider(provider, string(outcome))
			}))
	}
	m.players.init()
	m.voice.init()
	m.settings = ttlcache.New[snowflake.ID, settingsEntry](100_000, ttlcache.WithClock(o.clock.Now))
	m.cooldown = ttlcache.New[snowflake.ID, struct{}](100_000, ttlcache.WithClock(o.clock.Now), ttlcache.WithTTL(o.autoplayCooldown))
	m.lyricsCache = ttlcache.New[string, lyricsEntry](lyricsCacheSize, ttlcache.WithClock(o.clock.Now), ttlcache.WithTTL(lyricsCacheTTL))
	m.ctx, m.cancel = context.WithCancel(context.Background())
	if err := m.buildNodes(nil); err != nil {
		m.cancel()
		return nil, err
	}
	m.saver = newSaver(m)
	m.sup = newSupervisor(m)
	return m, nil
}

func validate(cfg *Config, o *options) error {
	if len(cfg.Nodes) == 0 {
		return &ConfigError{Field: "Nodes", Reason: "no Lavalink node"}
	}
	seen := make(map[string]bool, len(cfg.Nodes))
	for i, n := range cfg.Nodes {
		field := fmt.Sprintf("Nodes[%d]", i)
		switch {
		case strings.TrimSpace(n.Name) == "":
			return &ConfigError{Field: field + ".Name", Reason: "empty"}
		case seen[n.Name]:
			return &ConfigError{Field: field + ".Name", Reason: "duplicate name " + fmt.Sprintf("%q", n.Name)}
		case n.Address == "":
			return &ConfigError{Field: field + ".Address", Reason: "empty"}
		case n.Password.IsZero():
			return &ConfigError{Field: field + ".Password", Reason: "empty"}
		}
		seen[n.Name] = true
	}
	if cfg.UserID == 0 {
		return &ConfigError{Field: "UserID", Reason: "zero"}
	}
	if cfg.Voice == nil {
		return &ConfigError{Field: "Voice", Reason: "nil"}
	}
	if cfg.Limiter != nil {
		if err := cfg.Policy.Validate(); err != nil && (cfg.Policy.Default != (ratelimit.Limit{}) || len(cfg.Policy.Commands) > 0) {
			return &ConfigError{Field: "Policy", Reason: err.Error()}
		}
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.EmptyChannelTimeout == 0 {
		cfg.EmptyChannelTimeout = DefaultEmptyChannelTimeout
	}
	if cfg.SearchPrefix == "" {
		cfg.SearchPrefix = DefaultSearchPrefix
	} else if !isSearchPrefix(cfg.SearchPrefix) {
		return &ConfigError{Field: "SearchPrefix", Reason: fmt.Sprintf("%q is not a search prefix such as %q", cfg.SearchPrefix, DefaultSearchPrefix)}
	}
	for i, h := range cfg.AllowedHosts {
		if h = normalizeHost(h); h == "" || strings.ContainsAny(h, "/:@ ") {
			return &ConfigError{Field: fmt.Sprintf("AllowedHosts[%d]", i), Reason: "not a host name"}
		}
		cfg.AllowedHosts[i] = h
	}
	switch {
	case o.clock == nil:
		return &ConfigError{Field: "WithClock", Reason: "nil clock"}
	case o.grace < 0:
		return &ConfigError{Field: "WithGracePeriod", Reason: "negative"}
	case o.maxMigrations < 1 || o.maxPerNode < 1:
		return &ConfigError{Field: "WithMigrationLimits", Reason: "limits must be at least 1"}
	case o.errorLimit < 1 || o.errorWindow <= 0:
		return &ConfigError{Field: "WithErrorLimit", Reason: "limit must be at least 1 within a positive window"}
	case o.saveInterval < 0:
		return &ConfigError{Field: "WithSaveInterval", Reason: "negative"}
	case o.saveRetryMin <= 0 || o.saveRetryMax < o.saveRetryMin:
		return &ConfigError{Field: "WithSaveRetry", Reason: "need 0 < min <= max"}
	case o.voiceTimeout <= 0:
		return &ConfigError{Field: "WithVoiceTimeout", Reason: "not positive"}
	case o.voteTimeout <= 0:
		return &ConfigError{Field: "WithVoteSkipTimeout", Reason: "not positive"}
	case o.autoplayCooldown < 0:
		return &ConfigError{Field: "WithAutoplayCooldown", Reason: "negative"}
	case o.settingsTTL <= 0:
		return &ConfigError{Field: "WithSettingsTTL", Reason: "not positive"}
	case o.resumeTimeout < time.Second:
		return &ConfigError{Field: "WithResumeTimeout", Reason: "below one second"}
	case o.backoffMin <= 0 || o.backoffMax < o.backoffMin:
		return &ConfigError{Field: "WithReconnectBackoff", Reason: "need 0 < initial <= max"}
	case o.leaseTTL < 3*time.Millisecond:
		return &ConfigError{Field: "WithLeaseTTL", Reason: "below 3ms"}
	}
	if o.ownerID == "" {
		o.ownerID = defaultOwnerID()
	} else if err := CheckLeaseRequest(o.ownerID, o.leaseTTL); err != nil {
		return &ConfigError{Field: "WithOwnerID", Reason: err.Error()}
	}
	return nil
}

// sharedStores finds what the session store offers beyond a
// SessionStore: leases and fencing (multi-process ownership), queue
// edits (a shared queue), and a queue watcher (the store's, or the event
// bus').
func (m *Manager) sharedStores() {
	fenced, _ := m.cfg.Sessions.(FencedStore)
	if fenced == nil {
		return
	}
	if l, ok := m.cfg.Sessions.(Leaser); ok {
		m.own = newOwnership(l, m.opt.ownerID, m.opt.leaseTTL)
		m.fenced = fenced
		if fs, ok := m.cfg.Settings.(FencedStore); ok && sameStore(m.cfg.Settings, m.cfg.Sessions) {
			m.fencedSettings = fs
		}
	}
	if qe, ok := m.cfg.Sessions.(QueueEditor); ok {
		m.queues, m.fenced = qe, fenced
		if w, ok := m.cfg.Sessions.(QueueWatcher); ok {
			m.watcher = w
		} else if w, ok := m.events.(QueueWatcher); ok {
			m.watcher = w
		}
	}
}

// Events returns the bus the Manager publishes on: Config.Events, or the
// Manager's own [Bus].
func (m *Manager) Events() EventBus { return m.events }

// Start restores the stored sessions and connects to the nodes. The
// sessions are loaded before Start returns; each then re-joins its voice
// channel and continues its track, at the saved position, once a node is
// ready (on the node that played it when that node still has the
// Lavalink session). Start returns an error, and starts nothing, when the
// session store cannot list or the Manager is closed; a second Start is
// an error.
func (m *Manager) Start(ctx context.Context) error {
	m.life.Lock()
	defer m.life.Unlock()
	switch {
	case m.closed:
		return ErrManagerClosed
	case m.started:
		return errors.New("music: manager already started")
	}
	restored, sids, err := m.loadSessions(ctx)
	if err != nil {
		return err
	}
	if len(sids) > 0 {
		// Rebuild the clients so that they resume the stored sessions.
		if err := m.buildNodes(sids); err != nil {
			return err
		}
	}
	for _, p := range restored {
		p.mu.Lock()
		p.setNode(m.byName[p.sess.Node()])
		if !p.needSync {
			m.armIdle(p)
		}
		p.mu.Unlock()
	}
	m.started = true
	m.phase.Store(phaseStarted)
	m.wg.Go(m.saver.run)
	m.wg.Go(m.sup.run)
	if m.own != nil {
		m.wg.Go(m.leaseKeeper())
	}
	if m.watcher != nil {
		m.stopWatch = m.watcher.WatchQueues(m.queueChanged)
	}
	m.startWatchdog()
	for _, p := range restored {
		m.sup.needSync(p.guild)
	}
	for _, ln := range m.nodes {
		if err := ln.client.Start(ctx); err != nil {
			return fmt.Errorf("music: start node %s: %w", ln.name, err)
		}
	}
	m.updateNodeMetrics()
	return nil
}

// Close saves every session, closes the node connections (Lavalink keeps
// their sessions, so a restarted bot resumes them) and stops the
// Manager's goroutines, waiting for commands in progress. It honours ctx:
// when ctx ends first it returns ctx.Err() with some of that work undone.
// Writes that still fail at Close are reported in the error. Close is
// safe to call more than once; commands after it return
// [ErrManagerClosed].
func (m *Manager) Close(ctx context.Context) error {
	m.life.Lock()
	first := !m.closed
	m.closed = true
	m.phase.Store(phaseClosed)
	started := m.started
	m.life.Unlock()
	if !first {
		return nil
	}
	var errs []error
	if m.stopWatch != nil {
		m.stopWatch()
	}
	if err := waitCtx(ctx, m.inflight.Wait); err != nil {
		errs = append(errs, err)
	}
	m.cancel()
	if err := waitCtx(ctx, m.wg.Wait); err != nil {
		errs = append(errs, err)
	}
	m.stopTimers()
	m.stopWatchdog()
	if started {
		if err := m.saver.flush(ctx); err != nil {
			errs = append(errs, err)
		}
		m.releaseAll(ctx)
	}
	for _, ln := range m.nodes {
		if err := ln.client.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("music: close node %s: %w", ln.name, err))
		}
	}
	if m.transport != nil {
		m.transport.CloseIdleConnections()
	}
	m.settings.Close()
	m.cooldown.Close()
	m.lyricsCache.Close()
	if m.ownBus != nil {
		if err := m.ownBus.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// waitCtx runs wait (a WaitGroup's Wait) until it returns or ctx ends.
func waitCtx(ctx context.Context, wait func()) error {
	done := make(chan struct{})
	go func() { wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// begin registers a command; end must follow when it returns nil.
func (m *Manager) begin() error {
	m.life.RLock()
	defer m.life.RUnlock()
	if m.closed {
		return ErrManagerClosed
	}
	if !m.started {
		return ErrNotStarted
	}
	m.inflight.Add(1)
	return nil
}

func (m *Manager) end() { m.inflight.Done() }

// publish sends e on the bus; a failure is logged, never returned.
func (m *Manager) publish(e Event) {
	if err := m.events.Publish(context.WithoutCancel(m.ctx), e); err != nil && !errors.Is(err, ErrBusClosed) {
		m.log.Warn("publish event", "type", e.Type(), "guild", e.Guild(), "error", err)
	}
}

// newPlayID returns a value unique to this process and start, attached to
// each track the Manager starts so that its events are told apart from
// those of earlier tracks.
func (m *Manager) newPlayID() string {
	return fmt.Sprintf("%x.%d", m.nonce&0xffffffff, m.seq.Add(1))
}

// WaitReady blocks until at least one node is connected, or ctx ends
// (returning ctx.Err()), or the Manager is closed. Commands do not need
// it: they fail fast with [ErrServiceUnavailable] while no node is
// connected. It is for programs that want a node before they go on,
// such as examples and tests.
func (m *Manager) WaitReady(ctx context.Context) error {
	m.life.RLock()
	closed, started := m.closed, m.started
	m.life.RUnlock()
	switch {
	case closed:
		return ErrManagerClosed
	case !started:
		return ErrNotStarted
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan struct{}, len(m.nodes))
	var wg sync.WaitGroup
	for _, ln := range m.nodes {
		wg.Go(func() {
			if ln.client.WaitReady(ctx) == nil {
				ready <- struct{}{}
			}
		})
	}
	defer wg.Wait()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-m.ctx.Done():
		return ErrManagerClosed
	}
}
