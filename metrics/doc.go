// Package metrics records a music bot's business metrics for Prometheus
// with bounded cardinality.
//
// [New] creates a [Business] on a registry the caller passes (never the
// global default unless the caller passes it) and [Handler] serves it:
//
//	reg := prometheus.NewRegistry()
//	business, err := metrics.New(reg)
//	...
//	business.ObserveCommand(ctx, "play", metrics.StatusOK, time.Since(start))
//	http.Handle("/metrics", metrics.Handler(reg, metrics.WithRuntimeMetrics()))
//
// # Series
//
// Names are given without the namespace prefix ([WithNamespace], default
// "tunekit", so songs_played_total is tunekit_songs_played_total). Durations
// are in seconds; counters end in _total.
//
//	series                                               type       recorded by
//	songs_played_total{source}                           counter    TrackSongPlayed
//	queue_length                                         histogram  ObserveQueueLength (0 1 5 10 25 50 100 200 500 1000)
//	voice_session_duration_seconds                       histogram  ObserveVoiceSession (60 s to 4 h)
//	autoplay_tracks_total{outcome}                       counter    TrackAutoplay
//	command_duration_seconds{command,status}             histogram  ObserveCommand (with exemplars)
//	track_start_delay_seconds                            histogram  ObserveTrackStartDelay (play request to track start)
//	active_guilds                                        gauge      SetActiveGuilds
//	music_sessions                                       gauge      SetSessions
//	rate_limited_total{command,backend}                  counter    TrackRateLimited
//	errors_total{component,kind,severity}                counter    TrackError
//	lavalink_nodes{state}                                gauge      SetLavalinkNodes
//	lavalink_request_duration_seconds{operation,status}  histogram  ObserveLavalinkRequest
//	redis_failures_total{operation}                      counter    InstrumentRedis, TrackRedisFailure
//	breaker_state{name}                                  gauge      BreakerObserver (0 closed, 1 half-open, 2 open)
//	breaker_transitions_total{name,to}                   counter    BreakerObserver
//	player_heals_total{step,outcome}                     counter    TrackHeal
//	lavalink_players{node}                               gauge      SetLavalinkPlayers
//	autoplay_provider_requests_total{provider,outcome}   counter    TrackAutoplayProvider
//	skip_votes_total{outcome}                            counter    TrackSkipVote
//	queue_tracks_removed_total{reason}                   counter    TrackTracksRemoved
//	play_rejected_total{reason}                          counter    TrackPlayRejected
//
// # Bounded labels
//
// A series per guild or per user takes Prometheus down on a bot in
// thousands of guilds, so no label carries a guild ID, user ID, query or
// any other caller-chosen string. Every label has a fixed, documented set
// of values, exported as constants:
//
//	source     Source* constants (Lavalink source names)
//	status     StatusOK, StatusError, StatusDenied, StatusRateLimited (commands);
//	           StatusOK, StatusError, StatusTimeout, StatusUnavailable (Lavalink requests)
//	outcome    OutcomeCompleted, OutcomeSkipped (autoplay_tracks_total)
//	command    the names given to [WithCommands] (default [DefaultCommands])
//	backend    BackendRedis, BackendMemory, BackendFallback
//	component  Component* constants;  kind  Kind* constants;  severity  Severity* constants
//	state      NodeConnected, NodeDisconnected
//	operation  Op* constants (Lavalink, see [LavalinkOperation]); [RedisOperations] (Redis)
//	to         BreakerClosed, BreakerHalfOpen, BreakerOpen
//	name       the first [WithMaxBreakers] breaker names seen (default 64)
//	step       HealStepVoice, HealStepReplay, HealStepMove
//	outcome    HealHealed, HealFailed, HealError (player_heals_total)
//	node       the first [WithMaxNodes] Lavalink node names seen (default 64)
//	provider   ProviderYouTubeMix, ProviderLavaSrc, ProviderYouTubeMusic, ProviderArtist
//	outcome    ProviderOK, ProviderEmpty, ProviderFailed, ProviderCooling (autoplay_provider_requests_total)
//	outcome    VoteStarted, VotePassed, VoteExpired, VoteTrackChanged (skip_votes_total)
//	reason     RemovedCommand, RemovedLeft (queue_tracks_removed_total);
//	           RejectedTooLong, RejectedOverShare (play_rejected_total)
//
// Any other value is recorded as [Other]; values are matched ignoring ASCII
// case. The music package's own spellings of a provider (youtube-mix,
// lavasrc-mix, youtube-music-search, artist-search) and of a vote that
// ended on a track change (trackChanged) are recorded under these values,
// so its observers can pass their names through. Per-guild and per-user detail belongs in traces and logs (see
// tunekit's tracing package), which the command histogram links to through
// exemplars.
//
// Series that alerts and dashboards divide or take increase() of exist
// from the start with value 0, so the first event is not lost to rate():
// every command x status of command_duration_seconds, every source,
// outcome, node state, Redis operation, healing step x outcome, autoplay
// provider x outcome, skip vote outcome, removal reason and rejection
// reason. Series
// with many combinations or caller-chosen names (errors_total,
// rate_limited_total, lavalink_request_duration_seconds, the breaker
// series, lavalink_players) appear on first use.
//
// # Useful queries
//
// Autoplay accuracy, the share of autoplayed tracks that were not skipped:
//
//	sum(rate(tunekit_autoplay_tracks_total{outcome="completed"}[1h]))
//	  / sum(rate(tunekit_autoplay_tracks_total[1h]))
//
// Command error rate and 95th percentile latency by command:
//
//	sum(rate(tunekit_command_duration_seconds_count{status="error"}[5m]))
//	  / sum(rate(tunekit_command_duration_seconds_count[5m]))
//	histogram_quantile(0.95, sum by (command, le) (rate(tunekit_command_duration_seconds_bucket[5m])))
//
// Healing steps that did not cure a silent player, by step, to see which
// step heals and which only delays the move to another node:
//
//	sum by (step) (rate(tunekit_player_heals_total{outcome="failed"}[1h]))
//
// Autoplay providers that fail, by provider: a provider that keeps
// failing (or cooling down) is one autoplay no longer gets tracks from:
//
//	sum by (provider) (rate(tunekit_autoplay_provider_requests_total{outcome=~"failed|cooling"}[15m]))
//	  / sum by (provider) (rate(tunekit_autoplay_provider_requests_total[15m]))
//
// The share of skip votes that pass, and how many tracks the queue
// limits refuse:
//
//	sum(increase(tunekit_skip_votes_total{outcome="passed"}[1d]))
//	  / sum(increase(tunekit_skip_votes_total{outcome="started"}[1d]))
//	sum by (reason) (increase(tunekit_play_rejected_total[1h]))
//
// # Histograms and exemplars
//
// Histograms use classic buckets. [WithNativeHistograms] adds Prometheus
// native histograms (bucket factor 1.1, at most 100 buckets, reset at most
// hourly) while keeping the classic buckets, so scrapers without native
// support see the same series. [Business.ObserveCommand] attaches the trace
// and span IDs of a sampled span in its context as an exemplar; exemplars
// are only exposed in the OpenMetrics format, which [Handler] serves to
// scrapers that ask for it.
//
// # Redis
//
// [Business.InstrumentRedis] adds a go-redis hook to a client (a
// *redis.Client, *redis.ClusterClient or *redis.Ring) that counts every
// failed command in redis_failures_total by operation. redis.Nil, a
// WATCH conflict, a NOSCRIPT reply answered by EVAL and a canceled context
// are not failures; a command retried on several nodes, or preceded by a
// connection handshake, counts once. A bot calls it once on the client it
// gives to its stores and rate limiter, before using the client.
// [Business.TrackRedisFailure] counts a failure by hand, for clients
// other than go-redis.
//
// # Failure behaviour
//
// [New] validates its options and returns an [*OptionError] (matching
// [ErrInvalidOption]), [ErrNilRegisterer], or the registry's error wrapped,
// such as prometheus.AlreadyRegisteredError for a second [Business] with the
// same namespace on one registry; on error nothing stays registered.
// Recording never fails and never panics, whatever the input. [Handler]
// answers a gathering error with status 500 rather than partial data.
//
// # Performance and concurrency
//
// A [Business] is safe for concurrent use. The label children of every
// known command and status are created in [New], so
// [Business.ObserveCommand] is a map lookup and an atomic histogram update:
// no allocation and a few tens of nanoseconds without a sampled span.
//
// This package depends on no other tunekit package: breaker states arrive
// as strings through [Business.BreakerObserver] and rate-limit backends as
// strings through [Business.TrackRateLimited]. Besides the Prometheus and
// OpenTelemetry APIs it imports go-redis, for [Business.InstrumentRedis].
package metrics
