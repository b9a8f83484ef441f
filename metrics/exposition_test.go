package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tunekit/tunekit/metrics"
)

// TestExposition pins names, help, types, labels and values of the series
// as Prometheus sees them, with testutil.GatherAndCompare.
func TestExposition(t *testing.T) {
	t.Parallel()
	b, reg := newBusiness(t)
	b.TrackAutoplay(metrics.OutcomeCompleted)
	b.TrackAutoplay(metrics.OutcomeCompleted)
	b.TrackAutoplay(metrics.OutcomeSkipped)
	b.SetLavalinkNodes(2, 1)
	b.SetActiveGuilds(7)
	b.SetSessions(5)
	b.ObserveTrackStartDelay(700 * time.Millisecond)
	b.ObserveTrackStartDelay(12 * time.Second)
	b.TrackError(metrics.ComponentLavalink, metrics.KindTimeout, metrics.SeverityCritical)
	b.TrackRateLimited("/play", metrics.BackendMemory)
	b.ObserveLavalinkRequest(metrics.OpUpdatePlayer, metrics.StatusTimeout, 10*time.Second)
	b.BreakerObserver()("lavalink:main", metrics.BreakerClosed, metrics.BreakerOpen)
	b.SetLavalinkPlayers("main", 12)

	const want = `
# HELP tunekit_active_guilds Guilds with a music session.
# TYPE tunekit_active_guilds gauge
tunekit_active_guilds 7
# HELP tunekit_autoplay_tracks_total Tracks chosen by autoplay, by outcome. Accuracy is the completed share.
# TYPE tunekit_autoplay_tracks_total counter
tunekit_autoplay_tracks_total{outcome="completed"} 2
tunekit_autoplay_tracks_total{outcome="other"} 0
tunekit_autoplay_tracks_total{outcome="skipped"} 1
# HELP tunekit_breaker_state Circuit breaker state: 0 closed, 1 half-open, 2 open.
# TYPE tunekit_breaker_state gauge
tunekit_breaker_state{name="lavalink:main"} 2
# HELP tunekit_breaker_transitions_total Circuit breaker state changes, by breaker and new state.
# TYPE tunekit_breaker_transitions_total counter
tunekit_breaker_transitions_total{name="lavalink:main",to="open"} 1
# HELP tunekit_errors_total Errors, by component, kind and severity.
# TYPE tunekit_errors_total counter
tunekit_errors_total{component="lavalink",kind="timeout",severity="critical"} 1
# HELP tunekit_lavalink_nodes Lavalink nodes, by connection state.
# TYPE tunekit_lavalink_nodes gauge
tunekit_lavalink_nodes{state="connected"} 2
tunekit_lavalink_nodes{state="disconnected"} 1
# HELP tunekit_lavalink_players Players placed on each Lavalink node.
# TYPE tunekit_lavalink_players gauge
tunekit_lavalink_players{node="main"} 12
# HELP tunekit_lavalink_request_duration_seconds Duration of Lavalink REST requests, by operation and status.
# TYPE tunekit_lavalink_request_duration_seconds histogram
tunekit_lavalink_request_duration_seconds_bucket{operation="update_player",status="timeout",le="0.005"} 0
tunekit_lavalink_request_duration_seconds_bucket{operation="update_player",status="timeout",le="0.01"} 0
tunekit_lavalink_request_duration_seconds_bucket{operation="update_player",status="timeout",le="0.025"} 0
tunekit_lavalink_request_duration_seconds_bucket{operation="update_player",status="timeout",le="0.05"} 0
tunekit_lavalink_request_duration_seconds_bucket{operation="update_player",status="timeout",le="0.1"} 0
tunekit_lavalink_request_duration_seconds_bucket{operation="update_player",status="timeout",le="0.25"} 0
tunekit_lavalink_request_duration_seconds_bucket{operation="update_player",status="timeout",le="0.5"} 0
tunekit_lavalink_request_duration_seconds_bucket{operation="update_player",status="timeout",le="1"} 0
tunekit_lavalink_request_duration_seconds_bucket{operation="update_player",status="timeout",le="2.5"} 0
tunekit_lavalink_request_duration_seconds_bucket{operation="update_player",status="timeout",le="5"} 0
tunekit_lavalink_request_duration_seconds_bucket{operation="update_player",status="timeout",le="10"} 1
tunekit_lavalink_request_duration_seconds_bucket{operation="update_player",status="timeout",le="+Inf"} 1
tunekit_lavalink_request_duration_seconds_sum{operation="update_player",status="timeout"} 10
tunekit_lavalink_request_duration_seconds_count{operation="update_player",status="timeout"} 1
# HELP tunekit_music_sessions Music sessions (players) this process holds.
# TYPE tunekit_music_sessions gauge
tunekit_music_sessions 5
# HELP tunekit_rate_limited_total Commands refused by the rate limiter, by command and deciding backend.
# TYPE tunekit_rate_limited_total counter
tunekit_rate_limited_total{backend="memory",command="play"} 1
# HELP tunekit_track_start_delay_seconds Time from a play request to the track actually starting.
# TYPE tunekit_track_start_delay_seconds histogram
tunekit_track_start_delay_seconds_bucket{le="0.05"} 0
tunekit_track_start_delay_seconds_bucket{le="0.1"} 0
tunekit_track_start_delay_seconds_bucket{le="0.25"} 0
tunekit_track_start_delay_seconds_bucket{le="0.5"} 0
tunekit_track_start_delay_seconds_bucket{le="1"} 1
tunekit_track_start_delay_seconds_bucket{le="2"} 1
tunekit_track_start_delay_seconds_bucket{le="5"} 1
tunekit_track_start_delay_seconds_bucket{le="10"} 1
tunekit_track_start_delay_seconds_bucket{le="20"} 2
tunekit_track_start_delay_seconds_bucket{le="30"} 2
tunekit_track_start_delay_seconds_bucket{le="60"} 2
tunekit_track_start_delay_seconds_bucket{le="+Inf"} 2
tunekit_track_start_delay_seconds_sum 12.7
tunekit_track_start_delay_seconds_count 2
`
	names := []string{
		"tunekit_active_guilds", "tunekit_autoplay_tracks_total", "tunekit_breaker_state",
		"tunekit_breaker_transitions_total", "tunekit_errors_total", "tunekit_lavalink_nodes", "tunekit_lavalink_players",
		"tunekit_lavalink_request_duration_seconds", "tunekit_music_sessions",
		"tunekit_rate_limited_total", "tunekit_track_start_delay_seconds",
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
}

// TestSeriesNames pins every series name other packages (alerting rules,
// dashboards) refer to.
func TestSeriesNames(t *testing.T) {
	t.Parallel()
	b, reg := newBusiness(t)
	recordAllCombinations(b, []string{"redis"})
	b.ObserveVoiceSession(time.Minute)
	b.ObserveQueueLength(1)
	b.ObserveTrackStartDelay(time.Second)
	got := seriesCount(t, reg)
	for _, name := range []string{
		"tunekit_songs_played_total",
		"tunekit_queue_length",
		"tunekit_voice_session_duration_seconds",
		"tunekit_autoplay_tracks_total",
		"tunekit_command_duration_seconds",
		"tunekit_track_start_delay_seconds",
		"tunekit_active_guilds",
		"tunekit_music_sessions",
		"tunekit_rate_limited_total",
		"tunekit_errors_total",
		"tunekit_lavalink_nodes",
		"tunekit_lavalink_request_duration_seconds",
		"tunekit_redis_failures_total",
		"tunekit_breaker_state",
		"tunekit_breaker_transitions_total",
		"tunekit_player_heals_total",
		"tunekit_lavalink_players",
		"tunekit_autoplay_provider_requests_total",
		"tunekit_skip_votes_total",
		"tunekit_queue_tracks_removed_total",
		"tunekit_play_rejected_total",
	} {
		if got[name] == 0 {
			t.Errorf("series %s missing", name)
		}
	}
	if len(got) != 21 {
		t.Errorf("families = %d, want 21: %v", len(got), got)
	}
}

// TestExpositionQueueControl pins the series of autoplay providers, skip
// votes and queue limits: every value of their fixed label sets is
// there from the start, at 0 until recorded.
func TestExpositionQueueControl(t *testing.T) {
	t.Parallel()
	b, reg := newBusiness(t)
	b.TrackAutoplayProvider(metrics.ProviderYouTubeMix, metrics.ProviderOK)
	b.TrackAutoplayProvider("lavasrc-mix", metrics.ProviderEmpty)
	b.TrackAutoplayProvider(metrics.ProviderYouTubeMusic, metrics.ProviderFailed)
	b.TrackAutoplayProvider(metrics.ProviderYouTubeMusic, metrics.ProviderCooling)
	b.TrackAutoplayProvider(metrics.ProviderArtist, metrics.ProviderOK)
	b.TrackSkipVote(metrics.VoteStarted)
	b.TrackSkipVote(metrics.VoteStarted)
	b.TrackSkipVote(metrics.VotePassed)
	b.TrackSkipVote("trackChanged")
	b.TrackTracksRemoved(metrics.RemovedLeft, 5)
	b.TrackPlayRejected(metrics.RejectedTooLong)
	b.TrackPlayRejected(metrics.RejectedTooLong)

	const want = `
# HELP tunekit_autoplay_provider_requests_total Turns of autoplay providers, by provider and outcome.
# TYPE tunekit_autoplay_provider_requests_total counter
tunekit_autoplay_provider_requests_total{outcome="cooling",provider="artist"} 0
tunekit_autoplay_provider_requests_total{outcome="cooling",provider="lavasrc"} 0
tunekit_autoplay_provider_requests_total{outcome="cooling",provider="other"} 0
tunekit_autoplay_provider_requests_total{outcome="cooling",provider="youtube_mix"} 0
tunekit_autoplay_provider_requests_total{outcome="cooling",provider="ytmusic"} 1
tunekit_autoplay_provider_requests_total{outcome="empty",provider="artist"} 0
tunekit_autoplay_provider_requests_total{outcome="empty",provider="lavasrc"} 1
tunekit_autoplay_provider_requests_total{outcome="empty",provider="other"} 0
tunekit_autoplay_provider_requests_total{outcome="empty",provider="youtube_mix"} 0
tunekit_autoplay_provider_requests_total{outcome="empty",provider="ytmusic"} 0
tunekit_autoplay_provider_requests_total{outcome="failed",provider="artist"} 0
tunekit_autoplay_provider_requests_total{outcome="failed",provider="lavasrc"} 0
tunekit_autoplay_provider_requests_total{outcome="failed",provider="other"} 0
tunekit_autoplay_provider_requests_total{outcome="failed",provider="youtube_mix"} 0
tunekit_autoplay_provider_requests_total{outcome="failed",provider="ytmusic"} 1
tunekit_autoplay_provider_requests_total{outcome="ok",provider="artist"} 1
tunekit_autoplay_provider_requests_total{outcome="ok",provider="lavasrc"} 0
tunekit_autoplay_provider_requests_total{outcome="ok",provider="other"} 0
tunekit_autoplay_provider_requests_total{outcome="ok",provider="youtube_mix"} 1
tunekit_autoplay_provider_requests_total{outcome="ok",provider="ytmusic"} 0
tunekit_autoplay_provider_requests_total{outcome="other",provider="artist"} 0
tunekit_autoplay_provider_requests_total{outcome="other",provider="lavasrc"} 0
tunekit_autoplay_provider_requests_total{outcome="other",provider="other"} 0
tunekit_autoplay_provider_requests_total{outcome="other",provider="youtube_mix"} 0
tunekit_autoplay_provider_requests_total{outcome="other",provider="ytmusic"} 0
# HELP tunekit_play_rejected_total Tracks a play request could not queue because of the guild's limits, by reason.
# TYPE tunekit_play_rejected_total counter
tunekit_play_rejected_total{reason="other"} 0
tunekit_play_rejected_total{reason="over_share"} 0
tunekit_play_rejected_total{reason="too_long"} 2
# HELP tunekit_queue_tracks_removed_total Queued tracks removed with all of their requester's tracks, by reason.
# TYPE tunekit_queue_tracks_removed_total counter
tunekit_queue_tracks_removed_total{reason="command"} 0
tunekit_queue_tracks_removed_total{reason="left"} 5
tunekit_queue_tracks_removed_total{reason="other"} 0
# HELP tunekit_skip_votes_total Skip votes, by outcome: started, then passed, expired or track_changed.
# TYPE tunekit_skip_votes_total counter
tunekit_skip_votes_total{outcome="expired"} 0
tunekit_skip_votes_total{outcome="other"} 0
tunekit_skip_votes_total{outcome="passed"} 1
tunekit_skip_votes_total{outcome="started"} 2
tunekit_skip_votes_total{outcome="track_changed"} 1
`
	names := []string{
		"tunekit_autoplay_provider_requests_total", "tunekit_play_rejected_total",
		"tunekit_queue_tracks_removed_total", "tunekit_skip_votes_total",
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
}
