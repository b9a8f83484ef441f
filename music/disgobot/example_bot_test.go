//go:build !race

// This example drives disgo's own gateway client, which has a data race
// on Close in v0.19.6, so it is left out of -race builds.

package disgobot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/disgoorg/disgo"
	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/cache"
	"github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/disgo/handler"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/discordtest"
	"github.com/tunekit/tunekit/music/disgobot"
	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/secureheaders"
)

// A whole music bot: a disgo client, a Manager whose voice gateway is the
// client's, and the Bot between them. It runs here against a stand-in
// Discord and a fake Lavalink node on loopback; for the real thing, leave
// out the URLs and give the bot token and the Lavalink address.
func Example() {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	srv, _ := discordtest.New()
	defer srv.Close(ctx)
	guild := srv.AddGuild("Music Lovers")
	general := guild.AddTextChannel("general")
	lounge := guild.AddVoiceChannel("Lounge")
	alice := guild.AddMember("alice")
	_ = guild.JoinVoice(alice, lounge)
	node, _ := lavalinktest.NewNode()
	defer node.Close()
	uri := "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
	_, _ = node.AddTrack(lavalink.TrackInfo{Identifier: "dQw4w9WgXcQ", Title: "Never Gonna Give You Up",
		Author: "Rick Astley", Length: 212 * lavalink.Second, URI: &uri, SourceName: "youtube"})

	// The wiring: client, then Manager (with the client's voice gateway),
	// then the Bot, then the commands; start the Manager, open the gateway.
	client, err := disgo.New(srv.Token(),
		bot.WithLogger(quiet),
		bot.WithRestClientConfigOpts(rest.WithURL(srv.RestURL()), rest.WithLogger(quiet)),
		bot.WithGatewayConfigOpts(gateway.WithIntents(disgobot.Intents)),
		bot.WithCacheConfigOpts(cache.WithCaches(disgobot.CacheFlags)),
	)
	if err != nil {
		panic(err)
	}
	m, err := music.NewManager(music.Config{
		Nodes:  []music.NodeConfig{{Name: "main", Address: node.Addr(), Password: secureheaders.NewSecret(node.Password())}},
		UserID: client.ApplicationID,
		Voice:  disgobot.Voice(client),
		Logger: quiet,
	})
	if err != nil {
		panic(err)
	}
	b, err := disgobot.New(client, m, disgobot.WithLogger(quiet))
	if err != nil {
		panic(err)
	}
	if err := handler.SyncCommands(client, disgobot.Commands(), []snowflake.ID{guild.ID()}); err != nil {
		panic(err)
	}
	_ = m.Start(ctx)
	_ = client.OpenGateway(ctx)
	_ = m.WaitReady(ctx)

	// Alice, in the Lounge, runs /play in #general.
	ix, _ := srv.Interact(ctx, discordtest.Command{Guild: guild.ID(), Channel: general, User: alice, Name: "play",
		Options: []discordtest.CommandOption{discordtest.String("query", "never gonna give you up")}})
	answer, _ := ix.Original(ctx)
	fmt.Println(answer.Embeds[0].Author.Name+":", answer.Embeds[0].Title)
	np, _ := srv.WaitMessage(ctx, general, func(m discordtest.Message) bool { return len(m.Components) > 0 })
	fmt.Println(np.Embeds[0].Author.Name+":", np.Embeds[0].Title)

	// Shut down: the Bot stops taking commands, the Manager saves the
	// sessions, the client disconnects.
	_ = b.Close(ctx)
	_ = m.Close(ctx)
	client.Close(ctx)
	// Output:
	// Playing: Never Gonna Give You Up — Rick Astley
	// Now playing: Never Gonna Give You Up — Rick Astley
}
