package node_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/internal/node"
	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/secureheaders"
)

const botID = snowflake.ID(170000000000000001)

// A node client against a fake Lavalink node: connect, search, play.
func Example() {
	ctx := context.Background()
	fake, err := lavalinktest.NewNode()
	if err != nil {
		panic(err)
	}
	defer fake.Close()
	_, _ = fake.AddTrack(lavalink.TrackInfo{Identifier: "dQw4w9WgXcQ", Title: "Never Gonna Give You Up", Author: "Rick Astley", Length: 212000})

	events := make(chan lavalink.Event, 16)
	n, err := node.New(node.Config{
		Name:     "main",
		Address:  fake.Addr(),
		Password: secureheaders.NewSecret(fake.Password()),
		UserID:   botID,
		Logger:   slog.New(slog.DiscardHandler),
	}, node.HandlerFuncs{
		Ready: func(n *node.Node, sessionID string, resumed bool) {
			info, _ := n.Info()
			fmt.Println("ready, resumed:", resumed, "version:", info.Version.Semver)
		},
		Event: func(_ *node.Node, e lavalink.Event) { events <- e },
	})
	if err != nil {
		panic(err)
	}
	defer n.Close(ctx)
	if err := n.Start(ctx); err != nil {
		panic(err)
	}
	if err := n.WaitReady(ctx); err != nil {
		panic(err)
	}

	res, err := n.LoadTracks(ctx, "ytsearch:never gonna")
	if err != nil {
		panic(err)
	}
	track := res.Data.(lavalink.Search)[0]
	fmt.Println(res.LoadType, track.Info.Title)

	guild := snowflake.ID(270000000000000002)
	voice := node.Voice{Token: "token", Endpoint: "eu.discord.media:443", SessionID: "voice-session", ChannelID: 370000000000000003}
	_, err = n.UpdatePlayer(ctx, guild, node.PlayerUpdate{Voice: &voice, Track: &node.TrackUpdate{Encoded: track.Encoded}}, false)
	if err != nil {
		panic(err)
	}
	start := (<-events).(lavalink.TrackStartEvent)
	fmt.Println(start.Type(), start.Track.Info.Title)

	// A partial voice state is refused before anything is sent.
	_, err = n.UpdatePlayer(ctx, guild, node.PlayerUpdate{Voice: &node.Voice{Token: "t", Endpoint: "e", SessionID: "s"}}, false)
	fmt.Println(errors.Is(err, node.ErrPartialVoice), err)

	// Output:
	// ready, resumed: false version: 4.2.2
	// search Never Gonna Give You Up
	// TrackStartEvent Never Gonna Give You Up
	// true node: invalid player update: voice: missing channelId
}

// Choosing the least-loaded of several nodes.
func ExampleBest() {
	ctx := context.Background()
	var nodes []*node.Node
	for i, playing := range []int{40, 3, 12} {
		fake, err := lavalinktest.NewNode()
		if err != nil {
			panic(err)
		}
		defer fake.Close()
		fake.SetLoad(lavalinktest.Load{PlayingPlayers: playing})
		stats := make(chan struct{}, 4)
		n, err := node.New(node.Config{
			Name:     fmt.Sprintf("node-%d", i),
			Address:  fake.Addr(),
			Password: secureheaders.NewSecret(fake.Password()),
			UserID:   botID,
			Logger:   slog.New(slog.DiscardHandler),
		}, node.HandlerFuncs{Stats: func(*node.Node, lavalink.Stats) { stats <- struct{}{} }})
		if err != nil {
			panic(err)
		}
		defer n.Close(ctx)
		if err := n.Start(ctx); err != nil {
			panic(err)
		}
		<-stats // Lavalink sends stats right after ready
		nodes = append(nodes, n)
	}
	best, ok := node.Best(nodes)
	fmt.Println(best.Name(), ok)
	// Output: node-1 true
}

// The JSON a player update sends.
func ExamplePlayerUpdate() {
	volume := 80
	u := node.PlayerUpdate{
		Track:  &node.TrackUpdate{Encoded: "QAAAjQIAJVJpY2s=", UserData: json.RawMessage(`{"requester":"42"}`)},
		Volume: &volume,
		Voice:  &node.Voice{Token: "token", Endpoint: "eu.discord.media:443", SessionID: "voice-session", ChannelID: 370000000000000003},
	}
	b, err := json.Marshal(u)
	fmt.Println(string(b), err)

	stop, _ := json.Marshal(node.PlayerUpdate{Stop: true})
	fmt.Println(string(stop))
	// Output:
	// {"track":{"encoded":"QAAAjQIAJVJpY2s=","userData":{"requester":"42"}},"volume":80,"voice":{"token":"token","endpoint":"eu.discord.media:443","sessionId":"voice-session","channelId":"370000000000000003"}} <nil>
	// {"track":{"encoded":null}}
}
