package disgobot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgo"
	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/cache"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/events"
	"github.com/disgoorg/disgo/handler"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/discordtest"
	"github.com/tunekit/tunekit/music/disgobot"
	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/ratelimit"
	"github.com/tunekit/tunekit/secureheaders"
)

// patience bounds every wait: a hang becomes a failure. No test waits
// for it to pass.
const patience = 20 * time.Second

var epoch = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// logger discards logs unless TUNEKIT_TEST_LOG is set.
func logger() *slog.Logger {
	if os.Getenv("TUNEKIT_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// world is a whole bot under test: the stand-in Discord with one guild,
// a fake Lavalink node with a catalogue, a real Manager and a disgo
// client with the Bot, all on one manual clock.
type world struct {
	t      *testing.T
	ctx    context.Context
	srv    *discordtest.Server
	guild  *discordtest.Guild
	text   snowflake.ID // #general
	voice  snowflake.ID // the Lounge
	djRole snowflake.ID
	alice  snowflake.ID // has the DJ role
	bob    snowflake.ID // no roles
	owner  snowflake.ID // every permission
	node   *lavalinktest.Node
	tracks []lavalink.Track // "Song 1" ... "Song 30"
	clock  *disgobot.FakeClock
	m      *music.Manager
	client *bot.Client
	bot    *disgobot.Bot
	bus    *syncBus
	ready  chan struct{} // closed on GuildReady
}

type worldConfig struct {
	botOpts    []disgobot.Option
	serverOpts []discordtest.Option
	gateway    func(w *world) []bot.ConfigOpt // default: the test gateway
	noVoice    bool                           // alice does not join the Lounge before the bot connects
	limiter    func(ratelimit.Limiter) ratelimit.Limiter
	policy     ratelimit.Policy
	nodeOpts   []lavalinktest.Option
	recommend  music.Recommender
}

func newWorld(t *testing.T, wc worldConfig) *world {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	t.Cleanup(cancel)
	w := &world{t: t, ctx: ctx, clock: disgobot.NewFakeClock(epoch), ready: make(chan struct{})}
	w.srv = discordtest.Start(t, wc.serverOpts...)
	w.guild = w.srv.AddGuild("Music Lovers")
	w.text = w.guild.AddTextChannel("general")
	w.voice = w.guild.AddVoiceChannel("Lounge")
	w.djRole = w.guild.AddRole("DJ", 0)
	w.alice = w.guild.AddMember("alice", w.djRole)
	w.bob = w.guild.AddMember("bob")
	w.owner = w.guild.OwnerID()
	if !wc.noVoice {
		must(t, w.guild.JoinVoice(w.alice, w.voice))
	}

	w.node = lavalinktest.NewNodeT(t, append([]lavalinktest.Option{lavalinktest.WithClock(lavalinktest.NewClock(epoch))}, wc.nodeOpts...)...)
	for i := 1; i <= 30; i++ {
		tr, err := w.node.AddTrack(lavalink.TrackInfo{
			Identifier: fmt.Sprintf("song%02d", i),
			Title:      fmt.Sprintf("Song %d", i),
			Author:     "The Testers",
			Length:     lavalink.Duration(180_000 + i*1000),
			URI:        ptr(fmt.Sprintf("https://www.youtube.com/watch?v=song%02d", i)),
			ArtworkURL: ptr(fmt.Sprintf("https://i.ytimg.com/vi/song%02d/hq.jpg", i)),
			SourceName: "youtube",
		})
		must(t, err)
		w.tracks = append(w.tracks, tr)
	}
	_, err := w.node.AddPlaylist("https://www.youtube.com/playlist?list=mix", lavalink.PlaylistInfo{Name: "Test Mix"}, infos(w.tracks[5:30])...)
	must(t, err)

	log := logger()
	gw := wc.gateway
	if gw == nil {
		gw = testGatewayOpts
	}
	opts := append([]bot.ConfigOpt{
		bot.WithLogger(log),
		bot.WithRestClientConfigOpts(rest.WithURL(w.srv.RestURL()), rest.WithLogger(log)),
		bot.WithCacheConfigOpts(cache.WithCaches(disgobot.CacheFlags)),
		bot.WithEventListenerFunc(func(*events.GuildReady) { close(w.ready) }),
	}, gw(w)...)
	w.client, err = disgo.New(w.srv.Token(), opts...)
	must(t, err)
	if tg, ok := w.client.Gateway.(*testGateway); ok {
		tg.handle = w.client.EventManager.HandleGatewayEvent
	}

	limiter := ratelimit.NewMemory(ratelimit.WithClock(w.clock.Now))
	if wc.limiter != nil {
		limiter = wc.limiter(limiter)
	}
	w.bus = &syncBus{Bus: music.NewBus(), changed: make(chan struct{})}
	w.m, err = music.NewManager(music.Config{
		Nodes:       []music.NodeConfig{{Name: "main", Address: w.node.Addr(), Password: secureheaders.NewSecret(w.node.Password())}},
		UserID:      w.srv.BotID(),
		Voice:       disgobot.Voice(w.client),
		Events:      w.bus,
		Limiter:     limiter,
		Policy:      wc.policy,
		Logger:      log,
		Recommender: wc.recommend,
	}, music.WithClock(w.clock))
	must(t, err)
	w.bot, err = disgobot.New(w.client, w.m, append([]disgobot.Option{disgobot.WithClock(w.clock), disgobot.WithLogger(log)}, wc.botOpts...)...)
	must(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		if err := w.bot.Close(ctx); err != nil {
			t.Errorf("Bot.Close: %v", err)
		}
		if err := w.m.Close(ctx); err != nil {
			t.Errorf("Manager.Close: %v", err)
		}
		if err := w.bus.Close(ctx); err != nil {
			t.Errorf("Bus.Close: %v", err)
		}
		closeClient(ctx, w.client)
	})
	must(t, handler.SyncCommands(w.client, disgobot.Commands(), []snowflake.ID{w.guild.ID()}))
	must(t, w.m.Start(ctx))
	must(t, w.client.OpenGateway(ctx))
	must(t, w.m.WaitReady(ctx))
	select {
	case <-w.ready:
	case <-ctx.Done():
		t.Fatal("no GUILD_CREATE")
	}
	return w
}

// testGatewayOpts gives the client the race-free test gateway.
func testGatewayOpts(w *world) []bot.ConfigOpt {
	return []bot.ConfigOpt{bot.WithGateway(&testGateway{url: w.srv.GatewayURL(), token: w.srv.Token(), intents: disgobot.Intents})}
}

// syncBus is the Manager's event bus in tests: a music.Bus that counts
// the events each subscriber was sent and has handled, so that settle
// can wait until everything published so far was handled.
type syncBus struct {
	*music.Bus
	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever an event is handled
	subs    []*busSub
}

type busSub struct{ sent, handled int }

func (b *syncBus) Publish(ctx context.Context, e music.Event) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.subs {
		s.sent++
	}
	return b.Bus.Publish(ctx, e)
}

func (b *syncBus) Subscribe(f func(music.Event)) func() {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := &busSub{}
	b.subs = append(b.subs, s)
	cancel := b.Bus.Subscribe(func(e music.Event) {
		f(e)
		b.mu.Lock()
		s.handled++
		close(b.changed)
		b.changed = make(chan struct{})
		b.mu.Unlock()
	})
	return func() {
		cancel()
		b.mu.Lock()
		b.subs = slices.DeleteFunc(b.subs, func(x *busSub) bool { return x == s })
		b.mu.Unlock()
	}
}

// wait waits until every subscriber handled every event sent to it.
func (b *syncBus) wait(ctx context.Context) error {
	for {
		b.mu.Lock()
		done := true
		for _, s := range b.subs {
			done = done && s.handled >= s.sent
		}
		changed := b.changed
		b.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// settle waits until the Bot has handled every event published so far
// and finished the work they and the clock gave it.
func (w *world) settle() {
	w.t.Helper()
	must(w.t, w.bus.wait(w.ctx))
	must(w.t, disgobot.WaitIdle(w.ctx, w.bot))
}

// listener adds a member who joins the Lounge.
func (w *world) listener(name string) snowflake.ID {
	w.t.Helper()
	id := w.guild.AddMember(name)
	must(w.t, w.guild.JoinVoice(id, w.voice))
	return id
}

// edits counts the edits of the Bot's own messages in #general so far
// (now-playing messages, notices) and of the answers of the given
// interactions (skip votes), which share the channel's edit budget.
func (w *world) edits(answers ...*discordtest.Interaction) int {
	n := 0
	for _, r := range w.srv.Requests() {
		if r.Method != "PATCH" {
			continue
		}
		if strings.HasPrefix(r.Path, "/channels/"+w.text.String()+"/messages/") {
			n++
		}
		for _, ix := range answers {
			if strings.HasSuffix(r.Path, "/"+ix.Token()+"/messages/@original") {
				n++
			}
		}
	}
	return n
}

// command runs a slash command as user in #general.
func (w *world) command(user snowflake.ID, name string, opts ...discordtest.CommandOption) *discordtest.Interaction {
	w.t.Helper()
	ix, err := w.srv.Interact(w.ctx, discordtest.Command{Guild: w.guild.ID(), Channel: w.text, User: user, Name: name, Options: opts})
	if err != nil {
		w.t.Fatalf("Interact(/%s): %v", name, err)
	}
	return ix
}

// click presses a button as user.
func (w *world) click(user, message snowflake.ID, customID string, forge bool) *discordtest.Interaction {
	w.t.Helper()
	ix, err := w.srv.Interact(w.ctx, discordtest.Button{User: user, Message: message, CustomID: customID, Forge: forge})
	if err != nil {
		w.t.Fatalf("Interact(button %q): %v", customID, err)
	}
	return ix
}

// response waits for the interaction's callback.
func (w *world) response(ix *discordtest.Interaction) discordtest.Response {
	w.t.Helper()
	r, err := ix.Response(w.ctx)
	if err != nil {
		w.t.Fatalf("Response: %v", err)
	}
	return r
}

// original waits for what the user sees as the interaction's answer.
func (w *world) original(ix *discordtest.Interaction) discordtest.Message {
	w.t.Helper()
	m, err := ix.Original(w.ctx)
	if err != nil {
		w.t.Fatalf("Original: %v", err)
	}
	return m
}

// followup waits for the interaction's n-th follow-up.
func (w *world) followup(ix *discordtest.Interaction, n int) discordtest.Message {
	w.t.Helper()
	m, err := ix.Followup(w.ctx, n)
	if err != nil {
		w.t.Fatalf("Followup(%d): %v", n, err)
	}
	return m
}

// play runs /play query as user and returns the answer the user sees.
func (w *world) play(user snowflake.ID, query string) discordtest.Message {
	w.t.Helper()
	ix := w.command(user, "play", discordtest.String("query", query))
	if r := w.response(ix); r.Type != discord.InteractionResponseTypeDeferredCreateMessage {
		w.t.Fatalf("/play response type = %d, want a deferral", r.Type)
	}
	return w.original(ix)
}

// nowPlaying waits for a now-playing message with buttons about title.
func (w *world) nowPlaying(title string) discordtest.Message {
	w.t.Helper()
	m, err := w.srv.WaitMessage(w.ctx, w.text, func(m discordtest.Message) bool {
		return !m.Deleted && len(m.Components) > 0 && m.EmbedAuthor() == "Now playing" && strings.HasPrefix(m.EmbedTitle(), title)
	})
	if err != nil {
		w.t.Fatalf("no now-playing message for %q: %v (messages: %s)", title, err, discordtest.Describe(w.srv.Messages(w.text)))
	}
	return m
}

// waitMessage waits for message id to satisfy match.
func (w *world) waitMessage(id snowflake.ID, what string, match func(discordtest.Message) bool) discordtest.Message {
	w.t.Helper()
	m, err := w.srv.WaitMessage(w.ctx, w.text, func(m discordtest.Message) bool { return m.ID == id && match(m) })
	if err != nil {
		got, _ := w.srv.Message(id)
		w.t.Fatalf("message %s never %s: %v (now %s)", id, what, err, discordtest.Describe([]discordtest.Message{got}))
	}
	return m
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

func infos(tracks []lavalink.Track) []lavalink.TrackInfo {
	out := make([]lavalink.TrackInfo, len(tracks))
	for i, t := range tracks {
		out[i] = t.Info
	}
	return out
}

func field(m discordtest.Message, name string) string {
	if len(m.Embeds) == 0 {
		return ""
	}
	for _, f := range m.Embeds[0].Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}
