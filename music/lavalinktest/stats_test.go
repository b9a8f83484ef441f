package lavalinktest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"

	"github.com/tunekit/tunekit/music/lavalinktest"
)

func TestLoadControlsStats(t *testing.T) {
	n, clock := newNode(t)
	n.SetLoad(lavalinktest.Load{Players: 3, PlayingPlayers: 2, Cores: 8, SystemLoad: 0.5, LavalinkLoad: 0.25,
		FrameStats: &lavalink.FrameStats{Sent: 2900, Nulled: 20, Deficit: 80}})
	c := open(t, n, headers(n))
	c.sessionID = c.expect("ready").str("sessionId")
	first := c.expect("stats")
	if first.num("players") != 3 || first.num("playingPlayers") != 2 || first.num("cpu", "cores") != 8 ||
		first.num("cpu", "systemLoad") != 0 || first.num("cpu", "lavalinkLoad") != 0 {
		t.Errorf("first stats = %v, want the extra players and 0 load (no CPU baseline yet)", first)
	}
	if first.num("frameStats", "sent") != 2900 || first.num("frameStats", "nulled") != 20 || first.num("frameStats", "deficit") != 80 {
		t.Errorf("frameStats = %v, want the override", first.get("frameStats"))
	}
	if err := n.SendStats(); err != nil {
		t.Fatal(err)
	}
	if st := c.expect("stats"); st.num("cpu", "systemLoad") != 0.5 || st.num("cpu", "lavalinkLoad") != 0.25 {
		t.Errorf("second stats cpu = %v, want the set load", st.get("cpu"))
	}
	r := call(t, n, http.MethodGet, "/v4/stats", nil)
	rest := r.json(t)
	if _, ok := rest["frameStats"]; ok || rest["op"] != nil {
		t.Errorf("GET /v4/stats = %s, want no op and no frameStats", r.body)
	}
	if rest.num("cpu", "systemLoad") != 0.5 || rest.num("players") != 3 {
		t.Errorf("GET /v4/stats = %s", r.body)
	}
	call(t, n, http.MethodPatch, playerPath(c.sessionID, guild), map[string]any{"volume": 1})
	n.SetLoad(lavalinktest.Load{})
	clock.Advance(time.Minute)
	if st := c.expect("stats"); st.num("players") != 1 || st.num("playingPlayers") != 0 || st.num("cpu", "cores") != 4 || st.get("frameStats") != nil {
		t.Errorf("stats with the load reset = %v", st)
	}
}

func TestFrameStatsComputed(t *testing.T) {
	f := newFixture(t, lavalinktest.WithCleanupThreshold(time.Hour), lavalinktest.WithStatsInterval(time.Hour))
	a := f.track("a", time.Hour)
	f.play(a.Encoded)
	f.clock.Advance(30 * time.Second)
	f.n.SendStats()
	f.c.drain(f.n)
	if st := f.c.raw[len(f.c.raw)-2]; !strings.Contains(st, `"frameStats":null`) {
		t.Errorf("stats after 30 s = %s, want frameStats null (no full minute yet)", st)
	}
	f.clock.Advance(30 * time.Second)
	f.n.SendStats()
	frames := f.c.drain(f.n)
	st := frames[len(frames)-1]
	if st.num("frameStats", "sent") != 0 || st.num("frameStats", "deficit") != 3000 {
		t.Errorf("frameStats without voice = %v, want nothing sent, deficit 3000", st.get("frameStats"))
	}
	f.ok(map[string]any{"voice": voice})
	f.clock.Advance(30 * time.Second)
	f.n.SendStats()
	frames = f.c.drain(f.n)
	st = frames[len(frames)-1]
	if st.num("frameStats", "sent") != 1500 || st.num("frameStats", "deficit") != 1500 {
		t.Errorf("frameStats half a minute after connecting = %v, want 1500 sent", st.get("frameStats"))
	}
	f.clock.Advance(time.Minute)
	f.n.SendStats()
	frames = f.c.drain(f.n)
	st = frames[len(frames)-1]
	if st.num("frameStats", "sent") != 3000 || st.num("frameStats", "nulled") != 0 || st.num("frameStats", "deficit") != 0 || st.num("playingPlayers") != 1 {
		t.Errorf("frameStats connected for a minute = %v", st)
	}
	if err := f.n.CloseVoice(mustGuild(), 4014, "", false); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(45 * time.Second)
	f.n.SendStats()
	frames = f.c.drain(f.n)
	st = frames[len(frames)-1]
	if st.num("frameStats", "sent") != 750 {
		t.Errorf("frameStats 45 s after losing voice = %v, want 750 sent", st.get("frameStats"))
	}
}
