package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/internal/logtest"
	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/discordtest"
	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/tracing"
)

// patience bounds every wait of a test: a hang becomes a failure, and no
// test waits for it to pass.
const patience = 30 * time.Second

// disgoHeartbeat is the stand-in Discord's heartbeat interval. The server
// holds READY until the client's first heartbeat (WithReadyAfterHeartbeat),
// so connecting takes this long, and discordtest.CloseClient must close
// the client before its second heartbeat, so it is also the longest a test
// may keep one run connected. disgo v0.19.6 races with itself otherwise
// (see the discordtest documentation).
const disgoHeartbeat = 8 * time.Second

// testPassword is the Lavalink password of the fake nodes; the log must
// never show it.
const testPassword = "fake-lavalink-password-for-e2e"

// playlistURL loads "Song 6" to "Song 30" from the fake nodes.
const playlistURL = "https://www.youtube.com/playlist?list=mix"

// world is what a bot under test talks to: a stand-in Discord with one
// guild, two fake Lavalink nodes with the same catalogue, a real Redis,
// and the log every run of the bot writes.
type world struct {
	t      *testing.T
	ctx    context.Context
	srv    *discordtest.Server
	guild  *discordtest.Guild
	text   snowflake.ID // #general
	voice  snowflake.ID // the Lounge
	djRole snowflake.ID
	alice  snowflake.ID // DJ, in the Lounge
	bob    snowflake.ID // no roles, not in voice
	owner  snowflake.ID // every permission
	nodes  []*lavalinktest.Node
	redis  *redistest.Server // nil when the world has no Redis
	log    *logtest.Buffer   // the log of every run
	traces *logtest.Buffer   // spans of the console exporter, with OTEL_TRACES_EXPORTER=console
}

type worldOptions struct {
	serverOpts []discordtest.Option
	noRedis    bool
}

func newWorld(t *testing.T, o worldOptions) *world {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*patience)
	t.Cleanup(cancel)
	w := &world{t: t, ctx: ctx, log: &logtest.Buffer{}, traces: &logtest.Buffer{}}
	if !o.noRedis {
		w.redis = redistest.Start(t)
	}
	w.srv = discordtest.Start(t, append([]discordtest.Option{
		discordtest.WithReadyAfterHeartbeat(),
		discordtest.WithHeartbeatInterval(disgoHeartbeat),
	}, o.serverOpts...)...)
	w.guild = w.srv.AddGuild("Music Lovers")
	w.text = w.guild.AddTextChannel("general")
	w.voice = w.guild.AddVoiceChannel("Lounge")
	w.djRole = w.guild.AddRole("DJ", 0)
	w.alice = w.guild.AddMember("alice", w.djRole)
	w.bob = w.guild.AddMember("bob")
	w.owner = w.guild.OwnerID()
	must(t, w.guild.JoinVoice(w.alice, w.voice))
	for range 2 {
		w.nodes = append(w.nodes, newNode(t))
	}
	return w
}

// newNode starts a fake Lavalink node holding "Song 1" to "Song 30" and
// the playlist of Song 6 to Song 30.
func newNode(t *testing.T) *lavalinktest.Node {
	t.Helper()
	n := lavalinktest.NewNodeT(t, lavalinktest.WithPassword(testPassword))
	var infos []lavalink.TrackInfo
	for i := 1; i <= 30; i++ {
		id := fmt.Sprintf("song%02d", i)
		info := lavalink.TrackInfo{
			Identifier: id,
			Title:      fmt.Sprintf("Song %d", i),
			Author:     "The Testers",
			Length:     lavalink.Duration(180_000 + i*1000),
			URI:        ptr("https://www.youtube.com/watch?v=" + id),
			ArtworkURL: ptr("https://i.ytimg.com/vi/" + id + "/hq.jpg"),
			SourceName: "youtube",
		}
		_, err := n.AddTrack(info)
		must(t, err)
		infos = append(infos, info)
	}
	_, err := n.AddPlaylist(playlistURL, lavalink.PlaylistInfo{Name: "Test Mix", SelectedTrack: -1}, infos[5:]...)
	must(t, err)
	return n
}

// env is the environment of a bot in w; extra entries override it.
func (w *world) env(extra map[string]string) map[string]string {
	env := map[string]string{
		envToken:         w.srv.Token(),
		envDiscordAPIURL: w.srv.RestURL(),
		envDevGuild:      w.guild.ID().String(),
		envLavalinkNodes: fmt.Sprintf("main=%s,%s;backup=%s,%s", w.nodes[0].Addr(), testPassword, w.nodes[1].Addr(), testPassword),
		envLogLevel:      "debug",
		envLogFormat:     "json",
	}
	if w.redis != nil {
		env[envRedisURL] = fmt.Sprintf("redis://%s/%d", w.redis.Addr(), w.redis.DB())
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// lookupIn reads an environment from a map, as os.LookupEnv reads the
// process's.
func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// instance is one run of the bot.
type instance struct {
	w      *world
	cancel context.CancelFunc
	done   chan error
	addr   string // the operator HTTP server

	stopOnce sync.Once
	err      error // run's result once stopped
}

// start runs the bot in w with the environment extra overrides, and
// waits until /readyz says it is ready and its commands are registered.
func (w *world) start(extra map[string]string) *instance {
	w.t.Helper()
	env := w.env(extra)
	cfg, err := loadConfig(lookupIn(env))
	if err != nil {
		w.t.Fatalf("loadConfig: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(w.t, err)
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{w: w, cancel: cancel, done: make(chan error, 1), addr: ln.Addr().String()}
	cfg.hooks = hooks{
		logOutput:   w.log,
		listener:    ln,
		managerOpts: []music.Option{music.WithGracePeriod(200 * time.Millisecond)},
		tracingOpts: []tracing.Option{tracing.WithConsoleWriter(w.traces)},
		closeClient: func(ctx context.Context, c *bot.Client) error {
			return discordtest.CloseClient(ctx, w.srv, c)
		},
	}
	go func() { in.done <- run(ctx, cfg) }()
	w.t.Cleanup(func() {
		if err := in.stop(); err != nil {
			w.t.Errorf("run: %v", err)
		}
	})
	in.waitReady()
	if _, err := w.srv.WaitCommands(w.ctx, cfg.devGuild); err != nil {
		w.t.Fatalf("the bot never registered its commands (guild %s): %v", env[envDevGuild], err)
	}
	return in
}

// stop cancels the run as SIGTERM would and returns its result; later
// calls return the same.
func (in *instance) stop() error {
	in.stopOnce.Do(func() {
		in.cancel()
		select {
		case in.err = <-in.done:
		case <-time.After(patience):
			in.err = errors.New("run did not return after its context was cancelled")
		}
	})
	return in.err
}

// get fetches a path of the operator server.
func (in *instance) get(path string) (int, string) {
	in.w.t.Helper()
	req, err := http.NewRequestWithContext(in.w.ctx, http.MethodGet, "http://"+in.addr+path, nil)
	must(in.w.t, err)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.w.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(in.w.t, err)
	return resp.StatusCode, string(body)
}

// post sends an admin request with token as its bearer token (none when
// empty).
func (in *instance) post(path, token string) (int, string) {
	in.w.t.Helper()
	req, err := http.NewRequestWithContext(in.w.ctx, http.MethodPost, "http://"+in.addr+path, nil)
	must(in.w.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.w.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(in.w.t, err)
	return resp.StatusCode, string(body)
}

// waitReady polls /readyz until it answers 200.
func (in *instance) waitReady() {
	in.w.t.Helper()
	var last string
	ok := in.w.poll(func() bool {
		select {
		case err := <-in.done:
			in.done <- err
			in.w.t.Fatalf("run returned before it was ready: %v", err)
		default:
		}
		code, body := in.get("/readyz")
		last = fmt.Sprintf("%d %q", code, body)
		return code == http.StatusOK
	})
	if !ok {
		in.w.t.Fatalf("/readyz never answered 200; last: %s", last)
	}
}

// poll checks cond every few milliseconds until it holds (true) or the
// world's patience ends (false).
func (w *world) poll(cond func() bool) bool {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-w.ctx.Done():
			return false
		}
	}
	return true
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

// click presses a button on a message as user.
func (w *world) click(user, message snowflake.ID, customID string) discordtest.Response {
	w.t.Helper()
	ix, err := w.srv.Interact(w.ctx, discordtest.Button{User: user, Message: message, CustomID: customID})
	if err != nil {
		w.t.Fatalf("Interact(button %s): %v", customID, err)
	}
	r, err := ix.Response(w.ctx)
	if err != nil {
		w.t.Fatalf("button %s: %v", customID, err)
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

// play runs /play query as user and returns the answer the user sees.
// /play always defers; the answer edits the deferral, a refusal replaces
// it with an ephemeral follow-up.
func (w *world) play(user snowflake.ID, query string) discordtest.Message {
	w.t.Helper()
	ix := w.command(user, "play", discordtest.String("query", query))
	r, err := ix.Response(w.ctx)
	if err != nil {
		w.t.Fatalf("/play %q: %v", query, err)
	}
	if r.Type != discord.InteractionResponseTypeDeferredCreateMessage {
		w.t.Fatalf("/play %q answered with type %d, want a deferral", query, r.Type)
	}
	m, err := w.srv.WaitMessage(w.ctx, 0, func(m discordtest.Message) bool {
		return m.InteractionID == ix.ID() && !m.Deleted && !m.Flags.Has(discord.MessageFlagLoading)
	})
	if err != nil {
		w.t.Fatalf("/play %q: no answer: %v", query, err)
	}
	return m
}

// nowPlaying waits for a live now-playing message (with buttons) about
// title in channel, other than the messages in not.
func (w *world) nowPlaying(channel snowflake.ID, title string, not ...snowflake.ID) discordtest.Message {
	w.t.Helper()
	m, err := w.srv.WaitMessage(w.ctx, channel, func(m discordtest.Message) bool {
		for _, id := range not {
			if m.ID == id {
				return false
			}
		}
		return !m.Deleted && len(m.Components) > 0 && m.EmbedAuthor() == "Now playing" && strings.HasPrefix(m.EmbedTitle(), title)
	})
	if err != nil {
		w.t.Fatalf("no now-playing message for %q: %v%s", title, err, discordtest.Describe(w.srv.Messages(channel)))
	}
	return m
}

// player waits until a node plays identifier for the guild, unpaused and
// with its voice connected, and returns the node's index and the player.
func (w *world) player(guild snowflake.ID, identifier string) (int, lavalinktest.Player) {
	w.t.Helper()
	var (
		at int
		p  lavalinktest.Player
	)
	ok := w.poll(func() bool {
		for i, n := range w.nodes {
			got, found := n.Player(guild)
			if found && got.Track != nil && got.Track.Info.Identifier == identifier && !got.Paused && got.Voice.Endpoint != "" {
				at, p = i, got
				return true
			}
		}
		return false
	})
	if !ok {
		w.t.Fatalf("no node plays %s in guild %s; players: %s", identifier, guild, w.players())
	}
	return at, p
}

func (w *world) players() string {
	var b strings.Builder
	for i, n := range w.nodes {
		for _, p := range n.Players() {
			id := ""
			if p.Track != nil {
				id = p.Track.Info.Identifier
			}
			fmt.Fprintf(&b, "\n  node %d: guild %s track %q at %s paused=%v", i, p.GuildID, id, p.Position, p.Paused)
		}
	}
	return b.String()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

func footer(m discordtest.Message) string {
	if len(m.Embeds) == 0 || m.Embeds[0].Footer == nil {
		return ""
	}
	return m.Embeds[0].Footer.Text
}
