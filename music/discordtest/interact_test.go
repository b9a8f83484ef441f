package discordtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/omit"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/discordtest"
)

// interactWorld is a world with the test commands registered and a raw
// gateway connection standing in for the bot.
type interactWorld struct {
	*world
	conn *rawConn
	rest rest.Rest
	app  snowflake.ID
}

func newInteractWorld(t *testing.T, opts ...discordtest.Option) *interactWorld {
	t.Helper()
	w := newWorld(t, opts...)
	r := restClient(t, w.srv)
	if _, err := r.SetGlobalCommands(w.srv.ApplicationID(), testCommands); err != nil {
		t.Fatal(err)
	}
	c := dialRaw(t, w.srv, "").greet()
	c.identify(w.srv, testIntents, [2]int{0, 1})
	c.dispatch("GUILD_CREATE")
	return &interactWorld{world: w, conn: c, rest: r, app: w.srv.ApplicationID()}
}

// receive reads the next INTERACTION_CREATE and decodes it with disgo.
func (w *interactWorld) receive(t testing.TB) discord.Interaction {
	t.Helper()
	f := w.conn.must()
	for f.Op == 0 && strings.HasPrefix(f.T, "MESSAGE_") { // the bot's own messages
		f = w.conn.must()
	}
	if f.Op != 0 || f.T != "INTERACTION_CREATE" {
		t.Fatalf("got op %d %s, want INTERACTION_CREATE", f.Op, f.T)
	}
	ix, err := discord.UnmarshalInteraction(f.D)
	if err != nil {
		t.Fatalf("disgo cannot decode INTERACTION_CREATE: %v\n%s", err, f.D)
	}
	return ix
}

func (w *interactWorld) command(name string, opts ...discordtest.CommandOption) discordtest.Command {
	return discordtest.Command{Guild: w.guild.ID(), Channel: w.text, User: w.alice, Name: name, Options: opts}
}

func asOwner(w *interactWorld, c discordtest.Command) discordtest.Command {
	c.User = w.guild.OwnerID()
	return c
}

func TestInteractCommandPayload(t *testing.T) {
	ctx := testCtx(t)
	w := newInteractWorld(t)
	owner := w.guild.OwnerID()
	h, err := w.srv.Interact(ctx, discordtest.Command{Guild: w.guild.ID(), Channel: w.text, User: owner, Name: "settings",
		Options: []discordtest.CommandOption{discordtest.Subcommand("announce-channel", discordtest.Channel("channel", w.text))}})
	if err != nil {
		t.Fatal(err)
	}
	ix, ok := w.receive(t).(discord.ApplicationCommandInteraction)
	if !ok {
		t.Fatal("not an application command interaction")
	}
	data := ix.SlashCommandInteractionData()
	cmds := w.srv.Commands(0)
	if ix.ID() != h.ID() || ix.Token() != h.Token() || ix.ApplicationID() != w.app || *ix.GuildID() != w.guild.ID() || ix.Channel().ID() != w.text {
		t.Errorf("interaction identity = %s %s %s", ix.ID(), ix.ApplicationID(), ix.Channel().ID())
	}
	if data.CommandPath() != "/settings/announce-channel" || data.CommandID() != cmds[4].ID() || data.Channel("channel").Name != "general" {
		t.Errorf("data = path %s, command %s, channel %+v", data.CommandPath(), data.CommandID(), data.Channel("channel"))
	}
	if ix.Member() == nil || ix.Member().User.ID != owner || ix.Member().Permissions != discord.PermissionsAll {
		t.Errorf("member = %+v, want the owner with every permission", ix.Member())
	}
	if ix.AppPermissions() == nil || !ix.AppPermissions().Has(discord.PermissionSendMessages) || ix.User().ID != owner {
		t.Errorf("app permissions = %v, user %s", ix.AppPermissions(), ix.User().ID)
	}

	// User, role and mentionable options come with resolved data.
	if _, err := w.rest.SetGuildCommands(w.app, w.guild.ID(), []discord.ApplicationCommandCreate{discord.SlashCommandCreate{
		Name: "who", Description: "d", Options: []discord.ApplicationCommandOption{
			discord.ApplicationCommandOptionUser{Name: "user", Description: "d", Required: true},
			discord.ApplicationCommandOptionRole{Name: "role", Description: "d"},
			discord.ApplicationCommandOptionMentionable{Name: "any", Description: "d"},
			discord.ApplicationCommandOptionFloat{Name: "x", Description: "d"},
		},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Interact(ctx, w.command("who", discordtest.User("user", w.bob), discordtest.Role("role", w.dj),
		discordtest.Mentionable("any", w.dj), discordtest.Number("x", 1.5))); err != nil {
		t.Fatal(err)
	}
	who := w.receive(t).(discord.ApplicationCommandInteraction).SlashCommandInteractionData()
	if who.User("user").Username != "bob" || who.Role("role").Name != "DJ" || who.Float("x") != 1.5 || *who.GuildID() != w.guild.ID() {
		t.Errorf("resolved user %q, role %q, x %v", who.User("user").Username, who.Role("role").Name, who.Float("x"))
	}
	if m, ok := who.OptMember("user"); !ok || m.User.ID != w.bob {
		t.Errorf("resolved member = %+v, %v", m, ok)
	}
}

func TestInteractValidation(t *testing.T) {
	w := newInteractWorld(t)
	ctx := testCtx(t)
	if _, err := w.rest.SetGuildCommands(w.app, w.guild.ID(), []discord.ApplicationCommandCreate{
		discord.SlashCommandCreate{Name: "mods", Description: "d", DefaultMemberPermissions: omit.NewPtr(discord.Permissions(0))},
		discord.SlashCommandCreate{Name: "vc", Description: "d", Options: []discord.ApplicationCommandOption{
			discord.ApplicationCommandOptionChannel{Name: "where", Description: "d", ChannelTypes: []discord.ChannelType{discord.ChannelTypeGuildVoice}},
			discord.ApplicationCommandOptionString{Name: "name", Description: "d", MinLength: omit.Ptr(2), MaxLength: omit.Ptr(4)},
			discord.ApplicationCommandOptionUser{Name: "who", Description: "d"},
			discord.ApplicationCommandOptionMentionable{Name: "any", Description: "d"},
			discord.ApplicationCommandOptionRole{Name: "role", Description: "d"},
			discord.ApplicationCommandOptionFloat{Name: "f", Description: "d", MinValue: omit.Ptr(0.0)},
		}},
	}); err != nil {
		t.Fatal(err)
	}
	s, i, b, f := discordtest.String, discordtest.Integer, discordtest.Bool, discordtest.Number
	g, tx := w.guild.ID(), w.text
	tests := []struct {
		name   string
		action discordtest.Action
		want   error
	}{
		{"unknown command", w.command("nope"), discordtest.ErrUnknownCommand},
		{"unknown guild", discordtest.Command{Guild: 1, Channel: tx, User: w.alice, Name: "ping"}, discordtest.ErrUnknownGuild},
		{"unknown channel", discordtest.Command{Guild: g, Channel: 1, User: w.alice, Name: "ping"}, discordtest.ErrUnknownChannel},
		{"not a member", discordtest.Command{Guild: g, Channel: tx, User: 1, Name: "ping"}, discordtest.ErrUnknownUser},
		{"unknown option", w.command("ping", s("x", "y")), discordtest.ErrInvalidOption},
		{"missing required", w.command("play", b("next", true)), discordtest.ErrInvalidOption},
		{"wrong type", w.command("volume", s("level", "80")), discordtest.ErrInvalidOption},
		{"over max value", w.command("volume", i("level", 201)), discordtest.ErrInvalidOption},
		{"not a choice", w.command("loop", s("mode", "shuffle")), discordtest.ErrInvalidOption},
		{"given twice", w.command("volume", i("level", 1), i("level", 2)), discordtest.ErrInvalidOption},
		{"focused outside autocomplete", w.command("play", discordtest.Focused(s("query", "x"))), discordtest.ErrInvalidOption},
		{"no subcommand", asOwner(w, w.command("settings")), discordtest.ErrInvalidOption},
		{"unknown subcommand", asOwner(w, w.command("settings", discordtest.Subcommand("nope"))), discordtest.ErrInvalidOption},
		{"value where a subcommand belongs", asOwner(w, w.command("settings", s("view", "x"))), discordtest.ErrInvalidOption},
		{"channel of the wrong type", w.command("vc", discordtest.Channel("where", tx)), discordtest.ErrInvalidOption},
		{"unknown channel option", w.command("vc", discordtest.Channel("where", 1)), discordtest.ErrInvalidOption},
		{"string too short", w.command("vc", s("name", "a")), discordtest.ErrInvalidOption},
		{"unknown user option", w.command("vc", discordtest.User("who", 1)), discordtest.ErrInvalidOption},
		{"unknown mentionable", w.command("vc", discordtest.Mentionable("any", 1)), discordtest.ErrInvalidOption},
		{"unknown role", w.command("vc", discordtest.Role("role", 1)), discordtest.ErrInvalidOption},
		{"NaN", w.command("vc", f("f", math.NaN())), discordtest.ErrInvalidOption},
		{"below min float", w.command("vc", f("f", -1)), discordtest.ErrInvalidOption},
		{"forged NaN", discordtest.Command{Guild: g, Channel: tx, User: w.alice, Name: "x", Options: []discordtest.CommandOption{f("f", math.Inf(1))}, Forge: true}, discordtest.ErrInvalidOption},
		{"disabled for members", w.command("mods"), discordtest.ErrMissingPermissions},
		{"lacking permissions", discordtest.Command{Guild: g, Channel: tx, User: w.bob, Name: "settings", Options: []discordtest.CommandOption{discordtest.Subcommand("view")}}, discordtest.ErrMissingPermissions},
		{"autocomplete without focus", discordtest.Autocomplete{Guild: g, Channel: tx, User: w.alice, Name: "play", Options: []discordtest.CommandOption{s("query", "x")}}, discordtest.ErrInvalidOption},
		{"autocomplete on a plain option", discordtest.Autocomplete{Guild: g, Channel: tx, User: w.alice, Name: "volume", Options: []discordtest.CommandOption{discordtest.Focused(i("level", 1))}}, discordtest.ErrInvalidOption},
		{"autocomplete NaN", discordtest.Autocomplete{Guild: g, Channel: tx, User: w.alice, Name: "vc", Options: []discordtest.CommandOption{discordtest.Focused(f("f", math.NaN()))}}, discordtest.ErrInvalidOption},
		{"unknown message", discordtest.Button{User: w.alice, Message: 1, CustomID: "x"}, discordtest.ErrUnknownMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.srv.Interact(ctx, tt.action)
			if !errors.Is(err, tt.want) {
				t.Errorf("Interact(%s) error = %v, want %v", tt.name, err, tt.want)
			}
			var oe *discordtest.OptionError
			if errors.Is(err, discordtest.ErrInvalidOption) && (!errors.As(err, &oe) || oe.Command == "" || !strings.Contains(err.Error(), oe.Reason)) {
				t.Errorf("Interact(%s) error %v is not a complete *OptionError", tt.name, err)
			}
		})
	}
	if _, err := w.srv.Interact(ctx, nil); err == nil {
		t.Error("Interact(nil) succeeded")
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := w.srv.Interact(canceled, w.command("ping")); !errors.Is(err, context.Canceled) {
		t.Errorf("Interact(canceled) = %v", err)
	}
	// A forged command reaches the bot even though it is not registered.
	if _, err := w.srv.Interact(ctx, discordtest.Command{Guild: g, Channel: tx, User: w.bob, Name: "ghost", Forge: true, Options: []discordtest.CommandOption{s("a", "b")}}); err != nil {
		t.Fatal(err)
	}
	if ix := w.receive(t).(discord.ApplicationCommandInteraction); ix.Data.CommandName() != "ghost" {
		t.Errorf("forged command name = %q", ix.Data.CommandName())
	}
	// Valid subcommand with choices and limits passes.
	if _, err := w.srv.Interact(ctx, w.command("vc", discordtest.Channel("where", w.voice), s("name", "abc"), f("f", 2))); err != nil {
		t.Errorf("valid /vc: %v", err)
	}
}

func TestInteractNeedsSession(t *testing.T) {
	w := newWorld(t)
	r := restClient(t, w.srv)
	if _, err := r.SetGlobalCommands(w.srv.ApplicationID(), testCommands); err != nil {
		t.Fatal(err)
	}
	_, err := w.srv.Interact(testCtx(t), discordtest.Command{Guild: w.guild.ID(), Channel: w.text, User: w.alice, Name: "ping"})
	if !errors.Is(err, discordtest.ErrNoSession) {
		t.Errorf("Interact without a bot = %v, want ErrNoSession", err)
	}
}

func TestInteractCallbacks(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	w := newInteractWorld(t, discordtest.WithClock(clock))
	ctx := testCtx(t)

	h, err := w.srv.Interact(ctx, w.command("ping"))
	if err != nil {
		t.Fatal(err)
	}
	ix := w.receive(t)
	// Wrong kind of response for a command.
	err = w.rest.CreateInteractionResponse(ix.ID(), ix.Token(), discord.InteractionResponse{Type: discord.InteractionResponseTypeUpdateMessage, Data: discord.MessageUpdate{}})
	if restCode(err) != 50035 {
		t.Errorf("update-message response to a command = %v, want Invalid Form Body", err)
	}
	err = w.rest.CreateInteractionResponse(ix.ID(), "wrong-token", discord.InteractionResponse{Type: discord.InteractionResponseTypeCreateMessage, Data: discord.MessageCreate{Content: "x"}})
	if restCode(err) != rest.JSONErrorCodeUnknownInteraction {
		t.Errorf("callback with a wrong token = %v, want Unknown interaction", err)
	}
	err = w.rest.CreateInteractionResponse(ix.ID(), ix.Token(), discord.InteractionResponse{Type: discord.InteractionResponseTypeCreateMessage, Data: discord.MessageCreate{}})
	if restCode(err) != 50006 {
		t.Errorf("empty message response = %v, want Cannot send an empty message", err)
	}
	cb, err := w.rest.CreateInteractionResponseWithCallback(ix.ID(), ix.Token(), discord.InteractionResponse{
		Type: discord.InteractionResponseTypeCreateMessage, Data: discord.MessageCreate{Content: "pong", Flags: discord.MessageFlagEphemeral}})
	if err != nil {
		t.Fatal(err)
	}
	if cb.Interaction.ID != ix.ID() || !cb.Interaction.ResponseMessageEphemeral || cb.Resource == nil || cb.Resource.Message == nil || cb.Resource.Message.Content != "pong" {
		t.Errorf("callback response = %+v", cb)
	}
	err = w.rest.CreateInteractionResponse(ix.ID(), ix.Token(), discord.InteractionResponse{Type: discord.InteractionResponseTypeCreateMessage, Data: discord.MessageCreate{Content: "again"}})
	if restCode(err) != rest.JSONErrorCodeInteractionAlreadyAcknowledged {
		t.Errorf("second callback = %v, want already acknowledged", err)
	}
	resp, err := h.Response(ctx)
	if err != nil || !resp.Ephemeral() || resp.Message.Content != "pong" || string(resp.Data) == "" {
		t.Errorf("Response() = %+v, %v", resp, err)
	}
	if got := w.srv.Responses(); len(got) != 1 || got[0].InteractionID != h.ID() {
		t.Errorf("Responses() = %+v", got)
	}
	// Ephemeral answers reach no MESSAGE_CREATE and no channel endpoint.
	if _, err := w.rest.GetMessage(w.text, resp.Message.ID); restCode(err) != rest.JSONErrorCodeUnknownMessage {
		t.Errorf("GetMessage(ephemeral) = %v, want Unknown Message", err)
	}

	// An interaction left unanswered expires after the deadline.
	late, err := w.srv.Interact(ctx, w.command("ping"))
	if err != nil {
		t.Fatal(err)
	}
	lateIx := w.receive(t)
	advance(discordtest.DefaultInteractionDeadline + time.Millisecond)
	if _, err := late.Response(ctx); !errors.Is(err, discordtest.ErrInteractionExpired) {
		t.Errorf("Response() after the deadline = %v, want ErrInteractionExpired", err)
	}
	err = w.rest.CreateInteractionResponse(lateIx.ID(), lateIx.Token(), discord.InteractionResponse{Type: discord.InteractionResponseTypeCreateMessage, Data: discord.MessageCreate{Content: "too late"}})
	if restCode(err) != rest.JSONErrorCodeUnknownInteraction {
		t.Errorf("late callback = %v, want Unknown interaction", err)
	}

	// Autocomplete accepts only choices, and checks them.
	if _, err := w.srv.Interact(ctx, discordtest.Autocomplete{Guild: w.guild.ID(), Channel: w.text, User: w.alice, Name: "play",
		Options: []discordtest.CommandOption{discordtest.Focused(discordtest.String("query", "ab")), discordtest.Bool("next", true)}}); err != nil {
		t.Fatal(err)
	}
	ac := w.receive(t).(discord.AutocompleteInteraction)
	if ac.Data.Focused().Name != "query" || ac.Data.String("query") != "ab" {
		t.Errorf("autocomplete data = %+v", ac.Data)
	}
	err = w.rest.CreateInteractionResponse(ac.ID(), ac.Token(), discord.InteractionResponse{Type: discord.InteractionResponseTypeCreateMessage, Data: discord.MessageCreate{Content: "x"}})
	if restCode(err) != 50035 {
		t.Errorf("message response to autocomplete = %v, want Invalid Form Body", err)
	}
	tooMany := make([]discord.AutocompleteChoice, 26)
	for i := range tooMany {
		tooMany[i] = discord.AutocompleteChoiceInt{Name: "n", Value: i}
	}
	err = w.rest.CreateInteractionResponse(ac.ID(), ac.Token(), discord.InteractionResponse{Type: discord.InteractionResponseTypeAutocompleteResult, Data: discord.AutocompleteResult{Choices: tooMany}})
	if restCode(err) != 50035 {
		t.Errorf("26 choices = %v, want Invalid Form Body", err)
	}
	err = w.rest.CreateInteractionResponse(ac.ID(), ac.Token(), discord.InteractionResponse{Type: discord.InteractionResponseTypeAutocompleteResult, Data: discord.AutocompleteResult{Choices: []discord.AutocompleteChoice{
		discord.AutocompleteChoiceString{Name: "", Value: strings.Repeat("v", 101)}}}})
	if restCode(err) != 50035 {
		t.Errorf("bad choice = %v, want Invalid Form Body", err)
	}
	err = w.rest.CreateInteractionResponse(ac.ID(), ac.Token(), discord.InteractionResponse{Type: discord.InteractionResponseTypeAutocompleteResult, Data: discord.AutocompleteResult{}})
	if err != nil {
		t.Errorf("empty choices = %v", err)
	}
}

func TestInteractButtonsAndWebhooks(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	w := newInteractWorld(t, discordtest.WithClock(clock))
	ctx := testCtx(t)
	np, err := w.rest.CreateMessage(w.text, discord.MessageCreate{Content: "np", Components: []discord.LayoutComponent{
		discord.NewActionRow(discord.NewPrimaryButton("Skip", "np:skip"), discord.NewLinkButton("Open", "https://example.com")),
	}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := w.srv.Interact(ctx, discordtest.Button{User: w.bob, Message: np.ID, CustomID: "np:skip"})
	if err != nil {
		t.Fatal(err)
	}
	ix := w.receive(t).(discord.ComponentInteraction)
	if ix.Data.CustomID() != "np:skip" || ix.Message.ID != np.ID || ix.Message.Content != "np" || ix.User().ID != w.bob {
		t.Errorf("component interaction = %s on %s by %s", ix.Data.CustomID(), ix.Message.ID, ix.User().ID)
	}
	// Follow-ups need an acknowledgement first.
	if _, err := w.rest.CreateFollowupMessage(w.app, ix.Token(), discord.MessageCreate{Content: "x"}); restCode(err) != rest.JSONErrorCodeUnknownWebhook {
		t.Errorf("follow-up before the callback = %v, want Unknown Webhook", err)
	}
	if err := w.rest.CreateInteractionResponse(ix.ID(), ix.Token(), discord.InteractionResponse{Type: discord.InteractionResponseTypeDeferredUpdateMessage}); err != nil {
		t.Fatal(err)
	}
	if resp, err := h.Response(ctx); err != nil || resp.Type != discord.InteractionResponseTypeDeferredUpdateMessage || resp.Message.ID != np.ID {
		t.Errorf("Response() = %+v, %v", resp, err)
	}
	// After a deferred update, @original is the message the button is on.
	content := "skipped"
	edited, err := w.rest.UpdateInteractionResponse(w.app, ix.Token(), discord.MessageUpdate{Content: &content})
	if err != nil || edited.ID != np.ID || edited.Content != "skipped" {
		t.Errorf("UpdateInteractionResponse() = %+v, %v", edited, err)
	}
	if orig, err := h.Original(ctx); err != nil || orig.Content != "skipped" {
		t.Errorf("Original() = %q, %v", orig.Content, err)
	}
	got, err := w.rest.GetInteractionResponse(w.app, ix.Token())
	if err != nil || got.ID != np.ID {
		t.Errorf("GetInteractionResponse() = %v, %v", got, err)
	}
	fu, err := w.rest.CreateFollowupMessage(w.app, ix.Token(), discord.MessageCreate{Content: "Skipped by bob", Flags: discord.MessageFlagEphemeral})
	if err != nil || !fu.Flags.Has(discord.MessageFlagEphemeral) || fu.InteractionMetadata == nil || fu.InteractionMetadata.ID != ix.ID() {
		t.Fatalf("CreateFollowupMessage() = %+v, %v", fu, err)
	}
	fuContent := "Skipped!"
	if m, err := w.rest.UpdateFollowupMessage(w.app, ix.Token(), fu.ID, discord.MessageUpdate{Content: &fuContent}); err != nil || m.Content != fuContent {
		t.Errorf("UpdateFollowupMessage() = %v, %v", m, err)
	}
	if m, err := w.rest.GetFollowupMessage(w.app, ix.Token(), fu.ID); err != nil || m.Content != fuContent {
		t.Errorf("GetFollowupMessage() = %v, %v", m, err)
	}
	if fus := h.Followups(); len(fus) != 1 || fus[0].Content != fuContent {
		t.Errorf("Followups() = %+v", fus)
	}
	if _, err := w.rest.GetFollowupMessage(w.app, ix.Token(), np.ID+12345); restCode(err) != rest.JSONErrorCodeUnknownMessage {
		t.Errorf("GetFollowupMessage(foreign) = %v, want Unknown Message", err)
	}
	if err := w.rest.DeleteFollowupMessage(w.app, ix.Token(), fu.ID); err != nil {
		t.Errorf("DeleteFollowupMessage: %v", err)
	}
	if err := w.rest.DeleteInteractionResponse(w.app, ix.Token()); err != nil {
		t.Errorf("DeleteInteractionResponse: %v", err)
	}
	if _, err := w.rest.GetInteractionResponse(w.app, ix.Token()); restCode(err) != rest.JSONErrorCodeUnknownMessage {
		t.Errorf("GetInteractionResponse after delete = %v", err)
	}
	if _, err := w.rest.GetInteractionResponse(w.app+1, ix.Token()); restCode(err) != rest.JSONErrorCodeUnknownWebhook {
		t.Errorf("webhook of another application = %v, want Unknown Webhook", err)
	}
	status, _, _ := do(t, w.srv, "GET", "/webhooks/"+w.app.String()+"/"+ix.Token()+"/messages/abc", "", nil)
	if status != 400 {
		t.Errorf("message id not a snowflake = %d, want 400", status)
	}
	if _, err := w.srv.Interact(ctx, discordtest.Button{User: w.bob, Message: np.ID, CustomID: "np:skip"}); !errors.Is(err, discordtest.ErrUnknownMessage) {
		t.Errorf("click on a deleted message = %v, want ErrUnknownMessage", err)
	}

	// Tokens live 15 minutes.
	mu.Lock()
	now = now.Add(16 * time.Minute)
	mu.Unlock()
	if _, err := w.rest.CreateFollowupMessage(w.app, ix.Token(), discord.MessageCreate{Content: "x"}); restCode(err) != rest.JSONErrorCodeInvalidWebhookToken {
		t.Errorf("follow-up after 16 minutes = %v, want Invalid Webhook Token", err)
	}
}

func TestInteractModalAndDeferredEphemeral(t *testing.T) {
	w := newInteractWorld(t)
	ctx := testCtx(t)
	h, err := w.srv.Interact(ctx, w.command("ping"))
	if err != nil {
		t.Fatal(err)
	}
	ix := w.receive(t)
	if err := w.rest.CreateInteractionResponse(ix.ID(), ix.Token(), discord.InteractionResponse{Type: discord.InteractionResponseTypeModal, Data: discord.ModalCreate{CustomID: "m", Title: "T"}}); err != nil {
		t.Fatal(err)
	}
	if resp, err := h.Response(ctx); err != nil || resp.Type != discord.InteractionResponseTypeModal || resp.Message != nil {
		t.Errorf("modal response = %+v, %v", resp, err)
	}

	h, err = w.srv.Interact(ctx, w.command("ping"))
	if err != nil {
		t.Fatal(err)
	}
	ix = w.receive(t)
	if err := w.rest.CreateInteractionResponse(ix.ID(), ix.Token(), discord.InteractionResponse{Type: discord.InteractionResponseTypeDeferredCreateMessage, Data: discord.MessageCreate{Flags: discord.MessageFlagEphemeral}}); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { _, err := h.Original(ctx); waited <- err }()
	// The first follow-up edits the loading message; its own ephemeral flag
	// cannot change the message's visibility.
	m, err := w.rest.CreateFollowupMessage(w.app, ix.Token(), discord.MessageCreate{Content: "done"})
	if err != nil || !m.Flags.Has(discord.MessageFlagEphemeral) || m.Flags.Has(discord.MessageFlagLoading) {
		t.Errorf("follow-up after an ephemeral deferral = %+v, %v", m, err)
	}
	if err := <-waited; err != nil {
		t.Errorf("Original(): %v", err)
	}
	raw, _ := json.Marshal(w.srv.Messages(w.text))
	if !strings.Contains(string(raw), `"done"`) {
		t.Errorf("Messages(text) = %s, want the ephemeral answer listed", raw)
	}
}
