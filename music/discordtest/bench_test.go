package discordtest_test

import (
	"testing"

	"github.com/disgoorg/disgo/discord"

	"github.com/tunekit/tunekit/music/discordtest"
)

// BenchmarkCreateMessage is a channel message round trip through disgo's
// REST client: request, validation, storage, response.
func BenchmarkCreateMessage(b *testing.B) {
	srv := discordtest.Start(b)
	ch := srv.AddGuild("g").AddTextChannel("c")
	r := restClient(b, srv)
	msg := discord.MessageCreate{
		Content:    "Now playing",
		Embeds:     []discord.Embed{{Title: "Song", Description: "Artist", Fields: []discord.EmbedField{{Name: "Duration", Value: "3:32"}}}},
		Components: []discord.LayoutComponent{discord.NewActionRow(discord.NewPrimaryButton("Pause", "np:pause"), discord.NewPrimaryButton("Skip", "np:skip"))},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.CreateMessage(ch, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInteract is a slash command round trip: Interact, the
// INTERACTION_CREATE read by a gateway client, the callback over REST and
// Interaction.Response.
func BenchmarkInteract(b *testing.B) {
	w := &interactWorld{}
	srv := discordtest.Start(b)
	g := srv.AddGuild("g")
	text := g.AddTextChannel("c")
	alice := g.AddMember("alice")
	r := restClient(b, srv)
	if _, err := r.SetGlobalCommands(srv.ApplicationID(), testCommands[:1]); err != nil {
		b.Fatal(err)
	}
	conn := dialRaw(b, srv, "").greet()
	conn.identify(srv, testIntents&^0x200, [2]int{0, 1}) // no GUILD_MESSAGES: only interactions arrive
	conn.dispatch("GUILD_CREATE")
	w.conn, w.rest = conn, r
	ctx := b.Context()
	cmd := discordtest.Command{Guild: g.ID(), Channel: text, User: alice, Name: "ping"}
	resp := discord.InteractionResponse{Type: discord.InteractionResponseTypeCreateMessage, Data: discord.MessageCreate{Content: "pong"}}
	b.ReportAllocs()
	for b.Loop() {
		h, err := srv.Interact(ctx, cmd)
		if err != nil {
			b.Fatal(err)
		}
		ix := w.receive(b)
		if err := r.CreateInteractionResponse(ix.ID(), ix.Token(), resp); err != nil {
			b.Fatal(err)
		}
		if _, err := h.Response(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
