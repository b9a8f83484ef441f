package lavalinktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
)

const (
	lyricsPluginName    = "lavalyrics-plugin"
	lyricsPluginVersion = "1.1.0"
)

// WithLyricsPlugin gives the node the LavaLyrics plugin: /v4/info lists
// "lavalyrics-plugin" (version 1.1.0 unless [WithPlugin] sets another)
// and the node serves the plugin's routes from the lyrics catalogue that
// [Node.AddLyrics] fills:
//
//	GET /v4/lyrics?track={encoded}&skipTrackSource={bool}
//	GET /v4/sessions/{sessionId}/players/{guildId}/track/lyrics?skipTrackSource={bool}
//
// Found lyrics are answered with 200 and the plugin's lyrics object, no
// lyrics with 204 and an empty body, a player without a track with 404
// "No track playing". Without this option those paths are 404, as on a
// node without the plugin.
func WithLyricsPlugin() Option {
	return func(c *config) {
		c.lyrics = true
		c.ensurePlugin(lyricsPluginName, lyricsPluginVersion)
	}
}

// Lyrics is what the LavaLyrics plugin finds for a track, as
// [Node.AddLyrics] stores it.
type Lyrics struct {
	// SourceName is the lyrics source that found them, such as "spotify",
	// "youtube" or "deezer". It must be set.
	SourceName string
	// Provider is who provided them on the source, such as "MusixMatch".
	Provider string
	// Text is the plain text of the lyrics; "" is reported as null, as
	// sources with only synced lines do.
	Text string
	// Lines are the synced lines, in order; none for plain lyrics.
	Lines []LyricsLine
	// Plugin is the plugin object, a JSON object; nil reports {}.
	Plugin json.RawMessage
}

// LyricsLine is one synced line of [Lyrics].
type LyricsLine struct {
	// Timestamp is where the line starts in the track.
	Timestamp time.Duration
	// Duration is how long the line lasts; 0 is reported as null (unknown).
	Duration time.Duration
	Line     string
	// Plugin is the line's plugin object, a JSON object; nil reports {}.
	Plugin json.RawMessage
}

// AddLyrics stores lyrics for the track with the given identifier, for a
// node with [WithLyricsPlugin]. A track can have lyrics from several
// sources; adding lyrics for an identifier and source that has some
// replaces them. The sources, in the order they first appear, are the
// plugin's lyrics sources in priority order: a track's lyrics are those of
// its own source (unless skipTrackSource is true), otherwise those of the
// first source that has some. A node to which no lyrics were added has no
// lyrics source and answers every lyrics request with 500 "No lyrics
// managers registered", as LavaLyrics without a source plugin does.
//
// AddLyrics fails on an empty identifier or source name, a negative
// timestamp or duration, or a plugin value that is not a JSON object.
func (n *Node) AddLyrics(identifier string, lyrics Lyrics) error {
	l, err := newLyricsJSON(identifier, lyrics)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.catalogue.addLyrics(identifier, lyrics.SourceName, l)
	return nil
}

func newLyricsJSON(identifier string, lyrics Lyrics) (lyricsJSON, error) {
	if identifier == "" {
		return lyricsJSON{}, fmt.Errorf("lavalinktest: lyrics without a track identifier")
	}
	if lyrics.SourceName == "" {
		return lyricsJSON{}, fmt.Errorf("lavalinktest: lyrics of %q have no source name", identifier)
	}
	plugin, err := pluginObject(lyrics.Plugin)
	if err != nil {
		return lyricsJSON{}, fmt.Errorf("lavalinktest: lyrics of %q: plugin: %w", identifier, err)
	}
	out := lyricsJSON{
		SourceName: lyrics.SourceName,
		Provider:   lyrics.Provider,
		Lines:      make([]lyricsLineJSON, 0, len(lyrics.Lines)),
		Plugin:     plugin,
	}
	if lyrics.Text != "" {
		out.Text = &lyrics.Text
	}
	for i, line := range lyrics.Lines {
		if line.Timestamp < 0 || line.Duration < 0 {
			return lyricsJSON{}, fmt.Errorf("lavalinktest: lyrics of %q: line %d has a negative timestamp or duration", identifier, i)
		}
		plugin, err := pluginObject(line.Plugin)
		if err != nil {
			return lyricsJSON{}, fmt.Errorf("lavalinktest: lyrics of %q: line %d plugin: %w", identifier, i, err)
		}
		lj := lyricsLineJSON{Timestamp: line.Timestamp.Milliseconds(), Line: line.Line, Plugin: plugin}
		if line.Duration > 0 {
			d := line.Duration.Milliseconds()
			lj.Duration = &d
		}
		out.Lines = append(out.Lines, lj)
	}
	return out, nil
}

// pluginObject checks and compacts a plugin object; nil is {}.
func pluginObject(raw json.RawMessage) (json.RawMessage, error) {
	if raw == nil {
		return emptyObject, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	var buf bytes.Buffer
	_ = json.Compact(&buf, raw) // valid JSON, checked above
	return buf.Bytes(), nil
}

func (c *catalogue) addLyrics(identifier, source string, l lyricsJSON) {
	if c.lyrics[identifier] == nil {
		c.lyrics[identifier] = map[string]lyricsJSON{}
	}
	c.lyrics[identifier][source] = l
	if !slices.Contains(c.lyricsSources, source) {
		c.lyricsSources = append(c.lyricsSources, source)
	}
}

// findLyrics looks lyrics up as LavaLyrics does: the track's own source
// first unless skipped, then every source in priority order. It returns
// nil when none has lyrics.
func (c *catalogue) findLyrics(info lavalink.TrackInfo, skipTrackSource bool) (*lyricsJSON, *httpError) {
	if len(c.lyricsSources) == 0 {
		return nil, &httpError{status: http.StatusInternalServerError, message: "No lyrics managers registered"}
	}
	bySource := c.lyrics[info.Identifier]
	if !skipTrackSource {
		if l, ok := bySource[info.SourceName]; ok {
			return &l, nil
		}
	}
	for _, source := range c.lyricsSources {
		if skipTrackSource && source == info.SourceName {
			continue
		}
		if l, ok := bySource[source]; ok {
			return &l, nil
		}
	}
	return nil, nil
}

// skipTrackSource reads the plugin's optional skipTrackSource parameter.
func skipTrackSource(x *exchange) (bool, *httpError) {
	q := x.r.URL.Query()
	if !q.Has("skipTrackSource") {
		return false, nil
	}
	return parseSpringBool(q.Get("skipTrackSource"))
}

// answerLyrics writes found lyrics, or 204 when there are none.
func (x *exchange) answerLyrics(l *lyricsJSON) {
	if l == nil {
		x.respond(http.StatusNoContent, "", nil)
		return
	}
	x.json(http.StatusOK, l)
}

// trackLyrics serves GET /v4/lyrics.
func (l *life) trackLyrics(x *exchange) {
	q := x.r.URL.Query()
	if !q.Has("track") {
		x.fail(http.StatusBadRequest, "Required request parameter 'track' for method parameter type String is not present")
		return
	}
	skip, herr := skipTrackSource(x)
	if herr != nil {
		x.fail(herr.status, herr.message)
		return
	}
	n := l.n
	n.mu.Lock()
	info, herr := n.decodeLocked(q.Get("track"))
	var found *lyricsJSON
	if herr == nil {
		found, herr = n.catalogue.findLyrics(info, skip)
	}
	n.mu.Unlock()
	if herr != nil {
		x.fail(herr.status, herr.message)
		return
	}
	x.answerLyrics(found)
}

// playerLyrics serves GET /v4/sessions/{sid}/players/{gid}/track/lyrics.
func (l *life) playerLyrics(x *exchange, sid, gid string) {
	skip, herr := skipTrackSource(x)
	if herr != nil {
		x.fail(herr.status, herr.message)
		return
	}
	n := l.n
	n.mu.Lock()
	found, herr := l.playerLyricsLocked(sid, gid, skip)
	n.mu.Unlock()
	if herr != nil {
		x.fail(herr.status, herr.message)
		return
	}
	x.answerLyrics(found)
}

func (l *life) playerLyricsLocked(sid, gid string, skip bool) (*lyricsJSON, *httpError) {
	s, herr := l.sessionLocked(sid)
	if herr != nil {
		return nil, herr
	}
	guild, herr := parseGuild(gid)
	if herr != nil {
		return nil, herr
	}
	p := s.players[guild]
	if p == nil {
		return nil, &httpError{status: http.StatusNotFound, message: "Player not found"}
	}
	if p.track == nil {
		return nil, &httpError{status: http.StatusNotFound, message: "No track playing"}
	}
	return l.n.catalogue.findLyrics(p.track.info, skip)
}
