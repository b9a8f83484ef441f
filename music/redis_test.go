package music_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/metrics"
	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/music/redisstore"
	"github.com/tunekit/tunekit/ratelimit"
	"github.com/tunekit/tunekit/secureheaders"
)

const patience = 15 * time.Second

var (
	rGuild  = snowflake.ID(810000000000000001)
	rVoice  = snowflake.ID(710000000000000001)
	rUser   = snowflake.ID(910000000000000002)
	rActor  = music.Actor{UserID: rUser, VoiceChannelID: rVoice}
	discard = slog.New(slog.NewTextHandler(io.Discard, nil))
)

// redisRig is a Manager on a fake node with a Redis store.
type redisRig struct {
	t      *testing.T
	clock  *music.FakeClock
	node   *lavalinktest.Node
	voice  *music.FakeVoice
	m      *music.Manager
	events chan music.Event
	saves  chan error
	puts   chan error
}

func newRedisRig(t *testing.T, clock *music.FakeClock, node *lavalinktest.Node, rdb redis.UniversalClient, edit func(*music.Config)) *redisRig {
	t.Helper()
	store, err := redisstore.New(rdb)
	if err != nil {
		t.Fatal(err)
	}
	r := &redisRig{t: t, clock: clock, node: node, voice: &music.FakeVoice{}, events: make(chan music.Event, 1024), saves: make(chan error, 1024), puts: make(chan error, 1024)}
	cfg := music.Config{
		Nodes:    []music.NodeConfig{{Name: "main", Address: node.Addr(), Password: secureheaders.NewSecret(node.Password())}},
		UserID:   music.BotID,
		Voice:    r.voice,
		Settings: store,
		Sessions: store,
		Logger:   discard,
	}
	if edit != nil {
		edit(&cfg)
	}
	m, err := music.NewManager(cfg, music.WithClock(clock), music.WithSaveRetry(time.Second, 2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	r.m = m
	r.voice.Attach(m)
	cancel := m.Events().Subscribe(func(e music.Event) { r.events <- e })
	music.SaverObserver(m, func(settings bool, err error) {
		if settings {
			r.puts <- err
		} else {
			r.saves <- err
		}
	})
	t.Cleanup(func() {
		cancel()
		ctx, stop := context.WithTimeout(context.Background(), patience)
		defer stop()
		_ = m.Close(ctx)
	})
	ctx := r.ctx()
	if err := m.Start(ctx); err != nil {
		t.Fatalf("Start = %v", err)
	}
	if err := music.WaitNodes(ctx, m); err != nil {
		t.Fatal(err)
	}
	m.OnVoiceStateUpdate(music.VoiceStateUpdate{GuildID: rGuild, UserID: rUser, ChannelID: rVoice})
	return r
}

func (r *redisRig) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	r.t.Cleanup(cancel)
	return ctx
}

func (r *redisRig) waitStarted(title string) music.TrackStarted {
	r.t.Helper()
	timeout := time.After(patience)
	for {
		select {
		case e := <-r.events:
			if ts, ok := e.(music.TrackStarted); ok && ts.Track.Info.Title == title {
				return ts
			}
		case <-timeout:
			r.t.Fatalf("%q never started", title)
		}
	}
}

func (r *redisRig) waitSave(ok bool) {
	r.t.Helper()
	timeout := time.After(patience)
	for {
		select {
		case err := <-r.saves:
			if (err == nil) == ok {
				return
			}
		case <-timeout:
			r.t.Fatalf("no save with ok=%v", ok)
		}
	}
}

func addSongs(t *testing.T, node *lavalinktest.Node, titles ...string) {
	t.Helper()
	for _, title := range titles {
		if _, err := node.AddTrack(lavalink.TrackInfo{Identifier: "id-" + title, Title: title, Author: "Band", Length: 180 * lavalink.Second}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRedisRestartRestoresAndPlaysOn(t *testing.T) {
	srv := redistest.Start(t)
	clock := music.NewFakeClock()
	node := lavalinktest.NewNodeT(t, lavalinktest.WithClock(clock.Lavalink()))
	addSongs(t, node, "one", "two")

	r1 := newRedisRig(t, clock, node, srv.Client(), nil)
	ctx := r1.ctx()
	for _, q := range []string{"one", "two"} {
		if _, err := r1.m.Play(ctx, rGuild, rActor, q, music.PlaceEnd); err != nil {
			t.Fatalf("Play(%q) = %v", q, err)
		}
	}
	r1.waitStarted("one")
	clock.Advance(60 * time.Second)
	if err := r1.m.Close(ctx); err != nil {
		t.Fatalf("Close = %v", err)
	}

	r2 := newRedisRig(t, clock, node, srv.Client(), nil)
	r2.waitStarted("one")
	np, err := r2.m.NowPlaying(ctx, rGuild, rActor)
	if err != nil || np.Position != 60*time.Second || np.QueueLength != 1 || np.VoiceChannelID != rVoice {
		t.Fatalf("NowPlaying after restart = %+v, %v; want one at 60s with two queued", np, err)
	}
	if p, ok := node.Player(rGuild); !ok || p.Track == nil || p.Position != 60*time.Second || !p.Connected {
		t.Fatalf("node player after restart = %+v", p)
	}
	clock.Advance(120 * time.Second)
	r2.waitStarted("two")
}

func TestRedisDownCommandsKeepWorking(t *testing.T) {
	srv := redistest.Start(t)
	reg := prometheus.NewRegistry()
	business, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	clock := music.NewFakeClock()
	node := lavalinktest.NewNodeT(t, lavalinktest.WithClock(clock.Lavalink()))
	addSongs(t, node, "one", "two")
	rdb := srv.NewClient()
	t.Cleanup(func() { _ = rdb.Close() })
	business.InstrumentRedis(rdb) // counts redis_failures_total; the Manager counts errors_total
	r := newRedisRig(t, clock, node, rdb, func(c *music.Config) {
		c.Metrics = business
		c.Limiter = ratelimit.NewFailSafe(ratelimit.NewRedis(rdb), ratelimit.NewMemory(ratelimit.WithClock(clock.Now)))
		c.Policy = ratelimit.Policy{Default: ratelimit.PerMinute(100)}
	})
	ctx := r.ctx()
	if _, err := r.m.Play(ctx, rGuild, rActor, "one", music.PlaceEnd); err != nil {
		t.Fatal(err)
	}
	r.waitStarted("one")
	r.waitSave(true)

	srv.Stop()
	if _, err := r.m.Play(ctx, rGuild, rActor, "two", music.PlaceEnd); err != nil {
		t.Fatalf("Play with Redis down = %v", err)
	}
	if err := r.m.SetVolume(ctx, rGuild, rActor, 70); err != nil {
		t.Fatalf("SetVolume with Redis down = %v", err)
	}
	if err := r.m.Pause(ctx, rGuild, rActor); err != nil {
		t.Fatalf("Pause with Redis down = %v", err)
	}
	if q, err := r.m.Queue(ctx, rGuild, rActor, 1); err != nil || q.Total != 1 {
		t.Fatalf("Queue with Redis down = %+v, %v", q, err)
	}
	clock.Advance(music.DefaultSaveInterval)
	r.waitSave(false)
	if got := counterSum(t, reg, "tunekit_redis_failures_total"); got < 1 {
		t.Errorf("redis_failures_total = %v, want at least 1", got)
	}
	if got := counterValue(t, reg, "tunekit_errors_total", map[string]string{"component": metrics.ComponentStore}); got < 1 {
		t.Errorf("errors_total{component=store} = %v, want at least 1", got)
	}

	srv.Restart() // back, and empty
	for done := false; !done; {
		clock.Advance(2 * time.Second)
		select {
		case err := <-r.saves:
			done = err == nil
		case <-clock.TimerSet():
		case <-time.After(patience):
			t.Fatal("session never stored")
		}
	}
	store, _ := redisstore.New(srv.Client())
	snap, err := store.Load(ctx, rGuild)
	if err != nil || snap.State != music.StatePaused || snap.Volume != 70 || len(snap.Queue) != 1 || snap.Current.Info.Title != "one" {
		t.Fatalf("stored after Redis came back = %+v, %v", snap, err)
	}
	// The settings write is retried too.
	for done := false; !done; {
		clock.Advance(2 * time.Second)
		select {
		case err := <-r.puts:
			done = err == nil
		case <-clock.TimerSet():
		case <-time.After(patience):
			t.Fatal("settings never stored")
		}
	}
	if st, err := store.Get(ctx, rGuild); err != nil || st.Volume() != 70 {
		t.Errorf("stored settings = %v, %v; want volume 70", st, err)
	}
}

func counterSum(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// counterValue sums the counters of family name whose labels include
// want.
func counterValue(t *testing.T, reg *prometheus.Registry, name string, want map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if have[k] != v {
					continue metric
				}
			}
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}
