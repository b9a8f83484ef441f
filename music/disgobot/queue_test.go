package disgobot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/discordtest"
	"github.com/tunekit/tunekit/ratelimit"
)

// queueTitles lists the titles of the queue as the Manager has it.
func (w *world) queueTitles() []string {
	w.t.Helper()
	v, err := w.m.Queue(w.ctx, w.guild.ID(), musicActor(w.alice), 1)
	must(w.t, err)
	var out []string
	for _, t := range v.Tracks {
		out = append(out, t.Info.Title)
	}
	return out
}

// TestSkipToSwapRemoveUser: /skipto plays a queued track now and keeps
// those before it, /swap exchanges two, /removeuser removes a user's
// tracks; each needs the DJ role once one is set.
func TestSkipToSwapRemoveUser(t *testing.T) {
	policy := ratelimit.DefaultPolicy()
	policy.Commands["play"] = ratelimit.Limit{Rate: 100, Period: time.Second}
	w := newWorld(t, worldConfig{policy: policy})
	must(t, w.guild.JoinVoice(w.bob, w.voice))
	w.play(w.alice, "Song 1")
	for _, q := range []string{"Song 2", "Song 3", "Song 4"} {
		w.play(w.alice, q)
	}
	w.play(w.bob, "Song 5")
	w.play(w.bob, "Song 6")
	w.nowPlaying("Song 1")

	got := w.original(w.command(w.alice, "skipto", discordtest.Integer("position", 3)))
	if got.EmbedAuthor() != "Skipped ahead" || !strings.HasPrefix(got.EmbedTitle(), "Song 1") || !strings.HasPrefix(field(got, "Now playing"), "[Song 4") {
		t.Errorf("/skipto 3 = %s / %q", discordtest.Describe([]discordtest.Message{got}), field(got, "Now playing"))
	}
	w.nowPlaying("Song 4")
	if q := strings.Join(w.queueTitles(), ","); q != "Song 2,Song 3,Song 5,Song 6" {
		t.Errorf("queue after /skipto = %s, want the tracks before 3 kept", q)
	}

	got = w.original(w.command(w.alice, "swap", discordtest.Integer("a", 1), discordtest.Integer("b", 4)))
	if want := "Swapped [Song 2 — The Testers](https://www.youtube.com/watch?v=song02) (now `4.`) and [Song 6 — The Testers](https://www.youtube.com/watch?v=song06) (now `1.`)."; got.EmbedText() != want {
		t.Errorf("/swap = %q, want %q", got.EmbedText(), want)
	}
	if q := strings.Join(w.queueTitles(), ","); q != "Song 6,Song 3,Song 5,Song 2" {
		t.Errorf("queue after /swap = %s", q)
	}
	if got := w.original(w.command(w.alice, "swap", discordtest.Integer("a", 1), discordtest.Integer("b", 9))); !got.Ephemeral() || got.EmbedText() != "Pick a position from 1 to 4." {
		t.Errorf("/swap 1 9 = %s", discordtest.Describe([]discordtest.Message{got}))
	}

	got = w.original(w.command(w.alice, "removeuser", discordtest.User("user", w.bob)))
	if got.EmbedText() != "Removed 2 tracks requested by <@"+w.bob.String()+">." {
		t.Errorf("/removeuser bob = %q", got.EmbedText())
	}
	if q := strings.Join(w.queueTitles(), ","); q != "Song 3,Song 2" {
		t.Errorf("queue after /removeuser = %s", q)
	}

	// With a DJ role, bob may remove only his own tracks and may not jump.
	w.original(w.command(w.owner, "settings", discordtest.Subcommand("dj-role", discordtest.Role("role", w.djRole))))
	for _, tc := range []struct {
		name string
		opts []discordtest.CommandOption
		want string
	}{
		{"skipto", []discordtest.CommandOption{discordtest.Integer("position", 1)}, "You need the DJ role to do that."},
		{"swap", []discordtest.CommandOption{discordtest.Integer("a", 1), discordtest.Integer("b", 2)}, "You need the DJ role to do that."},
		{"removeuser", []discordtest.CommandOption{discordtest.User("user", w.alice)}, "You need the DJ role to do that."},
		{"removeuser", []discordtest.CommandOption{discordtest.User("user", w.bob)}, "Removed 0 tracks requested by <@" + w.bob.String() + ">."},
	} {
		got := w.original(w.command(w.bob, tc.name, tc.opts...))
		if got.EmbedText() != tc.want {
			t.Errorf("bob's /%s = %q, want %q", tc.name, got.EmbedText(), tc.want)
		}
	}
}

// TestQueueSettings: /settings sets the fair queue, the longest track,
// a user's share of the queue and the votes to skip, for admins only,
// and /settings view shows them.
func TestQueueSettings(t *testing.T) {
	policy := ratelimit.DefaultPolicy()
	policy.Commands["settings"] = ratelimit.Limit{Rate: 100, Period: time.Second}
	w := newWorld(t, worldConfig{policy: policy})
	view := w.original(w.command(w.owner, "settings", discordtest.Subcommand("view")))
	for name, want := range map[string]string{"Fair queue": "off", "Max track length": "No limit", "Max share per user": "No limit", "Votes to skip": "50% of listeners"} {
		if got := field(view, name); got != want {
			t.Errorf("default %s = %q, want %q", name, got, want)
		}
	}
	for i, tc := range []struct {
		sub   discordtest.CommandOption
		field string
		want  string
	}{
		{discordtest.Subcommand("fair-queue", discordtest.Bool("enabled", true)), "Fair queue", "on"},
		{discordtest.Subcommand("max-track-length", discordtest.String("length", "10:00")), "Max track length", "10:00"},
		{discordtest.Subcommand("max-track-length", discordtest.String("length", "1h30m")), "Max track length", "1:30:00"},
		{discordtest.Subcommand("max-user-share", discordtest.Integer("percent", 25)), "Max share per user", "25% (250 tracks)"},
		{discordtest.Subcommand("vote-skip-share", discordtest.Integer("percent", 60)), "Votes to skip", "60% of listeners"},
		{discordtest.Subcommand("max-track-length", discordtest.String("length", "25:00:00")), "", "The max track length must be at most 24:00:00 (0 for no limit)."},
		{discordtest.Subcommand("max-track-length", discordtest.String("length", "soon")), "", "Give a time like 83, 1:23, 01:02:03 or 1h2m3s."},
		{discordtest.Subcommand("max-track-length", discordtest.String("length", "off")), "Max track length", "No limit"},
		{discordtest.Subcommand("max-user-share", discordtest.Integer("percent", 0)), "Max share per user", "No limit"},
	} {
		got := w.original(w.command(w.owner, "settings", tc.sub))
		text := got.EmbedText()
		if tc.field != "" {
			text = field(got, tc.field)
		}
		if !got.Ephemeral() || text != tc.want {
			t.Errorf("/settings case %d = %q, want %q", i, text, tc.want)
		}
	}
	s, err := w.m.Settings(w.ctx, w.guild.ID(), musicActor(w.owner))
	if err != nil || !s.FairQueue() || s.VoteSkipShare() != 60 || s.MaxTrackLength() != 0 {
		t.Errorf("stored settings = %v, %v", s, err)
	}
	// Only admins; Discord hides the command from bob, a forged one is
	// refused anyway.
	ix, err := w.srv.Interact(w.ctx, discordtest.Command{Guild: w.guild.ID(), Channel: w.text, User: w.bob, Name: "settings",
		Options: []discordtest.CommandOption{discordtest.Subcommand("fair-queue", discordtest.Bool("enabled", false))}, Forge: true})
	must(t, err)
	if got := w.original(ix); got.EmbedText() != "You need the Manage Server permission to change the music settings." {
		t.Errorf("bob's forged /settings fair-queue = %q", got.EmbedText())
	}
}

// TestPlayLeftOut: a playlist's tracks past the guild's limits are left
// out and the answer says how many and why; the now-playing footer
// shows the fair queue.
func TestPlayLeftOut(t *testing.T) {
	w := newWorld(t, worldConfig{})
	for _, sub := range []discordtest.CommandOption{
		discordtest.Subcommand("max-track-length", discordtest.String("length", "3:20")),
		discordtest.Subcommand("max-user-share", discordtest.Integer("percent", 1)),
		discordtest.Subcommand("fair-queue", discordtest.Bool("enabled", true)),
	} {
		w.original(w.command(w.owner, "settings", sub))
	}
	// The mix holds Song 6 to Song 30: Song 21 on are longer than 3:20,
	// and 1 % of the queue is 10 tracks.
	got := w.play(w.alice, "https://www.youtube.com/playlist?list=mix")
	want := "11 tracks added. 10 tracks were left out as too long for this server. 4 tracks were left out: you reached your share of the queue."
	if got.EmbedText() != want {
		t.Errorf("/play mix = %q, want %q", got.EmbedText(), want)
	}
	np := w.nowPlaying("Song 6")
	if !strings.Contains(footer(np), "Fair queue") {
		t.Errorf("footer = %q, want the fair queue shown", footer(np))
	}
	if got := w.followup(w.command(w.alice, "play", discordtest.String("query", "Song 25")), 0); got.EmbedText() != "That track is 3:25 long; tracks may be at most 3:20 here." {
		t.Errorf("/play of a long track = %q", got.EmbedText())
	}
}

// TestAutoplayRequester: a track autoplay picked shows "autoplay" as
// who asked for it.
func TestAutoplayRequester(t *testing.T) {
	var w *world
	rec := recommender(func(req music.RecommendRequest) []music.Track {
		return []music.Track{music.TrackFromLavalink(w.tracks[9])}
	})
	w = newWorld(t, worldConfig{recommend: rec})
	w.original(w.command(w.alice, "autoplay", discordtest.String("mode", "on"))) // before any session: saved in the settings
	w.play(w.alice, "Song 1")
	w.nowPlaying("Song 1")
	w.node.Advance(time.Duration(w.tracks[0].Info.Length) * time.Millisecond)
	np := w.nowPlaying("Song 10")
	if got := field(np, "Requested by"); got != music.AutoplayRequester {
		t.Errorf("Requested by = %q, want %q", got, music.AutoplayRequester)
	}
}

// recommender is a music.Recommender from a function.
type recommender func(music.RecommendRequest) []music.Track

func (f recommender) Recommend(_ context.Context, req music.RecommendRequest) ([]music.Track, error) {
	return f(req), nil
}
