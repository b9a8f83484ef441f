package discordtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/snowflake/v2"
	"github.com/gorilla/websocket"
)

const (
	// maxReplay bounds the dispatches a session keeps for RESUME.
	maxReplay = 4096
	// maxPayload is the largest client payload Discord accepts.
	maxPayload = 4096
	// writeTimeout bounds one websocket write to a client that stopped reading.
	writeTimeout = 10 * time.Second
)

// Gateway close codes the server uses, as Discord documents them.
const (
	closeUnknownOpcode     = 4001
	closeDecodeError       = 4002
	closeNotAuthenticated  = 4003
	closeAuthFailed        = 4004
	closeAlreadyAuthed     = 4005
	closeInvalidSeq        = 4007
	closeInvalidShard      = 4010
	closeInvalidAPIVersion = 4012
	closeInvalidIntents    = 4013
	closeDisallowedIntents = 4014
)

// Session describes a gateway session: one IDENTIFY, kept across RESUMEs.
type Session struct {
	ID         string
	Shard      int // the shard ID from IDENTIFY
	ShardCount int
	Intents    gateway.Intents
	OS         string // the identify connection properties
	Browser    string
	Device     string
	Connected  bool // a websocket is attached
	Resumable  bool // false once the client closed with 1000 or 1001 or the session was invalidated
	Seq        int  // the last sequence number dispatched
	Heartbeats int  // heartbeats received over the session's life
	// ConnHeartbeats counts the heartbeats received on the current
	// connection, those before IDENTIFY or RESUME included; it restarts
	// when the session resumes on a new connection.
	ConnHeartbeats int
	Resumes        int
	// Presence is the last presence the client set, by IDENTIFY or op 3
	// (presence update), as sent; nil if none.
	Presence json.RawMessage
}

type frame struct {
	seq  int
	data []byte
}

type session struct {
	info   Session
	replay []frame
	conn   *conn
}

// covers reports whether the session receives events of guildID.
func (sess *session) covers(guildID snowflake.ID) bool {
	return sess.info.Resumable && ShardOf(guildID, sess.info.ShardCount) == sess.info.Shard
}

type outMsg struct {
	data      []byte
	close     bool
	closeCode int
	closeText string
}

// conn is one websocket connection. Its reader is the HTTP handler
// goroutine; its writer drains queue so dispatching never blocks a caller
// holding Server.mu.
type conn struct {
	s   *Server
	ws  *websocket.Conn
	enc encoder

	sess        *session       // guarded by s.mu
	closeQueued bool           // guarded by s.mu: a close frame is queued, ignore input
	heartbeats  int            // guarded by s.mu: heartbeats received on this connection
	held        *clientPayload // guarded by s.mu: IDENTIFY or RESUME awaiting the first heartbeat

	mu      sync.Mutex
	queue   []outMsg
	killed  bool
	wake    chan struct{}
	dead    chan struct{}
	killOne sync.Once
}

func (c *conn) enqueue(m outMsg) {
	c.mu.Lock()
	if !c.killed {
		c.queue = append(c.queue, m)
	}
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// kill drops the connection at once: the writer stops, the reader's next
// read fails.
func (c *conn) kill() {
	c.killOne.Do(func() {
		c.mu.Lock()
		c.killed = true
		c.queue = nil
		c.mu.Unlock()
		_ = c.ws.Close()
		select {
		case c.wake <- struct{}{}:
		default:
		}
	})
}

func (c *conn) writeLoop() {
	defer close(c.dead)
	defer c.enc.close()
	for {
		c.mu.Lock()
		q, killed := c.queue, c.killed
		c.queue = nil
		c.mu.Unlock()
		if killed {
			return
		}
		for _, m := range q {
			deadline := time.Now().Add(writeTimeout)
			if m.close {
				_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(m.closeCode, m.closeText), deadline)
				c.kill()
				return
			}
			mt, data, err := c.enc.encode(m.data)
			if err == nil {
				_ = c.ws.SetWriteDeadline(deadline)
				err = c.ws.WriteMessage(mt, data)
			}
			if err != nil {
				c.s.log.Debug("gateway write failed", slog.Any("err", err))
				c.kill()
				return
			}
		}
		<-c.wake
	}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveGateway runs one gateway connection: HELLO, then the read loop.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	enc, encErr := newEncoder(q.Get("compress"))
	if encErr != nil {
		enc = plainEncoder{} // to send the close frame
	}
	c := &conn{s: s, ws: ws, enc: enc, wake: make(chan struct{}, 1), dead: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Go(c.writeLoop)
	switch {
	case q.Get("v") != strconv.Itoa(gateway.Version):
		s.closeConnLocked(c, closeInvalidAPIVersion, "Invalid API version.")
	case q.Get("encoding") != "" && q.Get("encoding") != "json", encErr != nil:
		s.closeConnLocked(c, closeDecodeError, "Error while decoding payload.")
	default:
		c.enqueue(outMsg{data: raw(object{"op": gateway.OpcodeHello, "d": object{
			"heartbeat_interval": s.cfg.heartbeatInterval.Milliseconds(),
			"_trace":             []string{`["discordtest-gateway",{"micros":0}]`},
		}})})
	}
	s.mu.Unlock()

	ws.SetReadLimit(1 << 20)
	var closeCode int
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				closeCode = ce.Code
			}
			break
		}
		s.handleFrame(c, data)
	}

	s.mu.Lock()
	delete(s.conns, c)
	if sess := c.sess; sess != nil && sess.conn == c {
		sess.conn = nil
		sess.info.Connected = false
		if closeCode == websocket.CloseNormalClosure || closeCode == websocket.CloseGoingAway {
			sess.info.Resumable = false
			sess.replay = nil
		}
	}
	s.notifyLocked()
	s.mu.Unlock()
	c.kill()
	<-c.dead
}

// closeConnLocked queues a close frame after whatever is queued and makes
// the connection ignore further input.
func (s *Server) closeConnLocked(c *conn, code int, text string) {
	if c.closeQueued {
		return
	}
	c.closeQueued = true
	s.log.Debug("closing gateway connection", slog.Int("code", code), slog.String("reason", text))
	c.enqueue(outMsg{close: true, closeCode: code, closeText: text})
}

// clientPayload is a payload a client sends.
type clientPayload struct {
	Op gateway.Opcode  `json:"op"`
	D  json.RawMessage `json:"d"`
}

// decodeClientPayload parses one client frame. It accepts exactly what
// Discord does: a JSON object of at most 4096 bytes with an integer op.
func decodeClientPayload(data []byte) (clientPayload, error) {
	var p clientPayload
	if len(data) > maxPayload {
		return p, errors.New("payload too large")
	}
	var probe struct {
		Op *int `json:"op"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return p, err
	}
	if probe.Op == nil {
		return p, errors.New("missing op")
	}
	err := json.Unmarshal(data, &p)
	return p, err
}

func (s *Server) handleFrame(c *conn, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.closeQueued || s.closed {
		return
	}
	p, err := decodeClientPayload(data)
	if err != nil {
		s.closeConnLocked(c, closeDecodeError, "Error while decoding payload.")
		return
	}
	if c.sess == nil && p.Op != gateway.OpcodeHeartbeat && p.Op != gateway.OpcodeIdentify && p.Op != gateway.OpcodeResume {
		if isKnownOpcode(p.Op) {
			s.closeConnLocked(c, closeNotAuthenticated, "Not authenticated.")
		} else {
			s.closeConnLocked(c, closeUnknownOpcode, "Unknown opcode.")
		}
		return
	}
	switch p.Op {
	case gateway.OpcodeHeartbeat:
		c.heartbeats++
		if c.sess != nil {
			c.sess.info.Heartbeats++
			c.sess.info.ConnHeartbeats++
			s.notifyLocked()
		}
		c.enqueue(outMsg{data: []byte(`{"op":11}`)})
		if held := c.held; held != nil {
			c.held = nil
			s.authenticateLocked(c, *held)
		}
	case gateway.OpcodeIdentify, gateway.OpcodeResume:
		switch {
		case c.held != nil:
			s.closeConnLocked(c, closeAlreadyAuthed, "Already authenticated.")
		case s.cfg.readyAfterHeartbeat && c.heartbeats == 0:
			c.held = &p
		default:
			s.authenticateLocked(c, p)
		}
	case gateway.OpcodePresenceUpdate:
		c.sess.info.Presence = p.D
		s.notifyLocked()
	case gateway.OpcodeVoiceStateUpdate:
		s.voiceStateUpdateLocked(c, p.D)
	case gateway.OpcodeRequestGuildMembers:
		s.requestMembersLocked(c, p.D)
	case gateway.OpcodeRequestSoundboardSounds:
		// Accepted and ignored: the fake has no soundboard.
	default:
		s.closeConnLocked(c, closeUnknownOpcode, "Unknown opcode.")
	}
}

// authenticateLocked processes an IDENTIFY or a RESUME.
func (s *Server) authenticateLocked(c *conn, p clientPayload) {
	if p.Op == gateway.OpcodeIdentify {
		s.identifyLocked(c, p.D)
	} else {
		s.resumeLocked(c, p.D)
	}
}

func isKnownOpcode(op gateway.Opcode) bool {
	switch op {
	case gateway.OpcodePresenceUpdate, gateway.OpcodeVoiceStateUpdate, gateway.OpcodeRequestGuildMembers, gateway.OpcodeRequestSoundboardSounds:
		return true
	}
	return false
}

type identifyData struct {
	Token      string `json:"token"`
	Properties struct {
		OS      string `json:"os"`
		Browser string `json:"browser"`
		Device  string `json:"device"`
	} `json:"properties"`
	Shard    *[2]int         `json:"shard"`
	Intents  *int64          `json:"intents"`
	Presence json.RawMessage `json:"presence"`
}

func (s *Server) identifyLocked(c *conn, d json.RawMessage) {
	if c.sess != nil {
		s.closeConnLocked(c, closeAlreadyAuthed, "Already authenticated.")
		return
	}
	var id identifyData
	if err := json.Unmarshal(d, &id); err != nil || id.Intents == nil {
		s.closeConnLocked(c, closeDecodeError, "Error while decoding payload.")
		return
	}
	if appID, err := ApplicationIDFromToken(id.Token); err != nil || appID != s.cfg.appID || id.Token != s.token {
		s.closeConnLocked(c, closeAuthFailed, "Authentication failed.")
		return
	}
	intents := gateway.Intents(*id.Intents)
	if intents&^gateway.IntentsAll != 0 {
		s.closeConnLocked(c, closeInvalidIntents, "Invalid intent(s).")
		return
	}
	if intents&gateway.IntentsPrivileged&^s.cfg.privilegedIntents != 0 {
		s.closeConnLocked(c, closeDisallowedIntents, "Disallowed intent(s).")
		return
	}
	shard := [2]int{0, 1}
	if id.Shard != nil {
		shard = *id.Shard
	}
	if shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1] {
		s.closeConnLocked(c, closeInvalidShard, "Invalid shard.")
		return
	}
	sess := &session{info: Session{
		ID:         randomHex(16),
		Shard:      shard[0],
		ShardCount: shard[1],
		Intents:    intents,
		OS:         id.Properties.OS,
		Browser:    id.Properties.Browser,
		Device:     id.Properties.Device,
		Connected:  true,
		Resumable:  true,
		// Heartbeats sent before IDENTIFY count too.
		Heartbeats:     c.heartbeats,
		ConnHeartbeats: c.heartbeats,
	}, conn: c}
	if len(id.Presence) > 0 && string(id.Presence) != "null" {
		sess.info.Presence = id.Presence
	}
	c.sess = sess
	s.sessions = append(s.sessions, sess)
	s.dispatchLocked(sess, gateway.EventTypeReady, s.readyLocked(sess))
	if intents.Has(gateway.IntentGuilds) {
		for _, gid := range s.guildOrder {
			if sess.covers(gid) {
				s.dispatchLocked(sess, gateway.EventTypeGuildCreate, s.guildCreateLocked(s.guilds[gid], sess))
			}
		}
	}
	s.notifyLocked()
}

func (s *Server) readyLocked(sess *session) object {
	guilds := []object{}
	for _, gid := range s.guildOrder {
		if sess.covers(gid) {
			guilds = append(guilds, object{"id": gid, "unavailable": true})
		}
	}
	var flags int
	if s.cfg.privilegedIntents.Has(gateway.IntentGuildPresences) {
		flags |= 1 << 13 // GATEWAY_PRESENCE_LIMITED
	}
	if s.cfg.privilegedIntents.Has(gateway.IntentGuildMembers) {
		flags |= 1 << 15 // GATEWAY_GUILD_MEMBERS_LIMITED
	}
	if s.cfg.privilegedIntents.Has(gateway.IntentMessageContent) {
		flags |= 1 << 19 // GATEWAY_MESSAGE_CONTENT_LIMITED
	}
	bot := s.users[s.cfg.appID].wire()
	return object{
		"v": gateway.Version,
		"user": object{
			"id": bot.ID, "username": bot.Username, "discriminator": bot.Discriminator,
			"global_name": nil, "avatar": nil, "bot": true, "verified": true,
			"mfa_enabled": false, "flags": 0, "email": nil,
		},
		"guilds":                  guilds,
		"session_id":              sess.info.ID,
		"session_type":            "normal",
		"resume_gateway_url":      s.gatewayURL,
		"shard":                   [2]int{sess.info.Shard, sess.info.ShardCount},
		"application":             object{"id": s.cfg.appID, "flags": flags},
		"user_settings":           object{},
		"private_channels":        []any{},
		"presences":               []any{},
		"relationships":           []any{},
		"guild_join_requests":     []any{},
		"geo_ordered_rtc_regions": []string{"discordtest"},
		"auth":                    object{},
		"_trace":                  []string{`["discordtest-gateway",{"micros":0}]`},
	}
}

type resumeData struct {
	Token     string `json:"token"`
	SessionID string `json:"session_id"`
	Seq       int    `json:"seq"`
}

func (s *Server) resumeLocked(c *conn, d json.RawMessage) {
	if c.sess != nil {
		s.closeConnLocked(c, closeAlreadyAuthed, "Already authenticated.")
		return
	}
	var rd resumeData
	if err := json.Unmarshal(d, &rd); err != nil {
		s.closeConnLocked(c, closeDecodeError, "Error while decoding payload.")
		return
	}
	if rd.Token != s.token {
		s.closeConnLocked(c, closeAuthFailed, "Authentication failed.")
		return
	}
	var sess *session
	for _, cand := range s.sessions {
		if cand.info.ID == rd.SessionID && cand.info.Resumable {
			sess = cand
		}
	}
	if sess == nil {
		c.enqueue(outMsg{data: []byte(`{"op":9,"d":false}`)})
		return
	}
	if rd.Seq > sess.info.Seq || rd.Seq < 0 {
		s.closeConnLocked(c, closeInvalidSeq, "Invalid seq.")
		return
	}
	if rd.Seq < sess.info.Seq && (len(sess.replay) == 0 || sess.replay[0].seq > rd.Seq+1) {
		sess.info.Resumable = false
		c.enqueue(outMsg{data: []byte(`{"op":9,"d":false}`)})
		return
	}
	if old := sess.conn; old != nil && old != c {
		old.sess = nil
		old.kill()
	}
	sess.conn = c
	sess.info.Connected = true
	sess.info.Heartbeats += c.heartbeats
	sess.info.ConnHeartbeats = c.heartbeats
	sess.info.Resumes++
	c.sess = sess
	for _, f := range sess.replay {
		if f.seq > rd.Seq {
			c.enqueue(outMsg{data: f.data})
		}
	}
	s.dispatchLocked(sess, gateway.EventTypeResumed, object{"_trace": []string{`["discordtest-gateway",{"micros":0}]`}})
	s.notifyLocked()
}

// dispatchLocked sends one event to sess (queued for RESUME if it is not
// connected).
func (s *Server) dispatchLocked(sess *session, t gateway.EventType, d any) {
	s.dispatchRawLocked(sess, t, raw(d))
}

func (s *Server) dispatchRawLocked(sess *session, t gateway.EventType, d json.RawMessage) {
	sess.info.Seq++
	data := fmt.Appendf(nil, `{"op":0,"s":%d,"t":%q,"d":%s}`, sess.info.Seq, t, d)
	sess.replay = append(sess.replay, frame{seq: sess.info.Seq, data: data})
	if len(sess.replay) > maxReplay {
		sess.replay = append(sess.replay[:0:0], sess.replay[len(sess.replay)-maxReplay:]...)
	}
	if sess.conn != nil {
		sess.conn.enqueue(outMsg{data: data})
	}
}

// sessionsForGuildLocked lists the resumable sessions whose shard owns the
// guild.
func (s *Server) sessionsForGuildLocked(guildID snowflake.ID) []*session {
	var out []*session
	for _, sess := range s.sessions {
		if sess.covers(guildID) {
			out = append(out, sess)
		}
	}
	return out
}

// dispatchGuildLocked sends a guild event to every session that owns the
// guild and has the intent (0: no intent needed). It reports how many
// sessions it reached.
func (s *Server) dispatchGuildLocked(guildID snowflake.ID, intent gateway.Intents, t gateway.EventType, d any) int {
	var payload json.RawMessage
	n := 0
	for _, sess := range s.sessionsForGuildLocked(guildID) {
		if intent != 0 && !sess.info.Intents.Has(intent) {
			continue
		}
		if payload == nil {
			payload = raw(d)
		}
		s.dispatchRawLocked(sess, t, payload)
		n++
	}
	return n
}

// flexID is a snowflake a client may send as a string or a number, both of
// which Discord accepts.
type flexID snowflake.ID

// UnmarshalJSON accepts "123" and 123.
func (f *flexID) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	id, err := snowflake.Parse(n.String())
	*f = flexID(id)
	return err
}

type requestMembersData struct {
	GuildID flexID         `json:"guild_id"`
	Query   *string        `json:"query"`
	Limit   int            `json:"limit"`
	UserIDs []snowflake.ID `json:"user_ids"`
	Nonce   string         `json:"nonce"`
}

// requestMembersLocked answers op 8 with one GUILD_MEMBERS_CHUNK.
func (s *Server) requestMembersLocked(c *conn, d json.RawMessage) {
	var rd requestMembersData
	if err := json.Unmarshal(d, &rd); err != nil {
		s.closeConnLocked(c, closeDecodeError, "Error while decoding payload.")
		return
	}
	g := s.guilds[snowflake.ID(rd.GuildID)]
	if g == nil || !c.sess.covers(g.id) {
		return
	}
	members := []*wireMember{}
	notFound := []snowflake.ID{}
	if len(rd.UserIDs) > 0 {
		for _, id := range rd.UserIDs {
			if m := g.member(id); m != nil {
				members = append(members, s.wireMemberLocked(g, m))
			} else {
				notFound = append(notFound, id)
			}
		}
	} else {
		for _, m := range g.members {
			name := s.users[m.userID].name
			if rd.Query != nil && *rd.Query != "" && !hasPrefixFold(name, *rd.Query) {
				continue
			}
			if rd.Limit > 0 && len(members) >= rd.Limit {
				break
			}
			members = append(members, s.wireMemberLocked(g, m))
		}
	}
	chunk := object{"guild_id": g.id, "members": members, "chunk_index": 0, "chunk_count": 1, "not_found": notFound}
	if rd.Nonce != "" {
		chunk["nonce"] = rd.Nonce
	}
	s.dispatchLocked(c.sess, gateway.EventTypeGuildMembersChunk, chunk)
}

func hasPrefixFold(s, prefix string) bool {
	return strings.HasPrefix(strings.ToLower(s), strings.ToLower(prefix))
}

// Sessions lists every gateway session in IDENTIFY order.
func (s *Server) Sessions() []Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessionsLocked()
}

// WaitSession waits until a session satisfies match and returns it.
func (s *Server) WaitSession(ctx context.Context, match func(Session) bool) (Session, error) {
	return waitFor(ctx, s, func() (Session, bool, error) {
		for _, sess := range s.sessions {
			if match(sess.info) {
				return sess.info, true, nil
			}
		}
		return Session{}, false, nil
	})
}

func (s *Server) sessionsLocked() []Session {
	out := make([]Session, 0, len(s.sessions))
	for _, sess := range s.sessions {
		out = append(out, sess.info)
	}
	return out
}

// Reconnect sends op 7 RECONNECT on every connected session of the shard,
// as Discord does before moving a session; clients close and RESUME. It
// returns ErrNoSession when no connected session has that shard.
func (s *Server) Reconnect(shard int) error {
	return s.eachConnected(shard, func(sess *session) {
		sess.conn.enqueue(outMsg{data: []byte(`{"op":7,"d":null}`)})
	})
}

// InvalidateSession sends op 9 INVALID_SESSION on every connected session of
// the shard. With resumable false the session is forgotten, so the client
// must IDENTIFY again.
func (s *Server) InvalidateSession(shard int, resumable bool) error {
	return s.eachConnected(shard, func(sess *session) {
		sess.conn.enqueue(outMsg{data: fmt.Appendf(nil, `{"op":9,"d":%t}`, resumable)})
		if !resumable {
			sess.info.Resumable = false
			sess.replay = nil
		}
	})
}

// Disconnect closes the websocket of every connected session of the shard
// with the close code (for example 4000, after which clients resume, or 4009,
// after which they identify again) and reason.
func (s *Server) Disconnect(shard, code int, reason string) error {
	return s.eachConnected(shard, func(sess *session) {
		switch code {
		case closeInvalidSeq, 4009:
			sess.info.Resumable = false
			sess.replay = nil
		}
		s.closeConnLocked(sess.conn, code, reason)
	})
}

func (s *Server) eachConnected(shard int, f func(*session)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	n := 0
	for _, sess := range s.sessions {
		if sess.conn != nil && sess.info.Shard == shard {
			f(sess)
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("%w: shard %d", ErrNoSession, shard)
	}
	s.notifyLocked()
	return nil
}
