package lavalinktest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

// maxRequestBody bounds the request bodies the node reads.
const maxRequestBody = 4 << 20

// Request is one HTTP request the node received, websocket handshakes
// included, with the status it answered.
type Request struct {
	// Time is the node's clock reading when the request arrived.
	Time   time.Time
	Method string
	// Path is the request path without the query.
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
	// Status is the status the node answered: 101 for an accepted
	// websocket, 0 when the connection was dropped before an answer.
	Status int
}

// exchange is one request being served.
type exchange struct {
	l    *life
	w    http.ResponseWriter
	r    *http.Request
	body []byte
	at   time.Time
}

func (x *exchange) request(status int) Request {
	return Request{
		Time:   x.at,
		Method: x.r.Method,
		Path:   x.r.URL.Path,
		Query:  x.r.URL.Query(),
		Header: x.r.Header.Clone(),
		Body:   x.body,
		Status: status,
	}
}

func (x *exchange) record(status int) {
	n := x.l.n
	req := x.request(status)
	n.mu.Lock()
	n.requests = append(n.requests, req)
	n.mu.Unlock()
}

// respond records the exchange, then writes the response.
func (x *exchange) respond(status int, contentType string, body []byte) {
	x.record(status)
	h := x.w.Header()
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	if len(body) > 0 {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	x.w.WriteHeader(status)
	if len(body) > 0 {
		_, _ = x.w.Write(body)
	}
}

func (x *exchange) json(status int, v any) {
	x.respond(status, "application/json", mustJSON(v))
}

// fail answers with Lavalink's error body.
func (x *exchange) fail(status int, message string) {
	e := errorJSON{
		Timestamp: x.l.n.now().UnixMilli(),
		Status:    status,
		Error:     http.StatusText(status),
		Message:   message,
		Path:      x.r.URL.Path,
	}
	if x.r.URL.Query().Get("trace") == "true" {
		e.Trace = "lavalinktest.ResponseStatusException: " + message + "\n\tat lavalinktest.Node(fake)\n"
	}
	x.json(status, e)
}

// httpError is a failure to answer with Lavalink's error body.
type httpError struct {
	status  int
	message string
}

func badRequest(format string, args ...any) *httpError {
	return &httpError{status: http.StatusBadRequest, message: fmt.Sprintf(format, args...)}
}

// ServeHTTP serves one request of this life.
func (l *life) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !l.enter() {
		dropConn(w)
		return
	}
	defer l.handlers.Done()
	n := l.n
	x := &exchange{l: l, w: w, r: r, at: n.now()}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		x.record(0)
		dropConn(w)
		return
	}
	x.body = body
	if r.URL.Path == "/v4/websocket" {
		l.serveWebSocket(x)
		return
	}
	w.Header().Set("Lavalink-Api-Version", "4")
	if len(r.Header.Values("Authorization")) == 0 {
		x.respond(http.StatusUnauthorized, "", nil)
		return
	}
	if r.Header.Get("Authorization") != n.cfg.password {
		x.respond(http.StatusForbidden, "", nil)
		return
	}
	n.mu.Lock()
	injected := takeFailure(&n.failRest)
	latency := n.latency
	n.mu.Unlock()
	if latency > 0 && !l.wait(r.Context(), latency) {
		x.record(0)
		dropConn(w)
		return
	}
	if injected != 0 {
		if injected >= 400 {
			x.fail(injected, "lavalinktest: injected failure")
		} else {
			x.respond(injected, "", nil)
		}
		return
	}
	if len(body) > maxRequestBody {
		x.fail(http.StatusRequestEntityTooLarge, "Request body too large")
		return
	}
	l.route(x)
}

// dropConn closes the client connection without an answer.
func dropConn(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			_ = c.Close()
		}
	}
}

// wait waits d on the node's clock; it reports false if the request or the
// life ended first.
func (l *life) wait(ctx context.Context, d time.Duration) bool {
	done := make(chan struct{})
	t := l.n.clock.afterFunc(d, func() { close(done) })
	defer l.n.clock.stop(t)
	select {
	case <-done:
		return true
	case <-ctx.Done():
	case <-l.ctx.Done():
	}
	return false
}

// takeFailure consumes one injected failure, returning its status or 0.
func takeFailure(q *[]injected) int {
	for len(*q) > 0 {
		f := &(*q)[0]
		if f.n <= 0 {
			*q = (*q)[1:]
			continue
		}
		f.n--
		return f.status
	}
	return 0
}

// route dispatches an authorised REST request.
func (l *life) route(x *exchange) {
	path := x.r.URL.Path
	method := x.r.Method
	allow := func(methods ...string) bool {
		if slices.Contains(methods, method) {
			return true
		}
		x.w.Header().Set("Allow", strings.Join(methods, ", "))
		x.fail(http.StatusMethodNotAllowed, fmt.Sprintf("Request method '%s' is not supported", method))
		return false
	}
	switch path {
	case "/version":
		if allow(http.MethodGet) {
			x.respond(http.StatusOK, "text/plain;charset=UTF-8", []byte(l.n.cfg.version.semver))
		}
	case "/", "/v3/websocket":
		if allow(http.MethodGet) {
			x.respond(http.StatusOK, "", nil)
		}
	case "/v4/info":
		if allow(http.MethodGet) {
			x.json(http.StatusOK, l.infoJSON())
		}
	case "/v4/stats":
		if allow(http.MethodGet) {
			l.n.mu.Lock()
			st := l.statsLocked(l.n.now())
			l.n.mu.Unlock()
			x.json(http.StatusOK, st)
		}
	case "/v4/loadtracks":
		if allow(http.MethodGet) {
			l.loadTracks(x)
		}
	case "/v4/decodetrack":
		if allow(http.MethodGet) {
			l.decodeTrack(x)
		}
	case "/v4/decodetracks":
		if allow(http.MethodPost) {
			l.decodeTracks(x)
		}
	case "/v4/lyrics":
		if !l.n.cfg.lyrics {
			x.fail(http.StatusNotFound, "No static resource v4/lyrics.")
		} else if allow(http.MethodGet) {
			l.trackLyrics(x)
		}
	case "/v4/routeplanner/status":
		if allow(http.MethodGet) {
			x.respond(http.StatusNoContent, "", nil)
		}
	case "/v4/routeplanner/free/address", "/v4/routeplanner/free/all":
		if allow(http.MethodPost) {
			x.fail(http.StatusInternalServerError, "Can't access disabled route planner")
		}
	default:
		rest, ok := strings.CutPrefix(path, "/v4/sessions/")
		if !ok {
			x.fail(http.StatusNotFound, "No static resource "+strings.TrimPrefix(path, "/")+".")
			return
		}
		parts := strings.Split(rest, "/")
		switch {
		case len(parts) == 1 && parts[0] != "":
			if allow(http.MethodPatch) {
				l.patchSession(x, parts[0])
			}
		case len(parts) == 2 && parts[0] != "" && parts[1] == "players":
			if allow(http.MethodGet) {
				l.getPlayers(x, parts[0])
			}
		case len(parts) == 3 && parts[0] != "" && parts[1] == "players" && parts[2] != "":
			if allow(http.MethodGet, http.MethodPatch, http.MethodDelete) {
				l.player(x, parts[0], parts[2])
			}
		case len(parts) == 5 && parts[0] != "" && parts[1] == "players" && parts[2] != "" &&
			parts[3] == "track" && parts[4] == "lyrics" && l.n.cfg.lyrics:
			if allow(http.MethodGet) {
				l.playerLyrics(x, parts[0], parts[2])
			}
		default:
			x.fail(http.StatusNotFound, "No static resource "+strings.TrimPrefix(path, "/")+".")
		}
	}
}

func (l *life) infoJSON() infoJSON {
	n := l.n
	v := n.cfg.version
	info := infoJSON{
		Version:    infoVersionJSON{Semver: v.semver, Major: v.major, Minor: v.minor, Patch: v.patch},
		BuildTime:  l.started.Add(-24 * time.Hour).UnixMilli(),
		Git:        gitJSON{Branch: "main", Commit: "0000000", CommitTime: l.started.Add(-48 * time.Hour).UnixMilli()},
		JVM:        "21.0.5",
		Lavaplayer: "2.2.2",
		Plugins:    append([]pluginJSON{}, n.cfg.plugins...),
		Filters:    []string{},
	}
	if v.preRelease != "" {
		info.Version.PreRelease = &v.preRelease
	}
	if v.build != "" {
		info.Version.Build = &v.build
	}
	for _, f := range filterNames {
		if !n.cfg.disabledFilters[f] {
			info.Filters = append(info.Filters, f)
		}
	}
	n.mu.Lock()
	info.SourceManagers = slices.Clone(n.catalogue.sources)
	n.mu.Unlock()
	return info
}

// requireJSON checks the request's content type as Spring does.
func requireJSON(x *exchange) bool {
	ct := x.r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return true
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	x.fail(http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type '%s' is not supported.", ct))
	return false
}

func (l *life) loadTracks(x *exchange) {
	q := x.r.URL.Query()
	if !q.Has("identifier") {
		x.fail(http.StatusBadRequest, "Required request parameter 'identifier' for method parameter type String is not present")
		return
	}
	l.n.mu.Lock()
	res := l.n.catalogue.load(q.Get("identifier"))
	l.n.mu.Unlock()
	x.json(http.StatusOK, res)
}

// decodeLocked decodes an encoded track for this node: the source must be
// one of its source managers.
func (n *Node) decodeLocked(encoded string) (lavalink.TrackInfo, *httpError) {
	info, err := DecodeTrack(encoded)
	if err != nil {
		return info, &httpError{status: http.StatusInternalServerError, message: "Failed to decode track: " + err.Error()}
	}
	if !n.catalogue.sourceSet[info.SourceName] {
		return info, &httpError{status: http.StatusInternalServerError, message: "Failed to decode track due to a mismatching version or missing source manager: " + info.SourceName}
	}
	return info, nil
}

// decodedJSON is how decodetrack(s) report a track: its own encoded
// string and the position it carries.
func decodedJSON(encoded string, info lavalink.TrackInfo) trackJSON {
	return newTrackJSON(encoded, info, time.Duration(info.Position)*time.Millisecond, nil)
}

func (l *life) decodeTrack(x *exchange) {
	q := x.r.URL.Query()
	encoded := q.Get("encodedTrack")
	if !q.Has("encodedTrack") {
		if !q.Has("track") {
			x.fail(http.StatusBadRequest, "No track to decode provided")
			return
		}
		encoded = q.Get("track")
	}
	l.n.mu.Lock()
	info, herr := l.n.decodeLocked(encoded)
	l.n.mu.Unlock()
	if herr != nil {
		x.fail(herr.status, herr.message)
		return
	}
	x.json(http.StatusOK, decodedJSON(encoded, info))
}

func (l *life) decodeTracks(x *exchange) {
	if !requireJSON(x) {
		return
	}
	var encoded []string
	body := bytes.TrimSpace(x.body)
	if len(body) == 0 || body[0] != '[' || json.Unmarshal(body, &encoded) != nil {
		x.fail(http.StatusBadRequest, "Failed to read request: expected a JSON array of strings")
		return
	}
	if len(encoded) == 0 {
		x.fail(http.StatusBadRequest, "No tracks to decode provided")
		return
	}
	out := make([]trackJSON, 0, len(encoded))
	var herr *httpError
	l.n.mu.Lock()
	for _, e := range encoded {
		var info lavalink.TrackInfo
		if info, herr = l.n.decodeLocked(e); herr != nil {
			break
		}
		out = append(out, decodedJSON(e, info))
	}
	l.n.mu.Unlock()
	if herr != nil {
		x.fail(herr.status, herr.message)
		return
	}
	x.json(http.StatusOK, out)
}

// sessionLocked finds a connected session or fails with 404.
func (l *life) sessionLocked(id string) (*session, *httpError) {
	if s := l.sessions[id]; s != nil {
		return s, nil
	}
	return nil, &httpError{status: http.StatusNotFound, message: "Session not found"}
}

func (l *life) patchSession(x *exchange, sid string) {
	if !requireJSON(x) {
		return
	}
	n := l.n
	o, err := parseObject(x.body, n.cfg.version.strict(), "sessionUpdate")
	if err != nil {
		x.fail(http.StatusBadRequest, "Failed to read request: "+err.Error())
		return
	}
	var resuming *bool
	var timeout *int64
	if err := o.boolean("resuming", &resuming); err != nil {
		x.fail(http.StatusBadRequest, "Failed to read request: "+err.Error())
		return
	}
	if err := o.integer("timeout", 64, &timeout); err != nil {
		x.fail(http.StatusBadRequest, "Failed to read request: "+err.Error())
		return
	}
	n.mu.Lock()
	s, herr := l.sessionLocked(sid)
	if herr != nil {
		n.mu.Unlock()
		x.fail(herr.status, herr.message)
		return
	}
	if resuming != nil {
		s.resuming = *resuming
	}
	if timeout != nil {
		s.timeout = time.Duration(*timeout) * time.Second
	}
	out := sessionJSON{Resuming: s.resuming, Timeout: int64(s.timeout / time.Second)}
	n.mu.Unlock()
	x.json(http.StatusOK, out)
}

func (l *life) getPlayers(x *exchange, sid string) {
	n := l.n
	n.mu.Lock()
	s, herr := l.sessionLocked(sid)
	if herr != nil {
		n.mu.Unlock()
		x.fail(herr.status, herr.message)
		return
	}
	now := n.now()
	out := []playerJSON{}
	for _, p := range s.sortedPlayers() {
		out = append(out, p.jsonLocked(now))
	}
	body := mustJSON(out)
	n.mu.Unlock()
	x.respond(http.StatusOK, "application/json", body)
}

// parseGuild reads a guildId path variable as Spring reads a Long.
func parseGuild(s string) (snowflake.ID, *httpError) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, badRequest("Failed to convert value of type 'java.lang.String' to required type 'long'; For input string: \"%s\"", s)
	}
	return snowflake.ID(v), nil
}

func (l *life) player(x *exchange, sid, gid string) {
	if x.r.Method == http.MethodPatch {
		l.patchPlayer(x, sid, gid)
		return
	}
	n := l.n
	guild, herr := parseGuild(gid)
	if herr != nil {
		x.fail(herr.status, herr.message)
		return
	}
	n.mu.Lock()
	s, herr := l.sessionLocked(sid)
	if herr != nil {
		n.mu.Unlock()
		x.fail(herr.status, herr.message)
		return
	}
	p := s.players[guild]
	if x.r.Method == http.MethodDelete {
		var seq uint64
		if p != nil {
			p.destroyLocked()
		}
		c := s.conn
		if c != nil {
			seq = c.lastQueued()
		}
		n.mu.Unlock()
		if c != nil {
			c.waitSent(l.ctx, seq)
		}
		x.respond(http.StatusNoContent, "", nil)
		return
	}
	if p == nil {
		n.mu.Unlock()
		x.fail(http.StatusNotFound, "Player not found")
		return
	}
	body := mustJSON(p.jsonLocked(n.now()))
	n.mu.Unlock()
	x.respond(http.StatusOK, "application/json", body)
}
