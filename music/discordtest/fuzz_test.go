package discordtest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"
)

// FuzzDecodeClientPayload feeds arbitrary client frames to the gateway
// decoder: it never panics and accepts only JSON objects of at most 4096
// bytes with an integer op.
func FuzzDecodeClientPayload(f *testing.F) {
	for _, seed := range []string{
		`{"op":1,"d":null}`, `{"op":2,"d":{"token":"x","intents":513}}`, `{"op":4,"d":{"guild_id":"1","channel_id":null}}`,
		`{"op":"1"}`, `{"d":1}`, `[]`, `null`, `{"op":1.5}`, `{"op":6,"d":{"seq":-1}}`, "{\"op\":1}\x00",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decodeClientPayload(data)
		if err != nil {
			return
		}
		if len(data) > maxPayload {
			t.Fatalf("accepted a %d-byte payload", len(data))
		}
		var probe map[string]json.RawMessage
		if json.Unmarshal(data, &probe) != nil || probe["op"] == nil {
			t.Fatalf("accepted %q, which is not an object with op", data)
		}
		_ = p
	})
}

// FuzzToken checks that ApplicationIDFromToken never panics, that Token's
// output always parses back to its ID, and that the parser is no looser
// than "three non-empty parts".
func FuzzToken(f *testing.F) {
	f.Add("MTMwMDAwMDAwMDAwMDAwMDAwMQ.ZGlzY29yZHRlc3Q.fake", uint64(1))
	f.Add("", uint64(1300000000000000001))
	f.Add("a.b", uint64(1<<63))
	f.Add("MA.x.y", uint64(42))
	f.Add("LTE.x.y", uint64(7))
	f.Fuzz(func(t *testing.T, token string, id uint64) {
		if got, err := ApplicationIDFromToken(token); err == nil {
			if got == 0 || strings.Count(token, ".") != 2 {
				t.Fatalf("ApplicationIDFromToken(%q) = %d, nil", token, got)
			}
		}
		if id == 0 {
			return
		}
		tok := Token(snowflake.ID(id))
		if got, err := ApplicationIDFromToken(tok); err != nil || got != snowflake.ID(id) {
			t.Fatalf("ApplicationIDFromToken(Token(%d)) = %d, %v", id, got, err)
		}
	})
}

// FuzzMessageBody validates arbitrary message payloads: validation never
// panics, and every payload it accepts becomes a message disgo decodes,
// as one Discord accepts would be.
func FuzzMessageBody(f *testing.F) {
	for _, seed := range []string{
		`{"content":"hi"}`,
		`{"content":"","embeds":[{"title":"t","fields":[{"name":"n","value":"v"}]}]}`,
		`{"components":[{"type":1,"components":[{"type":2,"style":1,"custom_id":"a","label":"A"}]}]}`,
		`{"flags":32768,"components":[{"type":17,"components":[{"type":10,"content":"x"}]}]}`,
		`{"flags":32768,"components":[{"type":9,"components":[{"type":10}],"accessory":{"type":11}}]}`,
		`{"components":[{"type":1,"components":[{"type":3,"custom_id":"s","options":[]}]}]}`,
		`{"content":null,"embeds":null,"sticker_ids":["1"]}`,
		`{"flags":64,"content":"x"}`, `{"embeds":[{"title":1}]}`, `{"components":[1]}`,
	} {
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, create bool) {
		var body fields
		if json.Unmarshal(data, &body) != nil {
			return
		}
		flags, apiErr := validateMessage(body, create, true, 0, 0)
		if apiErr != nil {
			if apiErr.status != 400 || apiErr.Code == 0 {
				t.Fatalf("validation error %+v", apiErr)
			}
			return
		}
		s := newState(newConfig([]Option{WithClock(func() time.Time { return time.Unix(1700000000, 0) })}))
		g := s.AddGuild("g")
		ch := g.AddTextChannel("c")
		s.mu.Lock()
		m := s.newMessageLocked(s.channels[ch], body, flags, 0, nil, nil)
		s.mu.Unlock()
		var dm discord.Message
		if err := json.Unmarshal(raw(m.fields), &dm); err != nil {
			t.Fatalf("accepted %s but disgo cannot decode the message: %v", data, err)
		}
	})
}

// FuzzCommandBody feeds arbitrary command definitions to the registration
// validator: it never panics, and an accepted command renders to JSON that
// disgo decodes as an application command.
func FuzzCommandBody(f *testing.F) {
	for _, seed := range []string{
		`{"name":"play","description":"d","options":[{"type":3,"name":"q","description":"d","required":true,"autocomplete":true}]}`,
		`{"name":"settings","description":"d","options":[{"type":2,"name":"g","description":"d","options":[{"type":1,"name":"s","description":"d"}]}]}`,
		`{"type":2,"name":"Who Is"}`, `{"type":3,"name":"Quote","default_member_permissions":"8"}`,
		`{"name":"x","description":"d","options":[{"type":4,"name":"n","description":"d","min_value":1,"max_value":2,"choices":[{"name":"a","value":1}]}]}`,
		`{"name":"BAD"}`, `[]`, `{"type":9}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fe formErrors
		c, ok := parseCommand(data, &fe)
		if !ok {
			if fe.n == 0 {
				t.Fatalf("rejected %s without an error", data)
			}
			return
		}
		if fe.n != 0 {
			t.Fatalf("accepted %s with %d errors", data, fe.n)
		}
		s := newState(newConfig(nil))
		c.id, c.version = 1, 1
		var u discord.UnmarshalApplicationCommand
		if err := json.Unmarshal(raw(s.wireCommand(c)), &u); err != nil {
			t.Fatalf("accepted %s but disgo cannot decode it: %v", data, err)
		}
	})
}
