package music_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/secureheaders"
)

// exampleManager starts a Manager on the fake nodes and has a listener in
// a voice channel: what the examples below share.
func exampleManager(ctx context.Context, nodes map[string]*lavalinktest.Node, order ...string) (*music.Manager, music.Actor, error) {
	const bot, user, channel = snowflake.ID(1001), snowflake.ID(3001), snowflake.ID(4001)
	var cfg []music.NodeConfig
	for _, name := range order {
		n := nodes[name]
		cfg = append(cfg, music.NodeConfig{Name: name, Address: n.Addr(), Password: secureheaders.NewSecret(n.Password())})
	}
	gw := &gateway{bot: bot}
	m, err := music.NewManager(music.Config{Nodes: cfg, UserID: bot, Voice: gw, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, music.Actor{}, err
	}
	gw.m = m
	if err := m.Start(ctx); err != nil {
		return nil, music.Actor{}, err
	}
	if err := m.WaitReady(ctx); err != nil {
		return nil, music.Actor{}, err
	}
	return m, music.Actor{UserID: user, VoiceChannelID: channel}, nil
}

func ExampleManager_SetFilterPreset() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The node offers the equalizer and timescale filters only.
	node, _ := lavalinktest.NewNode(lavalinktest.WithFilters("volume", "equalizer", "timescale"))
	defer node.Close()
	_, _ = node.AddTrack(lavalink.TrackInfo{Identifier: "a", Title: "Song", Author: "Band", Length: 200 * lavalink.Second})
	m, actor, err := exampleManager(ctx, map[string]*lavalinktest.Node{"main": node}, "main")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close(ctx)
	const guild = snowflake.ID(2001)
	m.OnVoiceStateUpdate(music.VoiceStateUpdate{GuildID: guild, UserID: actor.UserID, ChannelID: actor.VoiceChannelID})
	if _, err := m.Play(ctx, guild, actor, "ytsearch:song", music.PlaceEnd); err != nil {
		fmt.Println(err)
		return
	}

	var names []string
	for _, p := range m.FilterPresets(guild) { // what /filter offers here
		names = append(names, p.Name)
	}
	fmt.Println(strings.Join(names, " "))
	p, err := m.SetFilterPreset(ctx, guild, actor, "nightcore")
	fmt.Println(p.Description, err)
	np, _ := m.NowPlaying(ctx, guild, actor)
	fmt.Println("now:", np.Filters.Preset())
	_, err = m.SetFilterPreset(ctx, guild, actor, "8d") // needs rotation
	fmt.Println(music.UserMessage(err))
	// Output:
	// bassboost-low bassboost-medium bassboost-high nightcore vaporwave treble-bass
	// Faster and higher. <nil>
	// now: nightcore
	// That effect isn't available right now.
}

func ExampleManager_Lyrics() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	node, _ := lavalinktest.NewNode(lavalinktest.WithLyricsPlugin())
	defer node.Close()
	_, _ = node.AddTrack(lavalink.TrackInfo{Identifier: "a", Title: "Song", Author: "Band", Length: 200 * lavalink.Second})
	_ = node.AddLyrics("a", lavalinktest.Lyrics{SourceName: "deezer", Provider: "LyricFind", Lines: []lavalinktest.LyricsLine{
		{Timestamp: 0, Line: "la la la"},
		{Timestamp: 4 * time.Second, Line: "and on it goes"},
	}})
	m, actor, err := exampleManager(ctx, map[string]*lavalinktest.Node{"main": node}, "main")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close(ctx)
	const guild = snowflake.ID(2001)
	m.OnVoiceStateUpdate(music.VoiceStateUpdate{GuildID: guild, UserID: actor.UserID, ChannelID: actor.VoiceChannelID})
	if _, err := m.Play(ctx, guild, actor, "ytsearch:song", music.PlaceEnd); err != nil {
		fmt.Println(err)
		return
	}

	l, err := m.Lyrics(ctx, guild, actor)
	if err != nil {
		fmt.Println(music.UserMessage(err))
		return
	}
	fmt.Println(l.Source, l.Provider, l.Synced())
	// A now-playing message shows the line at the position.
	fmt.Println(l.Lines[l.LineAt(5*time.Second)].Text)
	// Output:
	// deezer LyricFind true
	// and on it goes
}

func ExampleLyrics_LineAt() {
	l := music.Lyrics{Lines: []music.LyricsLine{
		{At: 0, Text: "first"},
		{At: 3 * time.Second, Text: "second"},
		{At: 7 * time.Second, Text: "third"},
	}}
	for _, pos := range []time.Duration{2 * time.Second, 3 * time.Second, time.Minute} {
		fmt.Println(pos, l.Lines[l.LineAt(pos)].Text)
	}
	// Output:
	// 2s first
	// 3s second
	// 1m0s third
}

// A rolling upgrade: empty one node, upgrade it, take it back.
func ExampleManager_DrainNode() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	nodes := map[string]*lavalinktest.Node{}
	for _, name := range []string{"eu-1", "eu-2"} {
		n, _ := lavalinktest.NewNode()
		defer n.Close()
		_, _ = n.AddTrack(lavalink.TrackInfo{Identifier: "a", Title: "Song", Author: "Band", Length: 200 * lavalink.Second})
		nodes[name] = n
	}
	m, actor, err := exampleManager(ctx, nodes, "eu-1", "eu-2")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close(ctx)
	for guild := snowflake.ID(2001); guild <= 2004; guild++ {
		m.OnVoiceStateUpdate(music.VoiceStateUpdate{GuildID: guild, UserID: actor.UserID, ChannelID: actor.VoiceChannelID})
		if _, err := m.Play(ctx, guild, actor, "ytsearch:song", music.PlaceEnd); err != nil {
			fmt.Println(err)
			return
		}
	}

	if err := m.DrainNode(ctx, "eu-1"); err != nil { // returns once eu-1 is empty
		fmt.Println(err)
		return
	}
	for _, n := range m.Nodes() {
		fmt.Printf("%s: %d players, draining %v\n", n.Name, n.Players, n.Draining)
	}
	_ = m.UndrainNode("eu-1") // upgraded: take new players again
	// Output:
	// eu-1: 0 players, draining true
	// eu-2: 4 players, draining false
}
