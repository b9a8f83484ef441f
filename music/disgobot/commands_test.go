package disgobot_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/discordtest"
	"github.com/tunekit/tunekit/music/disgobot"
	"github.com/tunekit/tunekit/ratelimit"
)

// TestProgressEdits: the progress bar is edited in place once per
// interval while it changes, not while paused, and never after the
// track ended.
func TestProgressEdits(t *testing.T) {
	w := newWorld(t, worldConfig{})
	w.play(w.alice, "Song 1")
	np := w.nowPlaying("Song 1")
	if !strings.Contains(np.EmbedText(), "`0:00 / 3:01`") {
		t.Errorf("first progress = %q", np.EmbedText())
	}
	idle := func() {
		t.Helper()
		must(t, disgobot.WaitIdle(w.ctx, w.bot))
	}
	idle() // the message is posted; its timer is set once the job ends
	edits := func() int {
		m, _ := w.srv.Message(np.ID)
		return m.Edits
	}

	w.clock.Advance(5 * time.Second)
	idle()
	if n := edits(); n != 0 {
		t.Errorf("edits after 5s = %d, want 0", n)
	}
	w.clock.Advance(5 * time.Second)
	idle()
	m, _ := w.srv.Message(np.ID)
	if m.Edits != 1 || !strings.Contains(m.EmbedText(), "`0:10 / 3:01`") {
		t.Errorf("after 10s: %d edits, %q; want 1 edit showing 0:10", m.Edits, m.EmbedText())
	}

	// Pausing (by the button) updates the message; while paused the
	// bar does not move, so the next ticks edit nothing.
	r := w.response(w.click(w.alice, np.ID, "/tk1/np/pause", false))
	if r.Type != discord.InteractionResponseTypeUpdateMessage || r.Message == nil || r.Message.EmbedAuthor() != "Paused" {
		t.Fatalf("pause button response = type %d", r.Type)
	}
	if got := r.Message.Buttons(); len(got) == 0 || got[0] != "/tk1/np/resume" {
		t.Errorf("buttons after pause = %v, want resume first", got)
	}
	before := edits()
	for range 3 {
		w.clock.Advance(10 * time.Second)
		idle()
	}
	if n := edits(); n != before {
		t.Errorf("edits while paused: %d, want %d", n, before)
	}

	// Resume, then end the track: the message is retired and the timer
	// stops.
	w.response(w.click(w.alice, np.ID, "/tk1/np/resume", false))
	w.original(w.command(w.alice, "stop"))
	retired := w.waitMessage(np.ID, "retired", func(m discordtest.Message) bool { return len(m.Components) == 0 })
	for range 3 {
		w.clock.Advance(10 * time.Second)
		idle()
	}
	if m, _ := w.srv.Message(np.ID); m.Edits != retired.Edits {
		t.Errorf("message edited after its track ended: %d edits, want %d", m.Edits, retired.Edits)
	}
}

// TestLeaveNotice: when the bot leaves because everyone left, the
// message is retired and a notice says why; /leave says nothing more.
func TestLeaveNotice(t *testing.T) {
	w := newWorld(t, worldConfig{})
	w.play(w.alice, "Song 1")
	np := w.nowPlaying("Song 1")
	must(t, w.guild.LeaveVoice(w.alice))
	must(t, w.clock.WaitTimer(w.ctx, music.DefaultEmptyChannelTimeout))
	w.clock.Advance(music.DefaultEmptyChannelTimeout)
	notice, err := w.srv.WaitMessage(w.ctx, w.text, func(m discordtest.Message) bool { return m.EmbedAuthor() == "Left the voice channel" })
	if err != nil {
		t.Fatalf("no leave notice: %v", err)
	}
	if notice.EmbedText() != music.LeaveMessage(music.LeaveAlone) {
		t.Errorf("notice = %q", notice.EmbedText())
	}
	w.waitMessage(np.ID, "retired", func(m discordtest.Message) bool { return len(m.Components) == 0 })
	if _, err := w.srv.WaitVoice(w.ctx, w.guild.ID(), w.srv.BotID(), 0); err != nil {
		t.Errorf("bot still in voice: %v", err)
	}
}

// TestCommands runs every command once and checks its answer.
func TestCommands(t *testing.T) {
	w := newWorld(t, worldConfig{})
	w.play(w.alice, "Song 1")
	w.nowPlaying("Song 1")
	for _, q := range []string{"Song 2", "Song 3", "Song 4"} {
		w.play(w.alice, q)
	}
	opt := func(o ...discordtest.CommandOption) []discordtest.CommandOption { return o }
	for _, tc := range []struct {
		name      string
		opts      []discordtest.CommandOption
		user      snowflake.ID
		want      string // in the embed's description, author or title
		ephemeral bool
		after     time.Duration // advance the clock after the command
	}{
		{"nowplaying", nil, w.bob, "Song 1", false, 0},
		{"pause", nil, w.alice, "Paused the music.", false, 0},
		{"pause", nil, w.alice, "The track is already paused.", true, 0},
		{"resume", nil, w.alice, "Resumed the music.", false, 0},
		{"resume", nil, w.alice, "The track is not paused.", true, 0},
		{"seek", opt(discordtest.String("time", "1:23")), w.alice, "Jumped to `1:23`.", false, 0},
		{"seek", opt(discordtest.String("time", "soon")), w.alice, "Give a time like", true, 0},
		{"volume", opt(discordtest.Integer("level", 80)), w.alice, "Volume set to 80%.", false, 0},
		{"loop", opt(discordtest.String("mode", "queue")), w.alice, "Loop is now queue.", false, 0},
		{"autoplay", opt(discordtest.String("mode", "on")), w.alice, "Loop and autoplay can't both be on", true, 0},
		{"loop", opt(discordtest.String("mode", "off")), w.alice, "Loop is now off.", false, 0},
		{"autoplay", opt(discordtest.String("mode", "on")), w.alice, "Autoplay is now on.", false, 0},
		{"autoplay", opt(discordtest.String("mode", "off")), w.alice, "Autoplay is now off.", false, 0},
		{"shuffle", nil, w.alice, "Shuffled 3 tracks.", false, 0},
		{"move", opt(discordtest.Integer("from", 1), discordtest.Integer("to", 3)), w.alice, "Moved in the queue", false, 0},
		{"remove", opt(discordtest.Integer("position", 9)), w.alice, "Pick a position from 1 to 3.", true, 0},
		{"remove", opt(discordtest.Integer("position", 3)), w.alice, "Removed from the queue", false, 0},
		{"skip", nil, w.alice, "Skipped", false, 0},
		{"previous", nil, w.alice, "Playing the previous track", false, 0},
		{"skip", opt(discordtest.Integer("count", 2)), w.alice, "Skipped", false, 0},
		{"clear", nil, w.alice, "Removed 0 tracks from the queue.", false, 0},
		{"queue", nil, w.alice, "Nothing queued.", false, 0},
		{"play", opt(discordtest.String("query", "file:///etc/passwd")), w.alice, "I can only play web links and searches.", true, 0},
		{"play", opt(discordtest.String("query", "Song 9")), w.alice, "Slow down! Try again in 10 seconds.", true, 10 * time.Second},
		{"play", opt(discordtest.String("query", "no such song at all")), w.alice, "I couldn't find anything to play for that.", true, 0},
		{"leave", nil, w.alice, "Left the voice channel.", false, 0},
		{"nowplaying", nil, w.alice, "Nothing is playing.", true, 0},
	} {
		ix := w.command(tc.user, tc.name, tc.opts...)
		var got discordtest.Message
		if tc.name == "play" {
			got = w.followup(ix, 0)
		} else {
			got = w.original(ix)
		}
		text := got.EmbedAuthor() + "|" + got.EmbedTitle() + "|" + got.EmbedText()
		if !strings.Contains(text, tc.want) || got.Ephemeral() != tc.ephemeral {
			t.Errorf("/%s %v: got %q (ephemeral %v), want %q (ephemeral %v)", tc.name, tc.opts, text, got.Ephemeral(), tc.want, tc.ephemeral)
		}
		w.clock.Advance(tc.after)
	}
}

// TestNotInVoice: a member outside voice cannot start the music.
func TestNotInVoice(t *testing.T) {
	w := newWorld(t, worldConfig{})
	ix := w.command(w.bob, "play", discordtest.String("query", "Song 1"))
	got := w.followup(ix, 0)
	if !got.Ephemeral() || got.EmbedText() != "Join my voice channel first." {
		t.Errorf("/play outside voice = %s", discordtest.Describe([]discordtest.Message{got}))
	}
	if len(w.srv.VoiceRequests()) != 0 {
		t.Errorf("the bot asked to join voice: %+v", w.srv.VoiceRequests())
	}
}

// TestSettings: admins view and change the settings; others, even with
// a forged command, may not.
func TestSettings(t *testing.T) {
	w := newWorld(t, worldConfig{})
	view := w.original(w.command(w.owner, "settings", discordtest.Subcommand("view")))
	if !view.Ephemeral() || field(view, "Announce channel") != "The channel /play was used in" || field(view, "Stay connected (24/7)") != "off" {
		t.Errorf("/settings view = %s", discordtest.Describe([]discordtest.Message{view}))
	}
	announce := w.guild.AddTextChannel("music")
	got := w.original(w.command(w.owner, "settings", discordtest.Subcommand("announce-channel", discordtest.Channel("channel", announce))))
	if field(got, "Announce channel") != "<#"+announce.String()+">" {
		t.Errorf("announce-channel: %s", discordtest.Describe([]discordtest.Message{got}))
	}
	got = w.original(w.command(w.owner, "settings", discordtest.Subcommand("stay-connected", discordtest.Bool("enabled", true))))
	if field(got, "Stay connected (24/7)") != "on" {
		t.Errorf("stay-connected: %s", discordtest.Describe([]discordtest.Message{got}))
	}
	got = w.original(w.command(w.owner, "settings", discordtest.Subcommand("dj-role")))
	if field(got, "DJ role") != "Everyone listening" {
		t.Errorf("dj-role cleared: %s", discordtest.Describe([]discordtest.Message{got}))
	}

	// Discord hides /settings from bob; a forged one is refused anyway.
	if _, err := w.srv.Interact(w.ctx, discordtest.Command{Guild: w.guild.ID(), Channel: w.text, User: w.bob, Name: "settings",
		Options: []discordtest.CommandOption{discordtest.Subcommand("view")}}); !errors.Is(err, discordtest.ErrMissingPermissions) {
		t.Fatalf("Interact(bob /settings) = %v, want ErrMissingPermissions", err)
	}
	for _, sub := range []discordtest.CommandOption{
		discordtest.Subcommand("view"),
		discordtest.Subcommand("stay-connected", discordtest.Bool("enabled", false)),
	} {
		ix, err := w.srv.Interact(w.ctx, discordtest.Command{Guild: w.guild.ID(), Channel: w.text, User: w.bob, Name: "settings",
			Options: []discordtest.CommandOption{sub}, Forge: true})
		must(t, err)
		got := w.original(ix)
		if !got.Ephemeral() || got.EmbedText() != "You need the Manage Server permission to change the music settings." {
			t.Errorf("forged /settings by bob = %s", discordtest.Describe([]discordtest.Message{got}))
		}
	}
	s, err := w.m.Settings(w.ctx, w.guild.ID(), musicActor(w.owner))
	if err != nil || !s.StayConnected() {
		t.Errorf("settings after bob's forgery: %v, %v; want 24/7 still on", s, err)
	}

	// The announce channel gets the next now-playing message.
	w.play(w.alice, "Song 1")
	if _, err := w.srv.WaitMessage(w.ctx, announce, func(m discordtest.Message) bool { return m.EmbedAuthor() == "Now playing" }); err != nil {
		t.Errorf("no now-playing message in the announce channel: %v", err)
	}
}

// gate is a rate limiter that holds every decision until released, to
// make a command slow.
type gate struct {
	ratelimit.Limiter
	on      atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (g *gate) Allow(ctx context.Context, key string, l ratelimit.Limit) (ratelimit.Decision, error) {
	return g.AllowN(ctx, key, l, 1)
}

func (g *gate) AllowN(ctx context.Context, key string, l ratelimit.Limit, n int) (ratelimit.Decision, error) {
	if g.on.Load() {
		g.entered <- struct{}{}
		<-g.release
	}
	return g.Limiter.AllowN(ctx, key, l, n)
}

// TestSlowCommandDeferred: a command the Manager is slow to finish is
// deferred after the defer delay and completed when it is done.
func TestSlowCommandDeferred(t *testing.T) {
	g := &gate{entered: make(chan struct{}, 1), release: make(chan struct{})}
	w := newWorld(t, worldConfig{limiter: func(l ratelimit.Limiter) ratelimit.Limiter { g.Limiter = l; return g }})
	w.play(w.alice, "Song 1")
	w.nowPlaying("Song 1")

	g.on.Store(true)
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(g.release) }) })
	ix := w.command(w.alice, "pause")
	<-g.entered
	must(t, w.clock.WaitTimer(w.ctx, disgobot.DefaultDeferAfter))
	w.clock.Advance(disgobot.DefaultDeferAfter)
	if r := w.response(ix); r.Type != discord.InteractionResponseTypeDeferredCreateMessage {
		t.Fatalf("slow /pause response type = %d, want a deferral", r.Type)
	}
	g.on.Store(false)
	once.Do(func() { close(g.release) })
	if got := w.original(ix); got.EmbedText() != "⏸️ Paused the music." {
		t.Errorf("deferred /pause answer = %s", discordtest.Describe([]discordtest.Message{got}))
	}
}

// TestAutocomplete: /play's query suggests search results, cached by
// query and limited per user; links, failures and a spent limit give no
// suggestions, never an error.
func TestAutocomplete(t *testing.T) {
	var searches atomic.Int32
	var w *world
	searcher := disgobot.SearchFunc(func(ctx context.Context, guild snowflake.ID, query string) ([]music.Track, error) {
		searches.Add(1)
		if query == "broken" {
			return nil, errors.New("search failed")
		}
		var out []music.Track
		for _, tr := range w.tracks {
			if strings.Contains(strings.ToLower(tr.Info.Title), strings.ToLower(query)) {
				out = append(out, music.TrackFromLavalink(tr))
			}
		}
		return out, nil
	})
	w = newWorld(t, worldConfig{botOpts: []disgobot.Option{
		disgobot.WithSearcher(searcher),
		disgobot.WithAutocompleteLimit(ratelimit.Limit{Rate: 3, Period: time.Minute}, nil),
	}})
	suggest := func(typed string) []discordtest.Choice {
		t.Helper()
		ix, err := w.srv.Interact(w.ctx, discordtest.Autocomplete{Guild: w.guild.ID(), Channel: w.text, User: w.bob, Name: "play",
			Options: []discordtest.CommandOption{discordtest.Focused(discordtest.String("query", typed))}})
		must(t, err)
		r := w.response(ix)
		if r.Type != discord.InteractionResponseTypeAutocompleteResult {
			t.Fatalf("autocomplete response type = %d", r.Type)
		}
		return r.Choices
	}

	got := suggest("song 1")
	if len(got) != 10 || got[0].Name != "Song 1 — The Testers (3:01)" || got[0].Value != "https://www.youtube.com/watch?v=song01" {
		t.Errorf("suggest(song 1) = %+v, want 10 choices starting with Song 1 by link", got)
	}
	if again := suggest("  SONG   1 "); len(again) != 10 || searches.Load() != 1 {
		t.Errorf("same query again: %d choices after %d searches, want 10 from the cache after 1", len(again), searches.Load())
	}
	if got := suggest("https://www.youtube.com/watch?v=song01"); len(got) != 0 {
		t.Errorf("a link got suggestions: %+v", got)
	}
	if got := suggest("broken"); len(got) != 0 {
		t.Errorf("a failed search got suggestions: %+v", got)
	}
	if got := suggest("song 3"); len(got) != 2 {
		t.Errorf("suggest(song 3) = %d choices, want 2 (Song 3, Song 30)", len(got))
	}
	if got := suggest("song 4"); len(got) != 0 || searches.Load() != 3 {
		t.Errorf("over the limit: %d choices after %d searches, want none after 3", len(got), searches.Load())
	}
	if got := suggest("song 1"); len(got) != 10 {
		t.Errorf("cached query over the limit: %d choices, want 10 from the cache", len(got))
	}
	if got := suggest(""); len(got) != 0 {
		t.Errorf("empty text got suggestions: %+v", got)
	}
}

// TestAutocompleteFromManager: by default the suggestions come from
// the Manager's search on the Lavalink node.
func TestAutocompleteFromManager(t *testing.T) {
	w := newWorld(t, worldConfig{})
	ix, err := w.srv.Interact(w.ctx, discordtest.Autocomplete{Guild: w.guild.ID(), Channel: w.text, User: w.alice, Name: "play",
		Options: []discordtest.CommandOption{discordtest.Focused(discordtest.String("query", "song 3"))}})
	must(t, err)
	r := w.response(ix)
	if r.Type != discord.InteractionResponseTypeAutocompleteResult || len(r.Choices) != 2 {
		t.Fatalf("response = type %d with %+v, want Song 3 and Song 30", r.Type, r.Choices)
	}
	if r.Choices[0].Name != "Song 3 — The Testers (3:03)" || r.Choices[0].Value != "https://www.youtube.com/watch?v=song03" {
		t.Errorf("first choice = %+v", r.Choices[0])
	}
	// What the choice stands for plays.
	if got := w.play(w.alice, r.Choices[0].Value.(string)); !strings.HasPrefix(got.EmbedTitle(), "Song 3") {
		t.Errorf("/play of the choice = %s", discordtest.Describe([]discordtest.Message{got}))
	}
}

// TestNowPlayingButtons: every button runs its command under the same
// rules as the slash command, and answers the way the doc says.
func TestNowPlayingButtons(t *testing.T) {
	w := newWorld(t, worldConfig{})
	w.play(w.alice, "Song 1")
	w.play(w.alice, "Song 2")
	w.play(w.alice, "Song 3")
	np := w.nowPlaying("Song 1")

	for _, want := range []string{"Loop: track", "Loop: queue", "Loop: off"} {
		r := w.response(w.click(w.alice, np.ID, "/tk1/np/loop", false))
		if r.Type != discord.InteractionResponseTypeUpdateMessage || r.Message == nil {
			t.Fatalf("loop button response type = %d", r.Type)
		}
		if label := buttonLabel(*r.Message, "/tk1/np/loop"); label != want {
			t.Errorf("loop button label = %q, want %q", label, want)
		}
	}
	r := w.response(w.click(w.alice, np.ID, "/tk1/np/shuffle", false))
	if r.Message == nil || !r.Message.Ephemeral() || r.Message.EmbedText() != "🔀 Shuffled 2 tracks." {
		t.Errorf("shuffle button answer = %+v", r.Message)
	}

	// Bob listens too, so without the DJ role he controls nothing once
	// a DJ role is set; the buttons say so as the commands do.
	must(t, w.guild.JoinVoice(w.bob, w.voice))
	_, err := w.m.UpdateSettings(w.ctx, w.guild.ID(), music.Actor{UserID: w.owner, Admin: true}, func(s music.Settings) (music.Settings, error) {
		return s.WithDJRoleID(w.djRole), nil
	})
	must(t, err)
	r = w.response(w.click(w.bob, np.ID, "/tk1/np/stop", false))
	if r.Message == nil || !r.Message.Ephemeral() || r.Message.EmbedText() != "You need the DJ role to do that." {
		t.Errorf("bob's stop button = %+v, want the DJ-role refusal", r.Message)
	}

	r = w.response(w.click(w.alice, np.ID, "/tk1/np/stop", false))
	if r.Type != discord.InteractionResponseTypeDeferredUpdateMessage {
		t.Errorf("stop button response type = %d, want a deferred update", r.Type)
	}
	w.waitMessage(np.ID, "retired", func(m discordtest.Message) bool { return len(m.Components) == 0 })
	if _, err := w.m.NowPlaying(w.ctx, w.guild.ID(), musicActor(w.alice)); !errors.Is(err, music.ErrNothingPlaying) {
		t.Errorf("after stop: %v, want nothing playing", err)
	}
}

func buttonLabel(m discordtest.Message, id string) string {
	for _, c := range m.Components {
		if row, ok := c.(discord.ActionRowComponent); ok {
			for _, ic := range row.Components {
				if b, ok := ic.(discord.ButtonComponent); ok && b.CustomID == id {
					return b.Label
				}
			}
		}
	}
	return ""
}

// TestCleanupDelete: with CleanupDelete an ended track's message goes.
func TestCleanupDelete(t *testing.T) {
	w := newWorld(t, worldConfig{botOpts: []disgobot.Option{disgobot.WithCleanup(disgobot.CleanupDelete)}})
	w.play(w.alice, "Song 1")
	w.play(w.alice, "Song 2")
	first := w.nowPlaying("Song 1")
	w.original(w.command(w.alice, "skip"))
	w.nowPlaying("Song 2")
	w.waitMessage(first.ID, "deleted", func(m discordtest.Message) bool { return m.Deleted })
}

// TestDeletedMessageForgotten: when someone deletes the now-playing
// message, the next progress update finds it gone and updates stop.
func TestDeletedMessageForgotten(t *testing.T) {
	w := newWorld(t, worldConfig{})
	w.play(w.alice, "Song 1")
	np := w.nowPlaying("Song 1")
	must(t, disgobot.WaitIdle(w.ctx, w.bot))
	must(t, w.client.Rest.DeleteMessage(w.text, np.ID))
	patches := func() int {
		n := 0
		for _, r := range w.srv.Requests() {
			if r.Method == "PATCH" && strings.HasSuffix(r.Path, "/messages/"+np.ID.String()) {
				n++
			}
		}
		return n
	}
	for range 3 {
		w.clock.Advance(disgobot.DefaultProgressInterval)
		must(t, disgobot.WaitIdle(w.ctx, w.bot))
	}
	if n := patches(); n != 1 {
		t.Errorf("%d edits of the deleted message, want 1 (the one that found it gone)", n)
	}
}

// TestForgedOptions: options a Discord client would never send (from a
// modified client, or a command definition that changed) are refused
// with a short answer.
func TestForgedOptions(t *testing.T) {
	w := newWorld(t, worldConfig{})
	w.play(w.alice, "Song 1")
	w.nowPlaying("Song 1")
	lounge := w.voice
	const invalid = "That option is not valid."
	for _, tc := range []struct {
		name string
		opts []discordtest.CommandOption
		want string
	}{
		{"volume", nil, invalid},
		{"volume", []discordtest.CommandOption{discordtest.String("level", "loud")}, invalid},
		{"loop", []discordtest.CommandOption{discordtest.String("mode", "sideways")}, invalid},
		{"autoplay", []discordtest.CommandOption{discordtest.String("mode", "maybe")}, invalid},
		{"move", []discordtest.CommandOption{discordtest.Integer("from", 1)}, invalid},
		{"remove", nil, invalid},
		{"skip", []discordtest.CommandOption{discordtest.Integer("count", 0)}, invalid},
		{"settings", []discordtest.CommandOption{discordtest.Subcommand("stay-connected")}, invalid},
		{"settings", []discordtest.CommandOption{discordtest.Subcommand("announce-channel", discordtest.Channel("channel", lounge))}, invalid},
		{"dance", nil, "I don't know that command. It may have been removed; try again in a moment."},
	} {
		ix, err := w.srv.Interact(w.ctx, discordtest.Command{Guild: w.guild.ID(), Channel: w.text, User: w.owner, Name: tc.name, Options: tc.opts, Forge: true})
		must(t, err)
		got := w.original(ix)
		if !got.Ephemeral() || got.EmbedText() != tc.want {
			t.Errorf("forged /%s %v = %s, want %q", tc.name, tc.opts, discordtest.Describe([]discordtest.Message{got}), tc.want)
		}
	}
}
