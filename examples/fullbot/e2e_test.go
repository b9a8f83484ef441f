package main

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/disgo/discord"

	"github.com/tunekit/tunekit/internal/promtooltest"
	"github.com/tunekit/tunekit/music/discordtest"
	"github.com/tunekit/tunekit/music/lavalinktest"
)

// TestEndToEnd drives one run of the bot through what a guild does with
// it: /play, the now-playing buttons, /queue paging, the DJ role, /play
// spam, a Lavalink node dying mid-track, a Prometheus scrape; then it
// shuts the bot down, finds the commands' spans flushed and reads the
// whole debug log for secrets.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{})
	fullbot := w.start(map[string]string{"OTEL_TRACES_EXPORTER": "console"})
	guild := w.guild.ID()

	// /play from a user in voice: the bot joins her channel, the track
	// starts and a now-playing message with its buttons appears.
	answer := w.play(w.alice, "Song 1")
	if answer.Ephemeral() || !strings.HasPrefix(answer.EmbedTitle(), "Song 1") {
		t.Fatalf("/play Song 1 answer = %s, want a public answer about Song 1", discordtest.Describe([]discordtest.Message{answer}))
	}
	if _, err := w.srv.WaitVoice(w.ctx, guild, w.srv.BotID(), w.voice); err != nil {
		t.Fatalf("the bot never joined the Lounge: %v", err)
	}
	np := w.nowPlaying(w.text, "Song 1")
	wantButtons := []string{"/tk1/np/pause", "/tk1/np/skip", "/tk1/np/stop", "/tk1/np/loop", "/tk1/np/shuffle"}
	if got := np.Buttons(); !slices.Equal(got, wantButtons) {
		t.Errorf("now-playing buttons = %v, want %v", got, wantButtons)
	}
	w.player(guild, "song01")

	// A playlist queues Song 6 to Song 30.
	if got := w.play(w.alice, playlistURL); got.Ephemeral() {
		t.Fatalf("/play playlist refused: %s", discordtest.Describe([]discordtest.Message{got}))
	}

	// The skip button plays the next track, announced by a new message.
	if r := w.click(w.alice, np.ID, "/tk1/np/skip"); r.Type == discord.InteractionResponseTypeCreateMessage && r.Message != nil && r.Message.Ephemeral() {
		t.Fatalf("skip button refused: %q", r.Message.EmbedText())
	}
	np = w.nowPlaying(w.text, "Song 6", np.ID)
	w.player(guild, "song06")

	// /queue shows page 1 of 3 (Song 7 to Song 30) and pages in place.
	page := w.original(w.command(w.bob, "queue"))
	if !strings.HasPrefix(footer(page), "Page 1 of 3") || !strings.HasPrefix(page.EmbedText(), "`1.` [Song 7") {
		t.Errorf("/queue = %q / %q, want page 1 of 3 starting with Song 7", page.EmbedText(), footer(page))
	}
	if want := []string{"!/tk1/queue/prev/1", "/tk1/queue/next/2"}; !slices.Equal(page.Buttons(), want) {
		t.Errorf("/queue buttons = %v, want %v", page.Buttons(), want)
	}
	r := w.click(w.bob, page.ID, "/tk1/queue/next/2")
	if r.Type != discord.InteractionResponseTypeUpdateMessage || r.Message == nil {
		t.Fatalf("next page: response type %d, want an update of the message", r.Type)
	}
	if got := *r.Message; !strings.HasPrefix(footer(got), "Page 2 of 3") || !strings.HasPrefix(got.EmbedText(), "`11.` [Song 17") {
		t.Errorf("page 2 = %q / %q, want page 2 of 3 starting with Song 17", got.EmbedText(), footer(got))
	}

	// With a DJ role set, bob (in voice, without it) may not /stop; only
	// he sees the refusal, and the music plays on.
	saved := w.original(w.command(w.owner, "settings", discordtest.Subcommand("dj-role", discordtest.Role("role", w.djRole))))
	if !saved.Ephemeral() {
		t.Errorf("/settings dj-role answer is public: %s", discordtest.Describe([]discordtest.Message{saved}))
	}
	must(t, w.guild.JoinVoice(w.bob, w.voice))
	refused := w.original(w.command(w.bob, "stop"))
	if !refused.Ephemeral() || refused.EmbedText() != "You need the DJ role to do that." {
		t.Errorf("bob's /stop = %s, want an ephemeral DJ-role refusal", discordtest.Describe([]discordtest.Message{refused}))
	}
	w.player(guild, "song06")

	// /play spam: five go through, the sixth within ten seconds is refused
	// with the time to wait.
	for i := 2; i <= 6; i++ {
		if got := w.play(w.bob, "Song "+strconv.Itoa(i)); got.Ephemeral() {
			t.Fatalf("bob's /play %d refused: %q", i-1, got.EmbedText())
		}
	}
	limited := w.play(w.bob, "Song 3")
	if retry := regexp.MustCompile(`^Slow down! Try again in \d+ seconds?\.$`); !limited.Ephemeral() || !retry.MatchString(limited.EmbedText()) {
		t.Errorf("sixth /play = %s, want an ephemeral retry time", discordtest.Describe([]discordtest.Message{limited}))
	}

	// The node playing dies mid-track; the other takes the player over and
	// the track plays on from where it was.
	at, before := w.player(guild, "song06")
	dead, alive := []string{"main", "backup"}[at], []string{"main", "backup"}[1-at]
	w.nodes[at].Kill()
	w.nodes = []*lavalinktest.Node{w.nodes[1-at]} // the dead one holds nothing to find
	_, after := w.player(guild, "song06")
	if after.Position < before.Position {
		t.Errorf("after failover the track is at %s, before it was at %s", after.Position, before.Position)
	}
	if code, body := fullbot.get("/readyz"); code != http.StatusOK ||
		!strings.Contains(body, "lavalink node "+dead+": disconnected") || !strings.Contains(body, "lavalink node "+alive+": connected") {
		t.Errorf("/readyz with one node left = %d %q, want 200 and %s disconnected", code, body, dead)
	}

	// The metrics count what happened and pass promtool's lint.
	code, exposition := fullbot.get("/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	for _, series := range []string{
		`tunekit_command_duration_seconds_count{command="play",status="ok"}`,
		`tunekit_rate_limited_total{backend="redis",command="play"} 1`,
		`tunekit_alert_evaluation_failures_total 0`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(exposition, series) {
			t.Errorf("/metrics lacks %s", series)
		}
	}

	// SIGTERM: run returns without error, within the shutdown timeout.
	stopped := time.Now()
	if err := fullbot.stop(); err != nil {
		t.Fatalf("run: %v", err)
	}
	if took := time.Since(stopped); took > shutdownTimeout {
		t.Errorf("shutdown took %s, longer than %s", took, shutdownTimeout)
	}
	checkLog(t, w.log.String(), w.srv.Token(), testPassword)
	if spans := w.traces.String(); !strings.Contains(spans, `"Name":"discord.command play"`) || !strings.Contains(spans, `"Name":"discord.command stop"`) {
		t.Errorf("the console exporter wrote no span of /play and /stop (%d bytes)", len(spans))
	}

	t.Run("promtool check metrics", func(t *testing.T) { promtooltest.CheckMetrics(t, exposition) })
}

// checkLog fails t if the bot's log shows a secret, and makes sure the
// log is the full debug log, so the check means something.
func checkLog(t *testing.T, log string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(log, s) {
			t.Errorf("the log shows a secret (%d bytes)", len(s))
		}
	}
	for _, want := range []string{`"level":"DEBUG"`, `"component":"disgo"`, `"component":"music"`, `"msg":"fullbot ready"`, `"msg":"fullbot stopped"`} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %s; it has %d bytes", want, len(log))
		}
	}
}

// TestRestartResumesSession: a bot stopped mid-track (SIGTERM) saves the
// session in Redis; a new run on the same Redis rejoins the voice channel,
// announces the track again and keeps the queue.
func TestRestartResumesSession(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{})
	guild := w.guild.ID()
	first := w.start(nil)
	w.play(w.alice, "Song 3")
	np := w.nowPlaying(w.text, "Song 3")
	if got := w.play(w.alice, "Song 4"); got.Ephemeral() {
		t.Fatalf("/play Song 4 refused: %q", got.EmbedText())
	}
	_, before := w.player(guild, "song03")
	if err := first.stop(); err != nil {
		t.Fatalf("first run: %v", err)
	}
	keys, err := w.redis.Client().Keys(w.ctx, "tunekit:music:*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("Redis holds no session after the shutdown: %v %v", keys, err)
	}

	second := w.start(nil)
	w.nowPlaying(w.text, "Song 3", np.ID)
	_, after := w.player(guild, "song03")
	if after.Position < before.Position {
		t.Errorf("after the restart Song 3 is at %s, before it was at %s", after.Position, before.Position)
	}
	if state, ok := w.srv.VoiceState(guild, w.srv.BotID()); !ok || state.ChannelID == nil || *state.ChannelID != w.voice {
		t.Errorf("after the restart the bot's voice state is %+v, want the Lounge", state)
	}
	queue := w.original(w.command(w.alice, "queue"))
	if !strings.HasPrefix(queue.EmbedText(), "`1.` [Song 4") {
		t.Errorf("/queue after the restart = %q, want Song 4 first", queue.EmbedText())
	}
	if err := second.stop(); err != nil {
		t.Fatalf("second run: %v", err)
	}
	checkLog(t, w.log.String(), w.srv.Token(), testPassword)
}

// TestShards: with SHARDS=auto the bot runs as many shards as the gateway
// recommends; with SHARDS=2 and SHARD_IDS=1 it runs shard 1 alone, as one
// process of a fleet does. Either way a guild on shard 1 plays, and
// /readyz waits for every shard the process runs. These runs use the
// embedded file store (no REDIS_URL) and the gateway URL override.
func TestShards(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		env    map[string]string
		shards []int
	}{
		{"auto", map[string]string{envShards: "auto"}, []int{0, 1}},
		{"one of two", map[string]string{envShards: "2", envShardIDs: "1"}, []int{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, worldOptions{noRedis: true, serverOpts: []discordtest.Option{discordtest.WithShardCount(2)}})
			// The world's guild is on shard 0; the next one is on shard 1.
			g := w.srv.AddGuild("Second Floor")
			text := g.AddTextChannel("music")
			voice := g.AddVoiceChannel("Stage")
			carol := g.AddMember("carol")
			must(t, g.JoinVoice(carol, voice))
			if discordtest.ShardOf(g.ID(), 2) != 1 {
				t.Fatalf("the second guild is on shard %d, want 1", discordtest.ShardOf(g.ID(), 2))
			}

			dir := t.TempDir()
			env := map[string]string{envDevGuild: "", envDataDir: dir, envDiscordGateway: w.srv.GatewayURL()}
			for k, v := range tc.env {
				env[k] = v
			}
			in := w.start(env)
			var shards []int
			for _, s := range w.srv.Sessions() {
				if s.Connected {
					if s.ShardCount != 2 {
						t.Errorf("shard %d identified with a count of %d, want 2", s.Shard, s.ShardCount)
					}
					shards = append(shards, s.Shard)
				}
			}
			slices.Sort(shards)
			if !slices.Equal(shards, tc.shards) {
				t.Errorf("connected shards = %v, want %v", shards, tc.shards)
			}

			ix, err := w.srv.Interact(w.ctx, discordtest.Command{Guild: g.ID(), Channel: text, User: carol, Name: "play",
				Options: []discordtest.CommandOption{discordtest.String("query", "Song 2")}})
			must(t, err)
			if answer := w.original(ix); answer.Ephemeral() {
				t.Fatalf("/play on shard 1 refused: %q", answer.EmbedText())
			}
			w.nowPlaying(text, "Song 2")
			w.player(g.ID(), "song02")

			if err := in.stop(); err != nil {
				t.Fatalf("run: %v", err)
			}
			if fi, err := os.Stat(filepath.Join(dir, storeFile)); err != nil || fi.Size() == 0 {
				t.Errorf("the file store %s: %v", storeFile, err)
			}
			checkLog(t, w.log.String(), w.srv.Token(), testPassword)
		})
	}
}

// TestDrainRoute drains a Lavalink node through the admin route, as a
// rolling upgrade does: the player moves to the other fake node and plays
// on, /readyz says the node drains, a node whose players have nowhere to
// go answers 202, and undrain takes the node back. Requests without the
// token are refused, and the token never reaches the log.
func TestDrainRoute(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{})
	fullbot := w.start(map[string]string{envAdminToken: fakeAdminToken})
	guild := w.guild.ID()
	names := []string{"main", "backup"}

	if code, _ := fullbot.post("/admin/nodes/main/drain", ""); code != http.StatusUnauthorized {
		t.Errorf("drain without a token = %d, want 401", code)
	}
	if code, _ := fullbot.post("/admin/nodes/main/drain", "fake-wrong-token-for-e2e-tests"); code != http.StatusUnauthorized {
		t.Errorf("drain with a wrong token = %d, want 401", code)
	}
	if code, body := fullbot.post("/admin/nodes/nowhere/drain", fakeAdminToken); code != http.StatusNotFound || body != "no Lavalink node is named \"nowhere\"\n" {
		t.Errorf("drain of an unknown node = %d %q, want 404", code, body)
	}

	w.play(w.alice, "Song 1")
	at, before := w.player(guild, "song01")
	from, to := names[at], names[1-at]

	// Drain the node playing: the player moves and plays on; the route
	// answers once the node is empty.
	code, body := fullbot.post("/admin/nodes/"+from+"/drain?wait=20s", fakeAdminToken)
	if code != http.StatusOK || body != "node "+from+": drained, no players\n" {
		t.Fatalf("drain %s = %d %q, want 200 drained", from, code, body)
	}
	// The Manager counts the player on its new node before it stops the
	// old one, so the old node lets go a moment after the answer.
	if !w.poll(func() bool { _, still := w.nodes[at].Player(guild); return !still }) {
		t.Errorf("node %s still holds the guild's player after the drain", from)
	}
	now, after := w.player(guild, "song01")
	if now != 1-at || after.Position < before.Position {
		t.Errorf("after the drain the track plays on node %d at %s; want node %d from %s on", now, after.Position, 1-at, before.Position)
	}
	code, body = fullbot.get("/readyz")
	if code != http.StatusOK || !strings.Contains(body, "lavalink node "+from+": connected, draining, breaker closed, 0 players\n") ||
		!strings.Contains(body, "lavalink node "+to+": connected, breaker closed, 1 players\n") {
		t.Errorf("/readyz during the drain = %d %q, want 200 with %s draining", code, body, from)
	}

	// With both nodes draining the player has nowhere to go: 202, and it
	// plays on where it is.
	code, body = fullbot.post("/admin/nodes/"+to+"/drain", fakeAdminToken)
	if code != http.StatusAccepted || body != "node "+to+": draining, 1 players left\n" {
		t.Errorf("drain %s with nowhere to go = %d %q, want 202 with 1 player left", to, code, body)
	}
	w.player(guild, "song01")

	// Undrain the first: it takes players again, and the second's player
	// can move there.
	if code, body := fullbot.post("/admin/nodes/"+from+"/undrain", fakeAdminToken); code != http.StatusOK || body != "node "+from+": taking new players\n" {
		t.Errorf("undrain %s = %d %q, want 200", from, code, body)
	}
	if code, body := fullbot.post("/admin/nodes/"+to+"/drain?wait=20s", fakeAdminToken); code != http.StatusOK {
		t.Errorf("drain %s once %s takes players = %d %q, want 200", to, from, code, body)
	}
	if !w.poll(func() bool { _, still := w.nodes[1-at].Player(guild); return !still }) {
		t.Errorf("node %s still holds the guild's player after its drain", to)
	}
	if now, _ := w.player(guild, "song01"); now != at {
		t.Errorf("the track plays on node %d, want %d (%s)", now, at, from)
	}
	if code, _ := fullbot.post("/admin/nodes/"+to+"/undrain", fakeAdminToken); code != http.StatusOK {
		t.Errorf("undrain %s = %d, want 200", to, code)
	}
	if _, body := fullbot.get("/readyz"); strings.Contains(body, "draining") {
		t.Errorf("/readyz after undraining both = %q, want no node draining", body)
	}

	if err := fullbot.stop(); err != nil {
		t.Fatalf("run: %v", err)
	}
	checkLog(t, w.log.String(), w.srv.Token(), testPassword, fakeAdminToken)
	if !strings.Contains(w.log.String(), `"msg":"admin request refused: no valid token"`) {
		t.Error("the log does not record the refused admin requests")
	}
}
