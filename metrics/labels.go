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
	healSteps    = []string{HealStepVoice, HealStepReplay, HealStepMove}
	healOutcomes = []string{HealHealed, HealFailed, HealError}
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
