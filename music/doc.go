// Package music is the core of tunekit: the guilds, settings, queues,
// sessions, permissions and events of a Discord music bot, written so any
// frontend (a Discord library, an HTTP API, a test) can drive it.
//
// The package has two layers. The domain (IDs, tracks, settings, queues,
// sessions, permissions, events, stores) does no I/O and reads no clock:
// methods that need the time take a now argument. The [Manager] is the
// application layer on top: it plays music through Lavalink nodes and is
// what every frontend calls. Neither imports a Discord library: IDs are
// [snowflake.ID]s and results are plain values and typed errors. Lavalink
// is known through disgolink's wire types ([lavalink.Track]) and a small
// node client of tunekit's own (see The Lavalink connection).
//
// # The Manager
//
// [NewManager] takes a [Config] (the nodes, the bot's user ID, a
// [VoiceGateway], and optional stores, event bus, rate limiter, metrics,
// tracer, logger, breaker settings, timeouts, search prefix, allowed
// hosts and [Recommender]) and [Option]s for tuning and tests.
// [Manager.Start] restores the stored sessions and connects to the
// nodes; [Manager.Close] saves every session and stops everything.
// Defaults: a [MemoryStore] for settings and sessions, an in-process
// [Bus] the Manager owns, no rate limiting, [resilience.Lavalink] breaker
// settings, idle timeout [DefaultIdleTimeout], empty-channel timeout
// [DefaultEmptyChannelTimeout], search prefix [DefaultSearchPrefix], any
// public host, [DefaultRecommender]; grace period [DefaultGracePeriod],
// migrations [DefaultMaxMigrations] at once and
// [DefaultMaxMigrationsPerNode] per node, [DefaultErrorLimit] errors
// within [DefaultErrorWindow], saves at most every [DefaultSaveInterval],
// voice joins bounded by [DefaultVoiceTimeout], autoplay cooldown
// [DefaultAutoplayCooldown], settings cached for [DefaultSettingsTTL],
// silent players healed after [DefaultSilenceThreshold] with
// [DefaultHealBackoff] between steps.
//
// # Commands
//
// Every command takes a context, the guild and the [Actor] asking, and
// returns a result value or a typed error: [Manager.Play],
// [Manager.Pause], [Manager.Resume], [Manager.Skip], [Manager.Previous],
// [Manager.Stop], [Manager.Seek], [Manager.SetVolume], [Manager.SetLoop],
// [Manager.SetAutoplay], [Manager.Shuffle], [Manager.Remove],
// [Manager.Move], [Manager.Swap], [Manager.SkipTo], [Manager.RemoveUser],
// [Manager.VoteSkip], [Manager.Clear], [Manager.NowPlaying],
// [Manager.Queue], [Manager.Leave], [Manager.Settings],
// [Manager.UpdateSettings], [Manager.SetFilterPreset],
// [Manager.SetFilters], [Manager.ResetFilters] and [Manager.Lyrics]. Each
// runs in the same frame: a span ([tracing.Tracer.TraceCommand]), the
// permission check ([Authorize], with the guild's facts: the bot's
// channel, its listeners, the DJ role, the track's requester), the rate
// limit ([ratelimit.Policy], refusals are a [*RateLimitedError] with
// RetryAfter), then the work, and command_duration_seconds with status
// ok, error, denied or rate_limited. Command names are those of
// [metrics.DefaultCommands]. [UserMessage] turns any error into a short
// sentence for users that never holds internals or secrets, and
// [LeaveMessage] says why the bot left.
//
// Play accepts what [ParseQuery] accepts: an http(s) link to a public
// host (optionally only the allowed ones), text with a recognised search
// prefix, or search text, which gets the search prefix. Other schemes,
// file paths, control characters and queries over [MaxQueryLength]
// characters are a [*QueryError]. A search adds its first match, a
// playlist every track that fits ([PlayResult] says how many were
// dropped). With nothing playing and nothing queued the first track
// starts at once and takes no room in the queue. [ParseSeek] reads
// positions such as 83, 1:23, 01:02:03 and 1h2m3s. Volumes are percent,
// 0 to 200, sent to Lavalink as they are (Lavalink's 100 plays a track
// unchanged, its scale ends at 1000).
//
// Pausing what is paused is an error matching [ErrAlreadyPaused], and
// resuming what plays one matching [ErrNotPaused], each with its own
// [UserMessage]. [Manager.Status] is the now-playing view for a
// frontend's own use (a now-playing message kept up to date): no
// permission check, no rate limit, no command metric, no I/O.
//
// # Fair queue and limits
//
// A guild may turn on a fair queue ([Settings.FairQueue]): tracks then
// play in turns by requester, the next always from the requester who has
// waited longest since their last track started (never: longest of all),
// so one user cannot bury everyone else's picks; [Queue.SetFair] states
// the rule exactly. Play puts each track in its requester's turn (with
// [PlaceNext], ahead of the requester's own tracks only), Shuffle
// shuffles each requester's tracks among their places, and turning the
// setting on interleaves the queue at once. Taking the next track stays
// O(1); an add scans the queue once. [Manager.Swap] exchanges two
// tracks, [Manager.SkipTo] plays a queued track now and keeps those
// before it, and [Manager.RemoveUser] removes a user's tracks (anyone
// their own). In a fair queue a requester who leaves the bot's voice
// channel and stays away for the leave grace period
// ([DefaultLeaveGrace], [WithLeaveGrace]) loses their queued tracks;
// coming back in time keeps them. [TracksRemoved] announces both.
//
// Two limits apply whatever the mode: [Settings.MaxTrackLength] (live
// streams count as longer than any) and [Settings.MaxUserShare], a
// percentage of the queue cap one user's queued tracks may fill (the
// track playing does not count). Play refuses a track past either with a
// [*TrackTooLongError] or a [*ShareError]; of a playlist it adds what
// passes and says in [PlayResult] how many were left out and why.
//
// # Vote skip
//
// When a listener asks to skip a track they may not skip (the guild has
// a DJ role they lack, and someone else requested the track), the skip
// becomes a vote instead of a denial; [Manager.VoteSkip] votes
// explicitly, for anyone in the bot's channel. A vote passes when its
// weight reaches [Settings.VoteSkipShare] of the listeners in the bot's
// channel (default [DefaultVoteSkipShare] percent, rounded up, bots
// excluded); each listener counts once and the track's requester twice;
// votes of those who left stop counting, and the count is taken again
// whenever listeners come or go, so a vote can pass when people leave.
// A vote closes after [DefaultVoteSkipTimeout] ([WithVoteSkipTimeout])
// and ends when the track changes. [SkipResult.Vote] and
// [NowPlaying.Vote] hold the tally; [SkipVoteUpdated] and
// [SkipVoteEnded] follow it.
//
// # Search, readiness and node status
//
// [Manager.Search] resolves a query as Play does (same [ParseQuery]
// rules, the least-loaded healthy node, its breaker) and returns at most
// [MaxSearchResults] tracks without playing anything: the source of
// autocomplete suggestions. It checks no permission and has no rate
// limit; the caller limits and caches. A query that matches nothing is
// an empty answer, not an error. [Manager.Ready] (started, not closed,
// a node connected) is for a readiness probe; [Manager.Nodes] reports
// each node's connection, breaker, players, load penalty and Lavalink
// version for dashboards. Both are cheap: no I/O and nothing that grows
// with the number of guilds.
//
// # Filters
//
// [Filters] are Lavalink's audio filters with typed values: equalizer,
// karaoke, timescale, tremolo, vibrato, rotation, distortion, channel
// mix and low pass ([Filters.Validate] checks the ranges Lavalink
// accepts; a value outside is a [*FilterError]). [AllFilterPresets]
// names nine sets of them (bassboost low, medium and high, nightcore,
// vaporwave, 8D, karaoke, soft and treble-bass, their values listed
// there), for users to pick from. [Manager.SetFilterPreset] applies one,
// [Manager.SetFilters] any valid set and [Manager.ResetFilters] turns
// them all off; each replaces the player's filters as a whole (command
// name "filter", a control like volume). Only filters the guild's node
// lists in its /v4/info are offered: [Manager.FilterPresets] returns the
// presets that node can apply, and a filter it lacks is an
// [*UnsupportedError] with Kind "filter". Filters live in the session
// ([Session.Filters], stored in the [Snapshot]): a failover or drain
// moves them with the player, to a node that offers them, and a restart
// restores them. [NowPlaying.Filters] reports them and
// [Filters.Preset] names the preset they are.
//
// # Lyrics
//
// [Manager.Lyrics] returns the current track's lyrics through the
// LavaLyrics plugin, from the guild's node when it has the plugin, else
// from any healthy node that does; lyrics are kept per track for ten
// minutes. Synced lyrics carry [LyricsLine]s, and [Lyrics.LineAt] picks
// the line for a position (such as [NowPlaying.Position]) with a binary
// search, so a now-playing message can show the line being sung without
// asking again. No lyrics for the track is [ErrNoLyrics]; no node with
// the plugin, or the plugin without a lyrics source ("No lyrics managers
// registered"), is [ErrLyricsUnavailable]. Lyrics requests bypass the
// node's breaker: a lyrics provider that fails says nothing about the
// node's players.
//
// # Silent-player watchdog
//
// A player can go silent while everything looks fine: its position
// moves on and no event arrives, but the node sends Discord no audio.
// Every five seconds the watchdog looks at each playing player whose
// position advanced between its last two playerUpdates and counts it
// silent while its node's last stats op says the session's playing
// players sent no frame (frameStats sent 0 with a deficit; an average,
// so this catches a node that stopped sending for all of them) or its
// last playerUpdate said connected false. Silent for longer than the
// threshold ([DefaultSilenceThreshold], [WithSilenceWatchdog]), it is
// healed in steps, each taken only when the one before did not heal:
// [HealVoice] renews the voice session through the [VoiceGateway] and
// sends it to the node (when Discord gives none, the voice state the
// node has is sent again); [HealReplay] plays the track again at its
// position; [HealMove] moves the player to another node within the
// migration limits. A step is judged on reports that arrived after it
// (a stats op for missing frames, a playerUpdate for a closed voice
// connection) and, when still silent, no sooner than its backoff
// ([DefaultHealBackoff], doubling with each step). When no step healed,
// the watchdog starts again with twice the threshold, up to five
// minutes. Each outcome is a [HealAttempted] event and counts
// player_heals_total{step,outcome} ([metrics.Business.TrackHeal]); each
// step is logged. A replay publishes no [TrackStarted].
//
// # Node drain
//
// [Manager.DrainNode] empties a node for a rolling Lavalink upgrade: new
// players go elsewhere, and its players move to the other healthy nodes
// as in a failover, but while they play on, at the migration limits, so
// commands keep working meanwhile and a failed move is tried again.
// DrainNode returns when the node holds none of the Manager's players. A
// player no other node can take stays until one can. [NodeStatus.Draining]
// reports the drain, for a readiness probe, until [Manager.UndrainNode].
// lavalink_players{node} ([metrics.Business.SetLavalinkPlayers]) counts
// the players on each node.
//
// # Voice
//
// The frontend forwards every member's voice state to
// [Manager.OnVoiceStateUpdate] (with a bot flag: bots are not listeners)
// and Discord's voice server updates to [Manager.OnVoiceServerUpdate];
// the first one, with a null endpoint, is held back. Play in a guild the
// bot is not in asks the VoiceGateway to join the actor's channel and
// waits (bounded by the voice timeout) until the bot's voice state and a
// voice server newer than the request have arrived; only then is a
// complete voice state (token, endpoint, session ID and channel ID) sent
// to Lavalink, with the track, in one request. When the bot is moved the
// node gets the new channel; when it is disconnected the session ends.
// When everyone leaves the bot pauses, resumes if someone returns within
// the empty-channel timeout and leaves otherwise; with nothing playing it
// leaves after the idle timeout. A guild's 24/7 setting keeps it.
//
// # Playback
//
// The Manager starts each track with a play ID in the track's user data,
// so that the events of an earlier track (a late TrackEndEvent racing a
// skip) are told apart and ignored. A track end starts the next track
// only when Lavalink's reason allows it ([TrackEndReason.MayStartNext]);
// [Session.End] applies the loop modes; with the queue empty, autoplay
// asks the [Recommender] (at most once per guild per autoplay cooldown,
// kept in a [ttlcache.Cache]) and plays the first candidate that is
// neither the last track nor in the history, marked [Track.Autoplay]
// with no requester (frontends show [AutoplayRequester]); otherwise
// [QueueEnded] is published and the idle timer starts. A track exception or a stuck track
// counts as an error (a stuck track, which Lavalink does not end, is
// skipped); a player with [DefaultErrorLimit] errors within
// [DefaultErrorWindow] stops and leaves with [LeaveFailed] rather than
// loop on a broken source. Frontends follow playback through the
// [EventBus] ([TrackStarted] carries the guild, the track and the node;
// the text channel is [NowPlaying.TextChannelID]) and
// [Manager.NowPlaying].
//
// # Autoplay
//
// The default [Recommender] is a [RecommenderChain] of
// [DefaultProviders]: YouTube's mix of a YouTube track, LavaSrc's mix
// (sprec:mix:track: or sprec:mix:isrc:) when the node lists the LavaSrc
// plugin, a YouTube Music search and a search with the search prefix for
// the track's author, asked in that order until one has something new.
// A provider that fails [DefaultProviderFailures] times in a row is
// skipped for [DefaultProviderCooldown] ([WithProviderCooldown]), then
// tried once. No track is picked again among the guild's last
// [DefaultNoRepeatTracks] nor within [DefaultNoRepeatWindow]
// ([WithNoRepeat]). [WithProviderObserver] reports each provider's
// outcome, for metrics. [DefaultRecommender] asks the same providers
// without that state.
//
// # The Lavalink connection
//
// disgolink/v3 v3.0.0's connection runtime panics on a failed voice
// update (nil logger), omits channelId (a 400 from Lavalink 4.2), picks
// the most loaded node, races on its own state and stops reading at the
// first frame it cannot decode. The Manager therefore uses
// music/internal/node, a small websocket and REST client of tunekit's
// own, with disgolink's wire types; its TestDisgolinkWireDefects pins
// those defects. Each node connects with resuming enabled and reconnects
// with jittered exponential backoff; its info (version, source managers,
// filters, plugins) is read at connect, and a command needing a source
// no connected node has fails at once with an [*UnsupportedError]. New
// players go to the healthy node with the lowest penalty (playing
// players, CPU load, frame deficit). Each node's REST calls pass through
// its own [resilience.Breaker] (open: the node counts as lost), the
// tracer's transport and lavalink_request_duration_seconds. Node
// passwords are revealed only into request headers, and the logger is
// wrapped with [secureheaders.NewRedactingHandler].
//
// # Failover
//
// A node lost (websocket closed or breaker open) for longer than the
// grace period has its players moved to the healthy nodes with their
// voice state, track, position (the last known one, advanced by the time
// since while playing), paused state, volume and filters, and
// [PlayerMoved] is published. Moves are bounded ([DefaultMaxMigrations]
// at once, [DefaultMaxMigrationsPerNode] onto one node) so that a dying
// node does not flood its replacement. A node that returns within the
// grace period resumes its Lavalink session and nothing moves; one that
// returns after its players moved has the strays destroyed; one that
// returns without its session (restarted) gets its players played again.
// While no node is healthy, commands that need one fail at once with
// [ErrServiceUnavailable] and views still answer; playback resumes when
// a node returns.
//
// # Persistence and restart
//
// Every change to a session is saved through the [SessionStore] by one
// goroutine: coalesced to at most one write per guild per save interval,
// except a track change, which is saved at once, and every session at
// Close. A failed write is kept and retried with backoff until it
// succeeds, so nothing is lost while the process lives. Settings are
// read through a cache: a store that fails serves the last known
// settings (the defaults for a guild never read, whose settings then
// cannot be changed until the store is back) and is not asked again
// for the cache's time to live; setting writes are retried like session
// writes. Failures count errors_total (component "store"). The Redis
// commands behind music/redisstore (and a Redis rate limiter) count their
// own failures in redis_failures_total once the bot passes its Redis
// client to metrics' Business.InstrumentRedis; the Manager does not count
// them. [Manager.Start] restores every
// stored session: node clients resume the Lavalink sessions the
// snapshots name, the bot re-joins each voice channel, and the track
// continues where the node still plays it or, on a node that lost it,
// at the saved position (Close saves the position at shutdown).
//
// # Several processes on one store
//
// A bot may run as several processes on one store, each serving some
// guilds (one per group of Discord shards, say). [Config.Owns] tells the
// Manager which guilds are its own: Start restores only their sessions,
// and a command in another guild returns a [*NotServedError]
// ([ErrNotServed]). When the session store is also a [Leaser] and a
// [FencedStore] (music/redisstore is), the Manager takes a lease on each
// guild it plays in, named by [WithOwnerID] and lasting [WithLeaseTTL]
// ([DefaultLeaseTTL]), renews its leases every third of that, and
// writes with the lease's fencing token, so a process that stalled past
// its lease can no longer overwrite the new owner's state: its write is
// refused, and it stops driving the guild without leaving voice
// (SessionEnded with reason handedOver). A lease that runs out while the
// store is down is given up the same way. Once per lease time the
// Manager takes over stored sessions of its guilds that nobody leases
// (their process crashed or shut down) and plays on from the saved
// position; a store that lost its data (a Redis restart without
// persistence) is written whole again by the lease holder. With a store
// that is a [QueueEditor] and a [QueueWatcher] the queue itself is
// shared: each edit is one atomic operation on the stored queue that
// expects the version the local copy is at; a conflict reloads the
// queue and tries again, and a change by another process is followed
// at once.
//
// # Concurrency of the Manager
//
// Each guild's changes run one at a time, in order: a command, a node
// event, a timer or a move takes the guild's turn (a one-slot channel,
// taken with the caller's context) for the whole of its work, Lavalink
// requests included, while other guilds proceed. The guild's state is
// guarded by a mutex that is never held across I/O, so NowPlaying, Queue
// and Settings never wait for the network or for other commands. The
// Manager owns one goroutine per concern: the saver, the supervisor of
// nodes and moves, one connection goroutine per node, short-lived
// goroutines that run a guild's queued work (events, timers, healing
// steps) while there is some, and one per move in progress;
// [Manager.Close] stops and waits for all of them. The watchdog's look
// runs on the Clock's timer and only queues work.
//
// # IDs
//
// [ParseID] turns user or payload text into a snowflake and rejects empty,
// zero, non-decimal, signed, zero-padded and over-long input with an
// [*InvalidIDError] matching [ErrInvalidID]. It accepts every non-zero
// 64-bit value, since that is what Discord can issue.
//
// # Tracks
//
// A [Track] is Lavalink's track (encoded string and info) plus its
// Requester and AddedAt. [TrackFromLavalink] and [Track.Lavalink] convert
// to and from disgolink's type keeping every field. Durations are
// [time.Duration] at Lavalink's millisecond precision; a stream's length,
// which Lavalink sends as the largest Java long, becomes the largest
// Duration and converts back unchanged. A Track's JSON form is Lavalink's
// track object plus "requester" and "addedAt".
//
// # Settings
//
// [Settings] is a comparable value with validated With methods. Its zero
// value is the defaults: volume 50 %, loop off, autoplay off, no DJ role,
// no announce channel, 24/7 mode off, a queue of at most 1,000 tracks,
// fair queue off, no limit on track length or on a user's share of the
// queue, and skip votes passing at half the listeners.
// Loop and autoplay exclude each other: turning one on while the other is
// on returns a [*ConflictError] matching [ErrConflictingSettings]. A
// Settings remembers which values the guild chose, so stores keep only the
// choices and [Settings.WithDefaults] lets a bot override tunekit's
// defaults for guilds that chose nothing. The Manager applies
// Config.DefaultSettings on every read and stores only the guild's
// choices, so a bot that changes its defaults changes them for every
// guild that did not choose otherwise.
//
// # Queue
//
// A [Queue] holds the upcoming tracks and a bounded history of played
// ones (50 by default). It is a ring buffer: adding at either end and
// taking the next track are amortized O(1), and removing or moving shifts
// only the tracks between the two positions from the nearer end. Positions
// are 1-based everywhere, as users count, and a position that does not
// exist is a [*PositionError]. An add past the cap (1,000 by default)
// returns a [*QueueFullError]; a playlist that does not fit adds what fits
// and says how many were dropped. The buffer shrinks as the queue drains,
// so an emptied queue holds no memory. [Queue.Shuffle] is
// Fisher–Yates with a source that tests can inject ([WithShuffleSource]),
// and [Queue.Page] copies only the tracks of the page asked for.
// [Queue.Swap] exchanges two tracks; in fair mode ([Queue.SetFair])
// adds go to their requester's turn and Shuffle keeps the turns.
//
// # Sessions
//
// A [Session] is a guild's playback state: idle, connecting, playing or
// paused, the current track with its last known position and when that was
// observed, the voice and text channels, the Lavalink node and its session
// ID, volume, filters, the loop and autoplay modes from the settings, and
// the queue. Its methods are pure state transitions; one called in a state
// that does not allow it returns a [*TransitionError] (matching
// [ErrNothingPlaying] when no track is loaded) and changes nothing.
// [Session.End] applies the loop modes when a track ends, [Session.Skip]
// and [Session.Previous] move through the queue and its history.
//
// # Permissions
//
// [Authorize] decides whether an [Actor] may perform an [Action] given
// the [Facts] of the guild: anyone in the bot's voice channel may queue
// and view; controls need the DJ role when one is set, or Admin, or being
// the only listener with the bot, and a requester may always skip or
// remove their own track; users outside the bot's voice channel control
// nothing. A denial is a [*PermissionError] matching [ErrNotInVoice] or
// [ErrNoPermission].
//
// # Events
//
// Events ([TrackQueued], [TrackStarted], [TrackEnded], [QueueEnded],
// [SettingsUpdated], [PlayerMoved], [SessionEnded], [SkipVoteUpdated],
// [SkipVoteEnded], [TracksRemoved] and others the [Event] type lists)
// are plain values.
// [MarshalEvent] and [UnmarshalEvent] encode them as JSON with a type tag,
// so they cross processes; an unknown tag from a newer publisher is
// [ErrUnknownEvent], which a subscriber can skip. An [EventBus] carries
// them; [Bus] is the in-process one: each subscriber has a goroutine and a
// bounded buffer (256 events by default), so a slow subscriber never
// blocks a publisher, and what it cannot take is dropped and counted.
// music/redisstore has a Redis pub/sub bus for bots running as several
// processes.
//
// # Stores
//
// [SettingsStore] and [SessionStore] are the interfaces the player
// persists through. A guild with no stored settings gets the defaults, not
// an error. A session is stored as a [Snapshot], which carries a schema
// version: loading one written by a newer schema returns a
// [*SnapshotVersionError] and leaves it stored, so a rollback never
// silently loses data. [MemoryStore] keeps everything in memory;
// music/boltstore keeps it in one file (the default for one machine) and
// music/redisstore in Redis (for many shards or instances).
// music/storetest is the conformance suite every store passes, and that
// bot authors can run against their own.
//
// # Encoding
//
// Every type that is stored or sent has one JSON form, used by all the
// stores and buses in this module: a [Track] is Lavalink's track object
// plus "requester" and "addedAt"; [Settings] holds only the values the
// guild chose; a [Snapshot] starts with its "version", so
// [SnapshotVersionOf] can read it before anything else; events are
// {"type": …, "event": {…}}. IDs are strings (no precision lost in
// JavaScript or Lua), durations integer milliseconds and times RFC 3339.
// Encoding and decoding use encoding/json on unexported wire structs;
// tracks and snapshots are written without HTML escaping, so a title such
// as "Rock & Roll" is stored as it reads. Tests pin the stored forms byte
// for byte. A track's JSON never holds a raw newline, so stores may keep
// one track per line.
//
// # Concurrency
//
// [Settings], [Track], [Snapshot] and the events are values. [Queue] and
// [Session] are not safe for concurrent use: the Manager serializes the
// commands of a guild and owns its session. [Manager], [Bus] and
// [MemoryStore] are safe for concurrent use.
package music
