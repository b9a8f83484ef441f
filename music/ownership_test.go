package music

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/secureheaders"
)

const guild2ID = snowflake.ID(800000000000000002)

func TestOwnsLimitsRestoreAndPlay(t *testing.T) {
	mem := NewMemoryStore()
	h1 := newHarness(t, harnessConfig{sessions: mem, settings: mem})
	h1.addTracks("one", "two")
	for _, g := range []snowflake.ID{guildID, guild2ID} {
		h1.listen(g, userID, voiceID)
		h1.play(g, listener, "one")
	}
	ctx := h1.ctx()
	if err := h1.m.Close(ctx); err != nil {
		t.Fatal(err)
	}

	var asked []snowflake.ID
	owns := func(g snowflake.ID) bool { asked = append(asked, g); return g == guildID }
	h2 := newHarness(t, harnessConfig{sessions: mem, settings: mem, clock: h1.clock, llNodes: h1.nodes, noStart: true,
		cfg: func(c *Config) { c.Owns = owns }})
	for _, g := range []snowflake.ID{guildID, guild2ID} {
		h2.listen(g, userID, voiceID)
	}
	h2.start()
	h2.waitEvent(func(e Event) bool { return isStarted("one")(e) && e.Guild() == guildID })
	if len(asked) != 2 {
		t.Errorf("Owns asked about %v at Start, want both stored guilds", asked)
	}
	if _, ok := h2.m.Status(guild2ID); ok {
		t.Error("Start restored a guild the process does not serve")
	}
	if _, err := mem.Load(ctx, guild2ID); err != nil {
		t.Errorf("the other process's stored session: %v, want it kept", err)
	}

	_, err := h2.m.Play(ctx, guild2ID, listener, "two", PlaceEnd)
	var nse *NotServedError
	if !errors.As(err, &nse) || !errors.Is(err, ErrNotServed) || nse.Guild != guild2ID || nse.Owner != "" || nse.Err != nil {
		t.Fatalf("Play in a guild not served = %v, want a NotServedError", err)
	}
	if !strings.Contains(err.Error(), guild2ID.String()) || UserMessage(err) == UserMessage(errors.New("x")) {
		t.Errorf("Error() = %q, UserMessage = %q", err, UserMessage(err))
	}
	if calls := h2.voice.callsFor(guild2ID); len(calls) != 0 {
		t.Errorf("voice calls for the guild not served: %+v", calls)
	}
	if _, err := h2.m.Play(ctx, guildID, listener, "two", PlaceEnd); err != nil {
		t.Errorf("Play in the served guild = %v", err)
	}
}

// sharedHarness is a Manager on a memShared store with leases of ttl,
// whose lease rounds and releases it reports.
type sharedHarness struct {
	*harness
	store  *memShared
	view   *memView
	rounds chan bool
	freed  chan snowflake.ID
}

func newSharedHarness(t *testing.T, store *memShared, clock *fakeClock, owner string, ttl time.Duration, opts ...Option) *sharedHarness {
	t.Helper()
	v := store.view()
	h := newHarness(t, harnessConfig{sessions: v, settings: v, clock: clock, noStart: true,
		opts: append([]Option{WithOwnerID(owner), WithLeaseTTL(ttl)}, opts...)})
	s := &sharedHarness{harness: h, store: store, view: v, rounds: make(chan bool, 4096), freed: make(chan snowflake.ID, 4096)}
	h.m.hooks.leases = func(scanned bool) { s.rounds <- scanned }
	h.m.hooks.released = func(g snowflake.ID) { s.freed <- g }
	h.addTracks("one", "two", "three")
	h.listen(guildID, userID, voiceID)
	h.start()
	return s
}

// roundsUntil runs lease rounds of a third of the lease's time to live
// until done reports true, failing once within has passed on the clock.
func (s *sharedHarness) roundsUntil(done func() bool, within time.Duration) {
	s.t.Helper()
	ttl := s.m.opt.leaseTTL
	for deadline := s.clock.Now().Add(within); !done(); {
		if !s.clock.Now().Before(deadline) {
			s.t.Fatalf("not done within %v of lease rounds", within)
		}
		s.round(ttl / 3)
	}
}

// round moves the clock by d and waits for the lease keeper's round.
func (s *sharedHarness) round(d time.Duration) bool {
	s.t.Helper()
	s.clock.Advance(d)
	select {
	case scanned := <-s.rounds:
		return scanned
	case <-time.After(patience):
		s.t.Fatalf("no lease round within %v", patience)
		return false
	}
}

func TestLeaseRunsOutWhileTheStoreIsDown(t *testing.T) {
	clock := newFakeClock()
	store := newMemShared(clock.Now)
	const ttl = 3 * time.Second
	h := newSharedHarness(t, store, clock, "owner-a", ttl)
	h.play(guildID, listener, "one")
	h.play(guildID, listener, "two")
	h.waitSave(func(d saveDone) bool { return !d.settings && d.err == nil })
	if got := store.holder(guildID); got != "owner-a" {
		t.Fatalf("lease holder = %q", got)
	}

	// Renewals fail; once the lease has run out the guild may be
	// another's, so the Manager stops driving it.
	// The last renewal was at most ttl/3 ago, so the lease has run out
	// by the round at ttl+ttl/3 from now; the hand-over then calls the
	// node, so it is awaited by its event.
	h.view.down.Store(true)
	for deadline := h.clock.Now().Add(ttl + ttl/3); h.clock.Now().Before(deadline); {
		h.round(ttl / 3)
	}
	end := h.waitEvent(isType(TypeSessionEnded)).(SessionEnded)
	if _, ok := h.m.Status(guildID); ok {
		t.Error("still driving the guild after its lease ran out")
	}
	if end.Reason != LeaveHandedOver {
		t.Errorf("SessionEnded reason = %v, want handedOver", end.Reason)
	}
	if p, ok := h.nodePlayer(0, guildID); ok {
		t.Errorf("the node still plays for the guild: %+v", p)
	}
	if calls := h.voice.callsFor(guildID); calls[len(calls)-1].channel == 0 {
		t.Error("left voice: the new owner would lose the voice connection")
	}

	// When the store is back, the stored session (never deleted) is
	// taken over again and plays on.
	h.view.down.Store(false)
	h.roundsUntil(func() bool { _, ok := h.m.Status(guildID); return ok }, 2*ttl)
	h.waitEvent(isStarted("one"))
	if np, ok := h.m.Status(guildID); !ok || np.QueueLength != 1 {
		t.Errorf("after the store came back: %+v, %v; want one playing with two queued", np, ok)
	}
}

func TestStaleOwnerWritesAreFenced(t *testing.T) {
	for _, kind := range []string{"settings", "session"} {
		t.Run(kind, func(t *testing.T) {
			clock := newFakeClock()
			store := newMemShared(clock.Now)
			h := newSharedHarness(t, store, clock, "owner-a", time.Minute)
			h.play(guildID, listener, "one")
			h.waitSave(func(d saveDone) bool { return !d.settings && d.err == nil })
			ctx := h.ctx()
			before, _ := h.view.Load(ctx, guildID)

			// Another process takes the guild as if A had stalled past its
			// lease; A does not know yet.
			store.steal(guildID, "owner-b", time.Minute)
			switch kind {
			case "settings":
				if err := h.m.SetVolume(ctx, guildID, listener, 90); err != nil {
					t.Fatal(err)
				}
			case "session":
				if err := h.m.Pause(ctx, guildID, listener); err != nil {
					t.Fatal(err)
				}
			}
			h.clock.Advance(DefaultSaveInterval)
			h.waitSave(func(d saveDone) bool { return errors.Is(d.err, ErrFenced) })
			end := h.waitEvent(isType(TypeSessionEnded)).(SessionEnded)
			if end.Reason != LeaveHandedOver {
				t.Errorf("SessionEnded = %+v, want handedOver", end)
			}
			if _, ok := h.nodePlayer(0, guildID); ok {
				t.Error("the stale owner's node player survived")
			}
			after, err := h.view.Load(ctx, guildID)
			if err != nil || after.Paused() != before.Paused() || after.Volume != before.Volume {
				t.Errorf("stored session changed by the stale owner: %+v, %v", after, err)
			}
			if st, _ := h.view.Get(ctx, guildID); st.Volume() == 90 {
				t.Error("stored settings changed by the stale owner")
			}
			if n, m := h.m.saver.pending(); n != 0 || m != 0 {
				t.Errorf("writes still waiting after the hand-over: %d sessions, %d settings", n, m)
			}
		})
	}
}

func TestLostLeaseIsNotTakenBack(t *testing.T) {
	clock := newFakeClock()
	store := newMemShared(clock.Now)
	const ttl = 3 * time.Second
	h := newSharedHarness(t, store, clock, "owner-a", ttl)
	h.play(guildID, listener, "one")
	h.waitSave(func(d saveDone) bool { return !d.settings && d.err == nil })

	// B took the guild, stored its session and shut down: the lease is
	// free, but what is stored is B's.
	ctx := h.ctx()
	l := store.steal(guildID, "owner-b", ttl)
	snap, _ := h.view.Load(ctx, guildID)
	snap.Position = 42 * time.Second
	if _, err := h.view.SaveFenced(ctx, snap, SaveOptions{Token: l.Token}); err != nil {
		t.Fatal(err)
	}
	if err := h.view.Release(ctx, l); err != nil {
		t.Fatal(err)
	}
	h.round(ttl / 3) // the renewal finds the lease lost
	h.waitEvent(isType(TypeSessionEnded))
	if p, ok := h.nodePlayer(0, guildID); ok {
		t.Errorf("node player survived: %+v", p)
	}
	if got, _ := h.view.Load(ctx, guildID); got.Position != 42*time.Second {
		t.Errorf("stored position = %v, want B's 42s", got.Position)
	}
	// It is taken over like any stored session, from B's state.
	h.roundsUntil(func() bool { _, ok := h.m.Status(guildID); return ok }, 2*ttl)
	h.waitEvent(isStarted("one"))
	if np, _ := h.m.Status(guildID); np.Position != 42*time.Second {
		t.Errorf("taken over at %v, want 42s", np.Position)
	}
}

func TestStoreDataLossIsReclaimed(t *testing.T) {
	clock := newFakeClock()
	store := newMemShared(clock.Now)
	const ttl = 3 * time.Second
	h := newSharedHarness(t, store, clock, "owner-a", ttl)
	h.play(guildID, listener, "one")
	h.play(guildID, listener, "two")
	h.waitSave(func(d saveDone) bool { return !d.settings && d.err == nil })

	// A Redis restart without persistence: the next renewal finds the
	// lease gone, and the guild is taken again and written whole.
	store.wipe()
	h.round(ttl / 3)
	ctx := h.ctx()
	h.waitSave(func(d saveDone) bool {
		// Not a write from before the wipe: the queue is written whole.
		snap, err := h.view.Load(ctx, guildID)
		return !d.settings && d.err == nil && err == nil && len(snap.Queue) == 1
	})
	if got := store.holder(guildID); got != "owner-a" {
		t.Errorf("lease holder after the data loss = %q, want owner-a", got)
	}
	snap, err := h.view.Load(ctx, guildID)
	if err != nil || snap.Current == nil || snap.Current.Info.Title != "one" || len(snap.Queue) != 1 {
		t.Fatalf("stored after the data loss = %+v, %v; want one playing, two queued", snap, err)
	}
	if _, ok := h.m.Status(guildID); !ok {
		t.Error("stopped playing after the store lost its data")
	}
	if v, _ := store.stored(guildID); v == nil {
		t.Error("queue not written back")
	}
}

func TestOwnerOptions(t *testing.T) {
	base := Config{Nodes: []NodeConfig{{Name: "n", Address: "127.0.0.1:1", Password: secureheaders.NewSecret("fake-password")}}, UserID: botID, Voice: &fakeVoice{}}
	for _, c := range []struct {
		name  string
		opt   Option
		field string
	}{
		{"lease ttl", WithLeaseTTL(time.Millisecond), "WithLeaseTTL"},
		{"owner too long", WithOwnerID(strings.Repeat("x", MaxOwnerLength+1)), "WithOwnerID"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewManager(base, c.opt)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != c.field {
				t.Errorf("NewManager(%s) = %v, want a ConfigError on %s", c.name, err, c.field)
			}
		})
	}
	m1, err := NewManager(base)
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := NewManager(base)
	if m1.OwnerID() == "" || m1.OwnerID() == m2.OwnerID() || len(m1.OwnerID()) > MaxOwnerLength {
		t.Errorf("default owner IDs %q and %q, want distinct", m1.OwnerID(), m2.OwnerID())
	}
	for _, m := range []*Manager{m1, m2} {
		if err := m.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if m, _ := NewManager(base, WithOwnerID("shard-7")); m.OwnerID() != "shard-7" {
		t.Errorf("OwnerID() = %q", m.OwnerID())
	}
}
