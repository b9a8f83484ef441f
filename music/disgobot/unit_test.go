package disgobot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgo"
	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/cache"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/discordtest"
	"github.com/tunekit/tunekit/ratelimit"
	"github.com/tunekit/tunekit/secureheaders"
)

// offline returns a client and a Manager that never connect anywhere.
func offline(t *testing.T, opts ...bot.ConfigOpt) (*bot.Client, *music.Manager) {
	t.Helper()
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	client, err := disgo.New(discordtest.Token(discordtest.DefaultApplicationID), append([]bot.ConfigOpt{bot.WithLogger(discard)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(context.Background()) })
	m, err := music.NewManager(music.Config{
		Nodes:  []music.NodeConfig{{Name: "n", Address: "127.0.0.1:1", Password: secureheaders.NewSecret("pw")}},
		UserID: discordtest.DefaultApplicationID,
		Voice:  Voice(client),
		Logger: discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	return client, m
}

func TestNewRejects(t *testing.T) {
	client, m := offline(t, bot.WithCacheConfigOpts(cache.WithCaches(CacheFlags)))
	noCache, _ := offline(t)
	for _, tc := range []struct {
		name   string
		client *bot.Client
		m      *music.Manager
		opts   []Option
		field  string
	}{
		{"nil client", nil, m, nil, "Client"},
		{"nil manager", client, nil, nil, "Manager"},
		{"no voice cache", noCache, m, nil, "Client"},
		{"progress too often", client, m, []Option{WithProgressInterval(time.Second)}, "ProgressInterval"},
		{"progress zero", client, m, []Option{WithProgressInterval(0)}, "ProgressInterval"},
		{"no live messages", client, m, []Option{WithLiveMessages(0, time.Hour)}, "LiveMessages"},
		{"live ttl", client, m, []Option{WithLiveMessages(10, 0)}, "LiveMessages"},
		{"no suggestions", client, m, []Option{WithSuggestionCache(0, time.Minute)}, "SuggestionCache"},
		{"suggestion ttl", client, m, []Option{WithSuggestionCache(10, -1)}, "SuggestionCache"},
		{"autocomplete limit", client, m, []Option{WithAutocompleteLimit(ratelimit.Limit{}, nil)}, "AutocompleteLimit"},
		{"command timeout", client, m, []Option{WithCommandTimeout(0)}, "CommandTimeout"},
		{"defer after", client, m, []Option{WithDeferAfter(3 * time.Second)}, "DeferAfter"},
		{"cleanup", client, m, []Option{WithCleanup(Cleanup(7))}, "Cleanup"},
		{"no edit burst", client, m, []Option{WithEditBudget(0, time.Second)}, "EditBudget"},
		{"no edit interval", client, m, []Option{WithEditBudget(1, 0)}, "EditBudget"},
		{"edits past Discord's limit", client, m, []Option{WithEditBudget(3, time.Second)}, "EditBudget"},
		{"outage calm zero", client, m, []Option{WithOutageNotices(0)}, "OutageNotices"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := New(tc.client, tc.m, tc.opts...)
			var ce *ConfigError
			if b != nil || !errors.Is(err, ErrInvalidConfig) || !errors.As(err, &ce) || ce.Field != tc.field {
				t.Fatalf("New = %v, %v; want a *ConfigError for %s", b, err, tc.field)
			}
			if ce.Error() == "" {
				t.Error("empty error text")
			}
		})
	}
}

func TestNewAndClose(t *testing.T) {
	client, m := offline(t, bot.WithCacheConfigOpts(cache.WithCaches(CacheFlags)))
	b, err := New(client, m, WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), WithProgressInterval(-1), WithCleanup(CleanupDelete), WithTheme(Theme{Color: 1}),
		WithLiveMessages(5, time.Minute), WithSuggestionCache(5, time.Minute), WithCommandTimeout(time.Second), WithDeferAfter(time.Second),
		WithEditBudget(4, 5*time.Second), WithOutageNotices(time.Second), WithSyncedLyrics(false))
	if err != nil {
		t.Fatal(err)
	}
	if b.Handler() == nil || b.cfg.theme.Color != 1 || b.cfg.theme.ErrorColor != DefaultTheme().ErrorColor {
		t.Errorf("Handler() = %v, theme %+v", b.Handler(), b.cfg.theme)
	}
	if b.cfg.editBurst != 4 || b.cfg.editInterval != 5*time.Second || b.cfg.outageCalm != time.Second || b.cfg.lyricsLine {
		t.Errorf("config = %+v, want the options applied", b.cfg)
	}
	if s, ok := b.cfg.searcher.(*music.Manager); !ok || s != m {
		t.Errorf("searcher = %T, want the Manager", b.cfg.searcher)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := b.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// After Close the Bot ignores interactions and events.
	b.onMusicEvent(music.TrackStarted{GuildID: 1})
	if b.work.do(1, func(context.Context) {}) {
		t.Error("work accepted after Close")
	}
}

func TestCloseHonoursContext(t *testing.T) {
	client, m := offline(t, bot.WithCacheConfigOpts(cache.WithCaches(CacheFlags)))
	b, err := New(client, m)
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	started := make(chan struct{})
	if !b.work.do(1, func(ctx context.Context) { close(started); <-release }) {
		t.Fatal("do refused")
	}
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Close with a job running = %v, want context.Canceled", err)
	}
	if b.ctx.Err() == nil {
		t.Error("the Bot's context was not cancelled")
	}
	close(release)
	b.work.wait()
}

func TestCleanupString(t *testing.T) {
	if CleanupDisable.String() != "disable" || CleanupDelete.String() != "delete" {
		t.Errorf("Cleanup strings: %q, %q", CleanupDisable, CleanupDelete)
	}
}

func TestUserMessage(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errNotInGuild, msgNotInGuild},
		{errNotAdmin, msgNotAdmin},
		{errStale, msgStaleButton},
		{errOldID, msgOldButton},
		{errInvalidID, msgInvalidButton},
		{errAlreadyPaused, msgAlreadyPaused},
		{errNotPaused, msgNotPaused},
		{errBadOption, "That option is not valid."},
		{errUnknownRoute, msgUnknown},
		{errVoteOver, msgVoteOver},
		{errEmptyLyrics, msgNoLyricsText},
		{fmt.Errorf("wrapped: %w", music.ErrNotInVoice), "Join my voice channel first."},
		{&music.RateLimitedError{Command: "play", RetryAfter: 2500 * time.Millisecond}, "Slow down! Try again in 3 seconds."},
		{errors.New("secret internal detail"), "Something went wrong. Please try again."},
	} {
		if got := userMessage(tc.err); got != tc.want {
			t.Errorf("userMessage(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestPauseError(t *testing.T) {
	paused := &music.TransitionError{Action: "pause", From: music.StatePaused}
	idle := &music.TransitionError{Action: "pause", From: music.StateIdle}
	other := errors.New("x")
	for _, tc := range []struct {
		err     error
		pausing bool
		want    error
	}{
		{nil, true, nil},
		{paused, true, errAlreadyPaused},
		{paused, false, errNotPaused},
		{idle, true, idle},
		{other, true, other},
	} {
		if got := pauseError(tc.err, tc.pausing); got != tc.want {
			t.Errorf("pauseError(%v, %v) = %v, want %v", tc.err, tc.pausing, got, tc.want)
		}
	}
}

func TestNextLoop(t *testing.T) {
	for from, want := range map[music.LoopMode]music.LoopMode{music.LoopOff: music.LoopTrack, music.LoopTrack: music.LoopQueue, music.LoopQueue: music.LoopOff} {
		if got := nextLoop(from); got != want {
			t.Errorf("nextLoop(%v) = %v, want %v", from, got, want)
		}
	}
}

func TestActorOf(t *testing.T) {
	for _, tc := range []struct {
		perms discord.Permissions
		admin bool
	}{
		{0, false},
		{discord.PermissionSendMessages | discord.PermissionConnect, false},
		{discord.PermissionManageGuild, true},
		{discord.PermissionAdministrator, true},
	} {
		m := discord.ResolvedMember{Member: discord.Member{User: discord.User{ID: 7}, RoleIDs: []snowflake.ID{3, 4}}, Permissions: tc.perms}
		a := actorOf(m)
		if a.UserID != 7 || !slices.Equal(a.RoleIDs, []snowflake.ID{3, 4}) || a.Admin != tc.admin || a.VoiceChannelID != 0 {
			t.Errorf("actorOf(perms %d) = %+v, want admin %v", tc.perms, a, tc.admin)
		}
	}
}

func TestSuggestionKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  Never   Gonna\tGive ", "never gonna give"},
		{"", ""}, {"   ", ""}, {"a\x00b", ""},
		{string(make([]byte, 4*music.MaxQueryLength+1)), ""},
	} {
		if got := suggestionKey(tc.in); got != tc.want {
			t.Errorf("suggestionKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := ""
	for range music.MaxQueryLength + 1 {
		long += "a"
	}
	if got := suggestionKey(long); got != "" {
		t.Errorf("suggestionKey(%d characters) = %q, want \"\"", len(long), got)
	}
}

func TestSuggestions(t *testing.T) {
	var tracks []music.Track
	for i := range 15 {
		tracks = append(tracks, track(fmt.Sprintf("Song %d", i), "Band", fmt.Sprintf("https://x.test/%d", i), time.Minute))
	}
	dup := tracks[0]
	noLink := track("No Link", "Band", "", time.Minute)
	longLink := track("Long Link", "", "https://x.test/"+string(make([]byte, 200)), time.Minute)
	got := suggestions(append([]music.Track{dup, noLink, longLink}, tracks...))
	if len(got) != maxSuggestions {
		t.Fatalf("suggestions = %d choices, want %d", len(got), maxSuggestions)
	}
	var values []string
	for _, c := range got {
		values = append(values, c.(discord.AutocompleteChoiceString).Value)
	}
	want := []string{"https://x.test/0", "No Link Band", "Long Link", "https://x.test/1", "https://x.test/2"}
	if !slices.Equal(values[:5], want) {
		t.Errorf("values = %v, want them to start %v (duplicates dropped)", values, want)
	}
	if got := suggestions(nil); got == nil || len(got) != 0 {
		t.Errorf("suggestions(nil) = %#v, want an empty list", got)
	}
}

func TestSerializer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newSerializer(ctx, 3)
	var mu sync.Mutex
	var order []string
	gate, running := make(chan struct{}), make(chan struct{})
	add := func(key snowflake.ID, name string) bool {
		return s.do(key, func(context.Context) {
			if name == "a1" {
				close(running)
				<-gate
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
		})
	}
	if !add(1, "a1") {
		t.Fatal("do refused the first job")
	}
	<-running
	if !add(1, "a2") || !add(1, "a3") || !add(1, "a4") {
		t.Fatal("do refused within the limit")
	}
	// a1 runs (blocked), a2–a4 wait: the queue is full.
	if add(1, "a5") {
		t.Error("do accepted past the limit")
	}
	if !add(2, "b1") {
		t.Error("another key was refused")
	}
	close(gate)
	if err := s.waitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	var a []string
	for _, n := range order {
		if n[0] == 'a' {
			a = append(a, n)
		}
	}
	mu.Unlock()
	if !slices.Equal(a, []string{"a1", "a2", "a3", "a4"}) || len(order) != 5 {
		t.Errorf("order = %v, want a1–a4 in order and b1", order)
	}
	s.barrier(ctx, 1)
	s.close()
	if add(1, "late") {
		t.Error("do accepted after close")
	}
	s.barrier(ctx, 1) // returns at once after close
	s.wait()
	done, stop := context.WithCancel(context.Background())
	stop()
	s2 := newSerializer(ctx, 1)
	block := make(chan struct{})
	s2.do(1, func(context.Context) { <-block })
	if err := s2.waitIdle(done); !errors.Is(err, context.Canceled) {
		t.Errorf("waitIdle with a cancelled context = %v", err)
	}
	s2.barrier(done, 1)
	close(block)
	s2.wait()
}
