package lavalinktest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

// clientLyrics is the lyrics object as Go clients of LavaLyrics declare it.
type clientLyrics struct {
	SourceName string `json:"sourceName"`
	Provider   string `json:"provider"`
	Text       string `json:"text"`
	Lines      []struct {
		Timestamp lavalink.Duration `json:"timestamp"`
		Duration  lavalink.Duration `json:"duration"`
		Line      string            `json:"line"`
		Plugin    lavalink.RawData  `json:"plugin"`
	} `json:"lines"`
	Plugin lavalink.RawData `json:"plugin"`
}

func TestDisgolinkPlugins(t *testing.T) {
	fake, _ := newNode(t, lavalinktest.WithLyricsPlugin(), lavalinktest.WithLavaSrcPlugin(), lavalinktest.WithFilters("equalizer", "timescale"))
	seed := lavalinktest.Must(fake.AddTrack(lavalink.TrackInfo{Identifier: "seed", Title: "Seed", Length: 1000, SourceName: "spotify"}))
	lavalinktest.Must(fake.AddRecommendations("mix:track:seed", spotifySong("r1", "Radio One"), spotifySong("r2", "Radio Two")))
	if err := fake.AddLyrics("seed", lavalinktest.Lyrics{SourceName: "spotify", Provider: "MusixMatch", Lines: []lavalinktest.LyricsLine{
		{Timestamp: 16770 * time.Millisecond, Line: "Took a walk to the water at night"},
		{Timestamp: 20 * time.Second, Duration: 4 * time.Second, Line: "And back"},
	}}); err != nil {
		t.Fatal(err)
	}
	d := newDL(t)
	node := d.add("main", fake, "")
	d.expect(lavalink.StatsMessage{})
	ctx := ctxT(t)

	info, err := node.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantPlugins := []lavalink.Plugin{{Name: "lavalyrics-plugin", Version: "1.1.0"}, {Name: "lavasrc-plugin", Version: "4.8.1"}}
	if !reflect.DeepEqual(info.Plugins, wantPlugins) || !reflect.DeepEqual(info.Filters, []string{"equalizer", "timescale"}) {
		t.Errorf("Info plugins %v, filters %v; want %v and equalizer, timescale", info.Plugins, info.Filters, wantPlugins)
	}

	res, err := node.LoadTracks(ctx, "sprec:mix:track:seed")
	p, ok := res.Data.(lavalink.Playlist)
	if err != nil || !ok || len(p.Tracks) != 2 || p.Tracks[0].Info.SourceName != "spotify" {
		t.Fatalf("LoadTracks(sprec:mix:track:seed) = %+v, %v", res, err)
	}
	var ext struct {
		Type        string `json:"type"`
		TotalTracks int    `json:"totalTracks"`
	}
	if err := p.PluginInfo.Unmarshal(&ext); err != nil || ext.Type != "playlist" || ext.TotalTracks != 2 {
		t.Errorf("playlist pluginInfo = %s (%v), want type playlist with 2 tracks", p.PluginInfo, err)
	}

	rq, err := http.NewRequestWithContext(ctx, http.MethodGet, "/v4/lyrics?track="+url.QueryEscape(seed.Encoded)+"&skipTrackSource=false", nil)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := node.Rest().Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Body.Close()
	var l clientLyrics
	if err := json.NewDecoder(rs.Body).Decode(&l); err != nil || rs.StatusCode != http.StatusOK {
		t.Fatalf("lyrics through disgolink: %d, %v", rs.StatusCode, err)
	}
	if l.Provider != "MusixMatch" || l.Text != "" || len(l.Lines) != 2 || l.Lines[0].Timestamp != 16770 || l.Lines[0].Duration != 0 || l.Lines[1].Duration != 4000 {
		t.Errorf("lyrics = %+v", l)
	}
}

func TestDisgolinkSeesSilence(t *testing.T) {
	fake, clock := newNode(t, lavalinktest.WithVersion("4.1.0"), lavalinktest.WithStatsInterval(time.Hour))
	tr := lavalinktest.Must(fake.AddTrack(song("a", "Song A", time.Hour)))
	d := newDL(t)
	node := d.add("main", fake, "")
	d.expect(lavalink.StatsMessage{})
	ctx := ctxT(t)
	update := lavalink.DefaultPlayerUpdate()
	update.Apply([]lavalink.PlayerUpdateOpt{lavalink.WithTrack(tr), lavalink.WithVoice(lavalink.VoiceState{Token: "t", Endpoint: "e", SessionID: "s"})})
	if _, err := node.Rest().UpdatePlayer(ctx, node.SessionID(), mustGuild(), *update); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Second)
	if err := fake.Silence(mustGuild()); err != nil {
		t.Fatal(err)
	}
	fake.SendStats()
	st := d.expect(lavalink.StatsMessage{})[0].(lavalink.StatsMessage)
	if st.PlayingPlayers != 1 || st.FrameStats == nil || st.FrameStats.Sent != 0 || st.FrameStats.Deficit != 3000 {
		t.Errorf("stats of a silent node = %+v (frameStats %+v), want deficit 3000", st, st.FrameStats)
	}
	pl, err := node.Rest().Player(ctx, node.SessionID(), mustGuild())
	if err != nil || !pl.State.Connected || pl.State.Position != 2000 {
		t.Errorf("Player = %+v, %v; want connected at 2 s", pl, err)
	}
}
