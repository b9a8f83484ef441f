package discordtest_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/disgoorg/disgo"
	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/disgo/rest"

	"github.com/tunekit/tunekit/music/discordtest"
)

// A disgo client is pointed at the server by its REST URL alone; with
// bot.WithDefaultGateway (or sharding) it also finds the gateway, since
// GET /gateway answers with the server's websocket URL.
func Example() {
	srv, err := discordtest.New()
	if err != nil {
		panic(err)
	}
	defer srv.Close(context.Background())
	g := srv.AddGuild("Music Lovers")
	general := g.AddTextChannel("general")

	client, err := disgo.New(srv.Token(),
		bot.WithLogger(slog.New(slog.DiscardHandler)),
		bot.WithRestClientConfigOpts(rest.WithURL(srv.RestURL())),
	)
	if err != nil {
		panic(err)
	}
	defer client.Close(context.Background())

	if _, err := client.Rest.CreateMessage(general, discord.MessageCreate{
		Embeds: []discord.Embed{{Title: "Now playing", Description: "Never Gonna Give You Up"}},
	}); err != nil {
		panic(err)
	}
	for _, m := range srv.Messages(general) {
		fmt.Printf("%s: %s — %s\n", m.Author.Username, m.Embeds[0].Title, m.Embeds[0].Description)
	}
	// Output: discordtest-bot: Now playing — Never Gonna Give You Up
}

// RateLimit answers the next matching requests with 429; disgo waits
// Retry-After (0 here) and tries again.
func ExampleServer_RateLimit() {
	srv, err := discordtest.New()
	if err != nil {
		panic(err)
	}
	defer srv.Close(context.Background())
	general := srv.AddGuild("g").AddTextChannel("general")
	r := rest.New(rest.NewClient(srv.Token(), rest.WithURL(srv.RestURL()), rest.WithLogger(slog.New(slog.DiscardHandler)),
		rest.WithRateLimiterConfigOpts(rest.WithRateLimiterLogger(slog.New(slog.DiscardHandler)))))
	defer r.Close(context.Background())

	srv.RateLimit(discordtest.RateLimit{Method: http.MethodPost, Route: rest.CreateMessage.Route})
	if _, err := r.CreateMessage(general, discord.MessageCreate{Content: "queued"}); err != nil {
		panic(err)
	}
	for _, req := range srv.Requests() {
		fmt.Println(req.Method, req.Route, req.Status)
	}
	// Output:
	// POST /channels/{channel.id}/messages 429
	// POST /channels/{channel.id}/messages 200
}

// Commands shows what the bot registered, decoded by disgo.
func ExampleServer_Commands() {
	srv, err := discordtest.New()
	if err != nil {
		panic(err)
	}
	defer srv.Close(context.Background())
	r := rest.New(rest.NewClient(srv.Token(), rest.WithURL(srv.RestURL()), rest.WithLogger(slog.New(slog.DiscardHandler))))
	defer r.Close(context.Background())

	_, err = r.SetGlobalCommands(srv.ApplicationID(), []discord.ApplicationCommandCreate{
		discord.SlashCommandCreate{Name: "play", Description: "Plays a track", Options: []discord.ApplicationCommandOption{
			discord.ApplicationCommandOptionString{Name: "query", Description: "What to play", Required: true},
		}},
		discord.SlashCommandCreate{Name: "Skip", Description: "Skips"}, // upper case: rejected
	})
	fmt.Println(err)
	if _, err := r.SetGlobalCommands(srv.ApplicationID(), []discord.ApplicationCommandCreate{
		discord.SlashCommandCreate{Name: "play", Description: "Plays a track"},
	}); err != nil {
		panic(err)
	}
	for _, c := range srv.Commands(0) {
		fmt.Println("/" + c.Name())
	}
	// Output:
	// 50035: Invalid Form Body
	// 1 -> name -> APPLICATION_COMMAND_INVALID_NAME: Command name is invalid
	// /play
}

// Token makes a well-formed token for any application ID, which disgo
// decodes as it would a real one; only the server that issued it accepts it.
func ExampleToken() {
	token := discordtest.Token(1300000000000000001)
	id, err := discordtest.ApplicationIDFromToken(token)
	fmt.Println(token, id, err)
	// Output: MTMwMDAwMDAwMDAwMDAwMDAwMQ.ZGlzY29yZHRlc3Q.fake-token-for-tests-only 1300000000000000001 <nil>
}

// A disgo client with a gateway is shut down by CloseClient, on a server
// that holds READY until the first heartbeat: the recipe that keeps
// disgo's gateway race-free and leak-free in tests.
func ExampleCloseClient() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv, err := discordtest.New(discordtest.WithReadyAfterHeartbeat(), discordtest.WithHeartbeatInterval(250*time.Millisecond))
	if err != nil {
		panic(err)
	}
	defer srv.Close(ctx)
	srv.AddGuild("Music Lovers")

	client, err := disgo.New(srv.Token(),
		bot.WithLogger(slog.New(slog.DiscardHandler)),
		bot.WithRestClientConfigOpts(rest.WithURL(srv.RestURL())),
		bot.WithGatewayConfigOpts(gateway.WithIntents(gateway.IntentGuilds)),
	)
	if err != nil {
		panic(err)
	}
	if err := client.OpenGateway(ctx); err != nil {
		panic(err)
	}
	// The test proper goes here; it has one heartbeat interval.

	if err := discordtest.CloseClient(ctx, srv, client); err != nil {
		panic(err)
	}
	s := srv.Sessions()[0]
	fmt.Printf("connected %t, resumable %t, heartbeats %d (disgo's first and CloseClient's)\n", s.Connected, s.Resumable, s.ConnHeartbeats)
	// Output: connected false, resumable false, heartbeats 2 (disgo's first and CloseClient's)
}
