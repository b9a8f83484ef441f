package node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

const (
	// maxBody bounds a response body (a large playlist is a few MiB).
	maxBody = 32 << 20
	// maxErrorBody bounds an error body.
	maxErrorBody = 64 << 10
)

// textBody receives a plain-text response (GET /version).
type textBody struct{ s string }

// do sends one REST request and decodes the response into out (nil: the
// body is discarded). The Authorization header is set from the password
// here, per request.
func (n *Node) do(ctx context.Context, method, path string, query url.Values, body []byte, out any) error {
	n.mu.Lock()
	closed := n.closed
	n.mu.Unlock()
	if closed {
		return ErrClosed
	}
	u := n.restURL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("node %s: %s %s: %w", n.cfg.Name, method, path, err)
	}
	req.Header.Set("Authorization", n.cfg.Password.Reveal())
	req.Header.Set("User-Agent", n.cfg.ClientName)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := n.client.Do(req)
	if err != nil {
		return fmt.Errorf("node %s: %s %s: %w", n.cfg.Name, method, path, err)
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
		_ = resp.Body.Close()
	}()
	if resp.StatusCode >= 300 {
		return n.responseError(method, path, resp)
	}
	if out == nil {
		return nil
	}
	if o, ok := out.(*optional); ok {
		if resp.StatusCode == http.StatusNoContent {
			o.absent = true
			return nil
		}
		out = o.v
	}
	invalid := func(err error) error {
		return fmt.Errorf("node %s: %s %s: %w: %w", n.cfg.Name, method, path, ErrInvalidResponse, err)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return fmt.Errorf("node %s: %s %s: %w", n.cfg.Name, method, path, err)
	}
	if len(data) > maxBody {
		return invalid(fmt.Errorf("body exceeds %d bytes", maxBody))
	}
	if t, ok := out.(*textBody); ok {
		t.s = strings.TrimSpace(string(data))
		return nil
	}
	if len(data) == 0 {
		return invalid(fmt.Errorf("status %d with an empty body", resp.StatusCode))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return invalid(err)
	}
	return nil
}

// session returns the session id for a session-scoped call.
func (n *Node) session() (string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case n.closed:
		return "", ErrClosed
	case !n.connected:
		return "", fmt.Errorf("node %s: %w", n.cfg.Name, ErrNotReady)
	}
	return n.sessionID, nil
}

func playerPath(sessionID string, guild snowflake.ID) string {
	return "/v4/sessions/" + url.PathEscape(sessionID) + "/players/" + guild.String()
}

// Version returns the node's version string (GET /version), such as
// "4.2.2".
func (n *Node) Version(ctx context.Context) (string, error) {
	var t textBody
	if err := n.do(ctx, http.MethodGet, "/version", nil, nil, &t); err != nil {
		return "", err
	}
	return t.s, nil
}

// FetchInfo reads the node's info (GET /v4/info). [Node.Info] returns the
// copy read at connect.
func (n *Node) FetchInfo(ctx context.Context) (lavalink.Info, error) {
	var info lavalink.Info
	err := n.do(ctx, http.MethodGet, "/v4/info", nil, nil, &info)
	return info, err
}

// FetchStats reads the node's stats (GET /v4/stats), which never carry
// frame stats. [Node.Stats] returns the last stats op instead.
func (n *Node) FetchStats(ctx context.Context) (lavalink.Stats, error) {
	var stats lavalink.Stats
	err := n.do(ctx, http.MethodGet, "/v4/stats", nil, nil, &stats)
	return stats, err
}

// LoadTracks resolves an identifier: a URL, a source id or a search such
// as "ytsearch:query" (GET /v4/loadtracks). The result's Data is a
// [lavalink.Track], [lavalink.Playlist], [lavalink.Search],
// [lavalink.Empty] or [lavalink.Exception] as its LoadType says; a failed
// load is a result (loadType "error"), not an error.
func (n *Node) LoadTracks(ctx context.Context, identifier string) (lavalink.LoadResult, error) {
	var r lavalink.LoadResult
	err := n.do(ctx, http.MethodGet, "/v4/loadtracks", url.Values{"identifier": {identifier}}, nil, &r)
	return r, err
}

// DecodeTrack decodes one encoded track (GET /v4/decodetrack).
func (n *Node) DecodeTrack(ctx context.Context, encoded string) (lavalink.Track, error) {
	var t lavalink.Track
	err := n.do(ctx, http.MethodGet, "/v4/decodetrack", url.Values{"encodedTrack": {encoded}}, nil, &t)
	return t, err
}

// DecodeTracks decodes encoded tracks (POST /v4/decodetracks), in order.
// An empty list gives an empty result without a request.
func (n *Node) DecodeTracks(ctx context.Context, encoded []string) ([]lavalink.Track, error) {
	if len(encoded) == 0 {
		return []lavalink.Track{}, nil
	}
	body, err := json.Marshal(encoded)
	if err != nil {
		return nil, err
	}
	var tracks []lavalink.Track
	if err := n.do(ctx, http.MethodPost, "/v4/decodetracks", nil, body, &tracks); err != nil {
		return nil, err
	}
	return tracks, nil
}

// Players returns the session's players (GET
// /v4/sessions/{session}/players).
func (n *Node) Players(ctx context.Context) ([]Player, error) {
	sid, err := n.session()
	if err != nil {
		return nil, err
	}
	var players []Player
	if err := n.do(ctx, http.MethodGet, "/v4/sessions/"+url.PathEscape(sid)+"/players", nil, nil, &players); err != nil {
		return nil, err
	}
	n.syncPlaying(sid, players)
	return players, nil
}

// Player returns the guild's player; a guild without one is an error
// matching [ErrPlayerNotFound].
func (n *Node) Player(ctx context.Context, guild snowflake.ID) (Player, error) {
	if guild == 0 {
		return Player{}, ErrInvalidGuild
	}
	sid, err := n.session()
	if err != nil {
		return Player{}, err
	}
	var p Player
	if err := n.do(ctx, http.MethodGet, playerPath(sid, guild), nil, nil, &p); err != nil {
		return Player{}, err
	}
	n.notePlayer(sid, guild, &p)
	return p, nil
}

// UpdatePlayer applies update to the guild's player, creating it if
// needed, and returns the player afterwards (PATCH
// /v4/sessions/{session}/players/{guild}?noReplace=...). With noReplace,
// a track in update does not replace a playing one. An update Lavalink
// would refuse, such as a partial voice state, fails with an
// [*UpdateError] before anything is sent.
func (n *Node) UpdatePlayer(ctx context.Context, guild snowflake.ID, update PlayerUpdate, noReplace bool) (Player, error) {
	if guild == 0 {
		return Player{}, ErrInvalidGuild
	}
	body, err := update.MarshalJSON()
	if err != nil {
		return Player{}, err
	}
	sid, err := n.session()
	if err != nil {
		return Player{}, err
	}
	var p Player
	q := url.Values{"noReplace": {strconv.FormatBool(noReplace)}}
	if err := n.do(ctx, http.MethodPatch, playerPath(sid, guild), q, body, &p); err != nil {
		return Player{}, err
	}
	n.notePlayer(sid, guild, &p)
	return p, nil
}

// DestroyPlayer destroys the guild's player (DELETE
// /v4/sessions/{session}/players/{guild}); destroying a missing player
// succeeds.
func (n *Node) DestroyPlayer(ctx context.Context, guild snowflake.ID) error {
	if guild == 0 {
		return ErrInvalidGuild
	}
	sid, err := n.session()
	if err != nil {
		return err
	}
	if err := n.do(ctx, http.MethodDelete, playerPath(sid, guild), nil, nil, nil); err != nil {
		return err
	}
	n.notePlayer(sid, guild, nil)
	return nil
}

// UpdateSession changes the session's resuming settings (PATCH
// /v4/sessions/{session}). The node enables resuming with
// [Config.ResumeTimeout] at every connect, which overrides earlier calls.
func (n *Node) UpdateSession(ctx context.Context, update lavalink.SessionUpdate) (lavalink.Session, error) {
	sid, err := n.session()
	if err != nil {
		return lavalink.Session{}, err
	}
	return n.updateSession(ctx, sid, update)
}

func (n *Node) updateSession(ctx context.Context, sid string, update lavalink.SessionUpdate) (lavalink.Session, error) {
	body, err := json.Marshal(update)
	if err != nil {
		return lavalink.Session{}, err
	}
	var s lavalink.Session
	err = n.do(ctx, http.MethodPatch, "/v4/sessions/"+url.PathEscape(sid), nil, body, &s)
	return s, err
}
