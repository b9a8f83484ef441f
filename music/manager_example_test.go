package music_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/music/redisstore"
	"github.com/tunekit/tunekit/ratelimit"
	"github.com/tunekit/tunekit/secureheaders"
)

// gateway stands in for the Discord side: asked to join, it forwards the
// voice events Discord would send, as a frontend such as music/disgobot
// does.
type gateway struct {
	m   *music.Manager
	bot snowflake.ID
}

func (g *gateway) UpdateVoiceState(_ context.Context, guild snowflake.ID, channel *snowflake.ID, _, _ bool) error {
	if channel == nil {
		g.m.OnVoiceStateUpdate(music.VoiceStateUpdate{GuildID: guild, UserID: g.bot, Bot: true})
		return nil
	}
	g.m.OnVoiceStateUpdate(music.VoiceStateUpdate{GuildID: guild, UserID: g.bot, ChannelID: *channel, SessionID: "voice-session", Bot: true})
	endpoint := "voice.example.test:443"
	g.m.OnVoiceServerUpdate(music.VoiceServerUpdate{GuildID: guild, Token: "fake-voice-token", Endpoint: &endpoint})
	return nil
}

func ExampleNewManager() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	node, _ := lavalinktest.NewNode() // a fake Lavalink node on loopback
	defer node.Close()
	_, _ = node.AddTrack(lavalink.TrackInfo{Identifier: "dQw4w9WgXcQ", Title: "Never Gonna Give You Up", Author: "Rick Astley", Length: 212 * lavalink.Second})

	const bot, guild, user, channel = snowflake.ID(1001), snowflake.ID(2001), snowflake.ID(3001), snowflake.ID(4001)
	gw := &gateway{bot: bot}
	m, err := music.NewManager(music.Config{
		Nodes:  []music.NodeConfig{{Name: "main", Address: node.Addr(), Password: secureheaders.NewSecret(node.Password())}},
		UserID: bot,
		Voice:  gw,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	gw.m = m
	started := make(chan music.TrackStarted, 1)
	m.Events().Subscribe(func(e music.Event) {
		if ts, ok := e.(music.TrackStarted); ok {
			started <- ts
		}
	})
	_ = m.Start(ctx)
	defer m.Close(ctx)
	_ = m.WaitReady(ctx)

	// The frontend forwards every member's voice state.
	m.OnVoiceStateUpdate(music.VoiceStateUpdate{GuildID: guild, UserID: user, ChannelID: channel})
	actor := music.Actor{UserID: user, VoiceChannelID: channel}

	res, err := m.Play(ctx, guild, actor, "never gonna give you up", music.PlaceEnd)
	fmt.Println(res.Track.Info.Title, res.Started, err)
	ts := <-started
	fmt.Println("playing on", ts.Node)

	_, err = m.Play(ctx, guild, actor, "file:///etc/passwd", music.PlaceEnd)
	fmt.Println(music.UserMessage(err))
	// Output:
	// Never Gonna Give You Up true <nil>
	// playing on main
	// I can only play web links and searches.
}

// A bot with two Lavalink nodes, its sessions and settings in Redis and
// rate limits that fall back to memory when Redis is down.
func ExampleNewManager_multiNodeRedis() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv, err := redistest.Run() // a throw-away redis-server
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	rdb := srv.NewClient()
	defer rdb.Close()
	store, _ := redisstore.New(rdb)

	var nodes []music.NodeConfig
	for _, name := range []string{"eu-1", "eu-2"} {
		n, _ := lavalinktest.NewNode()
		defer n.Close()
		_, _ = n.AddTrack(lavalink.TrackInfo{Identifier: "4NRXx6U8ABQ", Title: "Blinding Lights", Author: "The Weeknd", Length: 200 * lavalink.Second})
		nodes = append(nodes, music.NodeConfig{Name: name, Address: n.Addr(), Password: secureheaders.NewSecret(n.Password())})
	}

	const bot, guild, user, channel = snowflake.ID(1001), snowflake.ID(2001), snowflake.ID(3001), snowflake.ID(4001)
	gw := &gateway{bot: bot}
	m, err := music.NewManager(music.Config{
		Nodes:    nodes,
		UserID:   bot,
		Voice:    gw,
		Settings: store,
		Sessions: store,
		Limiter:  ratelimit.NewFailSafe(ratelimit.NewRedis(rdb), ratelimit.NewMemory()),
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	gw.m = m
	_ = m.Start(ctx)
	_ = m.WaitReady(ctx)
	m.OnVoiceStateUpdate(music.VoiceStateUpdate{GuildID: guild, UserID: user, ChannelID: channel})
	actor := music.Actor{UserID: user, VoiceChannelID: channel}

	if _, err := m.Play(ctx, guild, actor, "ytsearch:blinding lights", music.PlaceEnd); err != nil {
		fmt.Println(err)
	}
	if err := m.SetVolume(ctx, guild, actor, 80); err != nil {
		fmt.Println(err)
	}
	np, _ := m.NowPlaying(ctx, guild, actor)
	fmt.Println(np.Track.Info.Title, "at volume", np.Volume)

	_ = m.Close(ctx) // saves the session
	snap, err := store.Load(ctx, guild)
	fmt.Println("stored:", snap.Current.Info.Title, snap.Volume, err)
	// Output:
	// Blinding Lights at volume 80
	// stored: Blinding Lights 80 <nil>
}
