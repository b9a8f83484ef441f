package metrics

import (
	"net/http"
	"strings"
)

// LavalinkOperation names the Lavalink v4 REST operation of a request, for
// the operation label of lavalink_request_duration_seconds. path is the URL
// path (a query string is ignored); anything before "/v4/" such as a
// reverse-proxy prefix is skipped. Requests that match no operation of the
// Lavalink v4 API, including a known path with the wrong method, are
// [Other]. It never allocates.
func LavalinkOperation(method, path string) string {
	path, _, _ = strings.Cut(path, "?")
	path = strings.TrimSuffix(path, "/")
	if path == "/version" || strings.HasSuffix(path, "/version") && !strings.Contains(path, "/v4/") {
		return ifMethod(method, http.MethodGet, OpVersion)
	}
	_, rest, ok := strings.Cut(path, "/v4/")
	if !ok {
		return Other
	}
	switch rest {
	case "loadtracks":
		return ifMethod(method, http.MethodGet, OpLoadTracks)
	case "decodetrack":
		return ifMethod(method, http.MethodGet, OpDecodeTrack)
	case "decodetracks":
		return ifMethod(method, http.MethodPost, OpDecodeTracks)
	case "info":
		return ifMethod(method, http.MethodGet, OpInfo)
	case "stats":
		return ifMethod(method, http.MethodGet, OpStats)
	case "lyrics":
		return ifMethod(method, http.MethodGet, OpLyrics)
	}
	if rest == "routeplanner" || strings.HasPrefix(rest, "routeplanner/") {
		return OpRoutePlanner
	}
	rest, ok = strings.CutPrefix(rest, "sessions/")
	if !ok {
		return Other
	}
	session, rest, hasRest := strings.Cut(rest, "/")
	if session == "" {
		return Other
	}
	if !hasRest {
		return ifMethod(method, http.MethodPatch, OpUpdateSession)
	}
	rest, ok = strings.CutPrefix(rest, "players")
	if !ok {
		return Other
	}
	if rest == "" {
		return ifMethod(method, http.MethodGet, OpGetPlayers)
	}
	guild, ok := strings.CutPrefix(rest, "/")
	if !ok || guild == "" {
		return Other
	}
	if guild, sub, nested := strings.Cut(guild, "/"); nested {
		if guild != "" && sub == "track/lyrics" {
			return ifMethod(method, http.MethodGet, OpLyrics)
		}
		return Other
	}
	switch method {
	case http.MethodGet:
		return OpGetPlayer
	case http.MethodPatch:
		return OpUpdatePlayer
	case http.MethodDelete:
		return OpDestroyPlayer
	}
	return Other
}

func ifMethod(method, want, op string) string {
	if method == want {
		return op
	}
	return Other
}
