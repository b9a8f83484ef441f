package discordtest

import (
	"log/slog"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/snowflake/v2"
)

// Defaults used when no option overrides them.
const (
	// DefaultApplicationID is the application (and bot user) ID of a server
	// created without [WithApplicationID].
	DefaultApplicationID snowflake.ID = 1300000000000000001

	// DefaultHeartbeatInterval is the interval HELLO asks clients to heartbeat
	// at, Discord's usual value.
	DefaultHeartbeatInterval = 41250 * time.Millisecond

	// DefaultInteractionDeadline is how long a bot has to send the initial
	// response to an interaction, as on Discord.
	DefaultInteractionDeadline = 3 * time.Second

	// DefaultMaxConcurrency is the session_start_limit.max_concurrency that
	// GET /gateway/bot reports: how many shards may identify at once. Discord
	// gives 1 to small bots and 16 or more to large ones; 16 lets sharded
	// tests identify without disgo's 5-second identify wait.
	DefaultMaxConcurrency = 16

	// DefaultVoiceEndpoint is the endpoint sent in VOICE_SERVER_UPDATE. The
	// .invalid domain never resolves.
	DefaultVoiceEndpoint = "voice.discordtest.invalid:443"

	// DefaultBotName is the bot user's name.
	DefaultBotName = "discordtest-bot"
)

// DefaultEveryonePermissions are the @everyone permissions of a new guild,
// like those Discord gives a freshly created server.
const DefaultEveryonePermissions = discord.PermissionCreateInstantInvite |
	discord.PermissionAddReactions |
	discord.PermissionStream |
	discord.PermissionViewChannel |
	discord.PermissionSendMessages |
	discord.PermissionEmbedLinks |
	discord.PermissionAttachFiles |
	discord.PermissionReadMessageHistory |
	discord.PermissionUseExternalEmojis |
	discord.PermissionConnect |
	discord.PermissionSpeak |
	discord.PermissionUseVAD |
	discord.PermissionChangeNickname |
	discord.PermissionUseApplicationCommands |
	discord.PermissionRequestToSpeak |
	discord.PermissionCreatePublicThreads |
	discord.PermissionCreatePrivateThreads |
	discord.PermissionUseExternalStickers |
	discord.PermissionSendMessagesInThreads |
	discord.PermissionUseEmbeddedActivities |
	discord.PermissionUseSoundboard |
	discord.PermissionSendVoiceMessages |
	discord.PermissionSendPolls

// Option configures a [Server].
type Option func(*config)

type config struct {
	appID               snowflake.ID
	botName             string
	botPermissions      discord.Permissions
	shardCount          int
	maxConcurrency      int
	heartbeatInterval   time.Duration
	readyAfterHeartbeat bool
	interactionDeadline time.Duration
	tokenLifetime       time.Duration
	privilegedIntents   gateway.Intents
	voiceEndpoint       string
	nullEndpointFirst   bool
	bucketLimit         int
	bucketWindow        time.Duration
	now                 func() time.Time
	logger              *slog.Logger
}

func newConfig(opts []Option) config {
	c := config{
		appID:               DefaultApplicationID,
		botName:             DefaultBotName,
		shardCount:          1,
		maxConcurrency:      DefaultMaxConcurrency,
		heartbeatInterval:   DefaultHeartbeatInterval,
		interactionDeadline: DefaultInteractionDeadline,
		tokenLifetime:       15 * time.Minute,
		privilegedIntents:   gateway.IntentsPrivileged,
		voiceEndpoint:       DefaultVoiceEndpoint,
		now:                 time.Now,
		logger:              slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithApplicationID sets the application ID, which is also the bot user's
// ID and the ID encoded in [Server.Token]. Default: [DefaultApplicationID].
func WithApplicationID(id snowflake.ID) Option { return func(c *config) { c.appID = id } }

// WithBotName sets the bot user's name. Default: [DefaultBotName].
func WithBotName(name string) Option { return func(c *config) { c.botName = name } }

// WithBotPermissions sets the permissions of the managed role every guild
// gives the bot, on top of @everyone's. Default: none beyond @everyone's
// ([DefaultEveryonePermissions]), which already allow sending messages and
// joining voice.
func WithBotPermissions(p discord.Permissions) Option {
	return func(c *config) { c.botPermissions = p }
}

// WithShardCount sets the shard count GET /gateway/bot recommends, which is
// what disgo's sharding uses. New guilds are spread over that many shards
// round-robin. Values below 1 mean 1. Default: 1.
func WithShardCount(n int) Option {
	return func(c *config) { c.shardCount = max(n, 1) }
}

// WithMaxConcurrency sets session_start_limit.max_concurrency in GET
// /gateway/bot. Values below 1 mean 1. Default: [DefaultMaxConcurrency].
func WithMaxConcurrency(n int) Option {
	return func(c *config) { c.maxConcurrency = max(n, 1) }
}

// WithHeartbeatInterval sets the heartbeat_interval sent in HELLO. Tests that
// want to see heartbeats use a short one. Values below 1 ms mean 1 ms.
// Default: [DefaultHeartbeatInterval].
func WithHeartbeatInterval(d time.Duration) Option {
	return func(c *config) { c.heartbeatInterval = max(d, time.Millisecond) }
}

// WithReadyAfterHeartbeat makes the server hold a connection's IDENTIFY
// (or RESUME) until that connection has sent its first heartbeat: READY,
// the GUILD_CREATEs (or the replay and RESUMED) follow the first heartbeat
// ACK. Connecting then takes one heartbeat interval ([WithHeartbeatInterval])
// longer. Discord does not wait; the option exists so that a disgo client
// has heartbeated before its first dispatch, which [CloseClient] needs to
// close it without a data race (see "Using with disgo" in the package
// documentation). Invalid IDENTIFY and RESUME payloads are rejected only
// when they are processed, after the first heartbeat.
func WithReadyAfterHeartbeat() Option {
	return func(c *config) { c.readyAfterHeartbeat = true }
}

// WithInteractionDeadline sets how long a bot has to send the initial
// interaction response before the callback answers 404 Unknown interaction.
// Default: [DefaultInteractionDeadline].
func WithInteractionDeadline(d time.Duration) Option {
	return func(c *config) { c.interactionDeadline = d }
}

// WithPrivilegedIntents sets which privileged intents the application has
// enabled; IDENTIFY asking for others is closed with 4014. Default: all of
// them (gateway.IntentsPrivileged).
func WithPrivilegedIntents(i gateway.Intents) Option {
	return func(c *config) { c.privilegedIntents = i & gateway.IntentsPrivileged }
}

// WithVoiceEndpoint sets the endpoint sent in VOICE_SERVER_UPDATE. Default:
// [DefaultVoiceEndpoint].
func WithVoiceEndpoint(endpoint string) Option {
	return func(c *config) { c.voiceEndpoint = endpoint }
}

// WithNullVoiceEndpointFirst makes every voice join answer with a
// VOICE_SERVER_UPDATE whose endpoint is null, followed by one with the
// endpoint, as Discord does while it allocates a voice server.
func WithNullVoiceEndpointFirst() Option {
	return func(c *config) { c.nullEndpointFirst = true }
}

// WithRESTRateLimit makes every REST bucket (one per route and major
// parameter, as Discord keys them) admit limit requests per window, send the
// X-RateLimit-* headers on every response and answer 429 beyond the limit.
// Without it responses carry no rate-limit headers and only [Server.RateLimit]
// causes 429s. Values of limit below 1 or a window below 1 ms disable it.
func WithRESTRateLimit(limit int, window time.Duration) Option {
	return func(c *config) { c.bucketLimit, c.bucketWindow = limit, window }
}

// WithClock sets the clock used for timestamps, snowflakes, interaction
// deadlines and rate-limit windows. Default: time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithLogger sets the logger for protocol errors and closed connections.
// Default: a logger that discards everything, so test output stays clean.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}
