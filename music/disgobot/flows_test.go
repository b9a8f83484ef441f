package disgobot_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/discordtest"
	"github.com/tunekit/tunekit/music/disgobot"
	"github.com/tunekit/tunekit/ratelimit"
)

func musicActor(user snowflake.ID) music.Actor { return music.Actor{UserID: user} }

// TestPlayJoinsAndAnnounces: /play from a user in voice makes the bot
// join their channel and play; the answer and the now-playing message
// (with its buttons) appear.
func TestPlayJoinsAndAnnounces(t *testing.T) {
	w := newWorld(t, worldConfig{})
	got := w.play(w.alice, "Song 1")
	if got.EmbedAuthor() != "Playing" || !strings.HasPrefix(got.EmbedTitle(), "Song 1") || got.Ephemeral() {
		t.Errorf("/play answer = %s, want a public \"Playing Song 1\"", discordtest.Describe([]discordtest.Message{got}))
	}
	if v := field(got, "Requested by"); v != "<@"+w.alice.String()+">" {
		t.Errorf("Requested by = %q, want alice's mention", v)
	}
	if _, err := w.srv.WaitVoice(w.ctx, w.guild.ID(), w.srv.BotID(), w.voice); err != nil {
		t.Fatalf("bot never joined the Lounge: %v", err)
	}
	np := w.nowPlaying("Song 1")
	want := []string{"/tk1/np/pause", "/tk1/np/skip", "/tk1/np/stop", "/tk1/np/loop", "/tk1/np/shuffle"}
	if got := np.Buttons(); !slices.Equal(got, want) {
		t.Errorf("now-playing buttons = %v, want %v", got, want)
	}
	if np.Embeds[0].Thumbnail == nil || np.Embeds[0].Thumbnail.URL != "https://i.ytimg.com/vi/song01/hq.jpg" {
		t.Errorf("now-playing thumbnail = %+v, want the artwork", np.Embeds[0].Thumbnail)
	}
	if np.Embeds[0].URL != "https://www.youtube.com/watch?v=song01" {
		t.Errorf("now-playing link = %q", np.Embeds[0].URL)
	}
	if reqs := w.srv.VoiceRequests(); len(reqs) != 1 || reqs[0].ChannelID == nil || *reqs[0].ChannelID != w.voice || !reqs[0].SelfDeaf || reqs[0].Ignored != "" {
		t.Errorf("voice requests = %+v, want one self-deafened join of the Lounge", reqs)
	}

	// A second /play queues.
	got = w.play(w.alice, "Song 2")
	if got.EmbedAuthor() != "Added to the queue" || field(got, "Position in queue") != "1" {
		t.Errorf("second /play answer = %s, want queued at 1", discordtest.Describe([]discordtest.Message{got}))
	}
}

// TestSkipButtonPlaysNext: the skip button goes through the Manager and
// the next track's message replaces the old one, which loses its buttons.
func TestSkipButtonPlaysNext(t *testing.T) {
	w := newWorld(t, worldConfig{})
	w.play(w.alice, "Song 1")
	w.play(w.alice, "Song 2")
	first := w.nowPlaying("Song 1")

	r := w.response(w.click(w.alice, first.ID, "/tk1/np/skip", false))
	if r.Type != discord.InteractionResponseTypeDeferredUpdateMessage {
		t.Errorf("skip button response type = %d, want a deferred update", r.Type)
	}
	w.nowPlaying("Song 2")
	old := w.waitMessage(first.ID, "retired", func(m discordtest.Message) bool { return len(m.Components) == 0 })
	if old.EmbedAuthor() != "Played" || !strings.HasPrefix(old.EmbedTitle(), "Song 1") {
		t.Errorf("retired message = %s, want \"Played Song 1\"", discordtest.Describe([]discordtest.Message{old}))
	}
}

// TestQueuePages: /queue shows a page with previous/next buttons, which
// page the same message in place.
func TestQueuePages(t *testing.T) {
	w := newWorld(t, worldConfig{})
	got := w.play(w.alice, "https://www.youtube.com/playlist?list=mix") // 25 tracks: 1 plays, 24 queued
	if !strings.HasPrefix(got.EmbedAuthor(), "Added a playlist: Test Mix") {
		t.Fatalf("/play playlist answer = %s", discordtest.Describe([]discordtest.Message{got}))
	}
	ix := w.command(w.bob, "queue")
	page1 := w.original(ix)
	if want := []string{"!/tk1/queue/prev/1", "/tk1/queue/next/2"}; !slices.Equal(page1.Buttons(), want) {
		t.Errorf("page 1 buttons = %v, want %v", page1.Buttons(), want)
	}
	if !strings.Contains(page1.Embeds[0].Footer.Text, "Page 1 of 3 · 24 tracks") {
		t.Errorf("page 1 footer = %q", page1.Embeds[0].Footer.Text)
	}
	if !strings.HasPrefix(page1.EmbedText(), "`1.` [Song 7") {
		t.Errorf("page 1 starts %q, want Song 7 at 1", page1.EmbedText())
	}

	for _, step := range []struct {
		click   string
		first   string
		footer  string
		buttons []string
	}{
		{"/tk1/queue/next/2", "`11.` [Song 17", "Page 2 of 3", []string{"/tk1/queue/prev/1", "/tk1/queue/next/3"}},
		{"/tk1/queue/next/3", "`21.` [Song 27", "Page 3 of 3", []string{"/tk1/queue/prev/2", "!/tk1/queue/next/4"}},
		{"/tk1/queue/prev/2", "`11.` [Song 17", "Page 2 of 3", []string{"/tk1/queue/prev/1", "/tk1/queue/next/3"}},
	} {
		r := w.response(w.click(w.alice, page1.ID, step.click, false))
		if r.Type != discord.InteractionResponseTypeUpdateMessage || r.Message == nil {
			t.Fatalf("click %s: response type %d, want an update of the message", step.click, r.Type)
		}
		m := *r.Message
		if !strings.HasPrefix(m.EmbedText(), step.first) || !strings.HasPrefix(m.Embeds[0].Footer.Text, step.footer) {
			t.Errorf("after %s: %q / %q, want %q / %q", step.click, m.EmbedText(), m.Embeds[0].Footer.Text, step.first, step.footer)
		}
		if !slices.Equal(m.Buttons(), step.buttons) {
			t.Errorf("after %s: buttons %v, want %v", step.click, m.Buttons(), step.buttons)
		}
	}

	// /queue page:3 asks for the last page directly.
	last := w.original(w.command(w.alice, "queue", discordtest.Integer("page", 3)))
	if !strings.HasPrefix(last.EmbedText(), "`21.`") {
		t.Errorf("/queue page:3 = %q", last.EmbedText())
	}
}

// TestDJRoleRefusesStop: with a DJ role set, a listener without it may
// not stop the music; the refusal is ephemeral. The DJ may.
func TestDJRoleRefusesStop(t *testing.T) {
	w := newWorld(t, worldConfig{})
	saved := w.original(w.command(w.owner, "settings", discordtest.Subcommand("dj-role", discordtest.Role("role", w.djRole))))
	if !saved.Ephemeral() || field(saved, "DJ role") != "<@&"+w.djRole.String()+">" {
		t.Fatalf("/settings dj-role answer = %s", discordtest.Describe([]discordtest.Message{saved}))
	}
	w.play(w.alice, "Song 1")
	w.nowPlaying("Song 1")
	must(t, w.guild.JoinVoice(w.bob, w.voice))

	refused := w.original(w.command(w.bob, "stop"))
	if !refused.Ephemeral() || refused.EmbedText() != "You need the DJ role to do that." {
		t.Errorf("bob's /stop = %s, want an ephemeral DJ-role refusal", discordtest.Describe([]discordtest.Message{refused}))
	}
	if _, err := w.m.NowPlaying(w.ctx, w.guild.ID(), musicActor(w.alice)); err != nil {
		t.Errorf("music stopped after the refusal: %v", err)
	}
	stopped := w.original(w.command(w.alice, "stop"))
	if stopped.Ephemeral() || !strings.Contains(stopped.EmbedText(), "Stopped the music") {
		t.Errorf("alice's /stop = %s", discordtest.Describe([]discordtest.Message{stopped}))
	}
}

// TestPlaySpamRateLimited: the sixth /play within ten seconds is refused
// with the time to wait, ephemerally; once the window passes /play works.
func TestPlaySpamRateLimited(t *testing.T) {
	w := newWorld(t, worldConfig{})
	for i := 1; i <= 5; i++ {
		if got := w.play(w.alice, "Song "+strconv.Itoa(i)); got.Ephemeral() {
			t.Fatalf("/play %d refused: %q", i, got.EmbedText())
		}
	}
	ix := w.command(w.alice, "play", discordtest.String("query", "Song 6"))
	if r := w.response(ix); r.Type != discord.InteractionResponseTypeDeferredCreateMessage {
		t.Fatalf("response type = %d, want a deferral", r.Type)
	}
	refusal := w.followup(ix, 0)
	if !refusal.Ephemeral() || refusal.EmbedText() != "Slow down! Try again in 10 seconds." {
		t.Errorf("sixth /play = %s, want an ephemeral retry time", discordtest.Describe([]discordtest.Message{refusal}))
	}
	if orig, ok := w.srv.Message(refusal.ID); !ok || orig.Deleted {
		t.Errorf("refusal message missing")
	}
	for _, m := range w.srv.Messages(w.text) {
		if m.InteractionID == ix.ID() && !m.Ephemeral() {
			t.Errorf("the deferred public message was left: %s", discordtest.Describe([]discordtest.Message{m}))
		}
	}
	w.clock.Advance(10 * time.Second)
	if got := w.play(w.alice, "Song 6"); got.Ephemeral() || got.EmbedAuthor() != "Added to the queue" {
		t.Errorf("/play after the window = %s", discordtest.Describe([]discordtest.Message{got}))
	}
}

// TestForgedButtons: custom IDs the Bot did not make, or buttons on a
// message that is no longer live, get a clear ephemeral answer.
func TestForgedButtons(t *testing.T) {
	w := newWorld(t, worldConfig{})
	answer := w.play(w.alice, "Song 1")
	w.play(w.alice, "Song 2")
	first := w.nowPlaying("Song 1")
	w.response(w.click(w.alice, first.ID, "/tk1/np/skip", false))
	second := w.nowPlaying("Song 2")

	for _, tc := range []struct {
		name, id string
		message  snowflake.ID
		want     string
	}{
		{"unknown action", "/tk1/np/explode", second.ID, "This button is not valid."},
		{"other version", "/tk2/np/skip", second.ID, "This button is from an older version of the bot. Use the command instead."},
		{"not a path", "skip", second.ID, "This button is not valid."},
		{"page zero", "/tk1/queue/next/0", second.ID, "This button is not valid."},
		{"page too far", "/tk1/queue/next/10001", second.ID, "This button is not valid."},
		{"someone else's route", "/games/start", second.ID, "This button is not valid."},
		{"empty", "", second.ID, "This button is not valid."},
		{"retired message", "/tk1/np/skip", first.ID, "This message is out of date. Use /nowplaying to see what is playing."},
		{"not a now-playing message", "/tk1/np/stop", answer.ID, "This message is out of date. Use /nowplaying to see what is playing."},
		{"long", "/tk1/np/" + strings.Repeat("x", 200), second.ID, "This button is not valid."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.response(w.click(w.alice, tc.message, tc.id, true))
			if r.Type != discord.InteractionResponseTypeCreateMessage || r.Message == nil || !r.Message.Ephemeral() {
				t.Fatalf("response = type %d, want an ephemeral message", r.Type)
			}
			if got := r.Message.EmbedText(); got != tc.want {
				t.Errorf("answer = %q, want %q", got, tc.want)
			}
		})
	}
	// Nothing was skipped or stopped.
	np, err := w.m.NowPlaying(w.ctx, w.guild.ID(), musicActor(w.alice))
	if err != nil || np.Track.Info.Title != "Song 2" {
		t.Errorf("now playing = %q, %v, want Song 2 still", np.Track.Info.Title, err)
	}
}

// TestNullVoiceEndpoint: Discord's first VOICE_SERVER_UPDATE of a join
// has no endpoint; it is forwarded as is and the Manager waits for the
// real one.
func TestNullVoiceEndpoint(t *testing.T) {
	w := newWorld(t, worldConfig{serverOpts: []discordtest.Option{discordtest.WithNullVoiceEndpointFirst()}})
	if got := w.play(w.alice, "Song 1"); got.EmbedAuthor() != "Playing" {
		t.Fatalf("/play = %s", discordtest.Describe([]discordtest.Message{got}))
	}
	w.nowPlaying("Song 1")
	p, ok := w.node.Player(w.guild.ID())
	if !ok || p.Voice.Endpoint != discordtest.DefaultVoiceEndpoint {
		t.Errorf("node player voice = %+v, %v; want the real endpoint", p.Voice, ok)
	}
}

// TestStatusUnmetered: the now-playing message reads the player with
// the Manager's unmetered Status, so a nowplaying limit that users hit
// at once never holds it back: every track is announced and the
// progress bar keeps moving.
func TestStatusUnmetered(t *testing.T) {
	policy := ratelimit.DefaultPolicy()
	policy.Commands["nowplaying"] = ratelimit.Limit{Rate: 1, Period: time.Hour}
	w := newWorld(t, worldConfig{policy: policy})
	w.play(w.alice, "Song 1")
	w.play(w.alice, "Song 2")
	first := w.nowPlaying("Song 1")
	w.original(w.command(w.alice, "nowplaying"))
	if got := w.original(w.command(w.alice, "nowplaying")); !strings.HasPrefix(got.EmbedText(), "Slow down!") {
		t.Fatalf("second /nowplaying = %q, want the limit to apply to users", got.EmbedText())
	}
	w.original(w.command(w.alice, "skip"))
	second := w.nowPlaying("Song 2")
	w.waitMessage(first.ID, "retired", func(m discordtest.Message) bool { return len(m.Components) == 0 })
	w.settle()
	for i := 1; i <= 3; i++ {
		w.clock.Advance(disgobot.DefaultProgressInterval)
		w.settle()
		m, _ := w.srv.Message(second.ID)
		if want := fmt.Sprintf("`0:%d0 / 3:02`", i); m.Edits != i || !strings.Contains(m.EmbedText(), want) {
			t.Errorf("after %d intervals: %d edits, %q; want %d showing %s", i, m.Edits, m.EmbedText(), i, want)
		}
	}
}

// TestDiscordRateLimit: a 429 on posting the now-playing message is
// waited out and the message appears.
func TestDiscordRateLimit(t *testing.T) {
	w := newWorld(t, worldConfig{})
	w.srv.RateLimit(discordtest.RateLimit{Method: "POST", Route: rest.CreateMessage.Route, Count: 2})
	w.play(w.alice, "Song 1")
	w.nowPlaying("Song 1")
	limited := 0
	for _, r := range w.srv.Requests() {
		if r.Route == rest.CreateMessage.Route && r.Status == 429 {
			limited++
		}
	}
	if limited != 2 {
		t.Errorf("%d requests answered 429, want 2", limited)
	}
}
