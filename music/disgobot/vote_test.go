package disgobot_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/discordtest"
	"github.com/tunekit/tunekit/music/disgobot"
)

// voteWorld is a world where skips may go to a vote: a DJ role (alice
// has it), votes needing 75 % of the listeners, and four listeners
// (alice, bob, carol, dave), so a vote needs 3. Alice queued Song 1 and
// Song 2.
func voteWorld(t *testing.T) (w *world, carol, dave snowflake.ID, np discordtest.Message) {
	t.Helper()
	w = newWorld(t, worldConfig{})
	w.original(w.command(w.owner, "settings", discordtest.Subcommand("dj-role", discordtest.Role("role", w.djRole))))
	saved := w.original(w.command(w.owner, "settings", discordtest.Subcommand("vote-skip-share", discordtest.Integer("percent", 75))))
	if field(saved, "Votes to skip") != "75% of listeners" {
		t.Fatalf("/settings vote-skip-share = %s", discordtest.Describe([]discordtest.Message{saved}))
	}
	must(t, w.guild.JoinVoice(w.bob, w.voice))
	carol, dave = w.listener("carol"), w.listener("dave")
	w.play(w.alice, "Song 1")
	w.play(w.alice, "Song 2")
	np = w.nowPlaying("Song 1")
	w.settle()
	return w, carol, dave, np
}

// closes is how a vote message says when the vote closes: a Discord
// timestamp 30 seconds after the vote started.
func closes(w *world) string {
	return "closes <t:" + strconv.FormatInt(w.clock.Now().Add(music.DefaultVoteSkipTimeout).Unix(), 10) + ":R>"
}

// TestSkipVote: a listener's /skip of someone else's track starts a
// vote: a public message with the tally, when it closes and a vote
// button. The message follows the vote (a second /skip counts and is
// answered privately), the now-playing message shows the count, and
// the button's vote that passes skips the track.
func TestSkipVote(t *testing.T) {
	w, carol, dave, np := voteWorld(t)
	ix := w.command(w.bob, "skip")
	vote := w.original(ix)
	wantText := "🗳️ 1 of 3 votes · " + closes(w)
	if vote.Ephemeral() || vote.EmbedAuthor() != "Vote to skip" || !strings.HasPrefix(vote.EmbedTitle(), "Song 1") || vote.EmbedText() != wantText {
		t.Fatalf("bob's /skip = %s, want a public vote message %q", discordtest.Describe([]discordtest.Message{vote}), wantText)
	}
	ids := vote.Buttons()
	if len(ids) != 1 || !strings.HasPrefix(ids[0], "/tk1/vote/") || buttonLabel(vote, ids[0]) != "Vote skip" {
		t.Fatalf("vote buttons = %v, want one vote button", ids)
	}
	w.settle()
	if m, _ := w.srv.Message(np.ID); field(m, "Skip vote") != "1 of 3 votes · "+closes(w) {
		t.Errorf("now-playing message's vote field = %q", field(m, "Skip vote"))
	}

	// Dave's /skip joins the vote: his answer is private, the message
	// follows.
	joined := w.original(w.command(dave, "skip"))
	if !joined.Ephemeral() || joined.EmbedText() != "🗳️ Your vote counts: 2 of 3 votes · "+closes(w)+"." {
		t.Errorf("dave's /skip = %s, want a private count", discordtest.Describe([]discordtest.Message{joined}))
	}
	// Two messages changed twice each since the budget was full: the
	// vote message shows the count within two intervals.
	w.settle()
	w.clock.Advance(2 * disgobot.DefaultEditInterval)
	w.waitMessage(vote.ID, "showing 2 votes", func(m discordtest.Message) bool { return strings.HasPrefix(m.EmbedText(), "🗳️ 2 of 3 votes") })

	// Carol's click passes it. The click is acknowledged; the message
	// shows the end with the channel's next token.
	r := w.response(w.click(carol, vote.ID, ids[0], false))
	if r.Type != discord.InteractionResponseTypeDeferredUpdateMessage {
		t.Fatalf("vote button response = type %d, want an acknowledgement", r.Type)
	}
	w.nowPlaying("Song 2")
	w.settle()
	w.clock.Advance(2 * disgobot.DefaultEditInterval)
	w.waitMessage(vote.ID, "passed", func(m discordtest.Message) bool {
		return m.EmbedText() == "✅ Skipped by vote (3 of 3)." && len(m.Components) == 0
	})
	w.waitMessage(np.ID, "retired", func(m discordtest.Message) bool { return len(m.Components) == 0 })
	w.settle()
	// The button of a vote that is over is answered as such.
	r = w.response(w.click(dave, vote.ID, ids[0], true))
	if r.Message == nil || !r.Message.Ephemeral() || r.Message.EmbedText() != "This vote is over." {
		t.Errorf("click on an ended vote = %+v", r.Message)
	}
}

// TestSkipVoteExpires: a vote that does not pass closes after 30
// seconds; its message says so and loses its button, and the
// now-playing message drops the count.
func TestSkipVoteExpires(t *testing.T) {
	w, _, _, np := voteWorld(t)
	vote := w.original(w.command(w.bob, "skip"))
	w.settle()
	w.clock.Advance(music.DefaultVoteSkipTimeout)
	w.settle()
	// The progress updates of those 30 s compete for the channel's
	// budget: the vote's end shows within two more intervals.
	w.clock.Advance(2 * disgobot.DefaultEditInterval)
	w.waitMessage(vote.ID, "closed", func(m discordtest.Message) bool {
		return m.EmbedText() == "⌛ The vote closed with 1 of 3 votes." && len(m.Components) == 0
	})
	w.settle()
	w.clock.Advance(disgobot.DefaultEditInterval)
	w.waitMessage(np.ID, "without the vote", func(m discordtest.Message) bool {
		return field(m, "Skip vote") == "" && strings.HasPrefix(m.EmbedTitle(), "Song 1") && len(m.Components) > 0
	})
	// The next /skip starts a new vote with a new message and button.
	again := w.original(w.command(w.bob, "skip"))
	if again.ID == vote.ID || again.EmbedAuthor() != "Vote to skip" || slices.Equal(again.Buttons(), vote.Buttons()) {
		t.Errorf("second vote = %s, want a new vote message with a new button", discordtest.Describe([]discordtest.Message{again}))
	}
}

// TestSkipButtonVotes: the now-playing skip button of a listener who may
// not skip votes; the answer is private and the message shows the count.
func TestSkipButtonVotes(t *testing.T) {
	w, _, _, np := voteWorld(t)
	r := w.response(w.click(w.bob, np.ID, "/tk1/np/skip", false))
	if r.Message == nil || !r.Message.Ephemeral() || r.Message.EmbedText() != "🗳️ Your vote counts: 1 of 3 votes · "+closes(w)+"." {
		t.Fatalf("bob's skip button = type %d %+v, want a private count", r.Type, r.Message)
	}
	w.waitMessage(np.ID, "showing the vote", func(m discordtest.Message) bool { return field(m, "Skip vote") == "1 of 3 votes · "+closes(w) })
	// Alice, the DJ, skips at once.
	w.response(w.click(w.alice, np.ID, "/tk1/np/skip", false))
	w.nowPlaying("Song 2")
}
