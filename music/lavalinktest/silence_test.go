package lavalinktest_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

// stats pushes a stats op and returns it.
func (f *fixture) stats() frame {
	f.t.Helper()
	if err := f.n.SendStats(); err != nil {
		f.t.Fatal(err)
	}
	frames := f.c.drain(f.n)
	if len(frames) == 0 || frames[len(frames)-1].op() != "stats" {
		f.t.Fatalf("frames after SendStats = %v, want stats last", frames)
	}
	return frames[len(frames)-1]
}

func (f *fixture) silent() bool {
	f.t.Helper()
	p, ok := f.n.Player(mustGuild())
	if !ok {
		f.t.Fatal("no player")
	}
	return p.Silent
}

// frameStats returns sent and deficit, or -1, -1 for null.
func frameStats(st frame) (sent, deficit int) {
	if st.get("frameStats") == nil {
		return -1, -1
	}
	return int(st.num("frameStats", "sent")), int(st.num("frameStats", "deficit"))
}

func TestSilencedPlayerPlaysOnWithoutFrames(t *testing.T) {
	f := newFixture(t, lavalinktest.WithStatsInterval(time.Hour))
	f.connectVoice()
	f.play(f.track("a", time.Hour).Encoded)
	f.clock.Advance(10 * time.Second)
	f.c.expectSeq("playerUpdate", "playerUpdate")
	if sent, deficit := frameStats(f.stats()); sent != -1 || deficit != -1 {
		t.Fatalf("frameStats before a minute = %d/%d, want null", sent, deficit)
	}

	if err := f.n.Silence(mustGuild()); err != nil {
		t.Fatal(err)
	}
	if got := f.c.drain(f.n); len(got) != 0 {
		t.Errorf("Silence sent %v, want nothing (the fault is silent)", got)
	}
	st := f.stats()
	if sent, deficit := frameStats(st); sent != 0 || deficit != 3000 || st.num("frameStats", "nulled") != 0 || st.num("playingPlayers") != 1 {
		t.Errorf("stats of a silent player = %v, want 0 sent, deficit 3000 at once", st)
	}
	f.clock.Advance(5 * time.Second)
	u := f.c.expect("playerUpdate")
	if u.get("state", "connected") != true || u.num("state", "ping") != 20 || u.num("state", "position") != 15000 {
		t.Errorf("playerUpdate of a silent player = %v, want connected, position 15000", u)
	}
	if p, _ := f.n.Player(mustGuild()); !p.Silent || !p.Connected || p.Position != 15*time.Second {
		t.Errorf("Player() = %+v, want silent, connected, at 15 s", p)
	}
	if got := call(t, f.n, http.MethodGet, playerPath(f.c.sessionID, guild), nil).json(t); got.get("state", "connected") != true {
		t.Errorf("GET player = %v, want connected", got)
	}

	if err := f.n.Unsilence(mustGuild()); err != nil {
		t.Fatal(err)
	}
	if sent, _ := frameStats(f.stats()); sent != -1 {
		t.Errorf("frameStats after Unsilence at 15 s = %d sent, want null again (no full minute yet)", sent)
	}
	f.clock.Advance(time.Minute)
	f.c.drain(f.n)
	if sent, deficit := frameStats(f.stats()); sent != 3000 || deficit != 0 {
		t.Errorf("frameStats a minute later = %d/%d, want 3000/0 (no memory of the silence)", sent, deficit)
	}
	if err := f.n.Unsilence(mustGuild()); err != nil || f.silent() {
		t.Errorf("Unsilence of a player that is not silent = %v, silent %v", err, f.silent())
	}
}

func TestSilenceAveragesOverPlayers(t *testing.T) {
	f := newFixture(t, lavalinktest.WithStatsInterval(time.Hour))
	other := "300000000000000002"
	a, b := f.track("a", time.Hour), f.track("b", time.Hour)
	for _, g := range []string{guild, other} {
		call(t, f.n, http.MethodPatch, playerPath(f.c.sessionID, g), map[string]any{"voice": voice})
	}
	call(t, f.n, http.MethodPatch, playerPath(f.c.sessionID, guild), map[string]any{"track": map[string]any{"encoded": a.Encoded}})
	f.clock.Advance(time.Minute)
	call(t, f.n, http.MethodPatch, playerPath(f.c.sessionID, other), map[string]any{"track": map[string]any{"encoded": b.Encoded}})
	f.c.drain(f.n)
	if err := f.n.Silence(snowflake.MustParse(other)); err != nil {
		t.Fatal(err)
	}
	if sent, deficit := frameStats(f.stats()); sent != 1500 || deficit != 1500 {
		t.Errorf("frameStats with one healthy and one silent player = %d/%d, want 1500/1500", sent, deficit)
	}
	call(t, f.n, http.MethodPatch, playerPath(f.c.sessionID, guild), map[string]any{"paused": true})
	if sent, deficit := frameStats(f.stats()); sent != 0 || deficit != 3000 {
		t.Errorf("frameStats with only the silent player playing = %d/%d, want 0/3000", sent, deficit)
	}
	call(t, f.n, http.MethodPatch, playerPath(f.c.sessionID, other), map[string]any{"paused": true})
	if sent, _ := frameStats(f.stats()); sent != -1 {
		t.Errorf("frameStats with the silent player paused = %d sent, want null (it is not playing)", sent)
	}
	override := lavalink.FrameStats{Sent: 2900, Nulled: 20, Deficit: 80}
	f.n.SetLoad(lavalinktest.Load{FrameStats: &override})
	call(t, f.n, http.MethodPatch, playerPath(f.c.sessionID, other), map[string]any{"paused": false})
	if sent, deficit := frameStats(f.stats()); sent != override.Sent || deficit != override.Deficit {
		t.Errorf("frameStats with a Load override = %d/%d, want the override", sent, deficit)
	}
}

func TestSilenceReportDisconnected(t *testing.T) {
	f := newFixture(t, lavalinktest.WithStatsInterval(time.Hour))
	f.connectVoice()
	f.play(f.track("a", time.Hour).Encoded)
	if err := f.n.Silence(mustGuild(), lavalinktest.ReportDisconnected()); err != nil {
		t.Fatal(err)
	}
	// Well past the cleanup threshold: the track is not cleaned up,
	// because audio is still pulled; only the report says otherwise.
	f.clock.Advance(2 * time.Minute)
	for _, u := range f.c.drain(f.n) {
		if u.kind() != "playerUpdate" || u.get("state", "connected") != false || u.num("state", "ping") != -1 {
			t.Fatalf("frame while silent = %v, want playerUpdates reporting no voice connection", u)
		}
	}
	p, _ := f.n.Player(mustGuild())
	if p.Connected || !p.Silent || p.Position != 2*time.Minute || p.Track == nil {
		t.Errorf("Player() = %+v, want reported disconnected, silent, still playing at 2 min", p)
	}
	if got := call(t, f.n, http.MethodGet, playerPath(f.c.sessionID, guild), nil).json(t); got.get("state", "connected") != false || got.num("state", "ping") != -1 {
		t.Errorf("GET player state = %v, want disconnected", got.get("state"))
	}
	// The same voice state reconnects a player that reports no
	// connection, but without HealOnVoice it stays silent.
	f.ok(map[string]any{"voice": voice})
	if u := f.c.expect("playerUpdate"); u.get("state", "connected") != false {
		t.Errorf("playerUpdate after the voice update = %v, want still disconnected", u)
	}
	if !f.silent() {
		t.Error("player healed without HealOnVoice")
	}
}

func TestSilenceHealing(t *testing.T) {
	otherVoice := map[string]any{"token": "tok2", "endpoint": "us.discord.media", "sessionId": "vs2", "channelId": "200000000000000001"}
	type step struct {
		name       string
		body       map[string]any // nil: destroy the player and create it again
		wantSilent bool
	}
	tests := []struct {
		name  string
		opts  []lavalinktest.SilenceOption
		steps []step
	}{
		{"no heal", nil, []step{
			{"same voice", map[string]any{"voice": voice}, true},
			{"new voice", map[string]any{"voice": otherVoice}, true},
			{"replay", map[string]any{"track": map[string]any{"encoded": "{a}"}, "position": 5000}, true},
			{"destroyed", nil, false},
		}},
		{"heal on voice", []lavalinktest.SilenceOption{lavalinktest.HealOnVoice()}, []step{
			{"seek", map[string]any{"position": 1000}, true},
			{"replay", map[string]any{"track": map[string]any{"encoded": "{a}"}}, true},
			{"same voice", map[string]any{"voice": voice}, true},
			{"new voice", map[string]any{"voice": otherVoice}, false},
		}},
		{"heal on voice, reported disconnected", []lavalinktest.SilenceOption{lavalinktest.HealOnVoice(), lavalinktest.ReportDisconnected()}, []step{
			{"same voice", map[string]any{"voice": voice}, false},
		}},
		{"heal on play", []lavalinktest.SilenceOption{lavalinktest.HealOnPlay()}, []step{
			{"new voice", map[string]any{"voice": otherVoice}, true},
			{"seek", map[string]any{"position": 1000}, true},
			{"no replace", map[string]any{"track": map[string]any{"encoded": "{a}"}}, true},
			{"replay at position", map[string]any{"track": map[string]any{"encoded": "{a}"}, "position": 5000}, false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			a := f.track("a", time.Hour)
			f.connectVoice()
			f.play(a.Encoded)
			if err := f.n.Silence(mustGuild(), tt.opts...); err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.steps {
				if s.body == nil {
					if r := call(t, f.n, http.MethodDelete, playerPath(f.c.sessionID, guild), nil); r.status != http.StatusNoContent {
						t.Fatalf("DELETE player = %d", r.status)
					}
					f.ok(map[string]any{"voice": voice})
				} else {
					body := map[string]any{}
					for k, v := range s.body {
						body[k] = v
					}
					if tr, ok := body["track"].(map[string]any); ok && tr["encoded"] == "{a}" {
						body["track"] = map[string]any{"encoded": a.Encoded}
					}
					if s.name == "no replace" {
						f.ok(body, "noReplace=true")
					} else {
						f.ok(body)
					}
				}
				if got := f.silent(); got != s.wantSilent {
					t.Fatalf("after %s: Silent = %v, want %v", s.name, got, s.wantSilent)
				}
			}
		})
	}
}

func TestSilenceOptionsAndLaterTracks(t *testing.T) {
	f := newFixture(t)
	f.connectVoice()
	// A player without a track can be silenced; the track it starts
	// later is silent too, and silencing again replaces the options.
	if err := f.n.Silence(mustGuild(), lavalinktest.ReportDisconnected()); err != nil {
		t.Fatal(err)
	}
	if err := f.n.Silence(mustGuild()); err != nil {
		t.Fatal(err)
	}
	f.ok(map[string]any{"track": map[string]any{"encoded": f.track("a", time.Hour).Encoded}})
	frames := f.c.expectSeq("TrackStartEvent", "playerUpdate", "playerUpdate")
	if frames[1].get("state", "connected") != true || !f.silent() {
		t.Errorf("playerUpdate = %v, silent %v; want connected (options replaced) and silent", frames[1], f.silent())
	}
}

func TestSilenceErrors(t *testing.T) {
	n, _ := newNode(t)
	for name, fault := range map[string]func(snowflake.ID) error{
		"Silence":   func(g snowflake.ID) error { return n.Silence(g) },
		"Unsilence": n.Unsilence,
	} {
		if err := fault(mustGuild()); !errors.Is(err, lavalinktest.ErrNoPlayer) {
			t.Errorf("%s(no player) = %v, want ErrNoPlayer", name, err)
		}
	}
	n.Close()
	if err := n.Silence(mustGuild()); !errors.Is(err, lavalinktest.ErrClosed) {
		t.Errorf("Silence on a closed node = %v, want ErrClosed", err)
	}
}
