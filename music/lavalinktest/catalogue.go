package lavalinktest

import (
	"fmt"
	"strings"

	"github.com/disgoorg/disgolink/v3/lavalink"
)

// Search prefixes the node resolves, and the source each one searches.
var searchPrefixes = map[string]string{
	"ytsearch":  "youtube",
	"ytmsearch": "youtube",
	"scsearch":  "soundcloud",
	"spsearch":  "spotify",
	"amsearch":  "applemusic",
	"dzsearch":  "deezer",
}

// defaultSources are the source managers a node reports before its
// catalogue adds more.
var defaultSources = []string{"youtube", "soundcloud", "bandcamp", "twitch", "vimeo", "nico", "http", "local"}

// catalogue is what /v4/loadtracks and the plugins can find. Guarded by
// Node.mu.
type catalogue struct {
	tracks    []trackJSON // in insertion order, for searches
	byKey     map[string]loadResultJSON
	failures  map[string]exceptionJSON
	sources   []string
	sourceSet map[string]bool

	lavaSrc         bool                    // sprec: loads recommendations
	recommendations map[string]playlistJSON // by the query after sprec:
	lyrics          map[string]map[string]lyricsJSON
	lyricsSources   []string // in priority order
}

func newCatalogue(cfg *config) catalogue {
	c := catalogue{
		byKey:           map[string]loadResultJSON{},
		failures:        map[string]exceptionJSON{},
		sourceSet:       map[string]bool{},
		lavaSrc:         cfg.lavaSrc,
		recommendations: map[string]playlistJSON{},
		lyrics:          map[string]map[string]lyricsJSON{},
	}
	for _, s := range defaultSources {
		c.addSource(s)
	}
	if cfg.lavaSrc {
		for _, s := range lavaSrcSources {
			c.addSource(s)
		}
	}
	return c
}

func (c *catalogue) addSource(name string) {
	if name != "" && !c.sourceSet[name] {
		c.sourceSet[name] = true
		c.sources = append(c.sources, name)
	}
}

// normalizeInfo fills the defaults of a catalogue track.
func normalizeInfo(info lavalink.TrackInfo) (lavalink.TrackInfo, error) {
	if info.Identifier == "" {
		return info, fmt.Errorf("lavalinktest: track %q has no identifier", info.Title)
	}
	if info.SourceName == "" {
		info.SourceName = "youtube"
	}
	if info.IsStream && info.Length == 0 {
		info.Length = lavalink.Duration(1<<63 - 1)
	}
	info.Position = 0
	return info, nil
}

// AddTrack adds a track to the node's catalogue and returns it as
// /v4/loadtracks reports it (with a valid encoded string, see
// [EncodeTrack]). The track loads by its identifier and, when set, its
// URI; search queries (ytsearch:, ytmsearch:, scsearch:, and spsearch:,
// amsearch:, dzsearch: for plugin sources) find it when its title or
// author contains the query, ignoring case, and its source is the
// prefix's. SourceName defaults to "youtube"; a stream without a length
// gets lavaplayer's unknown length (the largest int64). Adding a track
// with a known identifier replaces it. A source name the node did not
// know is added to its source managers.
func (n *Node) AddTrack(info lavalink.TrackInfo) (lavalink.Track, error) {
	info, err := normalizeInfo(info)
	if err != nil {
		return lavalink.Track{}, err
	}
	encoded, err := EncodeTrack(info)
	if err != nil {
		return lavalink.Track{}, err
	}
	t := newTrackJSON(encoded, info, 0, nil)
	n.mu.Lock()
	defer n.mu.Unlock()
	n.catalogue.addTrack(t)
	return t.lavalinkTrack(), nil
}

func (c *catalogue) addTrack(t trackJSON) {
	replaced := false
	for i := range c.tracks {
		if c.tracks[i].Info.Identifier == t.Info.Identifier && c.tracks[i].Info.SourceName == t.Info.SourceName {
			c.tracks[i] = t
			replaced = true
		}
	}
	if !replaced {
		c.tracks = append(c.tracks, t)
	}
	res := loadResultJSON{LoadType: "track", Data: t}
	c.byKey[t.Info.Identifier] = res
	if t.Info.URI != nil && *t.Info.URI != "" {
		c.byKey[*t.Info.URI] = res
	}
	c.addSource(t.Info.SourceName)
}

// AddPlaylist adds a playlist that loads by identifier (typically its
// URL), with the given name and selected track (-1 for none), and returns
// it as /v4/loadtracks reports it. Its tracks are added to the catalogue
// as [Node.AddTrack] adds them.
func (n *Node) AddPlaylist(identifier string, info lavalink.PlaylistInfo, tracks ...lavalink.TrackInfo) (lavalink.Playlist, error) {
	if identifier == "" {
		return lavalink.Playlist{}, fmt.Errorf("lavalinktest: playlist %q has no identifier", info.Name)
	}
	if info.SelectedTrack < -1 || info.SelectedTrack >= len(tracks) {
		return lavalink.Playlist{}, fmt.Errorf("lavalinktest: playlist %q selects track %d of %d", info.Name, info.SelectedTrack, len(tracks))
	}
	items := make([]trackJSON, 0, len(tracks))
	for _, ti := range tracks {
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
	p := playlistJSON{
		Info:       playlistInfoJSON{Name: info.Name, SelectedTrack: info.SelectedTrack},
		PluginInfo: emptyObject,
		Tracks:     items,
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, t := range items {
		n.catalogue.addTrack(t)
	}
	n.catalogue.byKey[identifier] = loadResultJSON{LoadType: "playlist", Data: p}
	out := lavalink.Playlist{Info: info, PluginInfo: lavalink.RawData(emptyObject), Tracks: make([]lavalink.Track, len(items))}
	for i, t := range items {
		out.Tracks[i] = t.lavalinkTrack()
	}
	return out, nil
}

// FailLoad makes loading identifier (an identifier, URL or full search
// query such as "ytsearch:foo") fail: /v4/loadtracks answers loadType
// "error" with the exception, and a player update that names it as its
// track identifier gets a 500. An empty severity means "fault".
func (n *Node) FailLoad(identifier string, exception lavalink.Exception) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.catalogue.failures[identifier] = n.exceptionLocked(exception)
}

// exceptionLocked builds the wire form of e for the node's version.
func (n *Node) exceptionLocked(e lavalink.Exception) exceptionJSON {
	msg := e.Message
	out := exceptionJSON{Message: &msg, Severity: string(e.Severity)}
	if out.Severity == "" {
		out.Severity = string(lavalink.SeverityFault)
	}
	if e.Cause != nil {
		out.Cause = *e.Cause
	} else {
		out.Cause = "com.sedmelluq.discord.lavaplayer.tools.FriendlyException: " + msg
	}
	if n.cfg.version.atLeast(1, 0) {
		trace := out.Cause + "\n\tat lavalinktest.Node(fake)\n"
		out.CauseStackTrace = &trace
	}
	return out
}

// load resolves an identifier as /v4/loadtracks does.
func (c *catalogue) load(identifier string) loadResultJSON {
	if e, ok := c.failures[identifier]; ok {
		return loadResultJSON{LoadType: "error", Data: e}
	}
	if res, ok := c.byKey[identifier]; ok {
		return res
	}
	if query, ok := strings.CutPrefix(identifier, recommendationsPrefix); ok && c.lavaSrc {
		return c.loadRecommendations(query)
	}
	if prefix, query, ok := strings.Cut(identifier, ":"); ok {
		if source, ok := searchPrefixes[prefix]; ok {
			return c.search(source, query)
		}
	}
	return loadResultJSON{LoadType: "empty", Data: emptyObject}
}

func (c *catalogue) search(source, query string) loadResultJSON {
	q := strings.ToLower(strings.TrimSpace(query))
	var hits []trackJSON
	for _, t := range c.tracks {
		if t.Info.SourceName != source {
			continue
		}
		if strings.Contains(strings.ToLower(t.Info.Title), q) || strings.Contains(strings.ToLower(t.Info.Author), q) {
			hits = append(hits, t)
		}
	}
	if len(hits) == 0 {
		return loadResultJSON{LoadType: "empty", Data: emptyObject}
	}
	return loadResultJSON{LoadType: "search", Data: hits}
}
