package metrics_test

import (
	"testing"

	"github.com/tunekit/tunekit/metrics"
)

// FuzzLabelValues feeds arbitrary caller strings (guild and user IDs, broken
// UTF-8, huge values) to every labelled method: none may panic, gathering
// must keep working, and no family may outgrow the bound its label sets
// give.
func FuzzLabelValues(f *testing.F) {
	for _, s := range []string{"", "play", "/PLAY", "other", "half_open", "\xff\xfe", "a\x00b", "817327181659111454", "YouTube"} {
		f.Add(s)
	}
	b, reg := newBusiness(f, metrics.WithMaxBreakers(4))
	commands := len(metrics.DefaultCommands()) + 1
	bound := map[string]int{
		"tunekit_songs_played_total":                11,
		"tunekit_autoplay_tracks_total":             3,
		"tunekit_command_duration_seconds":          commands * 5,
		"tunekit_rate_limited_total":                commands * 4,
		"tunekit_errors_total":                      8 * 8 * 5,
		"tunekit_lavalink_request_duration_seconds": 14 * 5,
		"tunekit_redis_failures_total":              len(metrics.RedisOperations()) + 1,
		"tunekit_breaker_state":                     4 + 1,
		"tunekit_breaker_transitions_total":         (4 + 1) * 4,
		"tunekit_player_heals_total":                4 * 4,
		"tunekit_autoplay_provider_requests_total":  5 * 5,
		"tunekit_skip_votes_total":                  5,
		"tunekit_queue_tracks_removed_total":        3,
		"tunekit_play_rejected_total":               3,
	}
	f.Fuzz(func(t *testing.T, s string) {
		recordEverything(b, []string{s})
		got := seriesCount(t, reg)
		for name, n := range bound {
			if got[name] > n {
				t.Fatalf("after %q: %s has %d series, bound %d", s, name, got[name], n)
			}
		}
	})
}
