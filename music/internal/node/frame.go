package node

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

// TrackEndEvent is Lavalink's TrackEndEvent. It replaces disgolink's
// [lavalink.TrackEndEvent], whose Type method reports
// [lavalink.EventTypeTrackStart]; the fields and JSON are the same.
type TrackEndEvent struct {
	Track  lavalink.Track          `json:"track"`
	Reason lavalink.TrackEndReason `json:"reason"`
	Guild  snowflake.ID            `json:"guildId"`
}

// Op returns [lavalink.OpEvent].
func (TrackEndEvent) Op() lavalink.Op { return lavalink.OpEvent }

// Type returns [lavalink.EventTypeTrackEnd].
func (TrackEndEvent) Type() lavalink.EventType { return lavalink.EventTypeTrackEnd }

// GuildID returns the guild whose track ended.
func (e TrackEndEvent) GuildID() snowflake.ID { return e.Guild }

// MayStartNext reports whether the reason allows starting the next track
// (finished or loadFailed); for stopped, replaced and cleanup it does not.
func (e TrackEndEvent) MayStartNext() bool { return e.Reason.MayStartNext() }

// frameError describes a frame that was skipped. Op and Type are quoted
// and cut short, since they come from the server.
type frameError struct {
	op, typ string
	err     error
}

func (e *frameError) Error() string {
	s := "frame op " + shortQuote(e.op)
	if e.typ != "" {
		s += " type " + shortQuote(e.typ)
	}
	return s + ": " + e.err.Error()
}

func (e *frameError) Unwrap() error { return e.err }

var (
	errUnknownOp    = errors.New("unknown op")
	errUnknownEvent = errors.New("unknown event type")
	errNoGuild      = errors.New("missing guildId")
	errBadSession   = errors.New("missing or malformed sessionId")
)

// shortQuote quotes s, cut to 40 bytes, for logs.
func shortQuote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return strconv.Quote(s)
}

// decodeFrame decodes one websocket text frame into a
// lavalink.ReadyMessage, a lavalink.Stats, a lavalink.PlayerUpdateMessage
// or one of the five events: lavalink.TrackStartEvent, TrackEndEvent,
// lavalink.TrackExceptionEvent, lavalink.TrackStuckEvent and
// lavalink.WebSocketClosedEvent. Anything else, including a frame that
// decodes but lacks its guild or session id, is a *frameError.
func decodeFrame(data []byte) (any, error) {
	var head struct {
		Op   string `json:"op"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, &frameError{err: err}
	}
	v, err := decodeOp(head.Op, head.Type, data)
	if err != nil {
		if head.Op != string(lavalink.OpEvent) {
			head.Type = ""
		}
		return nil, &frameError{op: head.Op, typ: head.Type, err: err}
	}
	return v, nil
}

func decodeOp(op, typ string, data []byte) (any, error) {
	switch lavalink.Op(op) {
	case lavalink.OpReady:
		var m lavalink.ReadyMessage
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, err
		}
		if !validSessionID(m.SessionID) {
			return nil, errBadSession
		}
		return m, nil
	case lavalink.OpStats:
		var m lavalink.Stats
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, err
		}
		return m, nil
	case lavalink.OpPlayerUpdate:
		var m lavalink.PlayerUpdateMessage
		err := json.Unmarshal(data, &m)
		return guarded(m, m.GuildID, err)
	case lavalink.OpEvent:
		return decodeEvent(typ, data)
	}
	return nil, errUnknownOp
}

func decodeEvent(typ string, data []byte) (any, error) {
	switch lavalink.EventType(typ) {
	case lavalink.EventTypeTrackStart:
		var e lavalink.TrackStartEvent
		err := json.Unmarshal(data, &e)
		return guarded(e, e.GuildID_, err)
	case lavalink.EventTypeTrackEnd:
		var e TrackEndEvent
		err := json.Unmarshal(data, &e)
		return guarded(e, e.Guild, err)
	case lavalink.EventTypeTrackException:
		var e lavalink.TrackExceptionEvent
		err := json.Unmarshal(data, &e)
		return guarded(e, e.GuildID_, err)
	case lavalink.EventTypeTrackStuck:
		var e lavalink.TrackStuckEvent
		err := json.Unmarshal(data, &e)
		return guarded(e, e.GuildID_, err)
	case lavalink.EventTypeWebSocketClosed:
		var e lavalink.WebSocketClosedEvent
		err := json.Unmarshal(data, &e)
		return guarded(e, e.GuildID_, err)
	}
	return nil, errUnknownEvent
}

// guarded returns v unless decoding failed or the guild is missing.
func guarded(v any, guild snowflake.ID, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	if guild == 0 {
		return nil, errNoGuild
	}
	return v, nil
}
