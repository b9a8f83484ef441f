package metrics_test

import (
	"slices"
	"testing"

	"github.com/tunekit/tunekit/metrics"
)

func TestLavalinkOperation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, path, want string
	}{
		{"GET", "/v4/loadtracks?identifier=ytsearch%3Aa", metrics.OpLoadTracks},
		{"GET", "/v4/decodetrack?track=QAAA", metrics.OpDecodeTrack},
		{"POST", "/v4/decodetracks", metrics.OpDecodeTracks},
		{"GET", "/v4/info", metrics.OpInfo},
		{"GET", "/v4/stats/", metrics.OpStats},
		{"GET", "/version", metrics.OpVersion},
		{"GET", "/lavalink/version", metrics.OpVersion},
		{"GET", "/v4/routeplanner/status", metrics.OpRoutePlanner},
		{"POST", "/v4/routeplanner/free/all", metrics.OpRoutePlanner},
		{"PATCH", "/v4/sessions/abc123", metrics.OpUpdateSession},
		{"GET", "/v4/sessions/abc123/players", metrics.OpGetPlayers},
		{"GET", "/v4/sessions/abc123/players/817327181659111454", metrics.OpGetPlayer},
		{"PATCH", "/v4/sessions/abc123/players/817327181659111454?noReplace=false", metrics.OpUpdatePlayer},
		{"DELETE", "/v4/sessions/abc123/players/817327181659111454", metrics.OpDestroyPlayer},
		{"PATCH", "/proxy/lavalink/v4/sessions/abc/players/1", metrics.OpUpdatePlayer},
		// Wrong methods and unknown paths.
		{"POST", "/v4/loadtracks", metrics.Other},
		{"GET", "/v4/decodetracks", metrics.Other},
		{"DELETE", "/v4/sessions/abc123", metrics.Other},
		{"POST", "/v4/sessions/abc123/players", metrics.Other},
		{"PUT", "/v4/sessions/abc123/players/1", metrics.Other},
		{"GET", "/v4/sessions//players", metrics.Other},
		{"GET", "/v4/sessions/abc/players/1/extra", metrics.Other},
		{"GET", "/v4/sessions/abc/queue", metrics.Other},
		{"GET", "/v4/sessions/abc/playersX", metrics.Other},
		{"GET", "/v4/sessions/abc/players/", metrics.OpGetPlayers},
		{"GET", "/v3/loadtracks", metrics.Other},
		{"POST", "/version", metrics.Other},
		{"GET", "/v4/lyrics", metrics.OpLyrics},
		{"GET", "/v4/lyrics?track=QAAA&skipTrackSource=true", metrics.OpLyrics},
		{"GET", "/v4/sessions/abc/players/817327181659111454/track/lyrics?skipTrackSource=false", metrics.OpLyrics},
		{"POST", "/v4/lyrics", metrics.Other},
		{"PATCH", "/v4/sessions/abc/players/1/track/lyrics", metrics.Other},
		{"GET", "/v4/sessions/abc/players//track/lyrics", metrics.Other},
		{"GET", "/v4/sessions/abc/players/1/lyrics/subscribe", metrics.Other},
		{"GET", "/v4/sessions/abc/players/1/track", metrics.Other},
		{"GET", "", metrics.Other},
		{"", "/v4/info", metrics.Other},
	}
	for _, tt := range tests {
		if got := metrics.LavalinkOperation(tt.method, tt.path); got != tt.want {
			t.Errorf("LavalinkOperation(%q, %q) = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}

func TestLavalinkOperationDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		_ = metrics.LavalinkOperation("PATCH", "/v4/sessions/abc123/players/817327181659111454?noReplace=true")
	})
	if allocs != 0 {
		t.Errorf("LavalinkOperation allocates %v times per call, want 0", allocs)
	}
}

var knownOperations = []string{
	metrics.OpLoadTracks, metrics.OpDecodeTrack, metrics.OpDecodeTracks, metrics.OpGetPlayers,
	metrics.OpGetPlayer, metrics.OpUpdatePlayer, metrics.OpDestroyPlayer, metrics.OpUpdateSession,
	metrics.OpInfo, metrics.OpStats, metrics.OpVersion, metrics.OpRoutePlanner, metrics.OpLyrics, metrics.Other,
}

func FuzzLavalinkOperation(f *testing.F) {
	f.Add("GET", "/v4/loadtracks?identifier=x")
	f.Add("PATCH", "/v4/sessions/s/players/1")
	f.Add("DELETE", "/v4/sessions/s/players/1/")
	f.Add("GET", "/version")
	f.Add("GET", "/v4/sessions/s/players/1/track/lyrics")
	f.Add("GET", "/v4/v4/sessions/")
	f.Add("\xff", "/v4/sessions/\xff/players/\x00")
	f.Fuzz(func(t *testing.T, method, path string) {
		got := metrics.LavalinkOperation(method, path)
		if !slices.Contains(knownOperations, got) {
			t.Fatalf("LavalinkOperation(%q, %q) = %q, outside the known set", method, path, got)
		}
	})
}
