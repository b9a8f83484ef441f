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

func TestFailTrack(t *testing.T) {
	cause := "java.io.IOException: connection reset"
	tests := []struct {
		name      string
		version   string
		voice     bool
		reason    string
		traceWant bool
	}{
		{"before any audio", "4.2.2", false, "loadFailed", true},
		{"mid-playback", "4.2.2", true, "finished", true},
		{"4.0 has no causeStackTrace", "4.0.8", true, "finished", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, lavalinktest.WithVersion(tt.version))
			a := f.track("a", time.Minute)
			if tt.voice {
				f.connectVoice()
			}
			f.play(a.Encoded)
			f.clock.Advance(2 * time.Second)
			err := f.n.FailTrack(mustGuild(), lavalink.Exception{Message: "Something broke", Severity: lavalink.SeveritySuspicious, Cause: &cause})
			if err != nil {
				t.Fatalf("FailTrack: %v", err)
			}
			frames := f.c.expectSeq("TrackExceptionEvent", "TrackEndEvent")
			ex := frames[0].get("exception").(map[string]any)
			if ex["message"] != "Something broke" || ex["severity"] != "suspicious" || ex["cause"] != cause {
				t.Errorf("exception = %v", ex)
			}
			if _, ok := ex["causeStackTrace"]; ok != tt.traceWant {
				t.Errorf("causeStackTrace present = %v, want %v", ok, tt.traceWant)
			}
			if got := frames[1].str("reason"); got != tt.reason {
				t.Errorf("TrackEnd reason = %q, want %q", got, tt.reason)
			}
			if !lavalink.TrackEndReason(tt.reason).MayStartNext() {
				t.Errorf("%s does not allow the next track", tt.reason)
			}
			f.clock.Advance(10 * time.Second)
			f.c.expectNothing(f.n)
		})
	}
	n, _ := newNode(t)
	if err := n.FailTrack(1, lavalink.Exception{}); !errors.Is(err, lavalinktest.ErrNoPlayer) {
		t.Errorf("FailTrack(no player) = %v, want ErrNoPlayer", err)
	}
}

func TestFailTrackDefaults(t *testing.T) {
	f := newFixture(t)
	f.play(f.track("a", time.Minute).Encoded)
	if err := f.n.FailTrack(mustGuild(), lavalink.Exception{Message: "x"}); err != nil {
		t.Fatal(err)
	}
	ex := f.c.expect("TrackExceptionEvent").get("exception").(map[string]any)
	if ex["severity"] != "fault" || ex["cause"] == "" {
		t.Errorf("exception = %v, want severity fault and a cause", ex)
	}
	f.c.expect("TrackEndEvent")
}

func TestStickTrack(t *testing.T) {
	f := newFixture(t)
	f.connectVoice()
	f.play(f.track("a", 10*time.Second).Encoded)
	if err := f.n.StickTrack(mustGuild(), 10*time.Second); err != nil {
		t.Fatal(err)
	}
	frames := f.c.expectSeq("TrackStuckEvent", "playerUpdate")
	if frames[0].num("thresholdMs") != 10000 || frames[0].str("track", "info", "identifier") != "a" {
		t.Errorf("TrackStuckEvent = %v", frames[0])
	}
	f.clock.Advance(10 * time.Second)
	if end := f.c.expectSeq("playerUpdate", "TrackEndEvent")[1]; end.str("reason") != "finished" {
		t.Errorf("a stuck track ended with %v, want it to play on and finish", end)
	}
	if err := f.n.StickTrack(mustGuild(), time.Second); !errors.Is(err, lavalinktest.ErrNoPlayer) {
		t.Errorf("StickTrack(no track) = %v, want ErrNoPlayer", err)
	}
}

func TestCloseVoice(t *testing.T) {
	f := newFixture(t)
	f.connectVoice()
	f.play(f.track("a", 5*time.Minute).Encoded)
	f.clock.Advance(3 * time.Second)
	if err := f.n.CloseVoice(mustGuild(), 4006, "Session is no longer valid.", true); err != nil {
		t.Fatal(err)
	}
	frames := f.c.expectSeq("WebSocketClosedEvent", "playerUpdate")
	ev := frames[0]
	if ev.num("code") != 4006 || ev.str("reason") != "Session is no longer valid." || ev.get("byRemote") != true || ev.str("guildId") != guild {
		t.Errorf("WebSocketClosedEvent = %v", ev)
	}
	if st := frames[1].get("state").(map[string]any); st["connected"] != false || st["ping"] != -1.0 || st["position"] != 3000.0 {
		t.Errorf("playerUpdate after close = %v", st)
	}
	f.clock.Advance(59 * time.Second)
	if got := f.position(); got != 3*time.Second {
		t.Errorf("position without voice = %v, want it held at 3s", got)
	}
	f.clock.Advance(time.Second)
	var end frame
	for _, fr := range f.c.drain(f.n) {
		if fr.kind() == "TrackEndEvent" {
			end = fr
		}
	}
	if end == nil || end.str("reason") != "cleanup" {
		t.Errorf("track after losing voice for a minute: end = %v, want cleanup", end)
	}
	if err := f.n.CloseVoice(snowflake.ID(1), 4014, "", false); !errors.Is(err, lavalinktest.ErrNoPlayer) {
		t.Errorf("CloseVoice(no player) = %v, want ErrNoPlayer", err)
	}
}

func TestVoiceReconnectStopsCleanup(t *testing.T) {
	f := newFixture(t)
	f.connectVoice()
	f.play(f.track("a", 5*time.Minute).Encoded)
	if err := f.n.CloseVoice(mustGuild(), 4014, "Disconnected.", false); err != nil {
		t.Fatal(err)
	}
	f.c.expectSeq("WebSocketClosedEvent", "playerUpdate")
	f.clock.Advance(30 * time.Second)
	f.c.drain(f.n)
	f.ok(map[string]any{"voice": voice})
	if u := f.c.expect("playerUpdate"); u.get("state", "connected") != true {
		t.Errorf("reconnect playerUpdate = %v", u)
	}
	f.clock.Advance(time.Minute)
	for _, fr := range f.c.drain(f.n) {
		if fr.op() == "event" {
			t.Errorf("reconnected player got %v", fr)
		}
	}
	if got := f.position(); got != time.Minute {
		t.Errorf("position = %v, want 1m (30 s lost without voice)", got)
	}
	r := call(t, f.n, http.MethodGet, playerPath(f.c.sessionID, guild), nil).json(t)
	if r.get("state", "connected") != true {
		t.Errorf("player = %v", r)
	}
}
