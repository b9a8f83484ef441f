package discordtest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/discordtest"
)

// do sends a raw REST request and decodes the JSON answer.
func do(t *testing.T, srv *discordtest.Server, method, path, auth string, body any) (int, http.Header, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, srv.RestURL()+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: bad JSON %q", method, path, raw)
		}
	}
	return resp.StatusCode, resp.Header, out
}

func botAuth(srv *discordtest.Server) string { return "Bot " + srv.Token() }

// restCode returns the Discord error code of a disgo REST error.
func restCode(err error) rest.JSONErrorCode {
	var e *rest.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return -1
}

func TestRESTAuthAndRoutes(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name, method, path, auth string
		status                   int
		code                     float64
	}{
		{"gateway needs no token", "GET", "/gateway", "", 200, 0},
		{"gateway/bot needs the token", "GET", "/gateway/bot", "", 401, 0},
		{"wrong token", "GET", "/users/@me", "Bot " + discordtest.Token(5<<22), 401, 0},
		{"unknown route", "GET", "/nope", botAuth(w.srv), 404, 0},
		{"unknown channel", "GET", "/channels/1", botAuth(w.srv), 404, 10003},
		{"channel id not a snowflake", "GET", "/channels/abc", botAuth(w.srv), 400, 50035},
		{"unknown guild", "GET", "/guilds/1", botAuth(w.srv), 404, 10004},
		{"unknown member", "GET", "/guilds/" + w.guild.ID().String() + "/members/1", botAuth(w.srv), 404, 10007},
		{"member id not a snowflake", "GET", "/guilds/" + w.guild.ID().String() + "/members/x", botAuth(w.srv), 400, 50035},
		{"another application's commands", "GET", "/applications/1/commands", botAuth(w.srv), 403, 50001},
		{"commands of an unknown guild", "GET", "/applications/" + w.srv.ApplicationID().String() + "/guilds/1/commands", botAuth(w.srv), 403, 50001},
		{"unknown interaction", "POST", "/interactions/1/x/callback", "", 404, 10062},
		{"unknown webhook", "GET", "/webhooks/" + w.srv.ApplicationID().String() + "/x/messages/@original", "", 404, 10015},
		{"messages limit too high", "GET", "/channels/" + w.text.String() + "/messages?limit=500", botAuth(w.srv), 400, 50035},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := do(t, w.srv, tt.method, tt.path, tt.auth, nil)
			if status != tt.status {
				t.Errorf("%s %s = %d, want %d (%v)", tt.method, tt.path, status, tt.status, body)
			}
			if status >= 400 && (body["code"] != tt.code || body["message"] == "") {
				t.Errorf("%s %s body = %v, want code %v", tt.method, tt.path, body, tt.code)
			}
			if h.Get("Via") == "" {
				t.Error("response without the Via header Discord's front end adds")
			}
		})
	}
	reqs := w.srv.Requests()
	if len(reqs) != len(tests) || reqs[3].Route != "" || reqs[4].Route != "/channels/{channel.id}" || reqs[4].Status != 404 {
		t.Errorf("Requests() = %+v", reqs)
	}
}

func TestRESTReadEndpoints(t *testing.T) {
	w := newWorld(t, discordtest.WithShardCount(4), discordtest.WithMaxConcurrency(2))
	hidden := w.guild.AddTextChannel("staff", discordtest.Overwrite(w.guild.ID(), 0, discord.PermissionViewChannel))
	r := restClient(t, w.srv)

	gb, err := r.GetGatewayBot()
	if err != nil || gb.URL != w.srv.GatewayURL() || gb.Shards != 4 || gb.SessionStartLimit.MaxConcurrency != 2 {
		t.Errorf("GetGatewayBot() = %+v, %v", gb, err)
	}
	self, err := r.GetCurrentUser("")
	if err != nil || self.ID != w.srv.BotID() || !self.Bot {
		t.Errorf("GetCurrentUser() = %+v, %v", self, err)
	}
	guild, err := r.GetGuild(w.guild.ID(), false)
	if err != nil || guild.Name != "Music Lovers" || len(guild.Roles) != 3 {
		t.Errorf("GetGuild() = %+v, %v", guild, err)
	}
	channels, err := r.GetGuildChannels(w.guild.ID())
	if err != nil || len(channels) != 2 {
		t.Errorf("GetGuildChannels() = %d channels, %v; want the 2 the bot can see", len(channels), err)
	}
	ch, err := r.GetChannel(w.voice)
	if err != nil || ch.Type() != discord.ChannelTypeGuildVoice {
		t.Errorf("GetChannel(voice) = %v, %v", ch, err)
	}
	if _, err := r.GetChannel(hidden); restCode(err) != 50001 {
		t.Errorf("GetChannel(hidden) error = %v, want Missing Access (50001)", err)
	}
	m, err := r.GetMember(w.guild.ID(), w.alice)
	if err != nil || m.User.Username != "alice" || len(m.RoleIDs) != 1 {
		t.Errorf("GetMember(alice) = %+v, %v", m, err)
	}
}

func TestRESTMessages(t *testing.T) {
	w := newWorld(t)
	r := restClient(t, w.srv)
	msg, err := r.CreateMessage(w.text, discord.MessageCreate{
		Content: "hello",
		Embeds:  []discord.Embed{{Title: "Track", Description: "by someone"}},
		Files:   []*discord.File{discord.NewFile("cover.png", "", strings.NewReader("png bytes"))},
		Flags:   discord.MessageFlagEphemeral, // not allowed outside interactions: dropped
	})
	if err != nil {
		t.Fatalf("CreateMessage: %v", err)
	}
	if msg.Content != "hello" || msg.Author.ID != w.srv.BotID() || msg.ChannelID != w.text || msg.Flags.Has(discord.MessageFlagEphemeral) ||
		len(msg.Attachments) != 1 || msg.Attachments[0].Filename != "cover.png" || msg.Attachments[0].Size != 9 || msg.Embeds[0].Type != discord.EmbedTypeRich {
		t.Errorf("CreateMessage() = %+v", msg)
	}
	got, err := r.GetMessage(w.text, msg.ID)
	if err != nil || got.ID != msg.ID {
		t.Errorf("GetMessage() = %v, %v", got, err)
	}
	second, err := r.CreateMessage(w.text, discord.MessageCreate{Content: "second"})
	if err != nil {
		t.Fatal(err)
	}
	list, err := r.GetMessages(w.text, 0, 0, 0, 10)
	if err != nil || len(list) != 2 || list[0].ID != second.ID {
		t.Errorf("GetMessages() = %d messages, %v; want 2, newest first", len(list), err)
	}
	content := "hello again"
	suppress := discord.MessageFlagSuppressEmbeds
	edited, err := r.UpdateMessage(w.text, msg.ID, discord.MessageUpdate{Content: &content, Flags: &suppress, Embeds: &[]discord.Embed{}})
	if err != nil || edited.Content != content || edited.EditedTimestamp == nil || !edited.Flags.Has(discord.MessageFlagSuppressEmbeds) || len(edited.Embeds) != 0 {
		t.Errorf("UpdateMessage() = %+v, %v", edited, err)
	}
	if err := r.DeleteMessage(w.text, msg.ID); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"get": func() error { _, err := r.GetMessage(w.text, msg.ID); return err }(),
		"edit": func() error {
			_, err := r.UpdateMessage(w.text, msg.ID, discord.MessageUpdate{Content: &content})
			return err
		}(),
		"delete": r.DeleteMessage(w.text, msg.ID),
		"wrong channel": func() error {
			_, err := r.GetMessage(w.voice, second.ID)
			return err
		}(),
	} {
		if restCode(err) != rest.JSONErrorCodeUnknownMessage {
			t.Errorf("%s after delete: %v, want Unknown Message", name, err)
		}
	}
	if msgs := w.srv.Messages(w.text); len(msgs) != 1 || msgs[0].ID != second.ID {
		t.Errorf("Messages() = %+v, want only the second message", msgs)
	}
	if m, ok := w.srv.Message(msg.ID); !ok || !m.Deleted || m.Edits != 1 {
		t.Errorf("Message(deleted) = %+v, %v", m, ok)
	}
	if _, ok := w.srv.Message(1); ok {
		t.Error("Message(1) found")
	}

	// A Components V2 message is edited with V2 components without
	// repeating the flag.
	path := "/channels/" + w.text.String() + "/messages"
	status, _, v2 := do(t, w.srv, "POST", path, botAuth(w.srv), map[string]any{"flags": 1 << 15, "components": []any{map[string]any{"type": 10, "content": "a"}}})
	if status != 200 {
		t.Fatalf("POST v2 = %d %v", status, v2)
	}
	status, _, edited2 := do(t, w.srv, "PATCH", path+"/"+v2["id"].(string), botAuth(w.srv), map[string]any{"components": []any{map[string]any{"type": 10, "content": "b"}}})
	if status != 200 || edited2["flags"] != float64(1<<15) {
		t.Errorf("PATCH v2 = %d %v", status, edited2)
	}
}

func TestRESTMessageValidation(t *testing.T) {
	w := newWorld(t)
	path := "/channels/" + w.text.String() + "/messages"
	button := func(id string) map[string]any {
		return map[string]any{"type": 2, "style": 1, "label": "B", "custom_id": id}
	}
	row := func(c ...map[string]any) map[string]any { return map[string]any{"type": 1, "components": c} }
	tests := []struct {
		name string
		body any
		code float64
	}{
		{"empty", map[string]any{}, 50006},
		{"blank content", map[string]any{"content": ""}, 50006},
		{"content too long", map[string]any{"content": strings.Repeat("a", 2001)}, 50035},
		{"content not a string", map[string]any{"content": 5}, 50035},
		{"eleven embeds", map[string]any{"embeds": make([]map[string]any, 11)}, 50035},
		{"embeds not a list", map[string]any{"embeds": "x"}, 50035},
		{"embed title too long", map[string]any{"embeds": []map[string]any{{"title": strings.Repeat("t", 257)}}}, 50035},
		{"embed field without value", map[string]any{"embeds": []map[string]any{{"fields": []map[string]any{{"name": "n"}}}}}, 50035},
		{"embed over 6000 characters", map[string]any{"embeds": []map[string]any{{"description": strings.Repeat("d", 4000)}, {"description": strings.Repeat("d", 2500)}}}, 50035},
		{"embed footer and author too long", map[string]any{"embeds": []map[string]any{{"footer": map[string]any{"text": strings.Repeat("f", 2049)}, "author": map[string]any{"name": strings.Repeat("a", 257)}}}}, 50035},
		{"26 embed fields", map[string]any{"embeds": []map[string]any{{"fields": make([]map[string]any, 26)}}}, 50035},
		{"six rows", map[string]any{"components": []any{row(button("a")), row(button("b")), row(button("c")), row(button("d")), row(button("e")), row(button("f"))}}, 50035},
		{"six buttons in a row", map[string]any{"components": []any{row(button("a"), button("b"), button("c"), button("d"), button("e"), button("f"))}}, 50035},
		{"button without custom id", map[string]any{"components": []any{row(map[string]any{"type": 2, "style": 1, "label": "x"})}}, 50035},
		{"duplicate custom ids", map[string]any{"components": []any{row(button("a"), button("a"))}}, 50035},
		{"custom id too long", map[string]any{"components": []any{row(button(strings.Repeat("i", 101)))}}, 50035},
		{"label too long", map[string]any{"components": []any{row(map[string]any{"type": 2, "style": 1, "label": strings.Repeat("l", 81), "custom_id": "x"})}}, 50035},
		{"link button with custom id", map[string]any{"components": []any{row(map[string]any{"type": 2, "style": 5, "custom_id": "x"})}}, 50035},
		{"bad button style", map[string]any{"components": []any{row(map[string]any{"type": 2, "style": 9, "custom_id": "x"})}}, 50035},
		{"button outside a row", map[string]any{"components": []any{button("a")}}, 50035},
		{"select menu beside a button", map[string]any{"components": []any{row(button("a"), map[string]any{"type": 3, "custom_id": "s"})}}, 50035},
		{"components not a list", map[string]any{"components": 1}, 50035},
		{"flags not a number", map[string]any{"content": "x", "flags": "x"}, 50035},
		{"components v2 with content", map[string]any{"content": "x", "flags": 1 << 15, "components": []any{map[string]any{"type": 10, "content": "t"}}}, 50035},
		{"text display without the v2 flag", map[string]any{"components": []any{map[string]any{"type": 10, "content": "t"}}}, 50035},
		{"text input in a row", map[string]any{"components": []any{row(map[string]any{"type": 4, "custom_id": "t"})}}, 50035},
		{"v2 unknown top-level type", map[string]any{"flags": 1 << 15, "components": []any{map[string]any{"type": 99}}}, 50035},
		{"v2 section without accessory", map[string]any{"flags": 1 << 15, "components": []any{map[string]any{"type": 9, "components": []any{map[string]any{"type": 10, "content": "t"}}}}}, 50035},
		{"v2 section holding a button", map[string]any{"flags": 1 << 15, "components": []any{map[string]any{"type": 9, "components": []any{button("a")}, "accessory": map[string]any{"type": 11}}}}, 50035},
		{"v2 section with a bad accessory", map[string]any{"flags": 1 << 15, "components": []any{map[string]any{"type": 9, "components": []any{map[string]any{"type": 10}}, "accessory": map[string]any{"type": 10}}}}, 50035},
		{"v2 container holding a container", map[string]any{"flags": 1 << 15, "components": []any{map[string]any{"type": 17, "components": []any{map[string]any{"type": 17}}}}}, 50035},
		{"v2 duplicate ids across a container", map[string]any{"flags": 1 << 15, "components": []any{
			map[string]any{"type": 17, "components": []any{row(button("a")), map[string]any{"type": 9, "components": []any{map[string]any{"type": 10}}, "accessory": button("a")}}},
		}}, 50035},
		{"v2 over 40 components", map[string]any{"flags": 1 << 15, "components": func() []any {
			out := make([]any, 41)
			for i := range out {
				out[i] = map[string]any{"type": 14}
			}
			return out
		}()}, 50035},
		{"body not json", "not an object", 50109},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := do(t, w.srv, "POST", path, botAuth(w.srv), tt.body)
			if status != 400 || body["code"] != tt.code {
				t.Errorf("POST %v = %d %v, want 400 code %v", tt.name, status, body, tt.code)
			}
		})
	}
	// Valid edge cases are accepted.
	for name, body := range map[string]any{
		"link button":    map[string]any{"components": []any{row(map[string]any{"type": 2, "style": 5, "label": "Open", "url": "https://example.com"})}},
		"premium button": map[string]any{"components": []any{row(map[string]any{"type": 2, "style": 6, "sku_id": "1"})}},
		"components v2": map[string]any{"flags": 1 << 15, "components": []any{
			map[string]any{"type": 10, "content": "t"},
			map[string]any{"type": 9, "components": []any{map[string]any{"type": 10, "content": "s"}}, "accessory": button("sec")},
			map[string]any{"type": 17, "components": []any{row(button("in")), map[string]any{"type": 12}, map[string]any{"type": 14},
				map[string]any{"type": 9, "components": []any{map[string]any{"type": 10}}, "accessory": map[string]any{"type": 11}}}},
			map[string]any{"type": 13}, row(button("out")),
		}},
		"sticker only":      map[string]any{"sticker_ids": []string{"1"}},
		"2000 characters":   map[string]any{"content": strings.Repeat("é", 2000)},
		"one select menu":   map[string]any{"components": []any{row(map[string]any{"type": 3, "custom_id": "s", "options": []any{}})}},
		"null content edit": map[string]any{"content": nil, "embeds": []map[string]any{{"title": "t"}}},
	} {
		if status, _, resp := do(t, w.srv, "POST", path, botAuth(w.srv), body); status != 200 {
			t.Errorf("POST %s = %d %v, want 200", name, status, resp)
		}
	}
}

func TestRESTMissingPermissions(t *testing.T) {
	w := newWorld(t)
	readOnly := w.guild.AddTextChannel("announcements", discordtest.Overwrite(w.guild.BotRole(), 0, discord.PermissionSendMessages))
	hidden := w.guild.AddTextChannel("staff", discordtest.Overwrite(w.srv.BotID(), 0, discord.PermissionViewChannel))
	allowedAgain := w.guild.AddTextChannel("bot-only",
		discordtest.Overwrite(w.guild.ID(), 0, discord.PermissionViewChannel),
		discordtest.Overwrite(w.srv.BotID(), discord.PermissionViewChannel, 0))
	r := restClient(t, w.srv)
	if _, err := r.CreateMessage(readOnly, discord.MessageCreate{Content: "x"}); restCode(err) != rest.JSONErrorCodeLackPermissionsToPerformAction {
		t.Errorf("CreateMessage(read-only) = %v, want Missing Permissions", err)
	}
	if _, err := r.CreateMessage(hidden, discord.MessageCreate{Content: "x"}); restCode(err) != rest.JSONErrorCodeMissingAccess {
		t.Errorf("CreateMessage(hidden) = %v, want Missing Access", err)
	}
	if _, err := r.CreateMessage(allowedAgain, discord.MessageCreate{Content: "x"}); err != nil {
		t.Errorf("CreateMessage(member overwrite allows) = %v", err)
	}
	// An administrator bot ignores overwrites.
	if err := w.guild.SetPermissions(w.guild.BotRole(), discord.PermissionAdministrator); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateMessage(hidden, discord.MessageCreate{Content: "x"}); err != nil {
		t.Errorf("CreateMessage(hidden) as administrator = %v", err)
	}
}

func TestRESTRateLimitRetriedByDisgo(t *testing.T) {
	w := newWorld(t)
	client := newClient(t, w.srv)
	w.srv.RateLimit(discordtest.RateLimit{Method: rest.CreateMessage.Method, Route: rest.CreateMessage.Route, Count: 2})
	msg, err := client.Rest.CreateMessage(w.text, discord.MessageCreate{Content: "after the limit"})
	if err != nil {
		t.Fatalf("CreateMessage: %v", err)
	}
	var statuses []int
	for _, r := range w.srv.Requests() {
		if r.Route == rest.CreateMessage.Route {
			statuses = append(statuses, r.Status)
		}
	}
	if len(statuses) != 3 || statuses[0] != 429 || statuses[1] != 429 || statuses[2] != 200 {
		t.Errorf("CreateMessage statuses = %v, want [429 429 200]", statuses)
	}
	if got := w.srv.Messages(w.text); len(got) != 1 || got[0].ID != msg.ID {
		t.Errorf("Messages() = %+v, want exactly one message", got)
	}
	// Other routes were never limited.
	if _, err := client.Rest.GetChannel(w.text); err != nil {
		t.Errorf("GetChannel after the limit: %v", err)
	}
}

func TestRESTRateLimitResponses(t *testing.T) {
	w := newWorld(t)
	path := "/channels/" + w.text.String()
	w.srv.RateLimit(discordtest.RateLimit{Route: "/channels/{channel.id}", RetryAfter: 1500 * time.Millisecond})
	status, h, body := do(t, w.srv, "GET", path, botAuth(w.srv), nil)
	if status != 429 || body["retry_after"] != 1.5 || body["global"] != false || body["message"] != "You are being rate limited." {
		t.Errorf("429 = %d %v", status, body)
	}
	if h.Get("Retry-After") != "2" || h.Get("X-RateLimit-Remaining") != "0" || h.Get("X-RateLimit-Reset-After") != "1.500" ||
		h.Get("X-RateLimit-Bucket") == "" || h.Get("X-RateLimit-Scope") != "user" || h.Get("X-RateLimit-Global") != "" {
		t.Errorf("429 headers = %v", h)
	}
	if status, _, _ := do(t, w.srv, "GET", path, botAuth(w.srv), nil); status != 200 {
		t.Errorf("after the one limited request: %d, want 200", status)
	}
	w.srv.RateLimit(discordtest.RateLimit{Global: true})
	status, h, body = do(t, w.srv, "GET", "/users/@me", botAuth(w.srv), nil)
	if status != 429 || body["global"] != true || h.Get("X-RateLimit-Global") != "true" || h.Get("X-RateLimit-Scope") != "global" || h.Get("X-RateLimit-Bucket") != "" || h.Get("Retry-After") != "0" {
		t.Errorf("global 429 = %d %v %v", status, body, h)
	}
}

func TestRESTRateLimitBuckets(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	w := newWorld(t, discordtest.WithRESTRateLimit(2, 2*time.Second), discordtest.WithClock(clock))
	other := w.guild.AddTextChannel("other")
	get := func(ch snowflake.ID) (int, http.Header, map[string]any) {
		return do(t, w.srv, "GET", "/channels/"+ch.String(), botAuth(w.srv), nil)
	}
	for i, want := range []string{"1", "0"} {
		status, h, _ := get(w.text)
		if status != 200 || h.Get("X-RateLimit-Limit") != "2" || h.Get("X-RateLimit-Remaining") != want || h.Get("X-RateLimit-Reset-After") != "2.000" {
			t.Errorf("request %d: %d, headers %v", i, status, h)
		}
	}
	advance(500 * time.Millisecond)
	status, h, body := get(w.text)
	if status != 429 || body["retry_after"] != 1.5 || h.Get("Retry-After") != "2" {
		t.Errorf("third request = %d %v %v, want 429 retry after 1.5 s", status, body, h)
	}
	// The channel ID is a major parameter: another channel has its own bucket.
	if status, _, _ := get(other); status != 200 {
		t.Errorf("other channel = %d, want 200", status)
	}
	advance(1500 * time.Millisecond)
	if status, h, _ := get(w.text); status != 200 || h.Get("X-RateLimit-Remaining") != "1" {
		t.Errorf("after the window = %d %v, want 200 with a fresh bucket", status, h)
	}
}

func TestRESTCommands(t *testing.T) {
	w := newWorld(t)
	r := restClient(t, w.srv)
	app := w.srv.ApplicationID()
	global, err := r.SetGlobalCommands(app, testCommands)
	if err != nil {
		t.Fatalf("SetGlobalCommands: %v", err)
	}
	if len(global) != len(testCommands) || global[0].Name() != "ping" || global[0].ApplicationID() != app {
		t.Errorf("SetGlobalCommands() = %v", global)
	}
	registered := w.srv.Commands(0)
	settings, ok := registered[4].(discord.SlashCommand)
	if !ok || settings.Name() != "settings" || len(settings.Options) != 3 || settings.DefaultMemberPermissions() != discord.PermissionManageGuild {
		t.Errorf("Commands(0)[4] = %#v", registered[4])
	}
	// Overwriting keeps the IDs of commands that stay.
	again, err := r.SetGlobalCommands(app, testCommands[:2])
	if err != nil || len(again) != 2 || again[0].ID() != global[0].ID() || again[1].ID() != global[1].ID() {
		t.Errorf("second SetGlobalCommands() = %v, %v, want the same IDs", again, err)
	}
	guildCmds, err := r.SetGuildCommands(app, w.guild.ID(), testCommands[:1])
	if err != nil || len(guildCmds) != 1 || guildCmds[0].GuildID() == nil || *guildCmds[0].GuildID() != w.guild.ID() {
		t.Errorf("SetGuildCommands() = %v, %v", guildCmds, err)
	}
	if got := w.srv.Commands(w.guild.ID()); len(got) != 1 {
		t.Errorf("Commands(guild) = %v", got)
	}
	if got := w.srv.Commands(999); got != nil {
		t.Errorf("Commands(unknown guild) = %v, want nil", got)
	}
	created, err := r.CreateGlobalCommand(app, discord.SlashCommandCreate{Name: "queue", Description: "Shows the queue"})
	if err != nil || created.Name() != "queue" {
		t.Fatalf("CreateGlobalCommand() = %v, %v", created, err)
	}
	list, err := r.GetGlobalCommands(app, false)
	if err != nil || len(list) != 3 {
		t.Errorf("GetGlobalCommands() = %d, %v, want 3", len(list), err)
	}
	status, _, body := do(t, w.srv, "GET", "/applications/"+app.String()+"/commands/"+created.ID().String(), botAuth(w.srv), nil)
	if status != 200 || body["name"] != "queue" {
		t.Errorf("GET command = %d %v", status, body)
	}
	if err := r.DeleteGlobalCommand(app, created.ID()); err != nil {
		t.Errorf("DeleteGlobalCommand: %v", err)
	}
	if err := r.DeleteGlobalCommand(app, created.ID()); restCode(err) != rest.JSONErrorCodeUnknownApplicationCommand {
		t.Errorf("second DeleteGlobalCommand = %v, want Unknown application command", err)
	}
	// Creating a command whose name exists replaces it (200, same ID).
	status, _, body = do(t, w.srv, "POST", "/applications/"+app.String()+"/commands", botAuth(w.srv), map[string]any{"name": "ping", "description": "new text"})
	if status != 200 || body["id"] != global[0].ID().String() || body["description"] != "new text" {
		t.Errorf("POST existing command = %d %v", status, body)
	}
	ctxCmd, err := r.CreateGuildCommand(app, w.guild.ID(), discord.UserCommandCreate{Name: "Play Their Song"})
	if err != nil || ctxCmd.Type() != discord.ApplicationCommandTypeUser {
		t.Errorf("CreateGuildCommand(user command) = %v, %v", ctxCmd, err)
	}
	if _, err := w.srv.WaitCommands(testCtx(t), w.guild.ID()); err != nil {
		t.Error(err)
	}
}

func TestRESTCommandValidation(t *testing.T) {
	w := newWorld(t)
	path := "/applications/" + w.srv.ApplicationID().String() + "/commands"
	str := func(name string, required bool) map[string]any {
		return map[string]any{"type": 3, "name": name, "description": "d", "required": required}
	}
	cmd := func(name string, opts ...map[string]any) map[string]any {
		return map[string]any{"name": name, "description": "d", "options": opts}
	}
	many := make([]map[string]any, 26)
	for i := range many {
		many[i] = str("o"+strings.Repeat("x", i), false)
	}
	tests := []struct {
		name string
		cmds any
	}{
		{"upper case name", []any{cmd("Play")}},
		{"name with space", []any{cmd("play now")}},
		{"name too long", []any{cmd(strings.Repeat("a", 33))}},
		{"no description", []any{map[string]any{"name": "play"}}},
		{"description too long", []any{map[string]any{"name": "play", "description": strings.Repeat("d", 101)}}},
		{"duplicate names", []any{cmd("play"), cmd("play")}},
		{"required after optional", []any{cmd("play", str("a", false), str("b", true))}},
		{"duplicate option names", []any{cmd("play", str("a", false), str("a", false))}},
		{"26 options", []any{cmd("play", many...)}},
		{"bad option type", []any{cmd("play", map[string]any{"type": 99, "name": "x", "description": "d"})}},
		{"option without description", []any{cmd("play", map[string]any{"type": 3, "name": "x"})}},
		{"choices and autocomplete", []any{cmd("play", map[string]any{"type": 3, "name": "x", "description": "d", "autocomplete": true, "choices": []any{map[string]any{"name": "a", "value": "a"}}})}},
		{"choices on a boolean", []any{cmd("play", map[string]any{"type": 5, "name": "x", "description": "d", "choices": []any{map[string]any{"name": "a", "value": true}}})}},
		{"choice value of the wrong type", []any{cmd("play", map[string]any{"type": 4, "name": "x", "description": "d", "choices": []any{map[string]any{"name": "a", "value": "a"}}})}},
		{"choice value too long", []any{cmd("play", map[string]any{"type": 3, "name": "x", "description": "d", "choices": []any{map[string]any{"name": "a", "value": strings.Repeat("v", 101)}}})}},
		{"choice without name", []any{cmd("play", map[string]any{"type": 3, "name": "x", "description": "d", "choices": []any{map[string]any{"value": "v"}}})}},
		{"autocomplete on a user option", []any{cmd("play", map[string]any{"type": 6, "name": "x", "description": "d", "autocomplete": true})}},
		{"min value on a string", []any{cmd("play", map[string]any{"type": 3, "name": "x", "description": "d", "min_value": 1})}},
		{"max length on an integer", []any{cmd("play", map[string]any{"type": 4, "name": "x", "description": "d", "max_length": 10})}},
		{"min length too big", []any{cmd("play", map[string]any{"type": 3, "name": "x", "description": "d", "min_length": 7000})}},
		{"channel types on a string", []any{cmd("play", map[string]any{"type": 3, "name": "x", "description": "d", "channel_types": []int{0}})}},
		{"subcommand beside a value", []any{cmd("settings", map[string]any{"type": 1, "name": "view", "description": "d"}, str("x", false))}},
		{"required subcommand", []any{cmd("settings", map[string]any{"type": 1, "name": "view", "description": "d", "required": true})}},
		{"group holding a value", []any{cmd("settings", map[string]any{"type": 2, "name": "g", "description": "d", "options": []any{str("x", false)}})}},
		{"group in a group", []any{cmd("settings", map[string]any{"type": 2, "name": "g", "description": "d", "options": []any{map[string]any{"type": 2, "name": "h", "description": "d"}}})}},
		{"subcommand in a subcommand", []any{cmd("settings", map[string]any{"type": 1, "name": "s", "description": "d", "options": []any{map[string]any{"type": 1, "name": "t", "description": "d"}}})}},
		{"unknown command type", []any{map[string]any{"type": 9, "name": "x"}}},
		{"user command with description", []any{map[string]any{"type": 2, "name": "Who", "description": "d"}}},
		{"message command with options", []any{map[string]any{"type": 3, "name": "Quote", "options": []any{str("x", false)}}}},
		{"user command name too long", []any{map[string]any{"type": 2, "name": strings.Repeat("n", 33)}}},
		{"bad default permissions", []any{map[string]any{"name": "x", "description": "d", "default_member_permissions": "lots"}}},
		{"command not an object", []any{"x"}},
		{"101 commands", func() []any {
			out := make([]any, 101)
			for i := range out {
				out[i] = cmd("c" + strings.Repeat("x", i%30) + string(rune('a'+i/30)))
			}
			return out
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := do(t, w.srv, "PUT", path, botAuth(w.srv), tt.cmds)
			if status != 400 || body["code"] != 50035.0 || body["errors"] == nil {
				t.Errorf("PUT %s = %d %v, want 400 Invalid Form Body", tt.name, status, body)
			}
		})
	}
	if status, _, _ := do(t, w.srv, "PUT", path, botAuth(w.srv), map[string]any{"not": "a list"}); status != 400 {
		t.Errorf("PUT object = %d, want 400", status)
	}
	if status, _, _ := do(t, w.srv, "POST", path, botAuth(w.srv), map[string]any{"name": "BAD"}); status != 400 {
		t.Errorf("POST invalid = %d, want 400", status)
	}
	if got := w.srv.Commands(0); len(got) != 0 {
		t.Errorf("invalid registrations stored %d commands", len(got))
	}
	// Valid shapes pass: a group of subcommands, numeric limits, choices.
	ok := []any{
		cmd("settings",
			map[string]any{"type": 2, "name": "dj", "description": "d", "options": []any{
				map[string]any{"type": 1, "name": "set", "description": "d", "options": []any{map[string]any{"type": 8, "name": "role", "description": "d", "required": true}}},
			}},
			map[string]any{"type": 1, "name": "view", "description": "d"}),
		cmd("seek", map[string]any{"type": 10, "name": "t", "description": "d", "min_value": 0, "max_value": 3600.5, "autocomplete": true}),
		cmd("loop", map[string]any{"type": 3, "name": "m", "description": "d", "min_length": 1, "max_length": 5, "choices": []any{map[string]any{"name": "off", "value": "off"}}}),
		cmd("हिंदी"),
		map[string]any{"type": 3, "name": "Add To Queue", "default_member_permissions": "0"},
	}
	if status, _, body := do(t, w.srv, "PUT", path, botAuth(w.srv), ok); status != 200 {
		t.Errorf("PUT valid commands = %d %v", status, body)
	}
}
