package node

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

// LyricsPluginName is the name under which a node with the LavaLyrics
// plugin lists it in /v4/info.
const LyricsPluginName = "lavalyrics-plugin"

// Errors of the LavaLyrics routes.
var (
	// ErrNoLyrics is returned when the plugin found no lyrics for the
	// track (it answers 204 No Content).
	ErrNoLyrics = errors.New("node: no lyrics for the track")
	// ErrNoLyricsSource is matched by the plugin's 500 "No lyrics
	// managers registered": the plugin is there but no lyrics source
	// (such as LavaSrc or the YouTube plugin) registered with it.
	ErrNoLyricsSource = errors.New("node: no lyrics source registered")
	// ErrNoTrack is matched by the plugin's 404 "No track playing" for
	// a player without a track.
	ErrNoTrack = errors.New("node: no track playing")
)

// Lyrics is the LavaLyrics plugin's lyrics object.
type Lyrics struct {
	// SourceName is the lyrics source that found them, such as "spotify",
	// "deezer" or "youtube".
	SourceName string `json:"sourceName"`
	// Provider is who provided them on the source, such as "MusixMatch".
	Provider string `json:"provider"`
	// Text is the plain text; nil when the source has synced lines only.
	Text *string `json:"text"`
	// Lines are the synced lines; empty for plain lyrics.
	Lines []LyricsLine `json:"lines"`
	// Plugin is the source's extra data.
	Plugin json.RawMessage `json:"plugin"`
}

// LyricsLine is one synced line of [Lyrics].
type LyricsLine struct {
	// Timestamp is where the line starts in the track, in milliseconds.
	Timestamp lavalink.Duration `json:"timestamp"`
	// Duration is how long the line lasts; nil when the source does not
	// say.
	Duration *lavalink.Duration `json:"duration"`
	Line     string             `json:"line"`
	Plugin   json.RawMessage    `json:"plugin"`
}

// HasPlugin reports whether the node's info, as read at the last connect,
// lists the named plugin (such as [LyricsPluginName]). A node whose info
// was never read has none.
func (n *Node) HasPlugin(name string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.hasInfo {
		return false
	}
	for _, p := range n.info.Plugins {
		if p.Name == name {
			return true
		}
	}
	return false
}

// PlayerLyrics returns the lyrics of the track the guild's player plays
// (GET /v4/sessions/{session}/players/{guild}/track/lyrics), a route of
// the LavaLyrics plugin. With skipTrackSource the track's own source is
// not asked. It returns [ErrNoLyrics] when no source has lyrics for the
// track, an [*Error] matching [ErrNoTrack] for a player without a track
// or [ErrNoLyricsSource] when the plugin has no source, and a 404 [*Error]
// when the node lacks the plugin.
func (n *Node) PlayerLyrics(ctx context.Context, guild snowflake.ID, skipTrackSource bool) (Lyrics, error) {
	if guild == 0 {
		return Lyrics{}, ErrInvalidGuild
	}
	sid, err := n.session()
	if err != nil {
		return Lyrics{}, err
	}
	q := url.Values{"skipTrackSource": {strconv.FormatBool(skipTrackSource)}}
	return n.lyrics(ctx, playerPath(sid, guild)+"/track/lyrics", q)
}

// TrackLyrics returns the lyrics of an encoded track (GET
// /v4/lyrics?track=...), a route of the LavaLyrics plugin that needs no
// session. It fails as [Node.PlayerLyrics] does.
func (n *Node) TrackLyrics(ctx context.Context, encoded string, skipTrackSource bool) (Lyrics, error) {
	q := url.Values{"track": {encoded}, "skipTrackSource": {strconv.FormatBool(skipTrackSource)}}
	return n.lyrics(ctx, "/v4/lyrics", q)
}

func (n *Node) lyrics(ctx context.Context, path string, q url.Values) (Lyrics, error) {
	var l Lyrics
	body := optional{v: &l}
	if err := n.do(ctx, http.MethodGet, path, q, nil, &body); err != nil {
		return Lyrics{}, err
	}
	if body.absent {
		return Lyrics{}, ErrNoLyrics
	}
	return l, nil
}

// optional receives a JSON body into v, or notes a 204 No Content answer
// in absent.
type optional struct {
	v      any
	absent bool
}
