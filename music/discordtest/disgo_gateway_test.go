// These tests run disgo's gateway client against the server, under -race
// too: servers run WithReadyAfterHeartbeat and every client is shut down by
// CloseClient (newClient's cleanup), as the package documentation
// describes. Flows in which disgo itself races (reconnects, heartbeats
// after the first event) are in disgo_norace_test.go.

package discordtest_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/events"
	"github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/disgo/handler"
	"github.com/disgoorg/disgo/sharding"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/discordtest"
)

// disgoHeartbeat is the heartbeat interval of servers disgo clients use
// here. With WithReadyAfterHeartbeat it is both the extra time connecting
// takes and the longest a test may keep a client connected after READY
// (CloseClient reports ErrLateClose otherwise). The longest here takes
// about 60 ms under -race, which leaves a wide margin for a busy machine.
const disgoHeartbeat = time.Second

// disgoWorld is newWorld for disgo clients.
func disgoWorld(t *testing.T, opts ...discordtest.Option) *world {
	t.Helper()
	return newWorld(t, append(opts, disgoOpts...)...)
}

// disgoOpts are the server options CloseClient needs.
var disgoOpts = []discordtest.Option{discordtest.WithReadyAfterHeartbeat(), discordtest.WithHeartbeatInterval(disgoHeartbeat)}

// eventLog is a disgo listener keeping every event, so tests await events
// without ever blocking disgo's read loop.
type eventLog struct {
	mu     sync.Mutex
	events []bot.Event
	change chan struct{}
}

func newEventLog() *eventLog {
	return &eventLog{change: make(chan struct{})}
}

func (l *eventLog) OnEvent(e bot.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
	close(l.change)
	l.change = make(chan struct{})
}

// await returns the first event of type E matching match.
func await[E bot.Event](t *testing.T, ctx context.Context, l *eventLog, what string, match func(E) bool) E {
	t.Helper()
	for i := 0; ; {
		l.mu.Lock()
		for ; i < len(l.events); i++ {
			if e, ok := l.events[i].(E); ok && match(e) {
				l.mu.Unlock()
				return e
			}
		}
		ch := l.change
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		}
	}
}

func anyEvent[E any](E) bool { return true }

// connect opens a gateway client for w (and mux, if any), registers the
// test commands globally and waits until the guilds are ready.
func connect(t *testing.T, ctx context.Context, w *world, mux *handler.Mux, opts ...bot.ConfigOpt) (*bot.Client, *eventLog) {
	t.Helper()
	log := newEventLog()
	opts = append([]bot.ConfigOpt{bot.WithGatewayConfigOpts(gateway.WithIntents(testIntents)), bot.WithEventListeners(log)}, opts...)
	if mux != nil {
		opts = append(opts, bot.WithEventListeners(mux))
	}
	client := newClient(t, w.srv, opts...)
	if err := handler.SyncCommands(client, testCommands, nil); err != nil {
		t.Fatalf("SyncCommands: %v", err)
	}
	if err := client.OpenGateway(ctx); err != nil {
		t.Fatalf("OpenGateway: %v", err)
	}
	await(t, ctx, log, "GuildsReady", anyEvent[*events.GuildsReady])
	return client, log
}

// botMux routes the commands and buttons a music bot would have.
func botMux(release <-chan struct{}) *handler.Mux {
	mux := handler.New()
	mux.SlashCommand("/ping", func(_ discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
		return e.CreateMessage(discord.MessageCreate{Content: "pong to " + e.User().Username})
	})
	mux.Route("/settings", func(r handler.Router) {
		r.SlashCommand("/dj-role", func(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
			return e.CreateMessage(discord.MessageCreate{Content: "DJ role is now " + data.Role("role").Name, Flags: discord.MessageFlagEphemeral})
		})
	})
	mux.SlashCommand("/play", func(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
		if err := e.DeferCreateMessage(false); err != nil {
			return err
		}
		<-release // the slow part: loading tracks
		if _, err := e.CreateFollowupMessage(discord.MessageCreate{Content: "Queued " + data.String("query")}); err != nil {
			return err
		}
		_, err := e.CreateFollowupMessage(discord.MessageCreate{Content: "and one more", Flags: discord.MessageFlagEphemeral})
		return err
	})
	mux.SlashCommand("/volume", func(_ discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
		if err := e.DeferCreateMessage(true); err != nil {
			return err
		}
		content := "Volume set"
		_, err := e.UpdateInteractionResponse(discord.MessageUpdate{Content: &content})
		return err
	})
	mux.Autocomplete("/play", func(e *handler.AutocompleteEvent) error {
		typed := e.Data.String("query")
		return e.AutocompleteResult([]discord.AutocompleteChoice{
			discord.AutocompleteChoiceString{Name: typed + " (live)", Value: "yt:1"},
			discord.AutocompleteChoiceString{Name: typed + " (remix)", Value: "yt:2"},
		})
	})
	mux.ButtonComponent("/np/{action}", func(_ discord.ButtonInteractionData, e *handler.ComponentEvent) error {
		content := "Now playing: paused by " + e.User().Username + " (" + e.Vars["action"] + ")"
		return e.UpdateMessage(discord.MessageUpdate{Content: &content})
	})
	return mux
}

// TestDisgoBot runs one disgo bot through the flows a music bot needs, one
// subtest each, on one connection.
func TestDisgoBot(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	w := disgoWorld(t, discordtest.WithNullVoiceEndpointFirst())
	limited := w.guild.AddVoiceChannel("Small room", discordtest.UserLimit(5))
	if err := w.guild.JoinVoice(w.alice, w.voice); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	client, log := connect(t, ctx, w, botMux(release))
	// Should the test stop early, /play must not keep disgo's read loop.
	releaseOnce := sync.OnceFunc(func() { close(release) })
	t.Cleanup(releaseOnce)

	t.Run("READY and GUILD_CREATE fill the cache", func(t *testing.T) {
		if self, ok := client.Caches.SelfUser(); !ok || self.ID != w.srv.BotID() || !self.Bot {
			t.Errorf("SelfUser() = %+v, %v, want bot %s", self, ok, w.srv.BotID())
		}
		if client.ApplicationID != w.srv.ApplicationID() {
			t.Errorf("ApplicationID = %s, want %s", client.ApplicationID, w.srv.ApplicationID())
		}
		if g, ok := client.Caches.Guild(w.guild.ID()); !ok || g.Name != "Music Lovers" || g.OwnerID != w.guild.OwnerID() {
			t.Errorf("Guild() = %+v, %v", g, ok)
		}
		if ch, ok := client.Caches.Channel(w.text); !ok || ch.Type() != discord.ChannelTypeGuildText || ch.Name() != "general" {
			t.Errorf("Channel(text) = %v, %v", ch, ok)
		}
		ch, ok := client.Caches.Channel(limited)
		if vc, isVoice := ch.(discord.GuildVoiceChannel); !ok || !isVoice || vc.UserLimit != 5 {
			t.Errorf("Channel(limited) = %#v, %v, want a voice channel limited to 5", ch, ok)
		}
		if r, ok := client.Caches.Role(w.guild.ID(), w.dj); !ok || r.Name != "DJ" || r.Permissions != discord.PermissionConnect {
			t.Errorf("Role(dj) = %+v, %v", r, ok)
		}
		if r, ok := client.Caches.Role(w.guild.ID(), w.guild.BotRole()); !ok || !r.Managed {
			t.Errorf("Role(bot role) = %+v, %v, want managed", r, ok)
		}
		if vs, ok := client.Caches.VoiceState(w.guild.ID(), w.alice); !ok || vs.ChannelID == nil || *vs.ChannelID != w.voice {
			t.Errorf("VoiceState(alice) = %+v, %v, want channel %s", vs, ok, w.voice)
		}
		// Without GUILD_PRESENCES, GUILD_CREATE lists the bot and users in voice.
		if m, ok := client.Caches.Member(w.guild.ID(), w.alice); !ok || !slices.Equal(m.RoleIDs, []snowflake.ID{w.dj}) {
			t.Errorf("Member(alice) = %+v, %v", m, ok)
		}
		if _, ok := client.Caches.Member(w.guild.ID(), w.bob); ok {
			t.Error("Member(bob) cached although bob is not in voice and GUILD_PRESENCES is off")
		}
		if _, ok := client.Caches.Member(w.guild.ID(), w.srv.BotID()); !ok {
			t.Error("bot member missing from cache")
		}
		sessions := w.srv.Sessions()
		if len(sessions) != 1 || !sessions[0].Connected || sessions[0].Intents != testIntents || sessions[0].Browser != "disgo" {
			t.Errorf("Sessions() = %+v", sessions)
		}
	})

	t.Run("slash command answered through handler.Mux", func(t *testing.T) {
		ix, err := w.srv.Interact(ctx, discordtest.Command{Guild: w.guild.ID(), Channel: w.text, User: w.alice, Name: "ping"})
		if err != nil {
			t.Fatalf("Interact(/ping): %v", err)
		}
		resp, err := ix.Response(ctx)
		if err != nil {
			t.Fatalf("Response: %v", err)
		}
		if resp.Type != discord.InteractionResponseTypeCreateMessage || resp.Message == nil || resp.Message.Content != "pong to alice" || resp.Ephemeral() {
			t.Errorf("/ping response = %+v, want a public message \"pong to alice\"", resp)
		}
		msgs := w.srv.Messages(w.text)
		if len(msgs) != 1 || msgs[0].InteractionID != ix.ID() || msgs[0].Type != discord.MessageTypeSlashCommand {
			t.Errorf("Messages(text) = %+v, want the /ping answer", msgs)
		}
		// Public answers reach the bot as MESSAGE_CREATE too.
		await(t, ctx, log, "MESSAGE_CREATE of the answer", func(e *events.GuildMessageCreate) bool { return e.MessageID == resp.Message.ID })

		ix, err = w.srv.Interact(ctx, discordtest.Command{
			Guild: w.guild.ID(), Channel: w.text, User: w.guild.OwnerID(), Name: "settings",
			Options: []discordtest.CommandOption{discordtest.Subcommand("dj-role", discordtest.Role("role", w.dj))},
		})
		if err != nil {
			t.Fatalf("Interact(/settings dj-role): %v", err)
		}
		orig, err := ix.Original(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if orig.Content != "DJ role is now DJ" || !orig.Flags.Has(discord.MessageFlagEphemeral) {
			t.Errorf("/settings dj-role answer = %q (flags %d), want ephemeral \"DJ role is now DJ\"", orig.Content, orig.Flags)
		}
		// bob lacks Manage Guild, so Discord would not even offer /settings.
		_, err = w.srv.Interact(ctx, discordtest.Command{Guild: w.guild.ID(), Channel: w.text, User: w.bob, Name: "settings",
			Options: []discordtest.CommandOption{discordtest.Subcommand("view")}})
		if !errors.Is(err, discordtest.ErrMissingPermissions) {
			t.Errorf("Interact(/settings by bob) error = %v, want ErrMissingPermissions", err)
		}
	})

	t.Run("deferred reply and follow-ups", func(t *testing.T) {
		ix, err := w.srv.Interact(ctx, discordtest.Command{Guild: w.guild.ID(), Channel: w.text, User: w.alice, Name: "play",
			Options: []discordtest.CommandOption{discordtest.String("query", "never gonna give you up"), discordtest.Bool("next", true)}})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := ix.Response(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Type != discord.InteractionResponseTypeDeferredCreateMessage || resp.Message == nil || !resp.Message.Flags.Has(discord.MessageFlagLoading) {
			t.Fatalf("response = %+v, want a deferred, loading message", resp)
		}
		releaseOnce()
		first, err := ix.Followup(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Right after a deferral the first follow-up replaces the loading message.
		if first.ID != resp.Message.ID || first.Content != "Queued never gonna give you up" || first.Flags.Has(discord.MessageFlagLoading) {
			t.Errorf("first follow-up = %+v, want the edited deferred message", first.Message)
		}
		second, err := ix.Followup(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if second.ID == first.ID || second.Content != "and one more" || !second.Flags.Has(discord.MessageFlagEphemeral) {
			t.Errorf("second follow-up = %+v, want a new ephemeral message", second.Message)
		}
		if orig, err := ix.Original(ctx); err != nil || orig.ID != first.ID {
			t.Errorf("Original() = %v, %v, want the first follow-up's message", orig.ID, err)
		}

		ix, err = w.srv.Interact(ctx, discordtest.Command{Guild: w.guild.ID(), Channel: w.text, User: w.alice, Name: "volume",
			Options: []discordtest.CommandOption{discordtest.Integer("level", 80)}})
		if err != nil {
			t.Fatal(err)
		}
		orig, err := ix.Original(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if orig.Content != "Volume set" || !orig.Flags.Has(discord.MessageFlagEphemeral) || orig.Edits != 1 {
			t.Errorf("edited original = %+v (edits %d), want ephemeral \"Volume set\" edited once", orig.Message, orig.Edits)
		}
	})

	t.Run("button click with an update-message response", func(t *testing.T) {
		np, err := client.Rest.CreateMessage(w.text, discord.MessageCreate{
			Content:    "Now playing: a song",
			Components: []discord.LayoutComponent{discord.NewActionRow(discord.NewPrimaryButton("Pause", "/np/pause"), discord.NewSecondaryButton("Skip", "/np/skip").AsDisabled())},
		})
		if err != nil {
			t.Fatalf("CreateMessage: %v", err)
		}
		ix, err := w.srv.Interact(ctx, discordtest.Button{User: w.alice, Message: np.ID, CustomID: "/np/pause"})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := ix.Response(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Type != discord.InteractionResponseTypeUpdateMessage || resp.Message == nil || resp.Message.ID != np.ID {
			t.Errorf("response = %+v, want an update of message %s", resp, np.ID)
		}
		m, ok := w.srv.Message(np.ID)
		if !ok || m.Content != "Now playing: paused by alice (pause)" || m.Edits != 1 || len(m.Components) != 1 {
			t.Errorf("Message(np) = %+v (edits %d), want it updated in place with its buttons kept", m.Message, m.Edits)
		}
		// The skip button is disabled and "/np/forged" does not exist: a client
		// cannot click either, unless forged.
		for _, id := range []string{"/np/skip", "/np/forged"} {
			if _, err := w.srv.Interact(ctx, discordtest.Button{User: w.alice, Message: np.ID, CustomID: id}); !errors.Is(err, discordtest.ErrUnknownComponent) {
				t.Errorf("Interact(button %q) error = %v, want ErrUnknownComponent", id, err)
			}
		}
		ix, err = w.srv.Interact(ctx, discordtest.Button{User: w.bob, Message: np.ID, CustomID: "/np/forged", Forge: true})
		if err != nil {
			t.Fatal(err)
		}
		if resp, err := ix.Response(ctx); err != nil || resp.Message.Content != "Now playing: paused by bob (forged)" {
			t.Errorf("forged click response = %+v, %v", resp, err)
		}
	})

	t.Run("autocomplete", func(t *testing.T) {
		ix, err := w.srv.Interact(ctx, discordtest.Autocomplete{Guild: w.guild.ID(), Channel: w.text, User: w.alice, Name: "play",
			Options: []discordtest.CommandOption{discordtest.Focused(discordtest.String("query", "never"))}})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := ix.Response(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []discordtest.Choice{{Name: "never (live)", Value: "yt:1"}, {Name: "never (remix)", Value: "yt:2"}}
		if resp.Type != discord.InteractionResponseTypeAutocompleteResult || !slices.Equal(resp.Choices, want) {
			t.Errorf("response = %+v, want choices %v", resp, want)
		}
	})

	t.Run("voice state update round trip", func(t *testing.T) {
		botID := w.srv.BotID()
		if err := client.UpdateVoiceState(ctx, w.guild.ID(), &w.voice, false, true); err != nil {
			t.Fatalf("UpdateVoiceState: %v", err)
		}
		st := await(t, ctx, log, "bot VOICE_STATE_UPDATE", func(e *events.GuildVoiceStateUpdate) bool { return e.VoiceState.UserID == botID })
		if st.VoiceState.ChannelID == nil || *st.VoiceState.ChannelID != w.voice || !st.VoiceState.SelfDeaf {
			t.Errorf("bot voice state = %+v", st.VoiceState)
		}
		first := await(t, ctx, log, "first VOICE_SERVER_UPDATE", anyEvent[*events.VoiceServerUpdate])
		if first.Endpoint != nil {
			t.Errorf("first VOICE_SERVER_UPDATE endpoint = %q, want null", *first.Endpoint)
		}
		second := await(t, ctx, log, "second VOICE_SERVER_UPDATE", func(e *events.VoiceServerUpdate) bool { return e.Endpoint != nil })
		if *second.Endpoint != discordtest.DefaultVoiceEndpoint || second.GuildID != w.guild.ID() || second.Token != first.Token {
			t.Errorf("second VOICE_SERVER_UPDATE = %+v", second.EventVoiceServerUpdate)
		}
		vs, err := w.srv.WaitVoice(ctx, w.guild.ID(), botID, w.voice)
		if err != nil {
			t.Fatal(err)
		}
		if vs.SessionID != w.srv.Sessions()[0].ID {
			t.Errorf("bot voice session = %q, want the gateway session %q", vs.SessionID, w.srv.Sessions()[0].ID)
		}

		if err := w.guild.JoinVoice(w.bob, w.voice); err != nil {
			t.Fatal(err)
		}
		if st := await(t, ctx, log, "bob joins", func(e *events.GuildVoiceJoin) bool { return e.VoiceState.UserID == w.bob }); st.Member.User.Username != "bob" {
			t.Errorf("bob's VOICE_STATE_UPDATE member = %+v", st.Member)
		}
		if cached, ok := client.Caches.VoiceState(w.guild.ID(), w.bob); !ok || *cached.ChannelID != w.voice {
			t.Errorf("cached bob voice state = %+v, %v", cached, ok)
		}
		if err := w.guild.LeaveVoice(w.bob); err != nil {
			t.Fatal(err)
		}
		await(t, ctx, log, "bob leaves", func(e *events.GuildVoiceLeave) bool { return e.VoiceState.UserID == w.bob })

		if err := client.UpdateVoiceState(ctx, w.guild.ID(), nil, false, false); err != nil {
			t.Fatal(err)
		}
		if _, err := w.srv.WaitVoice(ctx, w.guild.ID(), botID, 0); err != nil {
			t.Fatal(err)
		}
		await(t, ctx, log, "bot leaves", func(e *events.GuildVoiceLeave) bool { return e.VoiceState.UserID == botID })
		reqs := w.srv.VoiceRequests()
		if len(reqs) != 2 || reqs[0].ChannelID == nil || *reqs[0].ChannelID != w.voice || !reqs[0].SelfDeaf || reqs[1].ChannelID != nil || reqs[0].Ignored != "" {
			t.Errorf("VoiceRequests() = %+v", reqs)
		}
	})

	t.Run("message create, edit and delete", func(t *testing.T) {
		msg, err := client.Rest.CreateMessage(w.text, discord.MessageCreate{
			Content: "Now playing",
			Embeds:  []discord.Embed{{Title: "Song", URL: "https://example.com/song", Fields: []discord.EmbedField{{Name: "Duration", Value: "3:32"}}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		created := await(t, ctx, log, "MESSAGE_CREATE", func(e *events.GuildMessageCreate) bool { return e.MessageID == msg.ID })
		if created.Message.Content != "Now playing" || created.Message.Author.ID != w.srv.BotID() {
			t.Errorf("MESSAGE_CREATE = %+v", created.Message)
		}
		content := "Now playing ▶ 1:00"
		if _, err := client.Rest.UpdateMessage(w.text, msg.ID, discord.MessageUpdate{Content: &content}); err != nil {
			t.Fatal(err)
		}
		updated := await(t, ctx, log, "MESSAGE_UPDATE", func(e *events.GuildMessageUpdate) bool { return e.MessageID == msg.ID })
		if updated.Message.Content != content || updated.Message.EditedTimestamp == nil || len(updated.Message.Embeds) != 1 {
			t.Errorf("MESSAGE_UPDATE = %+v", updated.Message)
		}
		if err := client.Rest.DeleteMessage(w.text, msg.ID); err != nil {
			t.Fatal(err)
		}
		await(t, ctx, log, "MESSAGE_DELETE", func(e *events.GuildMessageDelete) bool { return e.MessageID == msg.ID })
		if m, ok := w.srv.Message(msg.ID); !ok || !m.Deleted || m.Edits != 1 || m.Embeds[0].Title != "Song" {
			t.Errorf("Message() = %+v, deleted %v, edits %d", m.Message, m.Deleted, m.Edits)
		}
		for _, m := range w.srv.Messages(w.text) {
			if m.ID == msg.ID {
				t.Error("deleted message still listed by Messages()")
			}
		}
	})
}

func TestDisgoShardedClient(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	srv := discordtest.Start(t, slices.Concat(disgoOpts, []discordtest.Option{discordtest.WithShardCount(2)})...)
	g0, g1 := srv.AddGuild("zero"), srv.AddGuild("one")
	if discordtest.ShardOf(g0.ID(), 2) != 0 || discordtest.ShardOf(g1.ID(), 2) != 1 {
		t.Fatalf("guilds on shards %d and %d, want 0 and 1", discordtest.ShardOf(g0.ID(), 2), discordtest.ShardOf(g1.ID(), 2))
	}
	voice1 := g1.AddVoiceChannel("Stage")
	text1 := g1.AddTextChannel("chat")
	user1 := g1.AddMember("carol")

	mux := handler.New()
	mux.SlashCommand("/ping", func(_ discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
		return e.CreateMessage(discord.MessageCreate{Content: "pong from shard " + strings.Repeat("I", e.ShardID()+1)})
	})
	log := newEventLog()
	client := newClient(t, srv,
		bot.WithShardManagerConfigOpts(sharding.WithGatewayConfigOpts(gateway.WithIntents(testIntents))),
		bot.WithEventListeners(mux, log))
	if err := handler.SyncCommands(client, testCommands, []snowflake.ID{g0.ID(), g1.ID()}); err != nil {
		t.Fatal(err)
	}
	if err := client.OpenShardManager(ctx); err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		guild snowflake.ID
		shard int
	}{{g0.ID(), 0}, {g1.ID(), 1}} {
		ev := await(t, ctx, log, "GuildReady", func(e *events.GuildReady) bool { return e.GuildID == want.guild })
		if ev.ShardID() != want.shard {
			t.Errorf("guild %s ready on shard %d, want %d", want.guild, ev.ShardID(), want.shard)
		}
	}
	var shards []int
	for _, s := range srv.Sessions() {
		if s.ShardCount != 2 {
			t.Errorf("session %s identified with %d shards, want 2", s.ID, s.ShardCount)
		}
		shards = append(shards, s.Shard)
	}
	slices.Sort(shards)
	if !slices.Equal(shards, []int{0, 1}) {
		t.Errorf("identified shards %v, want [0 1]", shards)
	}

	if err := client.UpdateVoiceState(ctx, g1.ID(), &voice1, false, false); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.WaitVoice(ctx, g1.ID(), srv.BotID(), voice1); err != nil {
		t.Fatal(err)
	}
	if reqs := srv.VoiceRequests(); len(reqs) != 1 || reqs[0].Shard != 1 {
		t.Errorf("VoiceRequests() = %+v, want one from shard 1", reqs)
	}
	ix, err := srv.Interact(ctx, discordtest.Command{Guild: g1.ID(), Channel: text1, User: user1, Name: "ping"})
	if err != nil {
		t.Fatal(err)
	}
	if orig, err := ix.Original(ctx); err != nil || orig.Content != "pong from shard II" {
		t.Errorf("answer = %q, %v, want it from shard 1", orig.Content, err)
	}
}

func TestDisgoCompressionModes(t *testing.T) {
	t.Parallel()
	for _, c := range []gateway.CompressionType{gateway.CompressionNone, gateway.CompressionZlibStream, gateway.CompressionZlibPayload} {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t)
			w := disgoWorld(t)
			// The gateway URL can also be given directly, as gateway.WithURL.
			client, _ := connect(t, ctx, w, nil, bot.WithGatewayConfigOpts(gateway.WithURL(w.srv.GatewayURL()), gateway.WithCompression(c)))
			if _, ok := client.Caches.Channel(w.voice); !ok {
				t.Errorf("compression %s: voice channel not cached", c)
			}
		})
	}
}

func TestCloseClientHonoursContext(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	w := disgoWorld(t)
	entered, release := make(chan struct{}), make(chan struct{})
	mux := handler.New()
	mux.SlashCommand("/ping", func(discord.SlashCommandInteractionData, *handler.CommandEvent) error {
		close(entered)
		<-release // a handler stuck on the read loop, as in a broken test
		return nil
	})
	client := buildClient(t, w.srv, bot.WithEventListeners(mux),
		bot.WithGatewayConfigOpts(gateway.WithIntents(testIntents), gateway.WithCompression(gateway.CompressionNone)))
	if err := handler.SyncCommands(client, testCommands, nil); err != nil {
		t.Fatal(err)
	}
	if err := client.OpenGateway(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Interact(ctx, discordtest.Command{Guild: w.guild.ID(), Channel: w.text, User: w.alice, Name: "ping"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-entered:
	case <-ctx.Done():
		t.Fatal("handler not called")
	}

	closeCtx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	err := discordtest.CloseClient(closeCtx, w.srv, client)
	cancel()
	close(release)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("CloseClient() = %v, want context.DeadlineExceeded", err)
	}
	if st := client.Gateway.Status(); st != gateway.StatusDisconnected {
		t.Errorf("gateway status after CloseClient = %s, want Disconnected", st)
	}
	if _, err := w.srv.WaitSession(ctx, func(s discordtest.Session) bool { return !s.Connected && !s.Resumable }); err != nil {
		t.Errorf("session still open after CloseClient: %v", err)
	}
	if again := discordtest.CloseClient(ctx, w.srv, client); again != err {
		t.Errorf("second CloseClient() = %v, want the first result %v", again, err)
	}
}
