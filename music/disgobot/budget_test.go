package disgobot_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tunekit/tunekit/music/discordtest"
	"github.com/tunekit/tunekit/music/disgobot"
	"github.com/tunekit/tunekit/ratelimit"
)

// footer is the footer text of a message's embed.
func footer(m discordtest.Message) string {
	if len(m.Embeds) == 0 || m.Embeds[0].Footer == nil {
		return ""
	}
	return m.Embeds[0].Footer.Text
}

// TestEditBudget: changes to the now-playing message faster than the
// channel's budget are coalesced: a burst of twenty /volume commands at
// one instant makes at most two edits, the latest state shows with the
// next token, and over twenty seconds of a change every half second no
// five-second window holds more than four edits.
func TestEditBudget(t *testing.T) {
	policy := ratelimit.DefaultPolicy()
	policy.Commands["volume"] = ratelimit.Limit{Rate: 1000, Period: time.Second}
	w := newWorld(t, worldConfig{policy: policy})
	w.play(w.alice, "Song 1")
	np := w.nowPlaying("Song 1")
	w.settle()
	volume := func(level int) {
		t.Helper()
		if got := w.original(w.command(w.alice, "volume", discordtest.Integer("level", level))); got.Ephemeral() {
			t.Fatalf("/volume %d refused: %q", level, got.EmbedText())
		}
	}
	shows := func(level int) bool {
		m, _ := w.srv.Message(np.ID)
		return strings.Contains(footer(m), "Volume: "+strconv.Itoa(level)+"%")
	}

	base := w.edits()
	for level := 1; level <= 20; level++ {
		volume(level)
	}
	w.settle()
	if n := w.edits() - base; n < 1 || n > disgobot.DefaultEditBurst {
		t.Errorf("20 changes at one instant made %d edits, want 1 to %d", n, disgobot.DefaultEditBurst)
	}
	w.clock.Advance(disgobot.DefaultEditInterval)
	w.settle()
	if n := w.edits() - base; !shows(20) || n > disgobot.DefaultEditBurst+1 {
		t.Errorf("after one interval: %d edits, volume 20 shown %v; want the latest state in at most %d edits", n, shows(20), disgobot.DefaultEditBurst+1)
	}

	// A change every half second for 20 s.
	type sample struct {
		at    time.Time
		edits int
	}
	start := w.clock.Now()
	samples := []sample{{start, w.edits()}}
	const step, steps = 500 * time.Millisecond, 40
	for i := range steps {
		w.clock.Advance(step)
		volume(21 + i)
		w.settle()
		samples = append(samples, sample{w.clock.Now(), w.edits()})
	}
	const window = 5 * time.Second
	maxPerWindow := disgobot.DefaultEditBurst + int(window/disgobot.DefaultEditInterval)
	if maxPerWindow >= 5 {
		t.Fatalf("the default budget allows %d edits per %v, not under Discord's 5", maxPerWindow, window)
	}
	for i := 1; i < len(samples); i++ {
		for j := i; j < len(samples) && samples[j].at.Sub(samples[i].at) < window; j++ {
			if n := samples[j].edits - samples[i-1].edits; n > maxPerWindow {
				t.Fatalf("%d edits between %v and %v, want at most %d in any %v", n,
					samples[i].at.Sub(start), samples[j].at.Sub(start), maxPerWindow, window)
			}
		}
	}
	total := samples[len(samples)-1].edits - samples[0].edits
	if limit := disgobot.DefaultEditBurst + int(steps*step/disgobot.DefaultEditInterval); total > limit || total < limit-3 {
		t.Errorf("%d edits for %d changes in %v, want about %d (the budget, not one per change)", total, steps, steps*step, limit)
	}
	w.clock.Advance(disgobot.DefaultEditInterval)
	w.settle()
	if !shows(20 + steps) {
		m, _ := w.srv.Message(np.ID)
		t.Errorf("at rest the message shows %q, want the last volume, %d%%", footer(m), 20+steps)
	}
}

// TestEditBudgetShared: the now-playing message and a vote message in
// the same channel share one budget; pending edits keep only the latest
// state of each message.
func TestEditBudgetShared(t *testing.T) {
	w, _, dave, np := voteWorld(t)
	base := w.edits()
	ix := w.command(w.bob, "skip")
	vote := w.original(ix)
	w.original(w.command(dave, "skip")) // the vote message and the now-playing message change
	for _, level := range []int{60, 70, 80} {
		w.original(w.command(w.alice, "volume", discordtest.Integer("level", level)))
	}
	w.settle()
	if n := w.edits(ix) - base; n > disgobot.DefaultEditBurst {
		t.Errorf("%d edits in #general at one instant, want at most %d", n, disgobot.DefaultEditBurst)
	}
	for range 2 {
		w.clock.Advance(disgobot.DefaultEditInterval)
		w.settle()
	}
	w.waitMessage(vote.ID, "showing 2 votes", func(v discordtest.Message) bool { return strings.HasPrefix(v.EmbedText(), "🗳️ 2 of 3 votes") })
	w.waitMessage(np.ID, "at its latest", func(m discordtest.Message) bool {
		return strings.Contains(footer(m), "Volume: 80%") && strings.HasPrefix(field(m, "Skip vote"), "2 of 3 votes")
	})
	if n := w.edits(ix) - base; n > disgobot.DefaultEditBurst+2 {
		t.Errorf("%d edits, want at most %d", n, disgobot.DefaultEditBurst+2)
	}
}
