package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/internal/redistest"
	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/music/redisstore"
	"github.com/tunekit/tunekit/music/storetest"
)

func newBus(t *testing.T, srv *redistest.Server, opts ...redisstore.BusOption) *redisstore.Bus {
	t.Helper()
	b, err := redisstore.NewBus(t.Context(), srv.Client(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close(context.Background()) })
	return b
}

// collect subscribes to b and returns a function that waits for n events.
func collect(t *testing.T, b music.EventBus) func(n int) []music.Event {
	t.Helper()
	ch := make(chan music.Event, 100)
	cancel := b.Subscribe(func(e music.Event) { ch <- e })
	t.Cleanup(cancel)
	return func(n int) []music.Event {
		t.Helper()
		var got []music.Event
		timeout := time.After(10 * time.Second)
		for len(got) < n {
			select {
			case e := <-ch:
				got = append(got, e)
			case <-timeout:
				t.Fatalf("received %d events in 10 s, want %d", len(got), n)
			}
		}
		return got
	}
}

func allEvents() []music.Event {
	at := time.Date(2025, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	tr := storetest.Track(3)
	vol, _ := music.Settings{}.WithVolume(80)
	return []music.Event{
		music.TrackQueued{GuildID: 1, Track: tr, Count: 12, Position: 4, At: at},
		music.TrackStarted{GuildID: 1, Track: tr, Node: "eu-1", At: at},
		music.TrackEnded{GuildID: 1, Track: tr, Reason: music.EndFinished, At: at},
		music.QueueEnded{GuildID: 1, At: at},
		music.SettingsUpdated{GuildID: 1, Settings: vol, At: at},
		music.PlayerMoved{GuildID: 1, From: "eu-1", To: "eu-2", Position: 83 * time.Second, At: at},
		music.SessionEnded{GuildID: 1, Reason: music.LeaveIdle, At: at},
	}
}

// TestBusAcrossProcesses has two buses on one Redis stand for two bot
// processes: what either publishes reaches the subscribers of both, in
// order, with every field intact.
func TestBusAcrossProcesses(t *testing.T) {
	srv := redistest.Start(t)
	a, b := newBus(t, srv), newBus(t, srv)
	gotA, gotB := collect(t, a), collect(t, b)
	want := allEvents()
	for _, e := range want {
		if err := a.Publish(t.Context(), e); err != nil {
			t.Fatalf("Publish(%T): %v", e, err)
		}
	}
	for name, got := range map[string][]music.Event{"publisher": gotA(len(want)), "other process": gotB(len(want))} {
		for i := range want {
			if !sameEvent(got[i], want[i]) {
				t.Errorf("%s: event %d = %+v, want %+v", name, i, got[i], want[i])
			}
		}
	}
}

func sameEvent(a, b music.Event) bool {
	x, err1 := music.MarshalEvent(a)
	y, err2 := music.MarshalEvent(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func TestBusSkipsUndecodable(t *testing.T) {
	srv := redistest.Start(t)
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	b := newBus(t, srv, redisstore.WithChannel("custom"), redisstore.WithLogger(logger), redisstore.WithBusBuffer(4))
	got := collect(t, b)
	c := srv.Client()
	for _, raw := range []string{`{"type":"fromTheFuture","event":{}}`, "not json", `{"type":"queueEnded"}`} {
		if err := c.Publish(t.Context(), "custom", raw).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Publish(t.Context(), music.QueueEnded{GuildID: 9}); err != nil {
		t.Fatal(err)
	}
	if e := got(1)[0]; e != (music.QueueEnded{GuildID: 9}) {
		t.Errorf("first delivered event = %+v, want QueueEnded{9}: undecodable messages must be skipped", e)
	}
	if n := b.Skipped(); n != 3 {
		t.Errorf("Skipped() = %d, want 3", n)
	}
	if b.Dropped() != 0 {
		t.Errorf("Dropped() = %d, want 0", b.Dropped())
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "fromTheFuture") || !strings.Contains(logs.String(), "component=redisstore") {
		t.Errorf("log does not name the unknown event type and component:\n%s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestBusChannelsAreSeparate(t *testing.T) {
	srv := redistest.Start(t)
	a := newBus(t, srv, redisstore.WithChannel("bot-a"))
	b := newBus(t, srv, redisstore.WithChannel("bot-b"))
	gotA := collect(t, a)
	var leaked []music.Event
	var mu sync.Mutex
	b.Subscribe(func(e music.Event) { mu.Lock(); leaked = append(leaked, e); mu.Unlock() })
	if err := a.Publish(t.Context(), music.QueueEnded{GuildID: 1}); err != nil {
		t.Fatal(err)
	}
	gotA(1)
	// b sees a's channel only if Redis routed it there; publish a marker on
	// b and wait for it, after which anything from a would have arrived.
	marker := collect(t, b)
	if err := b.Publish(t.Context(), music.QueueEnded{GuildID: 2}); err != nil {
		t.Fatal(err)
	}
	marker(1)
	if err := b.Close(t.Context()); err != nil { // drains b's subscribers
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, e := range leaked {
		if e.Guild() == 1 {
			t.Errorf("bus on channel bot-b received %+v published on bot-a", e)
		}
	}
}

func TestBusClose(t *testing.T) {
	srv := redistest.Start(t)
	b, err := redisstore.NewBus(t.Context(), srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := b.Close(t.Context()); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := b.Publish(t.Context(), music.QueueEnded{GuildID: 1}); !errors.Is(err, music.ErrBusClosed) {
		t.Errorf("Publish after Close = %v, want ErrBusClosed", err)
	}
}

func TestBusRedisDown(t *testing.T) {
	srv := redistest.Start(t)
	b := newBus(t, srv)
	srv.Stop()
	if err := b.Publish(t.Context(), music.QueueEnded{GuildID: 1}); !errors.Is(err, redisstore.ErrUnavailable) {
		t.Errorf("Publish with Redis stopped = %v; want ErrUnavailable", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if _, err := redisstore.NewBus(ctx, srv.Client()); !errors.Is(err, redisstore.ErrUnavailable) {
		t.Errorf("NewBus with Redis stopped = %v; want ErrUnavailable", err)
	}
	if err := b.Publish(t.Context(), nilEvent()); err == nil {
		t.Error("Publish(nil) succeeded; want an error")
	}
}

func nilEvent() music.Event { return nil }

// TestBusGuildIDsSurvive checks the largest snowflakes cross as strings,
// not as floats that would lose digits.
func TestBusGuildIDsSurvive(t *testing.T) {
	srv := redistest.Start(t)
	b := newBus(t, srv)
	got := collect(t, b)
	const big snowflake.ID = 18446744073709551615
	if err := b.Publish(t.Context(), music.SessionEnded{GuildID: big, Reason: music.LeaveAlone}); err != nil {
		t.Fatal(err)
	}
	if e := got(1)[0]; e.Guild() != big {
		t.Errorf("Guild() after the trip = %v, want %v", e.Guild(), big)
	}
}
