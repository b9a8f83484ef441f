package metrics_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/tunekit/tunekit/metrics"
)

// recordEverything calls every labelled method once with each value of vs
// in every label position.
func recordEverything(b *metrics.Business, vs []string) {
	ctx := context.Background()
	observe := b.BreakerObserver()
	for _, v := range vs {
		b.TrackSongPlayed(v)
		b.TrackAutoplay(v)
		b.ObserveCommand(ctx, v, v, time.Millisecond)
		b.ObserveCommand(ctx, v, metrics.StatusOK, time.Millisecond)
		b.TrackRateLimited(v, v)
		b.TrackError(v, v, v)
		b.ObserveLavalinkRequest(v, v, time.Millisecond)
		b.TrackRedisFailure(v)
		observe(v, v, v)
		observe(v, metrics.BreakerClosed, metrics.BreakerOpen)
		b.SetBreakerState(v, v)
		b.TrackHeal(v, v)
		b.SetLavalinkPlayers(v, 1)
		b.TrackAutoplayProvider(v, v)
		b.TrackSkipVote(v)
		b.TrackTracksRemoved(v, 1)
		b.TrackPlayRejected(v)
	}
}

// Known values of each label, with one unknown value each, so that every
// combination including "other" gets a series.
var (
	knownSources    = []string{metrics.SourceYouTube, metrics.SourceSoundCloud, metrics.SourceSpotify, metrics.SourceDeezer, metrics.SourceAppleMusic, metrics.SourceBandcamp, metrics.SourceTwitch, metrics.SourceVimeo, metrics.SourceHTTP, metrics.SourceLocal, "x"}
	knownStatuses   = []string{metrics.StatusOK, metrics.StatusError, metrics.StatusDenied, metrics.StatusRateLimited, "x"}
	knownReqStatus  = []string{metrics.StatusOK, metrics.StatusError, metrics.StatusTimeout, metrics.StatusUnavailable, "x"}
	knownOutcomes   = []string{metrics.OutcomeCompleted, metrics.OutcomeSkipped, "x"}
	knownBackends   = []string{metrics.BackendRedis, metrics.BackendMemory, metrics.BackendFallback, "x"}
	knownComponents = []string{metrics.ComponentLavalink, metrics.ComponentRedis, metrics.ComponentStore, metrics.ComponentDiscord, metrics.ComponentRateLimit, metrics.ComponentPlayer, metrics.ComponentCommand, "x"}
	knownKinds      = []string{metrics.KindTimeout, metrics.KindUnavailable, metrics.KindInvalidInput, metrics.KindNotFound, metrics.KindPermission, metrics.KindCanceled, metrics.KindInternal, "x"}
	knownSeverities = []string{metrics.SeverityLow, metrics.SeverityMedium, metrics.SeverityHigh, metrics.SeverityCritical, "x"}
	knownStates     = []string{metrics.BreakerClosed, metrics.BreakerHalfOpen, metrics.BreakerOpen, "x"}
	knownHealSteps  = []string{metrics.HealStepVoice, metrics.HealStepReplay, metrics.HealStepMove, "x"}
	knownHealOuts   = []string{metrics.HealHealed, metrics.HealFailed, metrics.HealError, "x"}
	knownProviders  = []string{metrics.ProviderYouTubeMix, metrics.ProviderLavaSrc, metrics.ProviderYouTubeMusic, metrics.ProviderArtist, "x"}
	knownProvOuts   = []string{metrics.ProviderOK, metrics.ProviderEmpty, metrics.ProviderFailed, metrics.ProviderCooling, "x"}
	knownVotes      = []string{metrics.VoteStarted, metrics.VotePassed, metrics.VoteExpired, metrics.VoteTrackChanged, "x"}
	knownRemovals   = []string{metrics.RemovedCommand, metrics.RemovedLeft, "x"}
	knownRejections = []string{metrics.RejectedTooLong, metrics.RejectedOverShare, "x"}
)

// recordAllCombinations records every combination of known label values.
func recordAllCombinations(b *metrics.Business, breakerNames []string) {
	ctx := context.Background()
	for _, s := range knownSources {
		b.TrackSongPlayed(s)
	}
	for _, o := range knownOutcomes {
		b.TrackAutoplay(o)
	}
	for _, c := range append(metrics.DefaultCommands(), "x") {
		for _, s := range knownStatuses {
			b.ObserveCommand(ctx, c, s, time.Millisecond)
		}
		for _, be := range knownBackends {
			b.TrackRateLimited(c, be)
		}
	}
	for _, c := range knownComponents {
		for _, k := range knownKinds {
			for _, s := range knownSeverities {
				b.TrackError(c, k, s)
			}
		}
	}
	for _, op := range knownOperations {
		for _, s := range knownReqStatus {
			b.ObserveLavalinkRequest(op, s, time.Millisecond)
		}
	}
	for _, op := range append(metrics.RedisOperations(), "x") {
		b.TrackRedisFailure(op)
	}
	observe := b.BreakerObserver()
	for _, n := range breakerNames {
		for _, s := range knownStates {
			observe(n, metrics.BreakerClosed, s)
		}
		b.SetLavalinkPlayers(n, 1)
	}
	for _, s := range knownHealSteps {
		for _, o := range knownHealOuts {
			b.TrackHeal(s, o)
		}
	}
	for _, p := range knownProviders {
		for _, o := range knownProvOuts {
			b.TrackAutoplayProvider(p, o)
		}
	}
	for _, v := range knownVotes {
		b.TrackSkipVote(v)
	}
	for _, r := range knownRemovals {
		b.TrackTracksRemoved(r, 2)
	}
	for _, r := range knownRejections {
		b.TrackPlayRejected(r)
	}
}

// TestCardinalityIsBounded feeds 10,000 distinct guild, user and command
// strings into every labelled method and proves the number of series does
// not move once every known value has been seen.
func TestCardinalityIsBounded(t *testing.T) {
	t.Parallel()
	const maxBreakers = 8
	b, reg := newBusiness(t, metrics.WithMaxBreakers(maxBreakers), metrics.WithMaxNodes(maxBreakers))

	// Fill the breaker name slots, so later names can only be "other".
	names := []string{"other"}
	for i := range maxBreakers {
		names = append(names, fmt.Sprintf("breaker-%d", i))
	}
	recordAllCombinations(b, names)
	before := seriesCount(t, reg)

	distinct := make([]string, 0, 10_000)
	for i := range 10_000 {
		switch i % 4 {
		case 0:
			distinct = append(distinct, fmt.Sprintf("guild-%d", 100000000000000000+i))
		case 1:
			distinct = append(distinct, fmt.Sprintf("user:%d", 200000000000000000+i))
		case 2:
			distinct = append(distinct, fmt.Sprintf("/cmd%d", i))
		default:
			distinct = append(distinct, fmt.Sprintf("PLAY %x \xff", i))
		}
	}
	recordEverything(b, distinct)
	after := seriesCount(t, reg)

	if !maps.Equal(before, after) {
		t.Errorf("series per family after 10,000 distinct values = %v, want unchanged %v", after, before)
	}
	// The bound is the product of the label sets (plus other) and no more.
	commands := len(metrics.DefaultCommands()) + 1
	want := map[string]int{
		"tunekit_songs_played_total":                11,
		"tunekit_autoplay_tracks_total":             3,
		"tunekit_command_duration_seconds":          commands * 5,
		"tunekit_rate_limited_total":                commands * 4,
		"tunekit_errors_total":                      8 * 8 * 5,
		"tunekit_lavalink_nodes":                    2,
		"tunekit_lavalink_request_duration_seconds": 14 * 5,
		"tunekit_redis_failures_total":              len(metrics.RedisOperations()) + 1,
		"tunekit_breaker_state":                     maxBreakers + 1,
		"tunekit_breaker_transitions_total":         (maxBreakers + 1) * 4,
		"tunekit_player_heals_total":                4 * 4,
		"tunekit_lavalink_players":                  maxBreakers + 1,
		"tunekit_autoplay_provider_requests_total":  5 * 5,
		"tunekit_skip_votes_total":                  5,
		"tunekit_queue_tracks_removed_total":        3,
		"tunekit_play_rejected_total":               3,
	}
	for name, n := range want {
		if after[name] != n {
			t.Errorf("series of %s = %d, want %d", name, after[name], n)
		}
	}
	// No caller string became a label value.
	fed := make(map[string]bool, len(distinct))
	for _, v := range distinct {
		fed[v] = true
		fed[strings.TrimPrefix(v, "/")] = true
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if fed[l.GetValue()] {
					t.Errorf("series %s{%s=%q} exists; caller strings must not become label values", mf.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
}
