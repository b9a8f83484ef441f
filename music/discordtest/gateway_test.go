package discordtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/snowflake/v2"
	"github.com/gorilla/websocket"

	"github.com/tunekit/tunekit/music/discordtest"
)

func TestGatewayHandshake(t *testing.T) {
	w := newWorld(t, discordtest.WithHeartbeatInterval(1500*time.Millisecond))
	if err := w.guild.JoinVoice(w.alice, w.voice); err != nil {
		t.Fatal(err)
	}
	c := dialRaw(t, w.srv, "").greet()
	var hello struct {
		Interval int `json:"heartbeat_interval"`
	}
	if err := json.Unmarshal(c.hello.D, &hello); err != nil || hello.Interval != 1500 {
		t.Errorf("HELLO = %s, want heartbeat_interval 1500", c.hello.D)
	}
	ready := c.identify(w.srv, testIntents, [2]int{0, 1})
	if ready.V != 10 || ready.User.ID != w.srv.BotID().String() || !ready.User.Bot || ready.Application.ID != w.srv.ApplicationID().String() ||
		ready.SessionID == "" || ready.ResumeGatewayURL != w.srv.GatewayURL() || ready.Shard != [2]int{0, 1} {
		t.Errorf("READY = %+v", ready)
	}
	if len(ready.Guilds) != 1 || ready.Guilds[0].ID != w.guild.ID().String() || !ready.Guilds[0].Unavailable {
		t.Errorf("READY guilds = %+v, want the guild as unavailable", ready.Guilds)
	}
	gc := c.dispatch("GUILD_CREATE")
	var g gateway.EventGuildCreate
	if err := json.Unmarshal(gc.D, &g); err != nil {
		t.Fatalf("disgo cannot decode GUILD_CREATE: %v", err)
	}
	if g.ID != w.guild.ID() || len(g.Channels) != 2 || len(g.Roles) != 3 || len(g.VoiceStates) != 1 {
		t.Errorf("GUILD_CREATE: %d channels, %d roles, %d voice states", len(g.Channels), len(g.Roles), len(g.VoiceStates))
	}
	var memberIDs []snowflake.ID
	for _, m := range g.Members {
		memberIDs = append(memberIDs, m.User.ID)
	}
	slices.Sort(memberIDs)
	want := []snowflake.ID{w.srv.BotID(), w.alice}
	slices.Sort(want)
	if !slices.Equal(memberIDs, want) {
		t.Errorf("GUILD_CREATE members %v, want the bot and alice (in voice) without GUILD_PRESENCES", memberIDs)
	}
	if gc.S != 2 {
		t.Errorf("GUILD_CREATE seq = %d, want 2", gc.S)
	}

	c.send(1, 2)
	c.expectOp(11)
	if s := w.srv.Sessions(); len(s) != 1 || s[0].Heartbeats != 1 || s[0].Browser != "raw" {
		t.Errorf("Sessions() = %+v, want one heartbeat counted", s)
	}
}

func TestGatewayIntentsShapeGuildCreate(t *testing.T) {
	tests := []struct {
		name        string
		intents     gateway.Intents
		members     int
		voiceStates int
		guildCreate bool
	}{
		{"guilds only", gateway.IntentGuilds, 2, 0, true},
		{"voice states", gateway.IntentGuilds | gateway.IntentGuildVoiceStates, 2, 1, true},
		{"presences", gateway.IntentGuilds | gateway.IntentGuildPresences, 4, 0, true},
		{"no guilds intent", gateway.IntentGuildVoiceStates, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			if err := w.guild.JoinVoice(w.alice, w.voice); err != nil {
				t.Fatal(err)
			}
			c := dialRaw(t, w.srv, "").greet()
			c.identify(w.srv, tt.intents, [2]int{0, 1})
			if !tt.guildCreate {
				c.send(1, nil) // the next frame must be the ACK, not GUILD_CREATE
				c.expectOp(11)
				return
			}
			var g gateway.EventGuildCreate
			if err := json.Unmarshal(c.dispatch("GUILD_CREATE").D, &g); err != nil {
				t.Fatal(err)
			}
			if len(g.Members) != tt.members || len(g.VoiceStates) != tt.voiceStates {
				t.Errorf("intents %d: %d members and %d voice states, want %d and %d", tt.intents, len(g.Members), len(g.VoiceStates), tt.members, tt.voiceStates)
			}
		})
	}
}

func TestGatewayCloseCodes(t *testing.T) {
	token := discordtest.Token(discordtest.DefaultApplicationID)
	tests := []struct {
		name  string
		query string
		send  func(c *rawConn)
		opts  []discordtest.Option
		want  int
	}{
		{"wrong token", "", func(c *rawConn) {
			c.send(2, identifyPayload(discordtest.Token(77<<22), gateway.IntentGuilds, [2]int{0, 1}))
		}, nil, 4004},
		{"malformed token", "", func(c *rawConn) { c.send(2, identifyPayload("nope", gateway.IntentGuilds, [2]int{0, 1})) }, nil, 4004},
		{"shard out of range", "", func(c *rawConn) { c.send(2, identifyPayload(token, gateway.IntentGuilds, [2]int{2, 2})) }, nil, 4010},
		{"zero shards", "", func(c *rawConn) { c.send(2, identifyPayload(token, gateway.IntentGuilds, [2]int{0, 0})) }, nil, 4010},
		{"unknown intent bit", "", func(c *rawConn) { c.send(2, identifyPayload(token, 1<<40, [2]int{0, 1})) }, nil, 4013},
		{"privileged intent not enabled", "", func(c *rawConn) {
			c.send(2, identifyPayload(token, gateway.IntentGuildMembers, [2]int{0, 1}))
		}, []discordtest.Option{discordtest.WithPrivilegedIntents(gateway.IntentMessageContent)}, 4014},
		{"missing intents", "", func(c *rawConn) {
			c.send(2, map[string]any{"token": token, "properties": map[string]string{}})
		}, nil, 4002},
		{"presence before identify", "", func(c *rawConn) { c.send(3, map[string]any{"status": "online"}) }, nil, 4003},
		{"unknown opcode", "", func(c *rawConn) { c.send(99, nil) }, nil, 4001},
		{"not json", "", func(c *rawConn) { c.sendRaw([]byte("{op:")) }, nil, 4002},
		{"no op", "", func(c *rawConn) { c.sendRaw([]byte(`{"d":1}`)) }, nil, 4002},
		{"payload over 4096 bytes", "", func(c *rawConn) {
			c.sendRaw([]byte(`{"op":1,"d":"` + strings.Repeat("x", 5000) + `"}`))
		}, nil, 4002},
		{"identify twice", "", func(c *rawConn) {
			c.send(2, identifyPayload(token, gateway.IntentGuilds, [2]int{0, 1}))
			c.dispatch("READY")
			c.send(2, identifyPayload(token, gateway.IntentGuilds, [2]int{0, 1}))
		}, nil, 4005},
		{"unknown opcode after identify", "", func(c *rawConn) {
			c.send(2, identifyPayload(token, gateway.IntentGuilds, [2]int{0, 1}))
			c.dispatch("READY")
			c.send(5, nil)
		}, nil, 4001},
		{"bad voice payload", "", func(c *rawConn) {
			c.send(2, identifyPayload(token, gateway.IntentGuilds, [2]int{0, 1}))
			c.dispatch("READY")
			c.send(4, map[string]any{"guild_id": true})
		}, nil, 4002},
		{"bad member request", "", func(c *rawConn) {
			c.send(2, identifyPayload(token, gateway.IntentGuilds, [2]int{0, 1}))
			c.dispatch("READY")
			c.send(8, "x")
		}, nil, 4002},
		{"bad resume", "", func(c *rawConn) { c.send(6, "x") }, nil, 4002},
		{"resume with wrong token", "", func(c *rawConn) {
			c.send(6, map[string]any{"token": "x", "session_id": "s", "seq": 1})
		}, nil, 4004},
		{"api version 9", "v=9&encoding=json", nil, nil, 4012},
		{"etf encoding", "v=10&encoding=etf", nil, nil, 4002},
		{"unknown compression", "v=10&encoding=json&compress=gzip", nil, nil, 4002},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := discordtest.Start(t, tt.opts...)
			c := dialRaw(t, srv, tt.query)
			if tt.send != nil {
				c.greet()
				tt.send(c)
			}
			if got := c.closeCode(); got != tt.want {
				t.Errorf("close code = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestGatewayCompression(t *testing.T) {
	for _, mode := range []string{"zlib-stream", "zstd-stream"} {
		t.Run(mode, func(t *testing.T) {
			w := newWorld(t)
			c := dialRaw(t, w.srv, "v=10&encoding=json&compress="+mode).greet()
			c.identify(w.srv, testIntents, [2]int{0, 1})
			c.dispatch("GUILD_CREATE")
			w.guild.AddTextChannel("later") // one more message in the same stream
			if f := c.dispatch("CHANNEL_CREATE"); !strings.Contains(string(f.D), `"later"`) {
				t.Errorf("CHANNEL_CREATE = %s", f.D)
			}
		})
	}
}

func TestGatewayResume(t *testing.T) {
	w := newWorld(t)
	c := dialRaw(t, w.srv, "").greet()
	ready := c.identify(w.srv, testIntents, [2]int{0, 1})
	last := c.dispatch("GUILD_CREATE").S
	_ = c.ws.Close() // dropped without a close frame: the session stays resumable
	ctx := testCtx(t)
	if _, err := w.srv.WaitSession(ctx, func(s discordtest.Session) bool { return !s.Connected }); err != nil {
		t.Fatal(err)
	}
	missed := w.guild.AddTextChannel("missed")

	c2 := dialRaw(t, w.srv, "").greet()
	c2.send(6, map[string]any{"token": w.srv.Token(), "session_id": ready.SessionID, "seq": last})
	f := c2.dispatch("CHANNEL_CREATE")
	if f.S != last+1 || !strings.Contains(string(f.D), missed.String()) {
		t.Errorf("replayed %s seq %d, want CHANNEL_CREATE %s seq %d", f.D, f.S, missed, last+1)
	}
	if r := c2.dispatch("RESUMED"); r.S != last+2 {
		t.Errorf("RESUMED seq = %d, want %d", r.S, last+2)
	}
	s := w.srv.Sessions()
	if len(s) != 1 || s[0].Resumes != 1 || !s[0].Connected || s[0].Seq != last+2 {
		t.Errorf("Sessions() = %+v", s)
	}

	// Resuming from a sequence the server never sent is refused.
	c3 := dialRaw(t, w.srv, "").greet()
	c3.send(6, map[string]any{"token": w.srv.Token(), "session_id": ready.SessionID, "seq": last + 100})
	if code := c3.closeCode(); code != 4007 {
		t.Errorf("resume with a future seq: close %d, want 4007", code)
	}
	// Unknown sessions get op 9 with d false.
	c4 := dialRaw(t, w.srv, "").greet()
	c4.send(6, map[string]any{"token": w.srv.Token(), "session_id": "nope", "seq": 1})
	if f := c4.expectOp(9); string(f.D) != "false" {
		t.Errorf("op 9 d = %s, want false", f.D)
	}
	// A client that closes with 1000 ends its session for good.
	if err := c2.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.WaitSession(ctx, func(s discordtest.Session) bool { return !s.Resumable }); err != nil {
		t.Fatal(err)
	}
	c5 := dialRaw(t, w.srv, "").greet()
	c5.send(6, map[string]any{"token": w.srv.Token(), "session_id": ready.SessionID, "seq": last})
	c5.expectOp(9)
}

func TestGatewayReadyAfterHeartbeat(t *testing.T) {
	w := newWorld(t, discordtest.WithReadyAfterHeartbeat())
	c := dialRaw(t, w.srv, "").greet()
	c.send(2, identifyPayload(w.srv.Token(), testIntents, [2]int{0, 1}))
	c.send(1, nil)
	// Without the hold READY would come first: the server reads frames in order.
	c.expectOp(11)
	var ready struct {
		SessionID string `json:"session_id"`
	}
	if err := json.Unmarshal(c.dispatch("READY").D, &ready); err != nil {
		t.Fatal(err)
	}
	last := c.dispatch("GUILD_CREATE").S
	if s := w.srv.Sessions(); len(s) != 1 || s[0].ConnHeartbeats != 1 || s[0].Heartbeats != 1 {
		t.Errorf("Sessions() = %+v, want the heartbeat before READY counted", s)
	}
	_ = c.ws.Close()
	ctx := testCtx(t)
	if _, err := w.srv.WaitSession(ctx, func(s discordtest.Session) bool { return !s.Connected }); err != nil {
		t.Fatal(err)
	}
	missed := w.guild.AddTextChannel("missed")

	// RESUME is held the same way; a heartbeat before it releases it at once.
	c2 := dialRaw(t, w.srv, "").greet()
	c2.send(1, last)
	c2.expectOp(11)
	c2.send(1, last)
	c2.expectOp(11)
	c2.send(6, map[string]any{"token": w.srv.Token(), "session_id": ready.SessionID, "seq": last})
	if f := c2.dispatch("CHANNEL_CREATE"); !strings.Contains(string(f.D), missed.String()) {
		t.Errorf("replayed %s, want CHANNEL_CREATE of %s", f.D, missed)
	}
	c2.dispatch("RESUMED")
	if s := w.srv.Sessions(); len(s) != 1 || s[0].Resumes != 1 || s[0].ConnHeartbeats != 2 || s[0].Heartbeats != 3 {
		t.Errorf("Sessions() = %+v, want 2 heartbeats on the connection, 3 in all", s)
	}

	tests := []struct {
		name string
		send func(c *rawConn)
		want int
	}{
		{"identify twice while held", func(c *rawConn) {
			c.send(2, identifyPayload(w.srv.Token(), testIntents, [2]int{0, 1}))
			c.send(2, identifyPayload(w.srv.Token(), testIntents, [2]int{0, 1}))
		}, 4005},
		{"presence while held", func(c *rawConn) {
			c.send(2, identifyPayload(w.srv.Token(), testIntents, [2]int{0, 1}))
			c.send(3, map[string]any{"status": "online"})
		}, 4003},
		{"wrong token checked after the heartbeat", func(c *rawConn) {
			c.send(2, identifyPayload("nope", testIntents, [2]int{0, 1}))
			c.send(1, nil)
			c.expectOp(11)
		}, 4004},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dialRaw(t, w.srv, "").greet()
			tt.send(c)
			if got := c.closeCode(); got != tt.want {
				t.Errorf("close code = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestGatewayServerInitiated(t *testing.T) {
	w := newWorld(t)
	if err := w.srv.Reconnect(0); !errors.Is(err, discordtest.ErrNoSession) {
		t.Errorf("Reconnect without sessions = %v, want ErrNoSession", err)
	}
	c := dialRaw(t, w.srv, "").greet()
	c.identify(w.srv, gateway.IntentGuilds, [2]int{0, 1})
	c.dispatch("GUILD_CREATE")

	if err := w.srv.Reconnect(0); err != nil {
		t.Fatal(err)
	}
	c.expectOp(7)
	if err := w.srv.InvalidateSession(0, true); err != nil {
		t.Fatal(err)
	}
	if f := c.expectOp(9); string(f.D) != "true" {
		t.Errorf("op 9 d = %s, want true", f.D)
	}
	if err := w.srv.InvalidateSession(0, false); err != nil {
		t.Fatal(err)
	}
	c.expectOp(9)
	if s := w.srv.Sessions(); s[0].Resumable {
		t.Error("session still resumable after a non-resumable INVALID_SESSION")
	}

	c2 := dialRaw(t, w.srv, "").greet()
	c2.identify(w.srv, gateway.IntentGuilds, [2]int{0, 1})
	c2.dispatch("GUILD_CREATE")
	if err := w.srv.Disconnect(0, 4009, "Session timed out."); err != nil {
		t.Fatal(err)
	}
	if code := c2.closeCode(); code != 4009 {
		t.Errorf("Disconnect close code = %d, want 4009", code)
	}
}

func TestGatewayVoiceStateUpdate(t *testing.T) {
	w := newWorld(t, discordtest.WithNullVoiceEndpointFirst(), discordtest.WithVoiceEndpoint("voice.example.invalid:443"))
	full := w.guild.AddVoiceChannel("Full", discordtest.UserLimit(1))
	locked := w.guild.AddVoiceChannel("Locked", discordtest.Overwrite(w.guild.ID(), 0, discord.PermissionConnect))
	if err := w.guild.JoinVoice(w.bob, full); err != nil {
		t.Fatal(err)
	}
	other := w.srv.AddGuild("elsewhere")
	c := dialRaw(t, w.srv, "").greet()
	ready := c.identify(w.srv, testIntents, [2]int{0, 1})
	c.dispatch("GUILD_CREATE")
	c.dispatch("GUILD_CREATE") // "elsewhere"

	join := func(guild snowflake.ID, ch *snowflake.ID) {
		c.send(4, map[string]any{"guild_id": guild, "channel_id": ch, "self_mute": false, "self_deaf": true})
	}
	join(w.guild.ID(), &w.voice)
	var st gateway.EventVoiceStateUpdate
	if err := json.Unmarshal(c.dispatch("VOICE_STATE_UPDATE").D, &st); err != nil {
		t.Fatal(err)
	}
	if st.UserID != w.srv.BotID() || st.ChannelID == nil || *st.ChannelID != w.voice || st.SessionID != ready.SessionID || !st.SelfDeaf || st.Member.User.ID != w.srv.BotID() {
		t.Errorf("VOICE_STATE_UPDATE = %+v", st)
	}
	var vsu gateway.EventVoiceServerUpdate
	if err := json.Unmarshal(c.dispatch("VOICE_SERVER_UPDATE").D, &vsu); err != nil || vsu.Endpoint != nil {
		t.Errorf("first VOICE_SERVER_UPDATE = %+v, %v, want a null endpoint", vsu, err)
	}
	if err := json.Unmarshal(c.dispatch("VOICE_SERVER_UPDATE").D, &vsu); err != nil || vsu.Endpoint == nil || *vsu.Endpoint != "voice.example.invalid:443" {
		t.Errorf("second VOICE_SERVER_UPDATE = %+v, %v", vsu, err)
	}

	// Requests Discord ignores produce no event, only a record.
	unknownGuild := snowflake.ID(123)
	join(w.guild.ID(), &full)
	join(w.guild.ID(), &locked)
	join(w.guild.ID(), &w.text)
	join(unknownGuild, &w.voice)
	// Leaving answers with a null channel.
	join(w.guild.ID(), nil)
	if err := json.Unmarshal(c.dispatch("VOICE_STATE_UPDATE").D, &st); err != nil || st.ChannelID != nil || st.SessionID != ready.SessionID {
		t.Errorf("leave VOICE_STATE_UPDATE = %+v, %v", st, err)
	}
	join(w.guild.ID(), nil) // not in voice: applied, nothing to say
	c.send(1, nil)
	c.expectOp(11) // the server has handled everything sent before
	reqs := w.srv.VoiceRequests()
	var ignored []string
	for _, r := range reqs {
		ignored = append(ignored, r.Ignored)
	}
	want := []string{"", "channel is full", "missing Connect permission", "unknown or non-voice channel", "unknown guild", "", ""}
	if !slices.Equal(ignored, want) {
		t.Errorf("VoiceRequests() ignored = %q, want %q", ignored, want)
	}
	if _, ok := w.srv.VoiceState(w.guild.ID(), w.srv.BotID()); ok {
		t.Error("bot still in voice after leaving")
	}
	_ = other
}

func TestGatewayVoiceOnOtherShardIgnored(t *testing.T) {
	srv := discordtest.Start(t, discordtest.WithShardCount(2))
	g0, g1 := srv.AddGuild("zero"), srv.AddGuild("one")
	v1 := g1.AddVoiceChannel("v")
	c := dialRaw(t, srv, "").greet()
	ready := c.identify(srv, testIntents, [2]int{0, 2})
	if len(ready.Guilds) != 1 || ready.Guilds[0].ID != g0.ID().String() {
		t.Errorf("shard 0 READY guilds = %+v, want only %s", ready.Guilds, g0.ID())
	}
	c.dispatch("GUILD_CREATE")
	c.send(4, map[string]any{"guild_id": g1.ID(), "channel_id": v1})
	c.send(1, nil)
	c.expectOp(11) // no VOICE_STATE_UPDATE before it
	if reqs := srv.VoiceRequests(); len(reqs) != 1 || reqs[0].Ignored != "guild is not on this session's shard" {
		t.Errorf("VoiceRequests() = %+v", reqs)
	}
}

func TestGatewayBuilderEvents(t *testing.T) {
	w := newWorld(t)
	c := dialRaw(t, w.srv, "").greet()
	c.identify(w.srv, testIntents|gateway.IntentGuildMembers, [2]int{0, 1})
	c.dispatch("GUILD_CREATE")

	newGuild := w.srv.AddGuild("joined later")
	var g gateway.EventGuildCreate
	if err := json.Unmarshal(c.dispatch("GUILD_CREATE").D, &g); err != nil || g.ID != newGuild.ID() || g.Name != "joined later" {
		t.Errorf("GUILD_CREATE for a new guild = %v, %v", g.ID, err)
	}
	mod := w.guild.AddRole("Mod", discord.PermissionManageMessages)
	var rc gateway.EventGuildRoleCreate
	if err := json.Unmarshal(c.dispatch("GUILD_ROLE_CREATE").D, &rc); err != nil || rc.Role.ID != mod || rc.GuildID != w.guild.ID() {
		t.Errorf("GUILD_ROLE_CREATE = %+v, %v", rc, err)
	}
	if err := w.guild.SetPermissions(mod, discord.PermissionAdministrator); err != nil {
		t.Fatal(err)
	}
	var ru gateway.EventGuildRoleUpdate
	if err := json.Unmarshal(c.dispatch("GUILD_ROLE_UPDATE").D, &ru); err != nil || ru.Role.Permissions != discord.PermissionAdministrator {
		t.Errorf("GUILD_ROLE_UPDATE = %+v, %v", ru, err)
	}
	dave := w.guild.AddMember("dave", mod)
	var ma gateway.EventGuildMemberAdd
	if err := json.Unmarshal(c.dispatch("GUILD_MEMBER_ADD").D, &ma); err != nil || ma.User.ID != dave || ma.GuildID != w.guild.ID() {
		t.Errorf("GUILD_MEMBER_ADD = %+v, %v", ma, err)
	}
	if err := w.guild.SetRoles(dave); err != nil {
		t.Fatal(err)
	}
	var mu gateway.EventGuildMemberUpdate
	if err := json.Unmarshal(c.dispatch("GUILD_MEMBER_UPDATE").D, &mu); err != nil || mu.User.ID != dave || len(mu.RoleIDs) != 0 {
		t.Errorf("GUILD_MEMBER_UPDATE = %+v, %v", mu, err)
	}
	vc := w.guild.AddVoiceChannel("Stage door")
	var cc gateway.EventChannelCreate
	if err := json.Unmarshal(c.dispatch("CHANNEL_CREATE").D, &cc); err != nil || cc.ID() != vc || cc.Type() != discord.ChannelTypeGuildVoice {
		t.Errorf("CHANNEL_CREATE = %+v, %v", cc, err)
	}
	// Moving the bot like a moderator hands it a voice server too.
	if err := w.guild.JoinVoice(w.srv.BotID(), vc); err != nil {
		t.Fatal(err)
	}
	c.dispatch("VOICE_STATE_UPDATE")
	c.dispatch("VOICE_SERVER_UPDATE")

	// Errors for things the guild does not have.
	for name, err := range map[string]error{
		"SetPermissions":         w.guild.SetPermissions(12345, 0),
		"SetRoles":               w.guild.SetRoles(12345),
		"JoinVoice user":         w.guild.JoinVoice(12345, w.voice),
		"JoinVoice channel":      w.guild.JoinVoice(w.alice, 12345),
		"JoinVoice text channel": w.guild.JoinVoice(w.alice, w.text),
		"LeaveVoice":             w.guild.LeaveVoice(12345),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if err := w.guild.JoinVoice(w.alice, w.text); !errors.Is(err, discordtest.ErrNotVoiceChannel) {
		t.Errorf("JoinVoice(text) = %v, want ErrNotVoiceChannel", err)
	}
	if err := w.guild.LeaveVoice(w.alice); err != nil {
		t.Errorf("LeaveVoice when not in voice = %v, want nil", err)
	}
	if _, err := w.srv.Guild(12345); !errors.Is(err, discordtest.ErrUnknownGuild) {
		t.Errorf("Guild(unknown) = %v, want ErrUnknownGuild", err)
	}
	if h, err := w.srv.Guild(w.guild.ID()); err != nil || h.ID() != w.guild.ID() {
		t.Errorf("Guild(known) = %v, %v", h, err)
	}
}

func TestGatewayRequestMembers(t *testing.T) {
	w := newWorld(t)
	c := dialRaw(t, w.srv, "").greet()
	c.identify(w.srv, testIntents|gateway.IntentGuildMembers, [2]int{0, 1})
	c.dispatch("GUILD_CREATE")
	tests := []struct {
		name    string
		request map[string]any
		want    int
		missing int
	}{
		{"all", map[string]any{"guild_id": w.guild.ID(), "query": "", "limit": 0}, 4, 0},
		{"query", map[string]any{"guild_id": w.guild.ID(), "query": "AL", "limit": 0, "nonce": "n1"}, 1, 0},
		{"limit", map[string]any{"guild_id": w.guild.ID(), "query": "", "limit": 2}, 2, 0},
		{"ids", map[string]any{"guild_id": w.guild.ID(), "user_ids": []snowflake.ID{w.bob, 999}}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.send(8, tt.request)
			var chunk gateway.EventGuildMembersChunk
			if err := json.Unmarshal(c.dispatch("GUILD_MEMBERS_CHUNK").D, &chunk); err != nil {
				t.Fatal(err)
			}
			if len(chunk.Members) != tt.want || len(chunk.NotFound) != tt.missing {
				t.Errorf("chunk: %d members, %d not found; want %d and %d", len(chunk.Members), len(chunk.NotFound), tt.want, tt.missing)
			}
		})
	}
	c.send(8, map[string]any{"guild_id": 999})
	c.send(3, map[string]any{"status": "idle", "since": nil, "activities": []any{}, "afk": false})
	c.send(31, map[string]any{"guild_ids": []string{}})
	c.send(1, nil)
	c.expectOp(11) // nothing answered the unknown guild, presence or soundboard request
	if p := w.srv.Sessions()[0].Presence; !strings.Contains(string(p), `"idle"`) {
		t.Errorf("Session.Presence = %s, want the presence update", p)
	}
}

func TestGatewayWaitsEndWithClose(t *testing.T) {
	w := newWorld(t)
	errc := make(chan error, 1)
	go func() {
		_, err := w.srv.WaitSession(context.Background(), func(discordtest.Session) bool { return false })
		errc <- err
	}()
	// The wait is parked until Close wakes it.
	if err := w.srv.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, discordtest.ErrClosed) {
		t.Errorf("WaitSession after Close = %v, want ErrClosed", err)
	}
	if err := w.srv.Close(context.Background()); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := w.srv.Reconnect(0); !errors.Is(err, discordtest.ErrClosed) {
		t.Errorf("Reconnect after Close = %v, want ErrClosed", err)
	}
	if _, err := w.srv.Interact(context.Background(), discordtest.Command{}); !errors.Is(err, discordtest.ErrClosed) {
		t.Errorf("Interact after Close = %v, want ErrClosed", err)
	}
}
