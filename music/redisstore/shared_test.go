package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"
	"github.com/redis/go-redis/v9"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/redisstore"
	"github.com/tunekit/tunekit/music/storetest"
)

const guild snowflake.ID = 81384788765712384

// patient returns a client of srv with timeouts long enough for a
// machine under load; the fault tests keep redistest's short ones.
func patient(t *testing.T, srv *redistest.Server) *redis.Client {
	t.Helper()
	opts := srv.Options()
	opts.ReadTimeout, opts.WriteTimeout = 10*time.Second, 10*time.Second
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// twoProcesses returns two stores on one Redis, each with a connection
// pool of its own, as two bot processes would have.
func twoProcesses(t *testing.T, srv *redistest.Server, opts ...redisstore.Option) (a, b *redisstore.Store) {
	t.Helper()
	return newStore(t, patient(t, srv), opts...), newStore(t, patient(t, srv), opts...)
}

// TestConcurrentEditsTwoProcesses has 20 writers make 200 random edits
// each through two clients and replays the acknowledged edits in version
// order: the result must be the queue Redis holds, with no edit lost or
// applied twice, and some compare-and-set edits must have been refused.
func TestConcurrentEditsTwoProcesses(t *testing.T) {
	srv := redistest.Start(t)
	a, b := twoProcesses(t, srv)
	acked, conflicts := storetest.CheckConcurrentEdits(t, []music.QueueEditor{a, b}, guild, 20, 200)
	if conflicts == 0 {
		t.Errorf("%d edits acknowledged and no version conflict: the writers did not overlap", acked)
	}
	t.Logf("%d edits acknowledged, %d refused for a version conflict", acked, conflicts)
}

// TestCompareAndSetAcrossProcesses has two processes read the queue at
// one version and both try to change it: exactly one succeeds.
func TestCompareAndSetAcrossProcesses(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	a, b := twoProcesses(t, srv)
	if _, err := a.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueAdd, Tracks: storetest.Tracks(0, 10)}); err != nil {
		t.Fatal(err)
	}
	for round := range 50 {
		st, err := b.LoadQueue(ctx, guild)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, s := range []*redisstore.Store{a, b} {
			wg.Go(func() {
				_, errs[i] = s.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueMove, Position: 1 + i, To: 10, ExpectVersion: st.Version})
			})
		}
		wg.Wait()
		var conflict *music.VersionConflictError
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.As(err, &conflict):
				if conflict.Expected != st.Version || conflict.Actual != st.Version+1 {
					t.Errorf("round %d: %+v; want Expected %d, Actual %d", round, *conflict, st.Version, st.Version+1)
				}
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d of two compare-and-set edits at version %d succeeded; want exactly 1", round, ok, st.Version)
		}
	}
}

// TestLeaseTwoProcesses has 16 contenders on two clients race for one
// guild over many rounds: each round exactly one wins, and the tokens of
// the winners only grow.
func TestLeaseTwoProcesses(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	a, b := twoProcesses(t, srv)
	var last int64
	for round := range 40 {
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners []music.Lease
		)
		for i := range 16 {
			s := []*redisstore.Store{a, b}[i%2]
			wg.Go(func() {
				l, err := s.Acquire(ctx, guild, fmt.Sprintf("process-%d", i), time.Minute)
				switch {
				case err == nil:
					mu.Lock()
					winners = append(winners, l)
					mu.Unlock()
				case !errors.Is(err, music.ErrLeaseHeld):
					t.Errorf("round %d: Acquire: %v", round, err)
				}
			})
		}
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("round %d: %d owners acquired the guild at once: %+v", round, len(winners), winners)
		}
		w := winners[0]
		if w.Token <= last {
			t.Fatalf("round %d: token %d after %d; tokens must grow", round, w.Token, last)
		}
		last = w.Token
		// Another process can neither renew nor release it under
		// another name; the owner's lease, from any process, releases.
		forged := w
		forged.Owner = "intruder"
		if _, err := b.Renew(ctx, forged, time.Minute); !errors.Is(err, music.ErrLeaseLost) {
			t.Fatalf("round %d: Renew by a non-owner = %v; want ErrLeaseLost", round, err)
		}
		if err := b.Release(ctx, forged); !errors.Is(err, music.ErrLeaseLost) {
			t.Fatalf("round %d: Release by a non-owner = %v; want ErrLeaseLost", round, err)
		}
		if err := a.Release(ctx, w); err != nil {
			t.Fatalf("round %d: Release: %v", round, err)
		}
	}
}

// dump returns every key of the server with its type, TTL and value, to
// show a refused write changed nothing.
func dump(t *testing.T, c *redis.Client) map[string]string {
	t.Helper()
	ctx := t.Context()
	keys, err := c.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, k := range keys {
		var v any
		switch typ := c.Type(ctx, k).Val(); typ {
		case "hash":
			v = c.HGetAll(ctx, k).Val()
		case "list":
			v = c.LRange(ctx, k, 0, -1).Val()
		default:
			v = c.Get(ctx, k).Val()
		}
		ttl := c.PTTL(ctx, k).Val() > 0
		out[k] = fmt.Sprintf("%v expires:%t", v, ttl)
	}
	return out
}

// TestLeaseExpiryFencesOldOwner lets a short lease expire for real, lets
// another process take the guild, and shows that every write the first
// owner then makes with its old token is refused and changes nothing.
func TestLeaseExpiryFencesOldOwner(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	c := srv.Client()
	a, b := twoProcesses(t, srv)
	la, err := a.Acquire(ctx, guild, "process-a", 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.SaveFenced(ctx, storetest.Snapshot(guild, 1, 5, 2), music.SaveOptions{Token: la.Token}); err != nil {
		t.Fatal(err)
	}
	if err := a.PutFenced(ctx, guild, storetest.Settings(1), la.Token); err != nil {
		t.Fatal(err)
	}
	var lb music.Lease
	deadline := time.Now().Add(10 * time.Second)
	for lb, err = b.Acquire(ctx, guild, "process-b", time.Minute); err != nil; lb, err = b.Acquire(ctx, guild, "process-b", time.Minute) {
		var held *music.LeaseHeldError
		if !errors.As(err, &held) || held.Owner != "process-a" || time.Now().After(deadline) {
			t.Fatalf("Acquire(b) while a's lease runs out: %v", err)
		}
	}
	if lb.Token <= la.Token {
		t.Fatalf("b's token %d is not above a's %d", lb.Token, la.Token)
	}
	if ttl := c.PTTL(ctx, a.Key(guild)+":lease").Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("PTTL(lease) = %v; want (0, 1m]", ttl)
	}
	before := dump(t, c)
	stale := map[string]error{
		"PutFenced":    a.PutFenced(ctx, guild, storetest.Settings(2), la.Token),
		"DeleteFenced": a.DeleteFenced(ctx, guild, la.Token),
	}
	_, stale["SaveFenced"] = a.SaveFenced(ctx, storetest.Snapshot(guild, 2, 1, 0), music.SaveOptions{Token: la.Token})
	_, stale["EditQueue"] = a.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueClear, Token: la.Token})
	_, stale["Renew"] = a.Renew(ctx, la, time.Minute)
	stale["Release"] = a.Release(ctx, la)
	for name, err := range stale {
		var fenced *music.FencedError
		switch name {
		case "Renew", "Release":
			if !errors.Is(err, music.ErrLeaseLost) {
				t.Errorf("%s by the old owner = %v; want ErrLeaseLost", name, err)
			}
		default:
			if !errors.As(err, &fenced) || fenced.Token != la.Token || fenced.Current != lb.Token {
				t.Errorf("%s with the old token = %v; want a *FencedError{Token:%d Current:%d}", name, err, la.Token, lb.Token)
			}
		}
	}
	if after := dump(t, c); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("refused writes changed Redis:\nbefore %v\nafter  %v", before, after)
	}
	if _, err := b.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueClear, Token: lb.Token}); err != nil {
		t.Errorf("EditQueue with the new owner's token: %v", err)
	}
}

// TestLeaseRevivedWhenNobodyTookIt removes the lease key, as expiry
// does; with no other owner since, the holder's renewal sets it again
// with its token and a TTL.
func TestLeaseRevivedWhenNobodyTookIt(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	c := srv.Client()
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	s := newStore(t, c, redisstore.WithClock(func() time.Time { return at }))
	l, err := s.Acquire(ctx, guild, "a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !l.Expires.Equal(at.Add(time.Minute)) || l.Guild != guild || l.Owner != "a" {
		t.Errorf("Acquire = %+v; want Expires = clock + ttl", l)
	}
	key := s.Key(guild) + ":lease"
	if err := c.Del(ctx, key).Err(); err != nil {
		t.Fatal(err)
	}
	r, err := s.Renew(ctx, l, 2*time.Minute)
	if err != nil || r.Token != l.Token || !r.Expires.Equal(at.Add(2*time.Minute)) {
		t.Fatalf("Renew after expiry with no takeover = %+v, %v; want token %d, Expires clock + 2m", r, err, l.Token)
	}
	if ttl := c.PTTL(ctx, key).Val(); ttl <= time.Minute || ttl > 2*time.Minute {
		t.Errorf("PTTL(lease) after revival = %v; want (1m, 2m]", ttl)
	}
	if err := c.Del(ctx, key).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.Release(ctx, l); err != nil {
		t.Errorf("Release of an expired lease nobody took = %v; want nil", err)
	}
	if n := c.Exists(ctx, key).Val(); n != 0 {
		t.Errorf("Release created the lease key")
	}
}

// TestCountersSurviveDataLoss restarts Redis empty: the next lease's
// token and the next queue version are still above every earlier one,
// so an owner from before the loss is fenced off and a compare-and-set
// against an old version fails.
func TestCountersSurviveDataLoss(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	s := newStore(t, srv.Client())
	old, err := s.Acquire(ctx, guild, "a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueAdd, Tracks: storetest.Tracks(0, 3)})
	if err != nil {
		t.Fatal(err)
	}
	srv.Restart()
	if _, err := s.SaveFenced(ctx, storetest.Snapshot(guild, 1, 1, 0), music.SaveOptions{Token: old.Token}); !errors.Is(err, music.ErrFenced) {
		t.Errorf("SaveFenced with a token from before the loss, no lease since: %v; want ErrFenced", err)
	}
	l, err := s.Acquire(ctx, guild, "b", time.Minute)
	if err != nil || l.Token <= old.Token {
		t.Fatalf("Acquire after the loss = %+v, %v; want a token above %d", l, err, old.Token)
	}
	if err := s.PutFenced(ctx, guild, music.Settings{}, old.Token); !errors.Is(err, music.ErrFenced) {
		t.Errorf("PutFenced with the old token: %v; want ErrFenced", err)
	}
	r2, err := s.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueAdd, Tracks: storetest.Tracks(0, 1)})
	if err != nil || r2.Version <= r.Version {
		t.Fatalf("EditQueue after the loss = version %d, %v; want above %d", r2.Version, err, r.Version)
	}
	if _, err := s.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueClear, ExpectVersion: r.Version}); !errors.Is(err, music.ErrVersionConflict) {
		t.Errorf("EditQueue expecting a version from before the loss: %v; want ErrVersionConflict", err)
	}
}

// TestRedisStoppedMidRun stops Redis under 10 writers: each ends with an
// error matching ErrUnavailable that looks like no refusal, and the store
// works again after a restart.
func TestRedisStoppedMidRun(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	a, b := twoProcesses(t, srv)
	var done atomic.Int64
	enough := make(chan struct{})
	var once sync.Once
	errs := make([]error, 10)
	var wg sync.WaitGroup
	for w := range errs {
		s := []*redisstore.Store{a, b}[w%2]
		wg.Go(func() {
			for i := 0; ; i++ {
				var err error
				switch i % 3 {
				case 0:
					_, err = s.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueAdd, Tracks: storetest.Tracks(i, 2)})
				case 1:
					_, err = s.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueRemove, Position: 1})
				default:
					_, err = s.LoadQueue(ctx, guild)
				}
				if err != nil && !errors.Is(err, music.ErrInvalidPosition) {
					errs[w] = err
					return
				}
				if done.Add(1) == 200 {
					once.Do(func() { close(enough) })
				}
			}
		})
	}
	<-enough
	srv.Stop()
	wg.Wait()
	for w, err := range errs {
		if !errors.Is(err, redisstore.ErrUnavailable) || !strings.HasPrefix(err.Error(), "redisstore: ") {
			t.Errorf("writer %d ended with %v; want a redisstore error matching ErrUnavailable", w, err)
		}
		for _, refusal := range refusals {
			if errors.Is(err, refusal) {
				t.Errorf("writer %d: %v matches %v", w, err, refusal)
			}
		}
	}
	srv.Restart()
	if r, err := a.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueAdd, Tracks: storetest.Tracks(0, 1)}); err != nil || r.Len != 1 {
		t.Errorf("EditQueue after restart = %+v, %v; want a queue of 1", r, err)
	}
}

// cutter is a TCP proxy to Redis that, once armed, either cuts the
// connection after forwarding part of the next request or forwards the
// whole request and cuts the connection before the reply.
type cutter struct {
	l        net.Listener
	target   string
	mode     string // "request" or "reply"
	limit    int64  // bytes of the request forwarded in mode "request"
	armed    atomic.Bool
	forwards atomic.Int64
	wg       sync.WaitGroup
}

func newCutter(t *testing.T, target, mode string, limit int64) *cutter {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{l: l, target: target, mode: mode, limit: limit}
	c.wg.Go(c.accept)
	t.Cleanup(func() {
		_ = l.Close()
		c.wg.Wait()
	})
	return c
}

func (c *cutter) accept() {
	for {
		in, err := c.l.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", c.target)
		if err != nil {
			_ = in.Close()
			continue
		}
		closeBoth := sync.OnceFunc(func() { _ = in.Close(); _ = out.Close() })
		c.wg.Go(func() { // client to Redis
			defer closeBoth()
			buf := make([]byte, 32<<10)
			for {
				n, err := in.Read(buf)
				if n > 0 && c.armed.Load() && c.mode == "request" {
					if left := c.limit - c.forwards.Load(); int64(n) > left {
						_, _ = out.Write(buf[:max(left, 0)])
						return // cut mid-request
					}
					c.forwards.Add(int64(n))
				}
				if n > 0 {
					if _, err := out.Write(buf[:n]); err != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		})
		c.wg.Go(func() { // Redis to client
			defer closeBoth()
			buf := make([]byte, 32<<10)
			for {
				n, err := out.Read(buf)
				if n > 0 && c.armed.Load() && c.mode == "reply" {
					return // Redis has answered: drop the answer
				}
				if n > 0 {
					if _, err := in.Write(buf[:n]); err != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		})
	}
}

// TestCutConnectionLeavesNoPartialState cuts a client's connection in
// the middle of a large write, and again after the write but before its
// reply: Redis holds either the whole old state or the whole new one,
// and the caller gets an ErrUnavailable either way.
func TestCutConnectionLeavesNoPartialState(t *testing.T) {
	writes := map[string]func(s *redisstore.Store) error{
		"SaveFenced": func(s *redisstore.Store) error {
			_, err := s.SaveFenced(context.Background(), storetest.Snapshot(guild, 2, 1000, 10), music.SaveOptions{})
			return err
		},
		"EditQueue": func(s *redisstore.Store) error {
			_, err := s.EditQueue(context.Background(), guild, music.QueueEdit{Op: music.QueueInsert, Position: 2, Tracks: storetest.Tracks(5000, 1000)})
			return err
		},
	}
	for name, write := range writes {
		for _, mode := range []string{"request", "reply"} {
			t.Run(name+"/"+mode, func(t *testing.T) {
				ctx := t.Context()
				srv := redistest.Start(t)
				direct := newStore(t, patient(t, srv))
				proxy := newCutter(t, srv.Addr(), mode, 100<<10)
				opts := srv.Options()
				opts.Addr = proxy.l.Addr().String()
				opts.PoolSize = 1
				client := redis.NewClient(opts)
				t.Cleanup(func() { _ = client.Close() })
				s := newStore(t, client)
				// Through the proxy, unarmed: load the scripts and the
				// first state.
				if err := s.Save(ctx, storetest.Snapshot(guild, 1, 5, 1)); err != nil {
					t.Fatal(err)
				}
				if _, err := s.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueClear}); err != nil {
					t.Fatal(err)
				}
				if err := s.Save(ctx, storetest.Snapshot(guild, 1, 5, 1)); err != nil {
					t.Fatal(err)
				}
				before, err := direct.Load(ctx, guild)
				if err != nil {
					t.Fatal(err)
				}
				v0 := loadQueue(t, direct).Version
				proxy.armed.Store(true)
				err = write(s)
				if !errors.Is(err, redisstore.ErrUnavailable) {
					t.Fatalf("%s over a cut connection = %v; want ErrUnavailable", name, err)
				}
				after, err := direct.Load(ctx, guild)
				if err != nil {
					t.Fatal(err)
				}
				st := loadQueue(t, direct)
				switch mode {
				case "request": // never reached Redis whole: nothing changed
					if !after.Equal(before) || st.Version != v0 {
						t.Errorf("after a cut request: version %d (was %d), snapshot changed:\n%v", st.Version, v0, !after.Equal(before))
					}
				case "reply": // done whole, answer lost
					if st.Version != v0+1 || len(after.Queue) != 1000+5*boolInt(name == "EditQueue") {
						t.Errorf("after a lost reply: version %d (want %d), %d queued tracks; want the whole write", st.Version, v0+1, len(after.Queue))
					}
				}
			})
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func loadQueue(t *testing.T, s *redisstore.Store) music.QueueState {
	t.Helper()
	st, err := s.LoadQueue(t.Context(), guild)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestQueueChangesReachOtherProcesses has one process edit and another
// watch: the watcher hears each change with its version, edits announce
// exactly once, refused edits not at all, and cancel stops delivery.
func TestQueueChangesReachOtherProcesses(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	editor := newStore(t, srv.Client())
	bus := newBus(t, srv)
	changes := make(chan music.QueueChange, 100)
	cancel := bus.WatchQueues(func(c music.QueueChange) { changes <- c })
	next := func() music.QueueChange {
		t.Helper()
		select {
		case c := <-changes:
			return c
		case <-time.After(10 * time.Second):
			t.Fatal("no queue change within 10 s")
			return music.QueueChange{}
		}
	}
	var versions []uint64
	for _, e := range []music.QueueEdit{
		{Op: music.QueueAdd, Tracks: storetest.Tracks(0, 3)},
		{Op: music.QueueMove, Position: 1, To: 3},
		{Op: music.QueueRemove, Position: 9}, // refused: no announcement
		{Op: music.QueueClear},
	} {
		r, err := editor.EditQueue(ctx, guild, e)
		if err == nil {
			versions = append(versions, r.Version)
		}
	}
	v, err := editor.SaveFenced(ctx, storetest.Snapshot(guild, 1, 1, 0), music.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	versions = append(versions, v)
	if _, err := editor.SaveFenced(ctx, storetest.Snapshot(guild, 2, 1, 0), music.SaveOptions{KeepQueue: true}); err != nil {
		t.Fatal(err)
	}
	if err := editor.Delete(ctx, guild); err != nil {
		t.Fatal(err)
	}
	versions = append(versions, v+1)
	last := versions[len(versions)-1]
	var got []uint64
	for c := next(); ; c = next() {
		if c.GuildID != guild {
			t.Fatalf("change for guild %v; want %v", c.GuildID, guild)
		}
		got = append(got, c.Version)
		if c.Version == last {
			break
		}
	}
	// The watcher may coalesce, but never reorders nor invents.
	if !isSubsequence(got, versions) {
		t.Errorf("watcher saw versions %v; want a subsequence of %v", got, versions)
	}
	cancel()
	cancel() // twice is fine
	if _, err := editor.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueClear}); err != nil {
		t.Fatal(err)
	}
	// A second watcher hears the next change; the cancelled one must not.
	second := make(chan music.QueueChange, 1)
	stop := bus.WatchQueues(func(c music.QueueChange) {
		select {
		case second <- c:
		default:
		}
	})
	defer stop()
	if _, err := editor.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueClear}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-second:
	case <-time.After(10 * time.Second):
		t.Fatal("the second watcher heard nothing")
	}
	select {
	case c := <-changes:
		t.Errorf("a cancelled watcher received %+v", c)
	default:
	}
}

func isSubsequence(sub, of []uint64) bool {
	i := 0
	for _, v := range of {
		if i < len(sub) && sub[i] == v {
			i++
		}
	}
	return i == len(sub)
}

// TestQueueWatchCoalesces blocks a watcher while many changes arrive: it
// then sees the newest version of the guild, not a backlog, and the bus
// drops nothing.
func TestQueueWatchCoalesces(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	editor := newStore(t, srv.Client())
	bus := newBus(t, srv)
	release := make(chan struct{})
	seen := make(chan music.QueueChange, 100)
	cancel := bus.WatchQueues(func(c music.QueueChange) {
		<-release
		seen <- c
	})
	defer cancel()
	// A second watcher shows when the bus has received everything.
	all := make(chan music.QueueChange, 100)
	stopAll := bus.WatchQueues(func(c music.QueueChange) { all <- c })
	defer stopAll()
	var last uint64
	for range 30 {
		r, err := editor.EditQueue(ctx, guild, music.QueueEdit{Op: music.QueueClear})
		if err != nil {
			t.Fatal(err)
		}
		last = r.Version
	}
	for c := range all {
		if c.Version == last {
			break
		}
	}
	close(release)
	var got []uint64
	for c := range seen {
		got = append(got, c.Version)
		if c.Version == last {
			break
		}
	}
	if len(got) > 2 {
		t.Errorf("a blocked watcher then saw %d changes %v; want at most the one it was handling and the newest", len(got), got)
	}
	if bus.Dropped() != 0 || bus.Skipped() != 0 {
		t.Errorf("Dropped, Skipped = %d, %d; want 0, 0", bus.Dropped(), bus.Skipped())
	}
}

// TestQueueChannelOptions checks a store and bus agree on a custom
// channel, skip what does not decode, and that "" turns announcing off.
func TestQueueChannelOptions(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	c := srv.Client()
	editor := newStore(t, c, redisstore.WithQueueChannel("bot2:queue"))
	silent := newStore(t, c, redisstore.WithQueueChannel(""))
	bus := newBus(t, srv, redisstore.WithBusQueueChannel("bot2:queue"), redisstore.WithLogger(slog.New(slog.DiscardHandler)))
	changes := make(chan music.QueueChange, 10)
	defer bus.WatchQueues(func(c music.QueueChange) { changes <- c })()
	for _, bad := range []string{"not json", `{"guildId":"0","version":1}`, `{"version":1}`, `{"guildId":"5"}`, `{"guildId":5,"version":1}`} {
		if err := c.Publish(ctx, "bot2:queue", bad).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := silent.EditQueue(ctx, 3, music.QueueEdit{Op: music.QueueClear}); err != nil {
		t.Fatal(err)
	}
	r, err := editor.EditQueue(ctx, 4, music.QueueEdit{Op: music.QueueClear})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-changes:
		if got != (music.QueueChange{GuildID: 4, Version: r.Version}) {
			t.Errorf("first change heard = %+v; want guild 4 at %d (silent store and bad messages skipped)", got, r.Version)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no change heard")
	}
	if n := bus.Skipped(); n != 5 {
		t.Errorf("Skipped() = %d; want 5", n)
	}
	// A bus may hear no queue changes at all and still carry events.
	off := newBus(t, srv, redisstore.WithBusQueueChannel(""))
	events := collect(t, off)
	if err := off.Publish(ctx, music.QueueEnded{GuildID: 4}); err != nil {
		t.Fatal(err)
	}
	if e := events(1)[0]; e.Guild() != 4 {
		t.Errorf("event on a bus without a queue channel = %+v", e)
	}
}

// TestBusCloseStopsWatchers checks Close stops every watcher's goroutine
// (TestMain fails the package on a leak) and that watching a closed bus
// is a no-op.
func TestBusCloseStopsWatchers(t *testing.T) {
	srv := redistest.Start(t)
	bus, err := redisstore.NewBus(t.Context(), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	bus.WatchQueues(func(music.QueueChange) {})
	bus.WatchQueues(func(music.QueueChange) {})
	if err := bus.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	called := make(chan struct{}, 1)
	cancel := bus.WatchQueues(func(music.QueueChange) { called <- struct{}{} })
	cancel()
	if _, err := newStore(t, srv.Client()).EditQueue(t.Context(), guild, music.QueueEdit{Op: music.QueueClear}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-called:
		t.Error("a watcher of a closed bus was called")
	default:
	}
}

// TestEditValidationNeedsNoRedis checks malformed requests are refused
// before any I/O: a store on a client that was never dialled answers
// them.
func TestEditValidationNeedsNoRedis(t *testing.T) {
	ctx := t.Context()
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never dialled
	defer client.Close()
	s := newStore(t, client)
	cases := map[string]struct {
		err  error
		want error
	}{}
	_, err := s.EditQueue(ctx, 1, music.QueueEdit{Op: music.QueueAdd})
	cases["add without tracks"] = struct{ err, want error }{err, music.ErrInvalidEdit}
	_, err = s.EditQueue(ctx, 0, music.QueueEdit{Op: music.QueueClear})
	cases["guild 0"] = struct{ err, want error }{err, music.ErrInvalidID}
	_, err = s.LoadQueue(ctx, 0)
	cases["LoadQueue guild 0"] = struct{ err, want error }{err, music.ErrInvalidID}
	_, err = s.Acquire(ctx, 1, "", time.Second)
	cases["empty owner"] = struct{ err, want error }{err, music.ErrInvalidLease}
	_, err = s.Renew(ctx, music.Lease{Guild: 1, Owner: "a", Token: 1}, 0)
	cases["renew ttl 0"] = struct{ err, want error }{err, music.ErrInvalidLease}
	cases["release guild 0"] = struct{ err, want error }{s.Release(ctx, music.Lease{Owner: "a"}), music.ErrInvalidID}
	cases["put token -1"] = struct{ err, want error }{s.PutFenced(ctx, 1, music.Settings{}, -1), music.ErrFenced}
	cases["delete token -1"] = struct{ err, want error }{s.DeleteFenced(ctx, 1, -1), music.ErrFenced}
	cases["delete guild 0"] = struct{ err, want error }{s.DeleteFenced(ctx, 0, 1), music.ErrInvalidID}
	_, err = s.SaveFenced(ctx, music.Snapshot{GuildID: 1}, music.SaveOptions{Token: -1})
	cases["save token -1"] = struct{ err, want error }{err, music.ErrFenced}
	for name, c := range cases {
		if !errors.Is(c.err, c.want) || errors.Is(c.err, redisstore.ErrUnavailable) {
			t.Errorf("%s: error %v; want %v without touching Redis", name, c.err, c.want)
		}
	}
	if err := s.PutFenced(ctx, 0, music.Settings{}, 1); !errors.Is(err, music.ErrInvalidID) {
		t.Errorf("PutFenced(guild 0) = %v; want ErrInvalidID", err)
	}
}

// TestEditOnEveryPath drives the branches of the edit script that depend
// on where in the queue an edit lands (the ends, the nearer half, a
// multi-track insert rebuilding either side, batches over 1,000) and
// checks each against the model.
func TestEditOnEveryPath(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	s := newStore(t, srv.Client())
	model := []music.Track{}
	apply := func(e music.QueueEdit) {
		t.Helper()
		var want music.QueueEditResult
		var err error
		model, want, err = e.Apply(model)
		if err != nil {
			t.Fatalf("model: %v", err)
		}
		got, err := s.EditQueue(ctx, guild, e)
		if err != nil {
			t.Fatalf("EditQueue(%v at %d→%d): %v", e.Op, e.Position, e.To, err)
		}
		if got.Len != want.Len || got.Added != want.Added || got.Removed != want.Removed || !got.Track.Equal(want.Track) {
			t.Fatalf("EditQueue(%v at %d→%d) = %+v; want %+v", e.Op, e.Position, e.To, got, want)
		}
		st := loadQueue(t, s)
		if !slices.EqualFunc(st.Tracks, model, func(a, b music.Track) bool { return a.Equal(b) }) {
			t.Fatalf("after %v at %d→%d the queue differs from the model", e.Op, e.Position, e.To)
		}
	}
	n := func() int { return len(model) }
	apply(music.QueueEdit{Op: music.QueueAdd, Tracks: tracksBy(0, 2500)}) // three RPUSH batches
	apply(music.QueueEdit{Op: music.QueueInsert, Position: 1, Tracks: tracksBy(3000, 1200)})
	apply(music.QueueEdit{Op: music.QueueSkipTo, Position: n() - 300})                           // keep the rest quick
	apply(music.QueueEdit{Op: music.QueueInsert, Position: 10, Tracks: tracksBy(5000, 3)})       // rebuild the head
	apply(music.QueueEdit{Op: music.QueueInsert, Position: n() - 30, Tracks: tracksBy(6000, 3)}) // rebuild the tail
	apply(music.QueueEdit{Op: music.QueueInsert, Position: 7, Tracks: tracksBy(7000, 1)})        // tombstone
	apply(music.QueueEdit{Op: music.QueueInsert, Position: n() + 1, Tracks: tracksBy(7100, 1)})  // the end
	for _, p := range []func() int{func() int { return 1 }, n, func() int { return 2 }, func() int { return 100 }, func() int { return n() - 5 }, func() int { return n() - 1 }} {
		apply(music.QueueEdit{Op: music.QueueRemove, Position: p()})
	}
	for _, m := range [][2]func() int{{func() int { return 1 }, n}, {n, func() int { return 1 }}, {func() int { return 5 }, func() int { return n() - 70 }},
		{func() int { return n() - 70 }, func() int { return 5 }}, {func() int { return 2 }, func() int { return 3 }}, {func() int { return 4 }, func() int { return 4 }}} {
		apply(music.QueueEdit{Op: music.QueueMove, Position: m[0](), To: m[1]()})
	}
	apply(music.QueueEdit{Op: music.QueueSwap, Position: 1, To: n()})
	apply(music.QueueEdit{Op: music.QueueSwap, Position: 9, To: 9})
	apply(music.QueueEdit{Op: music.QueueShuffle, Seed: -77})
	apply(music.QueueEdit{Op: music.QueueRemoveRequester, Requester: tracksBy(3, 1)[0].Requester}) // a seventh of the queue
	apply(music.QueueEdit{Op: music.QueueSkipTo, Position: 17})
	apply(music.QueueEdit{Op: music.QueueSkipTo, Position: n()})
	apply(music.QueueEdit{Op: music.QueueRemoveRequester, Requester: 1})
	apply(music.QueueEdit{Op: music.QueueShuffle, Seed: 3})
}

// tracksBy returns n tracks from storetest's family whose requesters
// cycle through seven users.
func tracksBy(from, n int) []music.Track {
	ts := storetest.Tracks(from, n)
	for i := range ts {
		ts[i].Requester = snowflake.ID(200_000_000_000_000_000 + (from+i)%7)
	}
	return ts
}

// TestLeaseHeldTellsWho checks the error of a refused Acquire names the
// holder and its remaining time.
func TestLeaseHeldTellsWho(t *testing.T) {
	ctx := t.Context()
	srv := redistest.Start(t)
	a, b := twoProcesses(t, srv)
	if _, err := a.Acquire(ctx, guild, "bot:eu-1:4242", time.Minute); err != nil {
		t.Fatal(err)
	}
	_, err := b.Acquire(ctx, guild, "bot:eu-2:17", time.Minute)
	var held *music.LeaseHeldError
	if !errors.As(err, &held) || held.Owner != "bot:eu-1:4242" || held.ExpiresIn <= 50*time.Second || held.ExpiresIn > time.Minute {
		t.Errorf("Acquire while held = %v; want a *LeaseHeldError naming bot:eu-1:4242 with about a minute left", err)
	}
	if !strings.Contains(err.Error(), "acquire lease of guild 81384788765712384") {
		t.Errorf("error %q does not say what failed on which guild", err)
	}
}
