package lavalinktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

// optString is a nullable string field: absent, null or a value.
type optString struct {
	present, null bool
	value         string
}

// playerUpdate is a parsed PATCH player body.
type playerUpdate struct {
	track        bool // the track object is present
	encoded      optString
	identifier   *string
	userData     json.RawMessage
	topLevel     bool // deprecated encodedTrack/identifier keys are present
	position     *int64
	endTime      optInt
	volume       *int64
	paused       *bool
	filters      *filtersJSON
	voice        *voiceState
	voiceMissing []string
}

type optInt struct {
	present, null bool
	value         int64
}

func (o object) nullableString(key string, dst *optString) error {
	raw, ok := o.fields[key]
	if !ok {
		return nil
	}
	if isNull(raw) {
		*dst = optString{present: true, null: true}
		return nil
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return fmt.Errorf("%s.%s: expected a string or null", o.path, key)
	}
	*dst = optString{present: true, value: s}
	return nil
}

// parsePlayerUpdate reads a PATCH player body as Lavalink's decoder does.
// strict selects 4.2's rules: null only in nullable fields and channelId
// required in voice.
func parsePlayerUpdate(body []byte, strict bool) (playerUpdate, error) {
	var u playerUpdate
	o, err := parseObject(body, strict, "playerUpdate")
	if err != nil {
		return u, err
	}
	if t, ok, err := o.child("track"); err != nil {
		return u, err
	} else if ok {
		u.track = true
		if err := t.nullableString("encoded", &u.encoded); err != nil {
			return u, err
		}
		if err := t.str("identifier", &u.identifier); err != nil {
			return u, err
		}
		if raw, ok, err := t.get("userData"); err != nil {
			return u, err
		} else if ok {
			if raw[0] != '{' {
				return u, fmt.Errorf("playerUpdate.track.userData: expected a JSON object")
			}
			var buf bytes.Buffer
			if err := json.Compact(&buf, raw); err != nil {
				return u, fmt.Errorf("playerUpdate.track.userData: %v", err)
			}
			u.userData = buf.Bytes()
		}
	}
	var top optString
	if err := o.nullableString("encodedTrack", &top); err != nil {
		return u, err
	}
	var topID *string
	if err := o.str("identifier", &topID); err != nil {
		return u, err
	}
	if top.present || topID != nil {
		u.topLevel = true
		if !u.track {
			u.encoded, u.identifier = top, topID
		}
	}
	if err := o.integer("position", 64, &u.position); err != nil {
		return u, err
	}
	if raw, ok := o.fields["endTime"]; ok {
		u.endTime.present = true
		if isNull(raw) {
			u.endTime.null = true
		} else if v, valid := parseInt(raw, 64); valid {
			u.endTime.value = v
		} else {
			return u, fmt.Errorf("playerUpdate.endTime: expected an integer or null")
		}
	}
	if err := o.integer("volume", 32, &u.volume); err != nil {
		return u, err
	}
	if err := o.boolean("paused", &u.paused); err != nil {
		return u, err
	}
	if raw, ok, err := o.get("filters"); err != nil {
		return u, err
	} else if ok {
		if u.filters, err = parseFilters(raw, strict); err != nil {
			return u, err
		}
	}
	if v, ok, err := o.child("voice"); err != nil {
		return u, err
	} else if ok {
		var token, endpoint, sessionID, channelID *string
		for _, f := range []struct {
			key string
			dst **string
		}{{"token", &token}, {"endpoint", &endpoint}, {"sessionId", &sessionID}} {
			if err := v.str(f.key, f.dst); err != nil {
				return u, err
			}
			if *f.dst == nil {
				return u, fmt.Errorf("playerUpdate.voice.%s: missing", f.key)
			}
		}
		var cid optString
		if err := v.nullableString("channelId", &cid); err != nil {
			return u, err
		}
		if cid.present && !cid.null {
			channelID = &cid.value
		}
		u.voice = &voiceState{token: *token, endpoint: *endpoint, sessionID: *sessionID, channelID: channelID}
		for _, f := range []struct{ key, value string }{{"token", *token}, {"endpoint", *endpoint}, {"sessionId", *sessionID}} {
			if f.value == "" {
				u.voiceMissing = append(u.voiceMissing, f.key)
			}
		}
		if strict && (channelID == nil || *channelID == "") {
			u.voiceMissing = append(u.voiceMissing, "channelId")
		}
	}
	return u, nil
}

// newTrack reports whether the update starts or stops a track.
func (u *playerUpdate) newTrack() bool { return u.encoded.present || u.identifier != nil }

// patchPlayer serves PATCH /v4/sessions/{sid}/players/{guildId} in
// Lavalink's order of checks and effects.
func (l *life) patchPlayer(x *exchange, sid, gid string) {
	n := l.n
	if !requireJSON(x) {
		return
	}
	u, err := parsePlayerUpdate(x.body, n.cfg.version.strict())
	if err != nil {
		x.fail(http.StatusBadRequest, "Failed to read request: "+err.Error())
		return
	}
	guild, herr := parseGuild(gid)
	if herr != nil {
		x.fail(herr.status, herr.message)
		return
	}
	noReplace := false
	if q := x.r.URL.Query(); q.Has("noReplace") {
		if noReplace, herr = parseSpringBool(q.Get("noReplace")); herr != nil {
			x.fail(herr.status, herr.message)
			return
		}
	}
	n.mu.Lock()
	s, herr := l.sessionLocked(sid)
	if herr == nil {
		herr = n.applyPlayerUpdateLocked(s, guild, &u, noReplace)
	}
	if herr != nil {
		n.mu.Unlock()
		x.fail(herr.status, herr.message)
		return
	}
	body := mustJSON(s.players[guild].jsonLocked(n.now()))
	c := s.conn
	var seq uint64
	if c != nil {
		seq = c.lastQueued()
	}
	n.mu.Unlock()
	// Lavalink writes the frames a PATCH causes before it answers.
	if c != nil {
		c.waitSent(x.r.Context(), seq)
	}
	x.respond(http.StatusOK, "application/json", body)
}

// parseSpringBool reads a boolean request parameter as Spring converts it.
func parseSpringBool(s string) (bool, *httpError) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "on", "yes", "1":
		return true, nil
	case "false", "off", "no", "0", "":
		return false, nil
	}
	return false, badRequest("Failed to convert value of type 'java.lang.String' to required type 'boolean'; Invalid boolean value [%s]", s)
}

// applyPlayerUpdateLocked validates and applies u to the guild's player.
func (n *Node) applyPlayerUpdateLocked(s *session, guild snowflake.ID, u *playerUpdate, noReplace bool) *httpError {
	if u.track && u.topLevel {
		return badRequest("Cannot specify both track and encodedTrack/identifier")
	}
	if u.encoded.present && u.identifier != nil {
		return badRequest("Cannot specify both encodedTrack and identifier")
	}
	if u.filters != nil {
		if bad := u.filters.disabled(n.cfg.disabledFilters); bad != "" {
			return badRequest("Following filters are disabled in the config: %s", bad)
		}
	}
	if u.voice != nil && len(u.voiceMissing) > 0 {
		return badRequest("Partial Lavalink voice state: %s missing", strings.Join(u.voiceMissing, ", "))
	}
	if u.endTime.present && !u.endTime.null && u.endTime.value <= 0 {
		return badRequest("End time must be greater than 0")
	}
	p := s.playerLocked(guild)
	if v := u.voice; v != nil {
		old := p.voice
		if !p.reportsConnected() || old.token != v.token || old.endpoint != v.endpoint || old.sessionID != v.sessionID || !sameString(old.channelID, v.channelID) {
			p.connectLocked(*v)
		}
	}
	newTrack := u.newTrack()
	if u.paused != nil && !newTrack {
		p.setPausedLocked(*u.paused)
	}
	if u.userData != nil && !newTrack && p.track != nil {
		p.track.userData = u.userData
	}
	if u.volume != nil {
		p.volume = int(min(max(*u.volume, 0), 1000))
	}
	if u.position != nil && !newTrack && p.track != nil {
		p.seekLocked(time.Duration(*u.position) * time.Millisecond)
	}
	if u.endTime.present && !newTrack && p.track != nil {
		now := n.now()
		p.syncLocked(now)
		p.track.endTime = 0
		if !u.endTime.null {
			p.track.endTime = time.Duration(u.endTime.value) * time.Millisecond
		}
		p.rescheduleLocked(now)
	}
	if u.filters != nil {
		p.filters = u.filters
		p.s.sendPlayerUpdateLocked(p)
	}
	if !newTrack {
		return nil
	}
	if noReplace && p.track != nil {
		return nil
	}
	paused := u.paused != nil && *u.paused
	if p.paused != paused {
		p.setPausedLocked(paused)
	}
	var t *activeTrack
	switch {
	case u.encoded.present && u.encoded.null:
		p.endTrackLocked(lavalink.TrackEndReasonStopped)
		return nil
	case u.encoded.present:
		info, herr := n.decodeLocked(u.encoded.value)
		if herr != nil {
			return herr
		}
		t = &activeTrack{encoded: u.encoded.value, info: info}
	default:
		res := n.catalogue.load(*u.identifier)
		switch res.LoadType {
		case "track":
			tj := res.Data.(trackJSON)
			info := tj.lavalinkTrack().Info
			t = &activeTrack{encoded: tj.Encoded, info: info}
		case "playlist", "search":
			return badRequest("Cannot play a playlist or search result")
		case "empty":
			return badRequest("No matches found for identifier")
		default:
			e := res.Data.(exceptionJSON)
			msg := ""
			if e.Message != nil {
				msg = *e.Message
			}
			return &httpError{status: http.StatusInternalServerError, message: msg}
		}
	}
	t.pos = time.Duration(t.info.Position) * time.Millisecond
	if u.position != nil {
		t.pos = max(time.Duration(*u.position)*time.Millisecond, 0)
	}
	t.userData = u.userData
	if u.endTime.present && !u.endTime.null {
		t.endTime = time.Duration(u.endTime.value) * time.Millisecond
	}
	p.playLocked(t)
	return nil
}

func sameString(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
