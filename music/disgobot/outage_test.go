package disgobot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/discordtest"
	"github.com/tunekit/tunekit/music/disgobot"
)

// notices lists the outage notices in #general.
func (w *world) notices() []discordtest.Message {
	var out []discordtest.Message
	for _, m := range w.srv.Messages(w.text) {
		if a := m.EmbedAuthor(); a == "Audio trouble" || a == "Audio back to normal" {
			out = append(out, m)
		}
	}
	return out
}

// TestOutageAllNodesDown: with the only node gone, every command that
// needs it answers its user "unavailable", and the guild gets one
// notice, not one per command or progress update, for as long as the
// outage lasts.
func TestOutageAllNodesDown(t *testing.T) {
	w := newWorld(t, worldConfig{})
	w.play(w.alice, "Song 1")
	w.nowPlaying("Song 1")
	w.settle()
	w.node.Kill()

	const unavailable = "The audio service is unavailable right now. Please try again in a moment."
	for _, name := range []string{"pause", "pause", "volume", "pause"} {
		var opts []discordtest.CommandOption
		if name == "volume" {
			opts = append(opts, discordtest.Integer("level", 70))
		}
		got := w.original(w.command(w.alice, name, opts...))
		if !got.Ephemeral() || got.EmbedText() != unavailable {
			t.Errorf("/%s while down = %s, want an ephemeral %q", name, discordtest.Describe([]discordtest.Message{got}), unavailable)
		}
	}
	if got := w.followup(w.command(w.alice, "play", discordtest.String("query", "Song 2")), 0); got.EmbedText() != unavailable {
		t.Errorf("/play while down = %s", discordtest.Describe([]discordtest.Message{got}))
	}
	// Progress updates see the node down too; the calm never comes.
	for range 3 {
		w.clock.Advance(disgobot.DefaultProgressInterval)
		w.settle()
	}
	w.clock.Advance(disgobot.DefaultOutageCalm)
	w.settle()

	notices := w.notices()
	if len(notices) != 1 {
		t.Fatalf("%d outage notices, want 1: %s", len(notices), discordtest.Describe(notices))
	}
	if n := notices[0]; n.Ephemeral() || n.EmbedText() != "⚠️ The audio service is unavailable right now. The music picks up again when it is back." || n.Edits != 0 {
		t.Errorf("notice = %s (edits %d), want the unavailable notice, unedited while down", discordtest.Describe(notices), n.Edits)
	}
}

// TestOutageNoticeOnce: a storm of player moves and healing steps gives
// the guild one notice; the outage is over only after a calm with no
// trouble, when the notice says so, and the next trouble gets a new
// notice.
func TestOutageNoticeOnce(t *testing.T) {
	w := newWorld(t, worldConfig{})
	w.play(w.alice, "Song 1")
	w.nowPlaying("Song 1")
	w.settle()
	guild := w.guild.ID()
	storm := func(n int) {
		for range n {
			must(t, w.bus.Publish(w.ctx, music.PlayerMoved{GuildID: guild, From: "main", To: "main", At: w.clock.Now()}))
			must(t, w.bus.Publish(w.ctx, music.HealAttempted{GuildID: guild, Node: "main", Step: music.HealVoice, Outcome: music.HealFailed, At: w.clock.Now()}))
		}
		w.settle()
	}
	storm(25)
	notices := w.notices()
	if len(notices) != 1 || notices[0].EmbedText() != "⚠️ The audio server had a problem, so playback moved to another one." {
		t.Fatalf("after 50 events: notices %s, want one about the move", discordtest.Describe(notices))
	}

	// Trouble within the calm restarts it.
	w.clock.Advance(disgobot.DefaultOutageCalm - time.Second)
	w.settle()
	storm(1)
	w.clock.Advance(disgobot.DefaultOutageCalm - time.Second)
	w.settle()
	if got := w.notices(); len(got) != 1 || got[0].Edits != 0 {
		t.Fatalf("before the calm: notices %s, want the one, unedited", discordtest.Describe(got))
	}
	w.clock.Advance(time.Second)
	w.settle()
	got := w.notices()
	if len(got) != 1 || got[0].EmbedAuthor() != "Audio back to normal" || got[0].EmbedText() != "✅ The audio service is working normally again." {
		t.Fatalf("after the calm: notices %s, want the notice saying all is well", discordtest.Describe(got))
	}

	// A new outage gets a new notice.
	must(t, w.bus.Publish(w.ctx, music.HealAttempted{GuildID: guild, Node: "main", Step: music.HealReplay, Outcome: music.HealHealed, At: w.clock.Now()}))
	w.settle()
	got = w.notices()
	if len(got) != 2 || !strings.Contains(got[1].EmbedText(), "The audio dropped out") {
		t.Errorf("second outage: notices %s, want a second one about the audio dropping", discordtest.Describe(got))
	}
}

// TestOutageNoticesOff: WithOutageNotices(-1) posts none.
func TestOutageNoticesOff(t *testing.T) {
	w := newWorld(t, worldConfig{botOpts: []disgobot.Option{disgobot.WithOutageNotices(-1)}})
	w.play(w.alice, "Song 1")
	w.nowPlaying("Song 1")
	must(t, w.bus.Publish(w.ctx, music.PlayerMoved{GuildID: w.guild.ID(), From: "main", To: "main"}))
	w.settle()
	if got := w.notices(); len(got) != 0 {
		t.Errorf("notices %s, want none", discordtest.Describe(got))
	}
}
