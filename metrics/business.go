package metrics

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
)

// Histogram buckets, in the unit of each series.
var (
	queueLengthBuckets     = []float64{0, 1, 5, 10, 25, 50, 100, 200, 500, 1000}
	voiceSessionBuckets    = []float64{60, 300, 600, 1800, 3600, 7200, 14400}
	commandBuckets         = prometheus.DefBuckets
	trackStartDelayBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60}
	lavalinkBuckets        = prometheus.DefBuckets
)

// Business records a music bot's business metrics on one registry. Every
// label has a fixed set of values (see the package documentation); anything
// else is recorded as [Other], so the number of series never grows with the
// number of guilds, users or distinct inputs.
//
// A Business is safe for concurrent use. Its methods never fail: recording
// a metric cannot break a command. A nil *Business records nothing, so a
// component can take an optional one.
type Business struct {
	commandSet labelSet // from WithCommands

	songs           []prometheus.Counter // by source index
	queueLength     prometheus.Histogram
	voiceSession    prometheus.Histogram
	autoplay        []prometheus.Counter    // by outcome index
	commands        [][]prometheus.Observer // [command][status]
	trackStartDelay prometheus.Histogram
	activeGuilds    prometheus.Gauge
	sessions        prometheus.Gauge
	rateLimited     *prometheus.CounterVec   // command, backend
	errors          *prometheus.CounterVec   // component, kind, severity
	lavalinkNodes   [2]prometheus.Gauge      // connected, disconnected
	lavalinkReq     *prometheus.HistogramVec // operation, status
	redisFailures   []prometheus.Counter     // by Redis operation index
	breakers        *breakers
	heals           [][]prometheus.Counter // [step][outcome]
	players         *prometheus.GaugeVec   // node
	nodeNames       *boundedNames
	providers       [][]prometheus.Counter // [provider][outcome]
	skipVotes       []prometheus.Counter   // by vote outcome index
	removed         []prometheus.Counter   // by removal reason index
	rejected        []prometheus.Counter   // by rejection reason index
}

// Label sets that do not depend on options.
var (
	statusSet    = newLabelSet(commandStatuses)
	reqStatusSet = newLabelSet(requestStatuses)
	outcomeSet   = newLabelSet(outcomes)
	backendSet   = newLabelSet(backends)
	componentSet = newLabelSet(components)
	kindSet      = newLabelSet(kinds)
	severitySet  = newLabelSet(severities)
	operationSet = newLabelSet(lavalinkOperations)
	redisOpSet   = newLabelSet(redisOperations)
	sourceSet    = newLabelSet(sources)
	healStepSet  = newLabelSet(healSteps)
	healOutSet   = newLabelSet(healOutcomes)
	providerSet  = newLabelSet(providers).withAliases(providerAliases)
	provOutSet   = newLabelSet(providerOutcomes)
	voteSet      = newLabelSet(voteOutcomes).withAliases(voteAliases)
	removeSet    = newLabelSet(removeReasons)
	rejectSet    = newLabelSet(rejectReasons)
)

// New creates the business metrics and registers them on reg, which is
// required: New never falls back to prometheus.DefaultRegisterer, pass it
// explicitly if that is the registry you want.
//
// It returns [ErrNilRegisterer], an [*OptionError] for a bad option, or the
// registry's error (such as prometheus.AlreadyRegisteredError when the same
// namespace is registered twice) wrapped; on error nothing stays registered.
func New(reg prometheus.Registerer, opts ...Option) (*Business, error) {
	if reg == nil {
		return nil, ErrNilRegisterer
	}
	c := newConfig(opts)
	if err := c.validate(); err != nil {
		return nil, err
	}
	b := &Business{commandSet: newLabelSet(c.commands)}
	f := factory{c: c}

	songs := f.counterVec("songs_played_total", "Tracks that started playing, by Lavalink source.", "source")
	b.songs = children(songs, sourceSet)
	b.queueLength = f.histogram("queue_length", "Queue length, observed when a track is added to a queue.", queueLengthBuckets)
	b.voiceSession = f.histogram("voice_session_duration_seconds", "Duration of voice sessions, from joining a channel to leaving it.", voiceSessionBuckets)
	auto := f.counterVec("autoplay_tracks_total", "Tracks chosen by autoplay, by outcome. Accuracy is the completed share.", "outcome")
	b.autoplay = children(auto, outcomeSet)

	cmd := f.histogramVec("command_duration_seconds", "Duration of commands, by command and status.", commandBuckets, "command", "status")
	b.commands = make([][]prometheus.Observer, len(b.commandSet.values))
	for i, name := range b.commandSet.values {
		b.commands[i] = make([]prometheus.Observer, len(statusSet.values))
		for j, status := range statusSet.values {
			b.commands[i][j] = cmd.WithLabelValues(name, status)
		}
	}

	b.trackStartDelay = f.histogram("track_start_delay_seconds", "Time from a play request to the track actually starting.", trackStartDelayBuckets)
	b.activeGuilds = f.gauge("active_guilds", "Guilds with a music session.")
	b.sessions = f.gauge("music_sessions", "Music sessions (players) this process holds.")
	b.rateLimited = f.counterVec("rate_limited_total", "Commands refused by the rate limiter, by command and deciding backend.", "command", "backend")
	b.errors = f.counterVec("errors_total", "Errors, by component, kind and severity.", "component", "kind", "severity")

	nodes := f.gaugeVec("lavalink_nodes", "Lavalink nodes, by connection state.", "state")
	b.lavalinkNodes = [2]prometheus.Gauge{nodes.WithLabelValues(NodeConnected), nodes.WithLabelValues(NodeDisconnected)}
	b.lavalinkReq = f.histogramVec("lavalink_request_duration_seconds", "Duration of Lavalink REST requests, by operation and status.", lavalinkBuckets, "operation", "status")
	redisFailures := f.counterVec("redis_failures_total", "Failed Redis operations, by operation.", "operation")
	b.redisFailures = children(redisFailures, redisOpSet)

	state := f.gaugeVec("breaker_state", "Circuit breaker state: 0 closed, 1 half-open, 2 open.", "name")
	trans := f.counterVec("breaker_transitions_total", "Circuit breaker state changes, by breaker and new state.", "name", "to")
	b.breakers = newBreakers(state, trans, c.maxBreakers)

	heals := f.counterVec("player_heals_total", "Healing steps a silent-player watchdog took, by step and outcome.", "step", "outcome")
	b.heals = grid(heals, healStepSet, healOutSet)
	b.players = f.gaugeVec("lavalink_players", "Players placed on each Lavalink node.", "node")
	b.nodeNames = newBoundedNames(c.maxNodes)

	prov := f.counterVec("autoplay_provider_requests_total", "Turns of autoplay providers, by provider and outcome.", "provider", "outcome")
	b.providers = grid(prov, providerSet, provOutSet)
	votes := f.counterVec("skip_votes_total", "Skip votes, by outcome: started, then passed, expired or track_changed.", "outcome")
	b.skipVotes = children(votes, voteSet)
	removed := f.counterVec("queue_tracks_removed_total", "Queued tracks removed with all of their requester's tracks, by reason.", "reason")
	b.removed = children(removed, removeSet)
	rejected := f.counterVec("play_rejected_total", "Tracks a play request could not queue because of the guild's limits, by reason.", "reason")
	b.rejected = children(rejected, rejectSet)

	if err := f.register(reg); err != nil {
		return nil, err
	}
	return b, nil
}

// children creates one child per value of set, in index order.
func children(v *prometheus.CounterVec, set labelSet) []prometheus.Counter {
	out := make([]prometheus.Counter, len(set.values))
	for i, value := range set.values {
		out[i] = v.WithLabelValues(value)
	}
	return out
}

// grid creates one child per pair of values of rows and cols, indexed
// [row][col].
func grid(v *prometheus.CounterVec, rows, cols labelSet) [][]prometheus.Counter {
	out := make([][]prometheus.Counter, len(rows.values))
	for i, r := range rows.values {
		out[i] = make([]prometheus.Counter, len(cols.values))
		for j, c := range cols.values {
			out[i][j] = v.WithLabelValues(r, c)
		}
	}
	return out
}

// factory builds collectors with the configured namespace, constant labels
// and histogram mode, and remembers them for registration.
type factory struct {
	c          config
	collectors []prometheus.Collector
}

func (f *factory) add(c prometheus.Collector) { f.collectors = append(f.collectors, c) }

func (f *factory) histogramOpts(name, help string, buckets []float64) prometheus.HistogramOpts {
	o := prometheus.HistogramOpts{
		Namespace: f.c.namespace, Name: name, Help: help,
		ConstLabels: f.c.constLabels, Buckets: buckets,
	}
	if f.c.native {
		o.NativeHistogramBucketFactor = 1.1
		o.NativeHistogramMaxBucketNumber = 100
		o.NativeHistogramMinResetDuration = time.Hour
	}
	return o
}

func (f *factory) histogram(name, help string, buckets []float64) prometheus.Histogram {
	h := prometheus.NewHistogram(f.histogramOpts(name, help, buckets))
	f.add(h)
	return h
}

func (f *factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(f.histogramOpts(name, help, buckets), labels)
	f.add(h)
	return h
}

func (f *factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: f.c.namespace, Name: name, Help: help, ConstLabels: f.c.constLabels}, labels)
	f.add(v)
	return v
}

func (f *factory) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: f.c.namespace, Name: name, Help: help, ConstLabels: f.c.constLabels})
	f.add(g)
	return g
}

func (f *factory) gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: f.c.namespace, Name: name, Help: help, ConstLabels: f.c.constLabels}, labels)
	f.add(g)
	return g
}

// register registers every collector or, on the first error, none.
func (f *factory) register(reg prometheus.Registerer) error {
	for i, c := range f.collectors {
		if err := reg.Register(c); err != nil {
			for _, done := range f.collectors[:i] {
				reg.Unregister(done)
			}
			return fmt.Errorf("metrics: register: %w", err)
		}
	}
	return nil
}

// TrackSongPlayed counts a track that started playing. source is Lavalink's
// source name (TrackInfo.SourceName), such as [SourceYouTube].
func (b *Business) TrackSongPlayed(source string) {
	if b == nil {
		return
	}
	b.songs[sourceSet.lookup(source)].Inc()
}

// ObserveQueueLength records a queue length; call it when a track is added
// to a queue. Negative values are recorded as 0.
func (b *Business) ObserveQueueLength(n int) {
	if b == nil {
		return
	}
	b.queueLength.Observe(float64(max(n, 0)))
}

// ObserveVoiceSession records the duration of a finished voice session.
func (b *Business) ObserveVoiceSession(d time.Duration) {
	if b == nil {
		return
	}
	b.voiceSession.Observe(seconds(d))
}

// TrackAutoplay counts an autoplayed track by its outcome:
// [OutcomeCompleted] or [OutcomeSkipped].
func (b *Business) TrackAutoplay(outcome string) {
	if b == nil {
		return
	}
	b.autoplay[outcomeSet.lookup(outcome)].Inc()
}

// ObserveCommand records how long a command took and how it ended. status
// is one of [StatusOK], [StatusError], [StatusDenied] or
// [StatusRateLimited]. When ctx holds a sampled span, the observation
// carries its trace and span IDs as an exemplar, linking the latency
// histogram to the trace (exemplars are served in the OpenMetrics format,
// see [Handler]). Without a sampled span it does not allocate.
func (b *Business) ObserveCommand(ctx context.Context, command, status string, d time.Duration) {
	if b == nil {
		return
	}
	o := b.commands[b.commandSet.lookup(strings.TrimPrefix(command, "/"))][statusSet.lookup(status)]
	v := seconds(d)
	if ctx != nil {
		if sc := trace.SpanContextFromContext(ctx); sc.IsSampled() {
			o.(prometheus.ExemplarObserver).ObserveWithExemplar(v, prometheus.Labels{
				"trace_id": sc.TraceID().String(),
				"span_id":  sc.SpanID().String(),
			})
			return
		}
	}
	o.Observe(v)
}

// ObserveTrackStartDelay records the time from a play request to the track
// actually starting.
func (b *Business) ObserveTrackStartDelay(d time.Duration) {
	if b == nil {
		return
	}
	b.trackStartDelay.Observe(seconds(d))
}

// SetActiveGuilds sets the number of guilds with a music session.
func (b *Business) SetActiveGuilds(n int) {
	if b == nil {
		return
	}
	b.activeGuilds.Set(float64(n))
}

// SetSessions sets the number of music sessions (players) this process
// holds.
func (b *Business) SetSessions(n int) {
	if b == nil {
		return
	}
	b.sessions.Set(float64(n))
}

// TrackRateLimited counts a command refused by the rate limiter. backend is
// the store that decided: [BackendRedis], [BackendMemory] or
// [BackendFallback].
func (b *Business) TrackRateLimited(command, backend string) {
	if b == nil {
		return
	}
	b.rateLimited.WithLabelValues(
		b.commandSet.values[b.commandSet.lookup(strings.TrimPrefix(command, "/"))],
		backendSet.value(backend),
	).Inc()
}

// TrackError counts an error by component (such as [ComponentLavalink]),
// kind (such as [KindTimeout]) and severity ([SeverityLow] to
// [SeverityCritical]).
func (b *Business) TrackError(component, kind, severity string) {
	if b == nil {
		return
	}
	b.errors.WithLabelValues(componentSet.value(component), kindSet.value(kind), severitySet.value(severity)).Inc()
}

// SetLavalinkNodes sets the number of connected and disconnected Lavalink
// nodes.
func (b *Business) SetLavalinkNodes(connected, disconnected int) {
	if b == nil {
		return
	}
	b.lavalinkNodes[0].Set(float64(connected))
	b.lavalinkNodes[1].Set(float64(disconnected))
}

// ObserveLavalinkRequest records the duration of a Lavalink REST request.
// op is one of the Op constants (see [LavalinkOperation]); status is
// [StatusOK], [StatusError], [StatusTimeout] or [StatusUnavailable].
func (b *Business) ObserveLavalinkRequest(op, status string, d time.Duration) {
	if b == nil {
		return
	}
	b.lavalinkReq.WithLabelValues(operationSet.value(op), reqStatusSet.value(status)).Observe(seconds(d))
}

// TrackHeal counts a healing step a silent-player watchdog took, once
// its outcome is known. step is [HealStepVoice], [HealStepReplay] or
// [HealStepMove]; outcome is [HealHealed], [HealFailed] or [HealError].
func (b *Business) TrackHeal(step, outcome string) {
	if b == nil {
		return
	}
	b.heals[healStepSet.lookup(step)][healOutSet.lookup(outcome)].Inc()
}

// SetLavalinkPlayers sets lavalink_players{node}: how many players the
// bot has placed on the Lavalink node. The first [WithMaxNodes] node names
// get series of their own; later ones share node="other", whose gauge
// then holds the latest count reported for any of them. Negative counts
// are recorded as 0.
func (b *Business) SetLavalinkPlayers(node string, n int) {
	if b == nil {
		return
	}
	b.players.WithLabelValues(b.nodeNames.label(node)).Set(float64(max(n, 0)))
}

// TrackAutoplayProvider counts one turn of an autoplay provider: provider
// is [ProviderYouTubeMix], [ProviderLavaSrc], [ProviderYouTubeMusic] or
// [ProviderArtist] (or the music package's name for one of them), outcome
// is [ProviderOK], [ProviderEmpty], [ProviderFailed] or [ProviderCooling].
// It fits the music package's provider observer.
func (b *Business) TrackAutoplayProvider(provider, outcome string) {
	if b == nil {
		return
	}
	b.providers[providerSet.lookup(provider)][provOutSet.lookup(outcome)].Inc()
}

// TrackSkipVote counts a skip vote by outcome: [VoteStarted] when a vote
// begins, then one of [VotePassed], [VoteExpired] or [VoteTrackChanged]
// when it ends. A vote's further ballots are not counted.
func (b *Business) TrackSkipVote(outcome string) {
	if b == nil {
		return
	}
	b.skipVotes[voteSet.lookup(outcome)].Inc()
}

// TrackTracksRemoved counts n queued tracks removed together because of
// their requester: reason is [RemovedCommand] (a command removed a user's
// tracks) or [RemovedLeft] (the requester left the voice channel). n <= 0
// records nothing.
func (b *Business) TrackTracksRemoved(reason string, n int) {
	if b == nil || n <= 0 {
		return
	}
	b.removed[removeSet.lookup(reason)].Add(float64(n))
}

// TrackPlayRejected counts a track a play request could not queue because
// of the guild's limits: reason is [RejectedTooLong] or
// [RejectedOverShare]. Call it once per refused track, so a playlist's
// refused tracks count one each.
func (b *Business) TrackPlayRejected(reason string) {
	if b == nil {
		return
	}
	b.rejected[rejectSet.lookup(reason)].Inc()
}

// TrackRedisFailure counts a failed Redis operation. op is a Redis command
// name as go-redis reports it (Cmder.Name, such as "get" or "evalsha"), or
// "pipeline" or "tx"; see [RedisOperations]. A go-redis client counts its
// failures itself once given to [Business.InstrumentRedis].
func (b *Business) TrackRedisFailure(op string) {
	if b == nil {
		return
	}
	b.redisFailures[redisOpSet.lookup(op)].Inc()
}

// seconds converts d to seconds; negative durations (a clock stepping back)
// are recorded as 0.
func seconds(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return d.Seconds()
}
