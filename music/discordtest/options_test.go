package discordtest_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/gateway"

	"github.com/tunekit/tunekit/internal/logtest"
	"github.com/tunekit/tunekit/music/discordtest"
)

func TestOptions(t *testing.T) {
	var logs logtest.Buffer
	var mu sync.Mutex
	now := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := discordtest.Start(t,
		discordtest.WithApplicationID(1234567890123456789),
		discordtest.WithBotName("DJ Bot"),
		discordtest.WithBotPermissions(discord.PermissionAdministrator),
		discordtest.WithInteractionDeadline(10*time.Second),
		discordtest.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		discordtest.WithClock(clock),
		discordtest.WithClock(nil),  // ignored
		discordtest.WithLogger(nil), // ignored
	)
	if srv.ApplicationID() != 1234567890123456789 || srv.BotID() != srv.ApplicationID() || srv.Token() != discordtest.Token(1234567890123456789) {
		t.Errorf("identity = %s %s %s", srv.ApplicationID(), srv.BotID(), srv.Token())
	}
	g := srv.AddGuild("g")
	staff := g.AddTextChannel("staff", discordtest.Overwrite(g.ID(), 0, discord.PermissionViewChannel))
	alice := g.AddMember("alice")

	r := restClient(t, srv)
	self, err := r.GetCurrentUser("")
	if err != nil || self.Username != "DJ Bot" {
		t.Errorf("GetCurrentUser() = %+v, %v", self, err)
	}
	// Administrator ignores the overwrite hiding the channel.
	msg, err := r.CreateMessage(staff, discord.MessageCreate{Content: "hi"})
	if err != nil {
		t.Fatalf("CreateMessage as administrator: %v", err)
	}
	if !msg.CreatedAt.Equal(now.Truncate(time.Microsecond)) || msg.ID.Time().UnixMilli() < now.UnixMilli() {
		t.Errorf("message timestamp %v / id time %v, want the injected clock %v", msg.CreatedAt, msg.ID.Time(), now)
	}

	if _, err := r.SetGlobalCommands(srv.ApplicationID(), testCommands[:1]); err != nil {
		t.Fatal(err)
	}
	c := dialRaw(t, srv, "").greet()
	c.identify(srv, gateway.IntentGuilds, [2]int{0, 1})
	c.dispatch("GUILD_CREATE")
	ctx := testCtx(t)
	h, err := srv.Interact(ctx, discordtest.Command{Guild: g.ID(), Channel: staff, User: g.OwnerID(), Name: "ping"})
	if err != nil {
		t.Fatal(err)
	}
	var ix struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	if err := json.Unmarshal(c.dispatch("INTERACTION_CREATE").D, &ix); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(9 * time.Second) // past Discord's 3 s, within the configured 10 s
	mu.Unlock()
	if status, _, body := do(t, srv, "POST", "/interactions/"+ix.ID+"/"+ix.Token+"/callback", "", map[string]any{"type": 4, "data": map[string]any{"content": "late but fine"}}); status != 204 {
		t.Errorf("callback after 9 s = %d %v, want 204", status, body)
	}
	if resp, err := h.Response(ctx); err != nil || resp.Message.Content != "late but fine" {
		t.Errorf("Response() = %+v, %v", resp, err)
	}
	_ = alice

	c2 := dialRaw(t, srv, "v=8&encoding=json")
	if code := c2.closeCode(); code != 4012 {
		t.Errorf("v=8: close %d", code)
	}
	if !strings.Contains(logs.String(), "closing gateway connection") || !strings.Contains(logs.String(), "code=4012") {
		t.Errorf("debug log lacks the close: %s", logs.String())
	}
}

func TestGroupsAndWaitHelpers(t *testing.T) {
	w := newInteractWorld(t)
	ctx := testCtx(t)
	if _, err := w.rest.SetGuildCommands(w.app, w.guild.ID(), []discord.ApplicationCommandCreate{discord.SlashCommandCreate{
		Name: "queue", Description: "d", Options: []discord.ApplicationCommandOption{
			discord.ApplicationCommandOptionSubCommandGroup{Name: "page", Description: "d", Options: []discord.ApplicationCommandOptionSubCommand{
				{Name: "show", Description: "d", Options: []discord.ApplicationCommandOption{discord.ApplicationCommandOptionInt{Name: "n", Description: "d"}}},
			}},
		},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Interact(ctx, w.command("queue", discordtest.Group("page", discordtest.Subcommand("show", discordtest.Integer("n", 2))))); err != nil {
		t.Fatal(err)
	}
	ix := w.receive(t).(discord.ApplicationCommandInteraction)
	if data := ix.SlashCommandInteractionData(); data.CommandPath() != "/queue/page/show" || data.Int("n") != 2 {
		t.Errorf("group data = %s n=%d", data.CommandPath(), data.Int("n"))
	}
	if _, err := w.srv.Interact(ctx, w.command("queue", discordtest.Group("page", discordtest.Subcommand("nope")))); err == nil {
		t.Error("unknown subcommand in a group accepted")
	}

	// WaitMessage sees posts, edits and deletes as they happen.
	posted := make(chan discordtest.Message, 1)
	go func() {
		m, err := w.srv.WaitMessage(ctx, w.text, func(m discordtest.Message) bool { return m.Content == "later" })
		if err != nil {
			t.Error(err)
		}
		posted <- m
	}()
	m, err := w.rest.CreateMessage(w.text, discord.MessageCreate{Content: "later"})
	if err != nil {
		t.Fatal(err)
	}
	if got := <-posted; got.ID != m.ID {
		t.Errorf("WaitMessage() = %s, want %s", got.ID, m.ID)
	}
	if err := w.rest.DeleteMessage(w.text, m.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := w.srv.WaitMessage(ctx, 0, func(x discordtest.Message) bool { return x.ID == m.ID && x.Deleted }); err != nil || got.Content != "later" {
		t.Errorf("WaitMessage(deleted) = %+v, %v", got, err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := w.srv.WaitMessage(short, w.text, func(discordtest.Message) bool { return false }); err != context.DeadlineExceeded {
		t.Errorf("WaitMessage(never) = %v, want DeadlineExceeded", err)
	}

	if err := w.guild.JoinVoice(w.alice, w.voice); err != nil {
		t.Fatal(err)
	}
	if err := w.guild.JoinVoice(w.bob, w.voice); err != nil {
		t.Fatal(err)
	}
	states := w.srv.VoiceStates()
	if len(states) != 2 || states[0].UserID != w.alice || states[1].UserID != w.bob || *states[1].ChannelID != w.voice || states[0].SessionID == "" {
		t.Errorf("VoiceStates() = %+v", states)
	}
	if vs, err := w.srv.WaitVoice(ctx, w.guild.ID(), w.bob, w.voice); err != nil || vs.UserID != w.bob {
		t.Errorf("WaitVoice(bob) = %+v, %v", vs, err)
	}
	if _, err := w.srv.WaitVoice(ctx, 1, w.bob, 0); err == nil {
		t.Error("WaitVoice(unknown guild) succeeded")
	}
	if _, ok := w.srv.VoiceState(1, w.bob); ok {
		t.Error("VoiceState(unknown guild) found")
	}
	if _, err := w.srv.WaitCommands(short, 42); err == nil {
		t.Error("WaitCommands(nothing registered) succeeded")
	}
}
