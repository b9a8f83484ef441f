package metrics

import (
	"strings"
	"unicode/utf8"
)

// Other is the label value recorded for any value outside a label's known
// set. It is what keeps the number of series fixed however many distinct
// strings callers pass.
const Other = "other"

// Track sources: the values of the source label of songs_played_total. They
// are Lavalink's source names (TrackInfo.SourceName); plugin sources outside
// this list are recorded as [Other].
const (
	SourceYouTube    = "youtube"
	SourceSoundCloud = "soundcloud"
	SourceSpotify    = "spotify"
	SourceDeezer     = "deezer"
	SourceAppleMusic = "applemusic"
	SourceBandcamp   = "bandcamp"
	SourceTwitch     = "twitch"
	SourceVimeo      = "vimeo"
	SourceHTTP       = "http"
	SourceLocal      = "local"
)

// Command statuses: the values of the status label of
// command_duration_seconds.
const (
	StatusOK          = "ok"           // the command did its work
	StatusError       = "error"        // the command failed
	StatusDenied      = "denied"       // a permission check refused the actor
	StatusRateLimited = "rate_limited" // the rate limiter refused the actor
)

// Request statuses: the values of the status label of
// lavalink_request_duration_seconds. [StatusOK] and [StatusError] are shared
// with commands.
const (
	StatusTimeout     = "timeout"     // the request ran out of time
	StatusUnavailable = "unavailable" // no request was made: breaker open or node down
)

// Autoplay outcomes: the values of the outcome label of
// autoplay_tracks_total. Autoplay accuracy is the completed share.
const (
	OutcomeCompleted = "completed" // the autoplayed track played to its end
	OutcomeSkipped   = "skipped"   // a listener skipped the autoplayed track
)

// Rate-limit backends: the values of the backend label of
// rate_limited_total, matching the backends of tunekit's ratelimit package.
const (
	BackendRedis    = "redis"
	BackendMemory   = "memory"
	BackendFallback = "fallback"
)

// Error components: the values of the component label of errors_total.
const (
	ComponentLavalink  = "lavalink"
	ComponentRedis     = "redis"
	ComponentStore     = "store"
	ComponentDiscord   = "discord"
	ComponentRateLimit = "ratelimit"
	ComponentPlayer    = "player"
	ComponentCommand   = "command"
)

// Error kinds: the values of the kind label of errors_total.
const (
	KindTimeout      = "timeout"
	KindUnavailable  = "unavailable"
	KindInvalidInput = "invalid_input"
	KindNotFound     = "not_found"
	KindPermission   = "permission"
	KindCanceled     = "canceled"
	KindInternal     = "internal"
)

// Error severities: the values of the severity label of errors_total.
const (
	SeverityLow      = "low"
	SeverityMedium   = "medium"
	SeverityHigh     = "high"
	SeverityCritical = "critical"
)

// Lavalink node states: the values of the state label of lavalink_nodes.
const (
	NodeConnected    = "connected"
	NodeDisconnected = "disconnected"
)

// Lavalink REST operations: the values of the operation label of
// lavalink_request_duration_seconds. [LavalinkOperation] maps a request to
// one of them.
const (
	OpLoadTracks    = "load_tracks"    // GET /v4/loadtracks
	OpDecodeTrack   = "decode_track"   // GET /v4/decodetrack
	OpDecodeTracks  = "decode_tracks"  // POST /v4/decodetracks
	OpGetPlayers    = "get_players"    // GET /v4/sessions/{id}/players
	OpGetPlayer     = "get_player"     // GET /v4/sessions/{id}/players/{guild}
	OpUpdatePlayer  = "update_player"  // PATCH /v4/sessions/{id}/players/{guild}
	OpDestroyPlayer = "destroy_player" // DELETE /v4/sessions/{id}/players/{guild}
	OpUpdateSession = "update_session" // PATCH /v4/sessions/{id}
	OpInfo          = "info"           // GET /v4/info
	OpStats         = "stats"          // GET /v4/stats
	OpVersion       = "version"        // GET /version
	OpRoutePlanner  = "route_planner"  // /v4/routeplanner/...
	OpLyrics        = "lyrics"         // the LavaLyrics plugin: GET /v4/lyrics, GET /v4/sessions/{id}/players/{guild}/track/lyrics
)

// Healing steps of a silent-player watchdog: the values of the step label
// of player_heals_total, in the order a watchdog takes them.
const (
	HealStepVoice  = "voice"  // the voice state was sent to the node again
	HealStepReplay = "replay" // the track was played again at its position
	HealStepMove   = "move"   // the player moved to another node
)

// Healing outcomes: the values of the outcome label of player_heals_total.
const (
	HealHealed = "healed" // the player sends audio again
	HealFailed = "failed" // the step was taken but the player stayed silent
	HealError  = "error"  // the step could not be taken (a request failed, no node to move to)
)

// Autoplay providers: the values of the provider label of
// autoplay_provider_requests_total, one per provider of tunekit's
// autoplay chain. The provider names the music package gives its
// providers (youtube-mix, lavasrc-mix, youtube-music-search,
// artist-search) are recorded as these too; any other provider, such as
// one a bot adds, is [Other].
const (
	ProviderYouTubeMix   = "youtube_mix" // YouTube's mix (RD playlist) of the seed
	ProviderLavaSrc      = "lavasrc"     // LavaSrc's mix (sprec:mix:...) of the seed
	ProviderYouTubeMusic = "ytmusic"     // a YouTube Music search for the seed's author
	ProviderArtist       = "artist"      // a search for the seed's author or title
)

// Autoplay provider outcomes: the values of the outcome label of
// autoplay_provider_requests_total.
const (
	ProviderOK      = "ok"      // the provider recommended new tracks
	ProviderEmpty   = "empty"   // it had nothing, or nothing new
	ProviderFailed  = "failed"  // it returned an error
	ProviderCooling = "cooling" // it was skipped: cooling down after failures
)

// Skip vote outcomes: the values of the outcome label of
// skip_votes_total. A started vote ends once, as passed, expired or
// track_changed ("trackChanged", the music package's spelling, is
// recorded as [VoteTrackChanged] too).
const (
	VoteStarted      = "started"       // a listener's skip request started a vote
	VotePassed       = "passed"        // enough listeners voted: the track was skipped
	VoteExpired      = "expired"       // the vote ran out of time
	VoteTrackChanged = "track_changed" // the track ended or changed first
)

// Removal reasons: the values of the reason label of
// queue_tracks_removed_total.
const (
	RemovedCommand = "command" // a command removed a user's tracks
	RemovedLeft    = "left"    // the requester left the voice channel
)

// Play rejection reasons: the values of the reason label of
// play_rejected_total.
const (
	RejectedTooLong   = "too_long"   // the track is longer than the guild allows (or a live stream)
	RejectedOverShare = "over_share" // the requester already holds their share of the queue
)

// Breaker states: the values of the to label of breaker_transitions_total.
// breaker_state holds 0, 1 or 2 for them.
const (
	BreakerClosed   = "closed"
	BreakerHalfOpen = "half-open"
	BreakerOpen     = "open"
)

// The fixed label sets, in the order of the constants above. Each ends
// without [Other]; a labelSet adds it.
var (
	sources = []string{
		SourceYouTube, SourceSoundCloud, SourceSpotify, SourceDeezer, SourceAppleMusic,
		SourceBandcamp, SourceTwitch, SourceVimeo, SourceHTTP, SourceLocal,
	}
	commandStatuses = []string{StatusOK, StatusError, StatusDenied, StatusRateLimited}
	requestStatuses = []string{StatusOK, StatusError, StatusTimeout, StatusUnavailable}
	outcomes        = []string{OutcomeCompleted, OutcomeSkipped}
	backends        = []string{BackendRedis, BackendMemory, BackendFallback}
	components      = []string{
		ComponentLavalink, ComponentRedis, ComponentStore, ComponentDiscord,
		ComponentRateLimit, ComponentPlayer, ComponentCommand,
	}
	kinds = []string{
		KindTimeout, KindUnavailable, KindInvalidInput, KindNotFound,
		KindPermission, KindCanceled, KindInternal,
	}
	severities         = []string{SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}
	lavalinkOperations = []string{
		OpLoadTracks, OpDecodeTrack, OpDecodeTracks, OpGetPlayers, OpGetPlayer,
		OpUpdatePlayer, OpDestroyPlayer, OpUpdateSession, OpInfo, OpStats,
		OpVersion, OpRoutePlanner, OpLyrics,
	}
	healSteps        = []string{HealStepVoice, HealStepReplay, HealStepMove}
	healOutcomes     = []string{HealHealed, HealFailed, HealError}
	providers        = []string{ProviderYouTubeMix, ProviderLavaSrc, ProviderYouTubeMusic, ProviderArtist}
	providerOutcomes = []string{ProviderOK, ProviderEmpty, ProviderFailed, ProviderCooling}
	voteOutcomes     = []string{VoteStarted, VotePassed, VoteExpired, VoteTrackChanged}
	removeReasons    = []string{RemovedCommand, RemovedLeft}
	rejectReasons    = []string{RejectedTooLong, RejectedOverShare}
	// providerAliases are the music package's provider names.
	providerAliases = map[string]string{
		"youtube-mix":          ProviderYouTubeMix,
		"lavasrc-mix":          ProviderLavaSrc,
		"youtube-music-search": ProviderYouTubeMusic,
		"artist-search":        ProviderArtist,
	}
	voteAliases = map[string]string{"trackChanged": VoteTrackChanged}
	// redisOperations are Redis command names as go-redis reports them
	// (Cmder.Name), plus pipeline and tx for batches.
	redisOperations = []string{
		"get", "set", "del", "exists", "expire", "pexpire", "incr", "mget", "mset",
		"hget", "hset", "hdel", "hgetall", "lpush", "rpush", "lrange", "ltrim",
		"zadd", "zrange", "zrem", "zremrangebyscore", "zcard",
		"eval", "evalsha", "publish", "subscribe", "xadd", "xread", "xreadgroup",
		"scan", "ping", "watch", "pipeline", "tx",
	}
)

// DefaultCommands returns the command names known when [WithCommands] is not
// given: the slash commands of tunekit's music bot. Each call returns a new
// slice.
func DefaultCommands() []string {
	return []string{
		"play", "pause", "resume", "skip", "previous", "stop", "seek", "volume",
		"loop", "autoplay", "shuffle", "remove", "move", "clear", "queue",
		"nowplaying", "leave", "settings", "filter", "lyrics",
	}
}

// RedisOperations returns the operation names redis_failures_total knows:
// lower-case Redis command names plus "pipeline" and "tx". Any other
// operation is recorded as [Other]. Each call returns a new slice.
func RedisOperations() []string {
	return append([]string(nil), redisOperations...)
}

// labelSet maps label values to a small dense index. Index len(values) is
// [Other]. Lookups of known values do not allocate.
type labelSet struct {
	values []string // known values followed by Other
	index  map[string]int
}

func newLabelSet(known []string) labelSet {
	s := labelSet{index: make(map[string]int, len(known)+1)}
	for _, v := range known {
		if _, dup := s.index[v]; dup || v == Other {
			continue
		}
		s.index[v] = len(s.values)
		s.values = append(s.values, v)
	}
	s.index[Other] = len(s.values)
	s.values = append(s.values, Other)
	return s
}

// withAliases returns s with more spellings of its values: each alias
// maps to the index of its value. Aliases of unknown values are ignored.
func (s labelSet) withAliases(aliases map[string]string) labelSet {
	for alias, v := range aliases {
		if i, ok := s.index[v]; ok {
			if _, taken := s.index[alias]; !taken {
				s.index[alias] = i
			}
		}
	}
	return s
}

// other is the index of [Other].
func (s labelSet) other() int { return len(s.values) - 1 }

// lookup returns the index of v, matching ASCII case-insensitively, or the
// index of Other.
func (s labelSet) lookup(v string) int {
	if i, ok := s.index[v]; ok {
		return i
	}
	if len(v) == 0 || len(v) > maxLabelLen || !hasUpper(v) {
		return s.other()
	}
	if i, ok := s.index[strings.ToLower(v)]; ok {
		return i
	}
	return s.other()
}

// value returns the label value for v: v itself when known, else Other.
func (s labelSet) value(v string) string { return s.values[s.lookup(v)] }

// maxLabelLen bounds the label values tunekit accepts from callers.
const maxLabelLen = 64

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// validLabelValue reports whether v can be a caller-chosen label value:
// non-empty, at most maxLabelLen bytes of valid UTF-8 without control
// characters.
func validLabelValue(v string) bool {
	return len(v) <= maxLabelLen && validConstValue(v)
}

// validConstValue reports whether v can be a constant label value: 1 to
// 256 bytes of valid UTF-8 without control characters.
func validConstValue(v string) bool {
	if v == "" || len(v) > 256 || !utf8.ValidString(v) {
		return false
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
