package lavalinktest

import (
	"strings"

	"github.com/disgoorg/disgolink/v3/lavalink"
)

const (
	lavaSrcPluginName    = "lavasrc-plugin"
	lavaSrcPluginVersion = "4.8.1"
	// recommendationsPrefix is LavaSrc's prefix for Spotify
	// recommendations.
	recommendationsPrefix = "sprec:"
	// mixPrefix starts a recommendations query seeded by a Spotify
	// album, artist, track or ISRC (mix:track:{id}).
	mixPrefix = "mix:"
	// recommendationsName is the name LavaSrc gives a recommendations
	// playlist.
	recommendationsName = "Spotify Recommendations:"
)

// lavaSrcSources are the source managers the LavaSrc plugin adds.
var lavaSrcSources = []string{"spotify", "applemusic", "deezer"}

// WithLavaSrcPlugin gives the node the LavaSrc plugin: /v4/info lists
// "lavasrc-plugin" (version 4.8.1 unless [WithPlugin] sets another) and the
// source managers "spotify", "applemusic" and "deezer", tracks of those
// sources decode, the search prefixes spsearch:, amsearch: and dzsearch:
// search them (see [Node.AddTrack]), and sprec: queries load the
// recommendations [Node.AddRecommendations] stores. Without the option an
// sprec: query loads nothing (loadType "empty").
func WithLavaSrcPlugin() Option {
	return func(c *config) {
		c.lavaSrc = true
		c.ensurePlugin(lavaSrcPluginName, lavaSrcPluginVersion)
	}
}

// AddRecommendations stores the Spotify recommendations that
// /v4/loadtracks answers for "sprec:" + query on a node with
// [WithLavaSrcPlugin]; query is what follows the prefix (a leading "sprec:"
// is dropped), for example "mix:track:4uLU6hMCjMI75M1A2tKUQC" or
// "seed_tracks=4uLU6hMCjMI75M1A2tKUQC". The answer is a playlist named
// "Spotify Recommendations:" with no selected track, whose pluginInfo
// carries LavaSrc's playlist fields (type, url, artworkUrl, author,
// totalTracks): type "playlist" with the number of tracks for a mix:
// query, as LavaSrc loads the Spotify playlist behind a mix, and type
// "recommendations" otherwise. The tracks are added to the catalogue as
// [Node.AddTrack] adds them, with SourceName "spotify" unless set.
// Recommendations without tracks load nothing (loadType "empty"), as LavaSrc
// answers an empty result; adding them again replaces them.
func (n *Node) AddRecommendations(query string, tracks ...lavalink.TrackInfo) (lavalink.Playlist, error) {
	query = strings.TrimPrefix(query, recommendationsPrefix)
	items := make([]trackJSON, 0, len(tracks))
	for _, ti := range tracks {
		if ti.SourceName == "" {
			ti.SourceName = "spotify"
		}
		ti, err := normalizeInfo(ti)
		if err != nil {
			return lavalink.Playlist{}, err
		}
		encoded, err := EncodeTrack(ti)
		if err != nil {
			return lavalink.Playlist{}, err
		}
		items = append(items, newTrackJSON(encoded, ti, 0, nil))
	}
	ext := extendedPlaylistJSON{Type: "recommendations"}
	if strings.HasPrefix(query, mixPrefix) {
		total := len(items)
		ext = extendedPlaylistJSON{Type: "playlist", TotalTracks: &total}
	}
	pluginInfo := mustJSON(ext)
	p := playlistJSON{
		Info:       playlistInfoJSON{Name: recommendationsName, SelectedTrack: -1},
		PluginInfo: pluginInfo,
		Tracks:     items,
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, t := range items {
		n.catalogue.addTrack(t)
	}
	n.catalogue.recommendations[query] = p
	out := lavalink.Playlist{
		Info:       lavalink.PlaylistInfo{Name: recommendationsName, SelectedTrack: -1},
		PluginInfo: lavalink.RawData(pluginInfo),
		Tracks:     make([]lavalink.Track, len(items)),
	}
	for i, t := range items {
		out.Tracks[i] = t.lavalinkTrack()
	}
	return out, nil
}

// extendedPlaylistJSON is the pluginInfo LavaSrc gives its playlists.
type extendedPlaylistJSON struct {
	Type        string  `json:"type"`
	URL         *string `json:"url"`
	ArtworkURL  *string `json:"artworkUrl"`
	Author      *string `json:"author"`
	TotalTracks *int    `json:"totalTracks"`
}

// loadRecommendations resolves the query after "sprec:".
func (c *catalogue) loadRecommendations(query string) loadResultJSON {
	p, ok := c.recommendations[strings.TrimSpace(query)]
	if !ok || len(p.Tracks) == 0 {
		return loadResultJSON{LoadType: "empty", Data: emptyObject}
	}
	return loadResultJSON{LoadType: "playlist", Data: p}
}
