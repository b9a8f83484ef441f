package disgobot

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/cache"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/events"
	"github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/disgo/handler"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/ratelimit"
	"github.com/tunekit/tunekit/ttlcache"
)

// Intents are the gateway intents a Bot needs: GUILDS, for GUILD_CREATE
// and its voice states, and GUILD_VOICE_STATES, for every member's
// VOICE_STATE_UPDATE.
const Intents = gateway.IntentGuilds | gateway.IntentGuildVoiceStates

// CacheFlags are the disgo caches a Bot reads: the voice states, which
// say where a member who runs a command is. Enable them with
// bot.WithCacheConfigOpts(cache.WithCaches(disgobot.CacheFlags)).
const CacheFlags = cache.FlagVoiceStates

// Bot answers the music commands of a disgo client with a
// [music.Manager] and keeps Discord and the Manager in step: it forwards
// voice events to the Manager and shows its events as now-playing
// messages. See the package documentation.
//
// A Bot is safe for concurrent use. It owns its goroutines, which
// [Bot.Close] stops.
type Bot struct {
	client *bot.Client
	m      *music.Manager
	cfg    config
	log    *slog.Logger
	render renderer
	mux    *handler.Mux

	listener bot.EventListener
	unsub    func()

	// ctx is the Bot's lifecycle: handlers and jobs run under it, and
	// Close cancels it when it gives up waiting for them.
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex // guards closed and the Add calls of inflight
	closed   bool
	inflight sync.WaitGroup // interaction handlers
	work     *serializer    // now-playing jobs, one queue per guild
	pacer    *pacer         // message edits, budgeted per channel

	live        *ttlcache.Cache[snowflake.ID, *liveMessage]
	votes       *ttlcache.Cache[snowflake.ID, *voteMessage]
	suggestions *ttlcache.Cache[string, []discord.AutocompleteChoice]

	voteMu  sync.Mutex
	voteSeq int

	outMu     sync.Mutex
	outages   map[snowflake.ID]*outage
	outClosed bool

	closeOnce sync.Once
	closeErr  error
	closeDone chan struct{}
}

// New returns a Bot that answers the music commands of client with m.
// It registers its handlers on a new handler.Mux ([Bot.Handler]), adds
// itself as an event listener of client and subscribes to m's events.
//
// Call New after building client and m and before opening the gateway,
// so that the voice states of GUILD_CREATE reach the Manager; register
// [Commands] with Discord separately. client needs [Intents] and the
// voice-state cache ([CacheFlags]); New returns a [*ConfigError] when the
// cache is off, or for nil arguments and invalid options.
func New(client *bot.Client, m *music.Manager, opts ...Option) (*Bot, error) {
	if client == nil {
		return nil, &ConfigError{Field: "Client", Reason: "is nil"}
	}
	if m == nil {
		return nil, &ConfigError{Field: "Manager", Reason: "is nil"}
	}
	if client.Caches == nil || !client.Caches.CacheFlags().Has(CacheFlags) {
		return nil, &ConfigError{Field: "Client", Reason: "the voice-state cache is off; add bot.WithCacheConfigOpts(cache.WithCaches(disgobot.CacheFlags))"}
	}
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	if cfg.clock == nil {
		cfg.clock = systemClock{}
	}
	if cfg.acLimiter == nil {
		cfg.acLimiter = ratelimit.NewMemory(ratelimit.WithClock(cfg.clock.Now))
	}
	if cfg.searcher == nil {
		cfg.searcher = m
	}
	cfg.theme = cfg.theme.withDefaults()

	b := &Bot{
		client:    client,
		m:         m,
		cfg:       cfg,
		log:       cfg.logger.With("component", "disgobot"),
		render:    renderer{theme: cfg.theme},
		closeDone: make(chan struct{}),
		outages:   map[snowflake.ID]*outage{},
		// Vote numbers start from the clock, so that buttons of votes
		// from before a restart do not match new ones.
		voteSeq: int(cfg.clock.Now().Unix() % maxVote),
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	b.work = newSerializer(b.ctx, jobsPerGuild)
	b.pacer = newPacer(cfg.clock, cfg.editBurst, cfg.editInterval, b.work)
	b.live = ttlcache.New[snowflake.ID, *liveMessage](cfg.liveCap,
		ttlcache.WithTTL(cfg.liveTTL),
		ttlcache.WithClock(cfg.clock.Now),
		ttlcache.WithOnEvict(func(_ snowflake.ID, lm *liveMessage, _ ttlcache.EvictReason) { lm.stop() }),
	)
	b.votes = ttlcache.New[snowflake.ID, *voteMessage](cfg.liveCap,
		ttlcache.WithTTL(voteTTL),
		ttlcache.WithClock(cfg.clock.Now),
	)
	b.suggestions = ttlcache.New[string, []discord.AutocompleteChoice](cfg.suggestCap,
		ttlcache.WithTTL(cfg.suggestTTL),
		ttlcache.WithClock(cfg.clock.Now),
	)
	b.mux = b.routes()
	b.listener = bot.NewListenerFunc(b.onEvent)
	client.AddEventListeners(b.listener)
	b.unsub = m.Events().Subscribe(b.onMusicEvent)
	return b, nil
}

// Handler returns the handler.Mux the Bot routes interactions through.
// Add routes of your own to it (before the gateway opens); the Bot
// serves them like its own, each on a goroutine it tracks. Do not add
// the Mux to the client as a listener as well: the Bot already feeds it.
// Every interaction no route handles is answered with a short ephemeral
// message, unless you set the Mux's NotFound handler.
func (b *Bot) Handler() *handler.Mux { return b.mux }

// Close stops the Bot: it stops taking interactions and events, stops
// updating now-playing messages, and waits for the commands in progress
// to answer. When ctx ends first, Close cancels them and returns
// ctx.Err() without waiting further. Close does not close the client or
// the Manager, which the caller closes after it (Manager first), and is
// safe to call more than once.
//
// Close the client only after Close returned: disgo v0.19.6's REST
// client blocks every request made after its Close for good, so a
// command still answering would never finish.
func (b *Bot) Close(ctx context.Context) error {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		b.closed = true
		b.mu.Unlock()
		b.client.RemoveEventListeners(b.listener)
		b.unsub()
		b.work.close()
		b.pacer.close()
		b.stopOutages()
		b.live.Purge() // stops every progress timer
		b.votes.Purge()
		done := make(chan struct{})
		go func() {
			b.inflight.Wait()
			b.work.wait()
			close(done)
		}()
		select {
		case <-done:
		case <-ctx.Done():
			b.closeErr = ctx.Err()
		}
		b.cancel()
		close(b.closeDone)
	})
	<-b.closeDone
	return b.closeErr
}

// onEvent is the Bot's disgo listener. It runs on the gateway's
// goroutine, so it only forwards and hands off.
func (b *Bot) onEvent(e bot.Event) {
	switch e := e.(type) {
	case *events.GuildVoiceStateUpdate:
		b.forwardVoiceState(e.VoiceState, e.Member)
	case *events.VoiceServerUpdate:
		b.forwardVoiceServer(e.EventVoiceServerUpdate)
	case *events.GuildReady:
		b.forwardGuild(e.Guild)
	case *events.GuildAvailable:
		b.forwardGuild(e.Guild)
	case *events.GuildJoin:
		b.forwardGuild(e.Guild)
	case *events.InteractionCreate:
		b.dispatch(e)
	}
}

// dispatch serves an interaction on a goroutine of its own, so a slow
// command never holds up the gateway (whose events it may be waiting
// for, as /play waits for voice events).
func (b *Bot) dispatch(e *events.InteractionCreate) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.inflight.Add(1)
	b.mu.Unlock()
	go func() {
		defer b.inflight.Done()
		defer func() {
			if r := recover(); r != nil {
				b.log.Error("interaction handler panicked", "panic", r, "stack", string(debug.Stack()))
				// Answer, unless the handler already did (then this
				// fails and is logged).
				x := interaction{ctx: b.ctx, i: e.Interaction, respond: e.Respond, client: e.Client()}
				_, x.component = e.Interaction.(discord.ComponentInteraction)
				if _, ac := e.Interaction.(discord.AutocompleteInteraction); !ac {
					b.deliver(x, b.fail(errPanic), false)
				}
			}
		}()
		if ci, ok := e.Interaction.(discord.ComponentInteraction); ok && !strings.HasPrefix(ci.Data.CustomID(), "/") {
			// handler.Mux ignores custom IDs that are not paths; a
			// Discord client would then show an error without a reason.
			x := interaction{ctx: b.ctx, i: ci, respond: e.Respond, client: e.Client(), component: true}
			b.deliver(x, b.fail(errInvalidID), false)
			return
		}
		b.mux.OnEvent(e)
	}()
}

func (b *Bot) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// routes builds the Mux with every command, autocomplete and button.
func (b *Bot) routes() *handler.Mux {
	r := handler.New()
	r.DefaultContext(func() context.Context { return b.ctx })
	r.Autocomplete("/"+cmdPlay, b.playAutocomplete)
	r.SlashCommand("/"+cmdPlay, b.play)
	r.SlashCommand("/"+cmdPause, b.pause)
	r.SlashCommand("/"+cmdResume, b.resume)
	r.SlashCommand("/"+cmdSkip, b.skip)
	r.SlashCommand("/"+cmdPrevious, b.previous)
	r.SlashCommand("/"+cmdStop, b.stop)
	r.SlashCommand("/"+cmdSeek, b.seek)
	r.SlashCommand("/"+cmdVolume, b.volume)
	r.SlashCommand("/"+cmdLoop, b.loop)
	r.SlashCommand("/"+cmdAutoplay, b.autoplay)
	r.SlashCommand("/"+cmdShuffle, b.shuffle)
	r.SlashCommand("/"+cmdRemove, b.remove)
	r.SlashCommand("/"+cmdMove, b.move)
	r.SlashCommand("/"+cmdClear, b.clear)
	r.SlashCommand("/"+cmdQueue, b.queue)
	r.SlashCommand("/"+cmdNowPlaying, b.nowPlaying)
	r.SlashCommand("/"+cmdLeave, b.leave)
	r.SlashCommand("/"+cmdSettings+"/"+subView, b.settingsView)
	r.SlashCommand("/"+cmdSettings+"/"+subDJRole, b.settingsDJRole)
	r.SlashCommand("/"+cmdSettings+"/"+subAnnounce, b.settingsAnnounce)
	r.SlashCommand("/"+cmdSettings+"/"+subStayConnected, b.settingsStayConnected)
	r.SlashCommand("/"+cmdSettings+"/"+subFairQueue, b.settingsFairQueue)
	r.SlashCommand("/"+cmdSettings+"/"+subMaxLength, b.settingsMaxLength)
	r.SlashCommand("/"+cmdSettings+"/"+subMaxShare, b.settingsMaxShare)
	r.SlashCommand("/"+cmdSettings+"/"+subVoteShare, b.settingsVoteShare)
	r.SlashCommand("/"+cmdSkipTo, b.skipTo)
	r.SlashCommand("/"+cmdSwap, b.swap)
	r.SlashCommand("/"+cmdRemoveUser, b.removeUser)
	r.Autocomplete("/"+cmdFilter+"/"+subPreset, b.filterAutocomplete)
	r.SlashCommand("/"+cmdFilter+"/"+subPreset, b.filterPreset)
	r.SlashCommand("/"+cmdFilter+"/"+subReset, b.filterReset)
	r.SlashCommand("/"+cmdLyrics, b.lyrics)
	r.ButtonComponent(idPrefix, b.button)
	r.NotFound(b.notFound)
	r.Error(func(e *handler.InteractionEvent, err error) {
		b.log.WarnContext(e.Ctx, "interaction route failed", "error", err)
	})
	return r
}

// notFound answers interactions no route handles: a button of another
// version or a forged one, or a command the Bot does not know.
func (b *Bot) notFound(e *handler.InteractionEvent) error {
	x := interaction{ctx: e.Ctx, i: e.Interaction, respond: e.Respond, client: e.Client()}
	switch i := e.Interaction.(type) {
	case discord.AutocompleteInteraction:
		return e.AutocompleteResult([]discord.AutocompleteChoice{})
	case discord.ComponentInteraction:
		x.component = true
		_, err := parseCustomID(i.Data.CustomID())
		if err == nil {
			err = errInvalidID
		}
		b.deliver(x, b.fail(err), false)
	default:
		b.deliver(x, b.fail(errUnknownRoute), false)
	}
	return nil
}

// selfID is the bot's user ID.
func (b *Bot) selfID() snowflake.ID {
	if id := b.client.ID(); id != 0 {
		return id
	}
	return b.client.ApplicationID
}

// isGone reports whether err says a message or channel no longer exists
// or can no longer be reached, so the Bot should forget it.
func isGone(err error) bool {
	var re *rest.Error
	if !errors.As(err, &re) {
		return false
	}
	switch re.Code {
	case rest.JSONErrorCodeUnknownMessage, rest.JSONErrorCodeUnknownChannel, rest.JSONErrorCodeMissingAccess:
		return true
	}
	return false
}
