package music

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/secureheaders"
)

// patience bounds every wait in these tests: a safety net that turns a
// hang into a failure. No test waits for it to pass.
const patience = 15 * time.Second

const (
	botID    = snowflake.ID(900000000000000001)
	userID   = snowflake.ID(900000000000000002)
	otherID  = snowflake.ID(900000000000000003)
	guildID  = snowflake.ID(800000000000000001)
	voiceID  = snowflake.ID(700000000000000001)
	voice2ID = snowflake.ID(700000000000000002)
	textID   = snowflake.ID(600000000000000001)
)

var epoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeClock is a manual Clock for the Manager that moves the lavalinktest
// clock with it, so node playback and the Manager's timers share one
// virtual time. Timers run on the goroutine that calls Advance, in due
// order, interleaved with the nodes' timers.
type fakeClock struct {
	ll *lavalinktest.Clock

	mu     sync.Mutex
	timers []*fakeTimer
	seq    uint64
	added  chan struct{} // signalled when a timer is set
}

type fakeTimer struct {
	c    *fakeClock
	when time.Time
	seq  uint64
	f    func()
	done bool
}

func newFakeClock() *fakeClock {
	return &fakeClock{ll: lavalinktest.NewClock(epoch), added: make(chan struct{}, 1)}
}

func (c *fakeClock) Now() time.Time { return c.ll.Now() }

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d <= 0 { // due already, as with time.AfterFunc
		t := &fakeTimer{c: c, done: true}
		go f()
		return t
	}
	c.seq++
	t := &fakeTimer{c: c, when: c.ll.Now().Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	select {
	case c.added <- struct{}{}:
	default:
	}
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.done
	t.done = true
	return was
}

// Advance moves both clocks by d, running every timer that falls due.
func (c *fakeClock) Advance(d time.Duration) {
	target := c.ll.Now().Add(d)
	for {
		c.mu.Lock()
		sort.Slice(c.timers, func(i, j int) bool {
			a, b := c.timers[i], c.timers[j]
			if a.when.Equal(b.when) {
				return a.seq < b.seq
			}
			return a.when.Before(b.when)
		})
		var next *fakeTimer
		kept := c.timers[:0]
		for _, t := range c.timers {
			if t.done {
				continue
			}
			if next == nil && !t.when.After(target) {
				next = t
				t.done = true
				continue
			}
			kept = append(kept, t)
		}
		c.timers = kept
		c.mu.Unlock()
		if next == nil {
			break
		}
		if gap := next.when.Sub(c.ll.Now()); gap > 0 {
			c.ll.Advance(gap)
		}
		next.f()
	}
	if gap := target.Sub(c.ll.Now()); gap > 0 {
		c.ll.Advance(gap)
	}
}

// fakeVoice is a VoiceGateway that answers a join the way Discord does:
// a VOICE_SERVER_UPDATE with a null endpoint (to be held back), the bot's
// VOICE_STATE_UPDATE and then the real VOICE_SERVER_UPDATE.
type fakeVoice struct {
	mu       sync.Mutex
	m        *Manager
	calls    []voiceCall
	fail     error
	silent   bool   // never answer
	onJoin   func() // runs before a join is answered
	sessions int
	joined   chan snowflake.ID // receives the guild of each answered join, if set
}

type voiceCall struct {
	guild   snowflake.ID
	channel snowflake.ID // 0 to leave
}

func (v *fakeVoice) UpdateVoiceState(_ context.Context, guild snowflake.ID, channel *snowflake.ID, _, _ bool) error {
	v.mu.Lock()
	var ch snowflake.ID
	if channel != nil {
		ch = *channel
	}
	v.calls = append(v.calls, voiceCall{guild, ch})
	m, fail, silent, onJoin := v.m, v.fail, v.silent, v.onJoin
	v.sessions++
	sid := fmt.Sprintf("voice-session-%d", v.sessions)
	v.mu.Unlock()
	if fail != nil {
		return fail
	}
	if ch == 0 {
		m.OnVoiceStateUpdate(VoiceStateUpdate{GuildID: guild, UserID: botID, Bot: true})
		return nil
	}
	if silent {
		return nil
	}
	if onJoin != nil {
		onJoin()
	}
	m.OnVoiceServerUpdate(VoiceServerUpdate{GuildID: guild, Token: "fake-held-back"})
	m.OnVoiceStateUpdate(VoiceStateUpdate{GuildID: guild, UserID: botID, ChannelID: ch, SessionID: sid, Bot: true})
	endpoint := "voice.example.test:443"
	m.OnVoiceServerUpdate(VoiceServerUpdate{GuildID: guild, Token: "fake-token-" + sid, Endpoint: &endpoint})
	if v.joined != nil {
		v.joined <- guild
	}
	return nil
}

func (v *fakeVoice) callsFor(guild snowflake.ID) []voiceCall {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []voiceCall
	for _, c := range v.calls {
		if c.guild == guild {
			out = append(out, c)
		}
	}
	return out
}

// notifyStore wraps a store and reports each finished Save and Delete.
type notifyStore struct {
	SessionStore
	SettingsStore
	writes chan storeWrite
}

type storeWrite struct {
	guild  snowflake.ID
	delete bool
	snap   Snapshot
	err    error
}

func (s *notifyStore) Save(ctx context.Context, snap Snapshot) error {
	err := s.SessionStore.Save(ctx, snap)
	s.writes <- storeWrite{guild: snap.GuildID, snap: snap, err: err}
	return err
}

func (s *notifyStore) Delete(ctx context.Context, guild snowflake.ID) error {
	err := s.SessionStore.Delete(ctx, guild)
	s.writes <- storeWrite{guild: guild, delete: true, err: err}
	return err
}

// harness is a Manager on fake nodes with a fake clock and voice
// gateway, and a record of its events.
type harness struct {
	t      testing.TB
	clock  *fakeClock
	nodes  []*lavalinktest.Node
	voice  *fakeVoice
	m      *Manager
	events chan Event
	sup    chan supMsg
	saves  chan saveDone
	store  *MemoryStore
	cfg    Config
}

type saveDone struct {
	guild    snowflake.ID
	settings bool
	err      error
}

// waitSave waits for a matching write to be accounted for by the saver.
func (h *harness) waitSave(match func(saveDone) bool) saveDone {
	h.t.Helper()
	timeout := time.After(patience)
	for {
		select {
		case d := <-h.saves:
			if match(d) {
				return d
			}
		case <-timeout:
			h.t.Fatalf("no matching save within %v", patience)
			return saveDone{}
		}
	}
}

type harnessConfig struct {
	nodes     int
	nodeOpts  []lavalinktest.Option
	cfg       func(*Config)
	opts      []Option
	noStart   bool
	sessions  SessionStore
	settings  SettingsStore
	clock     *fakeClock
	llNodes   []*lavalinktest.Node
	voice     *fakeVoice
	eventsBuf int
}

func newHarness(t testing.TB, hc harnessConfig) *harness {
	t.Helper()
	if hc.nodes == 0 && hc.llNodes == nil {
		hc.nodes = 1
	}
	h := &harness{t: t, clock: hc.clock, voice: hc.voice}
	if h.clock == nil {
		h.clock = newFakeClock()
	}
	if h.voice == nil {
		h.voice = &fakeVoice{}
	}
	h.nodes = hc.llNodes
	for range hc.nodes {
		opts := append([]lavalinktest.Option{lavalinktest.WithClock(h.clock.ll)}, hc.nodeOpts...)
		h.nodes = append(h.nodes, lavalinktest.NewNodeT(t, opts...))
	}
	h.store = NewMemoryStore()
	cfg := Config{
		UserID:   botID,
		Voice:    h.voice,
		Settings: h.store,
		Sessions: h.store,
		Logger:   testLogger(),
	}
	if hc.sessions != nil {
		cfg.Sessions = hc.sessions
	}
	if hc.settings != nil {
		cfg.Settings = hc.settings
	}
	for i, n := range h.nodes {
		cfg.Nodes = append(cfg.Nodes, NodeConfig{
			Name:     fmt.Sprintf("node-%d", i+1),
			Address:  n.Addr(),
			Password: secureheaders.NewSecret(n.Password()),
		})
	}
	if hc.cfg != nil {
		hc.cfg(&cfg)
	}
	h.cfg = cfg
	// The silent-player watchdog is off unless a test turns it on: its
	// looks would set timers that advanceUntilSup follows.
	opts := append([]Option{WithClock(h.clock), withSeed(1), WithReconnectBackoff(time.Second, 2*time.Second),
		WithSilenceWatchdog(-1, 0)}, hc.opts...)
	m, err := NewManager(cfg, opts...)
	if err != nil {
		t.Fatalf("NewManager: %v", err)
	}
	h.m = m
	h.voice.mu.Lock()
	h.voice.m = m
	h.voice.mu.Unlock()
	buf := hc.eventsBuf
	if buf == 0 {
		buf = 4096
	}
	h.events = make(chan Event, buf)
	cancel := m.Events().Subscribe(func(e Event) {
		select {
		case h.events <- e:
		default:
		}
	})
	h.sup = make(chan supMsg, 4096)
	m.sup.observe = func(msg supMsg) {
		select {
		case h.sup <- msg:
		default:
		}
	}
	h.saves = make(chan saveDone, 4096)
	m.saver.observe = func(guild snowflake.ID, settings bool, err error) {
		select {
		case h.saves <- saveDone{guild, settings, err}:
		default:
		}
	}
	t.Cleanup(func() {
		cancel()
		ctx, stop := context.WithTimeout(context.Background(), patience)
		defer stop()
		if err := m.Close(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.Logf("Close: %v", err)
		}
	})
	if !hc.noStart {
		h.start()
	}
	return h
}

// start starts the Manager and waits until every node is connected.
func (h *harness) start() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	if err := h.m.Start(ctx); err != nil {
		h.t.Fatalf("Start: %v", err)
	}
	for _, ln := range h.m.nodes {
		if err := ln.client.WaitReady(ctx); err != nil {
			h.t.Fatalf("node %s not ready: %v", ln.name, err)
		}
	}
	// The supervisor has seen them all up.
	up := map[*lavaNode]bool{}
	for len(up) < len(h.m.nodes) {
		msg := h.waitSup(func(msg supMsg) bool { return msg.kind == msgUp })
		up[msg.ln] = true
	}
}

func (h *harness) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	h.t.Cleanup(cancel)
	return ctx
}

// waitEvent returns the first event (skipping others) that match wants.
func (h *harness) waitEvent(match func(Event) bool) Event {
	h.t.Helper()
	timeout := time.After(patience)
	for {
		select {
		case e := <-h.events:
			if match(e) {
				return e
			}
		case <-timeout:
			h.t.Fatalf("no matching event within %v", patience)
			return nil
		}
	}
}

func (h *harness) waitSup(match func(supMsg) bool) supMsg {
	h.t.Helper()
	timeout := time.After(patience)
	for {
		select {
		case msg := <-h.sup:
			if match(msg) {
				return msg
			}
		case <-timeout:
			h.t.Fatalf("supervisor saw no matching message within %v", patience)
			return supMsg{}
		}
	}
}

// advanceUntilSup moves the clock by step, and again each time a timer is
// set (a node waiting to reconnect, say), until the supervisor sees a
// matching message.
func (h *harness) advanceUntilSup(step time.Duration, match func(supMsg) bool) supMsg {
	h.t.Helper()
	timeout := time.After(patience)
	h.clock.Advance(step)
	for {
		select {
		case msg := <-h.sup:
			if match(msg) {
				return msg
			}
		case <-h.clock.added:
			h.clock.Advance(step)
		case <-timeout:
			h.t.Fatalf("supervisor saw no matching message within %v", patience)
			return supMsg{}
		}
	}
}

func isStarted(title string) func(Event) bool {
	return func(e Event) bool {
		ts, ok := e.(TrackStarted)
		return ok && ts.Track.Info.Title == title
	}
}

func isType(t EventType) func(Event) bool {
	return func(e Event) bool { return e.Type() == t }
}

// addTracks adds tracks titled as given (3 minutes each unless a length
// follows a title as "title|90s") to every node's catalogue.
func (h *harness) addTracks(titles ...string) []lavalink.Track {
	h.t.Helper()
	var out []lavalink.Track
	for _, title := range titles {
		var tr lavalink.Track
		for _, n := range h.nodes {
			var err error
			tr, err = n.AddTrack(lavalink.TrackInfo{
				Identifier: "id-" + title, Title: title, Author: "Artist " + title,
				Length: 180 * lavalink.Second, URI: ptr("https://www.youtube.com/watch?v=id-" + title),
			})
			if err != nil {
				h.t.Fatalf("AddTrack: %v", err)
			}
		}
		out = append(out, tr)
	}
	return out
}

// listener is a member in the bot's voice channel.
var listener = Actor{UserID: userID, VoiceChannelID: voiceID}

// listen tells the Manager a member is in a voice channel.
func (h *harness) listen(guild, user, channel snowflake.ID) {
	h.m.OnVoiceStateUpdate(VoiceStateUpdate{GuildID: guild, UserID: user, ChannelID: channel, SessionID: "s"})
}

// play runs Play and fails the test on error.
func (h *harness) play(guild snowflake.ID, actor Actor, query string) PlayResult {
	h.t.Helper()
	res, err := h.m.Play(h.ctx(), guild, actor, query, PlaceEnd, WithTextChannel(textID))
	if err != nil {
		h.t.Fatalf("Play(%q) = %v", query, err)
	}
	return res
}

// nodePlayer returns the guild's player on the fake node i.
func (h *harness) nodePlayer(i int, guild snowflake.ID) (lavalinktest.Player, bool) {
	return h.nodes[i].Player(guild)
}

func testLogger() *slog.Logger {
	if os.Getenv("TUNEKIT_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
