package music_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/music/redisstore"
	"github.com/tunekit/tunekit/secureheaders"
)

// ownRig is one bot process on a shared Redis: a Manager with its own
// fake clock, Lavalink node and voice gateway, a redisstore Store whose
// lease times read that clock, and a Bus (on an event channel of its
// own) that reports queue changes.
type ownRig struct {
	t       *testing.T
	clock   *music.FakeClock
	node    *lavalinktest.Node
	store   *redisstore.Store
	m       *music.Manager
	events  chan music.Event
	rounds  chan bool
	reloads chan uint64
	saves   chan error
	freed   chan snowflake.ID
}

type ownOpts struct {
	ttl    time.Duration
	guilds []snowflake.ID // a listener is in rVoice in each
	titles []string       // the node's catalogue
}

func newOwnRig(t *testing.T, srv *redistest.Server, name string, o ownOpts) *ownRig {
	t.Helper()
	r := &ownRig{t: t, clock: music.NewFakeClock(), events: make(chan music.Event, 4096),
		rounds: make(chan bool, 4096), reloads: make(chan uint64, 4096), saves: make(chan error, 4096), freed: make(chan snowflake.ID, 4096)}
	r.node = lavalinktest.NewNodeT(t, lavalinktest.WithClock(r.clock.Lavalink()))
	addSongs(t, r.node, o.titles...)
	rdb := srv.NewClient()
	t.Cleanup(func() { _ = rdb.Close() })
	var err error
	if r.store, err = redisstore.New(rdb, redisstore.WithClock(r.clock.Now)); err != nil {
		t.Fatal(err)
	}
	ctx := r.ctx()
	bus, err := redisstore.NewBus(ctx, rdb, redisstore.WithChannel("events-"+name), redisstore.WithLogger(discard))
	if err != nil {
		t.Fatal(err)
	}
	voice := &music.FakeVoice{}
	m, err := music.NewManager(music.Config{
		Nodes:    []music.NodeConfig{{Name: "main", Address: r.node.Addr(), Password: secureheaders.NewSecret(r.node.Password())}},
		UserID:   music.BotID,
		Voice:    voice,
		Settings: r.store,
		Sessions: r.store,
		Events:   bus,
		Logger:   discard,
	}, music.WithClock(r.clock), music.WithOwnerID(name), music.WithLeaseTTL(o.ttl), music.WithSaveRetry(time.Second, 2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	r.m = m
	voice.Attach(m)
	cancel := bus.Subscribe(func(e music.Event) { r.events <- e })
	music.LeaseRounds(m, func(scanned bool) { r.rounds <- scanned })
	music.QueueReloads(m, func(_ snowflake.ID, v uint64) { r.reloads <- v })
	music.LeaseReleases(m, func(g snowflake.ID) { r.freed <- g })
	music.SaverObserver(m, func(settings bool, err error) {
		if !settings {
			r.saves <- err
		}
	})
	t.Cleanup(func() {
		cancel()
		ctx, stop := context.WithTimeout(context.Background(), patience)
		defer stop()
		_ = m.Close(ctx)
		_ = bus.Close(ctx)
	})
	for _, g := range o.guilds {
		m.OnVoiceStateUpdate(music.VoiceStateUpdate{GuildID: g, UserID: rUser, ChannelID: rVoice})
	}
	if err := m.Start(ctx); err != nil {
		t.Fatalf("Start = %v", err)
	}
	if err := music.WaitNodes(ctx, m); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *ownRig) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	r.t.Cleanup(cancel)
	return ctx
}

func (r *ownRig) waitEvent(what string, match func(music.Event) bool) music.Event {
	r.t.Helper()
	timeout := time.After(patience)
	for {
		select {
		case e := <-r.events:
			if match(e) {
				return e
			}
		case <-timeout:
			r.t.Fatalf("no %s within %v", what, patience)
			return nil
		}
	}
}

func (r *ownRig) waitStarted(guild snowflake.ID, title string) {
	r.t.Helper()
	r.waitEvent(title+" started", func(e music.Event) bool {
		ts, ok := e.(music.TrackStarted)
		return ok && ts.GuildID == guild && ts.Track.Info.Title == title
	})
}

// round moves the clock by d and waits for the lease keeper's next round.
func (r *ownRig) round(d time.Duration) bool {
	r.t.Helper()
	r.clock.Advance(d)
	select {
	case scanned := <-r.rounds:
		return scanned
	case <-time.After(patience):
		r.t.Fatalf("no lease round within %v", patience)
		return false
	}
}

// waitSynced waits until the Manager's copy of the guild's queue is at
// the stored queue's version, and returns the stored queue.
func (r *ownRig) waitSynced(guild snowflake.ID) music.QueueState {
	r.t.Helper()
	timeout := time.After(patience)
	for {
		qs, err := r.store.LoadQueue(r.ctx(), guild)
		if err != nil {
			r.t.Fatal(err)
		}
		if v, local := music.QueueVersion(r.m, guild); !local && v == qs.Version {
			return qs
		}
		select {
		case <-r.reloads:
		case <-timeout:
			v, local := music.QueueVersion(r.m, guild)
			r.t.Fatalf("queue copy at version %d (local %v), stored at %d", v, local, qs.Version)
		}
	}
}

func titles(ts []music.Track) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Info.Title
	}
	return out
}

func sameTitles(a, b []music.Track) bool {
	return fmt.Sprint(titles(a)) == fmt.Sprint(titles(b))
}

func ownGuilds(n int) []snowflake.ID {
	out := make([]snowflake.ID, n)
	for i := range out {
		out[i] = rGuild + snowflake.ID(i)
	}
	return out
}

func TestOwnersNeverDriveOneGuild(t *testing.T) {
	srv := redistest.Start(t)
	guilds := ownGuilds(12)
	opts := ownOpts{ttl: time.Minute, guilds: guilds, titles: []string{"one"}}
	a := newOwnRig(t, srv, "owner-a", opts)
	b := newOwnRig(t, srv, "owner-b", opts)
	rigs := []*ownRig{a, b}

	// Both processes are asked to play in every guild at once.
	errs := make([][2]error, len(guilds))
	var wg sync.WaitGroup
	for i, g := range guilds {
		for j, r := range rigs {
			wg.Go(func() {
				_, errs[i][j] = r.m.Play(r.ctx(), g, rActor, "one", music.PlaceEnd)
			})
		}
	}
	wg.Wait()
	owner := make(map[snowflake.ID]*ownRig)
	for i, g := range guilds {
		var won []int
		for j := range rigs {
			if errs[i][j] == nil {
				won = append(won, j)
			}
		}
		if len(won) != 1 {
			t.Fatalf("guild %d: Play succeeded on %d processes (errors %v), want exactly 1", g, len(won), errs[i])
		}
		w, l := rigs[won[0]], rigs[1-won[0]]
		owner[g] = w
		var nse *music.NotServedError
		err := errs[i][1-won[0]]
		if !errors.As(err, &nse) || !errors.Is(err, music.ErrNotServed) || !errors.Is(err, music.ErrLeaseHeld) || nse.Owner != w.m.OwnerID() || nse.Guild != g {
			t.Errorf("guild %d: the other Play = %v, want a NotServedError naming %q", g, err, w.m.OwnerID())
		}
		if music.UserMessage(err) == music.UserMessage(errors.New("x")) {
			t.Errorf("UserMessage(%v) is the generic one", err)
		}
		if _, ok := w.node.Player(g); !ok {
			t.Errorf("guild %d: no player on the owner's node", g)
		}
		if p, ok := l.node.Player(g); ok {
			t.Errorf("guild %d: a player on the other process's node too: %+v", g, p)
		}
		if _, ok := l.m.Status(g); ok {
			t.Errorf("guild %d: the other process has a session", g)
		}
	}

	// A third process started now restores none of them...
	c := newOwnRig(t, srv, "owner-c", opts)
	for _, g := range guilds {
		if _, ok := c.m.Status(g); ok {
			t.Fatalf("guild %d restored by a process that holds no lease", g)
		}
	}
	// ...and when A shuts down (its leases given back), C takes A's
	// guilds over on its next look and plays on; B keeps its own.
	if err := a.m.Close(a.ctx()); err != nil {
		t.Fatalf("Close = %v", err)
	}
	for scanned := false; !scanned; {
		scanned = c.round(opts.ttl / 3)
	}
	want := make(map[snowflake.ID]bool)
	for _, g := range guilds {
		_, onC := c.m.Status(g)
		switch {
		case owner[g] == a && !onC:
			t.Errorf("guild %d: not taken over after its owner closed", g)
		case owner[g] == b && onC:
			t.Errorf("guild %d: taken from a live owner", g)
		case owner[g] == a:
			want[g] = true
		}
	}
	for len(want) > 0 {
		ts := c.waitEvent("tracks started", func(e music.Event) bool {
			ts, ok := e.(music.TrackStarted)
			return ok && want[ts.GuildID]
		}).(music.TrackStarted)
		delete(want, ts.GuildID)
		if p, ok := c.node.Player(ts.GuildID); !ok || p.Track == nil || p.Track.Info.Title != "one" {
			t.Errorf("guild %d: taken over, node player %+v", ts.GuildID, p)
		}
	}
}

// waitExpired waits for Redis to expire key (keyspace notifications on
// sub, subscribed before the key could expire).
func waitExpired(t *testing.T, sub <-chan *redis.Message, key string) {
	t.Helper()
	timeout := time.After(patience)
	for {
		select {
		case msg := <-sub:
			if msg.Payload == key {
				return
			}
		case <-timeout:
			t.Fatalf("%s did not expire within %v", key, patience)
		}
	}
}

func TestCrashedOwnerIsTakenOver(t *testing.T) {
	srv := redistest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	rdb := srv.Client()
	if err := rdb.ConfigSet(ctx, "notify-keyspace-events", "Ex").Err(); err != nil {
		t.Skipf("keyspace notifications unavailable: %v", err)
	}
	sub := rdb.Subscribe(ctx, fmt.Sprintf("__keyevent@%d__:expired", srv.DB()))
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	expired := sub.Channel()

	// The lease lives a second in Redis, renewed every third of a second
	// of each process's own (fake) clock.
	opts := ownOpts{ttl: time.Second, guilds: []snowflake.ID{rGuild}, titles: []string{"one", "two", "three"}}
	a := newOwnRig(t, srv, "owner-a", opts)
	b := newOwnRig(t, srv, "owner-b", opts)
	for _, q := range []string{"one", "two"} {
		if _, err := a.m.Play(ctx, rGuild, rActor, q, music.PlaceEnd); err != nil {
			t.Fatalf("Play(%q) = %v", q, err)
		}
	}
	a.waitStarted(rGuild, "one")
	if _, err := a.m.Seek(ctx, rGuild, rActor, "1:00"); err != nil {
		t.Fatal(err)
	}
	a.clock.Advance(music.DefaultSaveInterval)
	for err := range a.saves {
		if err != nil {
			t.Fatalf("save = %v", err)
		}
		if snap, _ := a.store.Load(ctx, rGuild); snap.Position == time.Minute {
			break
		}
	}

	// A crashes: its clock stops, so it renews nothing, and Redis lets
	// the lease expire.
	waitExpired(t, expired, a.store.Key(rGuild)+":lease")
	// B takes the guild over on one of its next looks and plays on at the
	// saved position, with the queue.
	for {
		b.round(opts.ttl / 3)
		if _, ok := b.m.Status(rGuild); ok {
			break
		}
	}
	b.waitStarted(rGuild, "one")
	np, ok := b.m.Status(rGuild)
	if !ok || np.Position != time.Minute || np.QueueLength != 1 {
		t.Fatalf("taken over: %+v, %v; want one at 1:00 with one queued", np, ok)
	}
	if p, ok := b.node.Player(rGuild); !ok || p.Track == nil || p.Track.Info.Title != "one" || p.Position != time.Minute || !p.Connected {
		t.Fatalf("B's node player = %+v, %v; want one at 1:00 with voice", p, ok)
	}

	// A wakes up still thinking it owns the guild. Its first write is
	// refused, and it stops at once: its player goes, nothing stored is
	// touched.
	_, err := a.m.Play(ctx, rGuild, rActor, "three", music.PlaceEnd)
	var fe *music.FencedError
	if !errors.Is(err, music.ErrNotServed) || !errors.As(err, &fe) || fe.Current <= fe.Token {
		t.Fatalf("stale owner's Play = %v, want a NotServedError over a FencedError", err)
	}
	end := a.waitEvent("session end", func(e music.Event) bool { _, ok := e.(music.SessionEnded); return ok }).(music.SessionEnded)
	if end.Reason != music.LeaveHandedOver || music.LeaveMessage(end.Reason) == music.LeaveMessage("") {
		t.Errorf("SessionEnded = %+v, want handedOver with its own message", end)
	}
	if p, ok := a.node.Player(rGuild); ok {
		t.Errorf("the stale owner's node still has a player: %+v", p)
	}
	if _, ok := a.m.Status(rGuild); ok {
		t.Error("the stale owner still has a session")
	}
	qs, err := b.store.LoadQueue(ctx, rGuild)
	if err != nil || len(qs.Tracks) != 1 || qs.Tracks[0].Info.Title != "two" {
		t.Errorf("stored queue = %v, %v; want two only", titles(qs.Tracks), err)
	}
	snap, err := b.store.Load(ctx, rGuild)
	if err != nil || snap.Current == nil || snap.Current.Info.Title != "one" {
		t.Errorf("stored session = %+v, %v; want B's, playing one", snap, err)
	}
	// B plays on.
	b.clock.Advance(2 * time.Minute)
	b.waitStarted(rGuild, "two")
}
