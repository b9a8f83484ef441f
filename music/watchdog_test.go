package music

import (
	"errors"
	"testing"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tunekit/tunekit/music/lavalinktest"
	"github.com/tunekit/tunekit/secureheaders"
)

// watchHarness is a harness with the watchdog on (threshold 15 s, backoff
// 10 s) and channels that say when the Manager has taken in a stats op, a
// playerUpdate of guildID, and a healing step.
type watchHarness struct {
	*harness
	reg     *prometheus.Registry
	stats   chan string
	updates chan lavalink.PlayerState
	heals   chan healNote
	on      int // the fake node playing for the guild
}

type healNote struct {
	step HealStep
	err  error
	at   time.Duration // since epoch
}

func newWatchHarness(t *testing.T, nodes int) *watchHarness {
	t.Helper()
	business, reg := newMetrics(t)
	h := newHarness(t, harnessConfig{nodes: nodes, noStart: true, cfg: func(c *Config) { c.Metrics = business },
		opts: []Option{WithSilenceWatchdog(15*time.Second, 10*time.Second)}})
	w := &watchHarness{harness: h, reg: reg, stats: make(chan string, 1024),
		updates: make(chan lavalink.PlayerState, 1024), heals: make(chan healNote, 64)}
	h.m.observeStats = func(ln *lavaNode) { w.stats <- ln.name }
	h.m.hooks.update = func(g snowflake.ID, st lavalink.PlayerState) {
		if g == guildID {
			w.updates <- st
		}
	}
	h.m.hooks.heal = func(_ snowflake.ID, step HealStep, err error) {
		w.heals <- healNote{step, err, h.clock.Now().Sub(epoch)}
	}
	h.start()
	return w
}

// sendStats has fake node i send a stats op and waits until the Manager
// has taken it in.
func (w *watchHarness) sendStats(i int) {
	w.t.Helper()
	for len(w.stats) > 0 { // earlier stats ops, such as those at connect
		<-w.stats
	}
	if err := w.nodes[i].SendStats(); err != nil {
		w.t.Fatal(err)
	}
	name := w.m.nodes[i].name
	timeout := time.After(patience)
	for {
		select {
		case got := <-w.stats:
			if got == name {
				return
			}
		case <-timeout:
			w.t.Fatalf("no stats from %s taken in", name)
		}
	}
}

// step moves the clock 5 s, to the next periodic playerUpdate of the
// guild's player, and waits until the Manager has taken that update in.
func (w *watchHarness) step() lavalink.PlayerState {
	w.t.Helper()
	w.clock.Advance(5 * time.Second)
	return w.waitUpdate(func(st lavalink.PlayerState) bool { return st.Time.Equal(w.clock.Now()) })
}

// settle lets the effect of a step show: 2 s on (past healSettle), a
// stats op from fake node i, then on to the next periodic playerUpdate.
func (w *watchHarness) settle(i int) {
	w.t.Helper()
	w.clock.Advance(2 * time.Second)
	w.sendStats(i)
	w.clock.Advance(3 * time.Second)
	w.waitUpdate(func(st lavalink.PlayerState) bool { return st.Time.Equal(w.clock.Now()) })
}

func (w *watchHarness) nodeIndex(name string) int {
	for i, ln := range w.m.nodes {
		if ln.name == name {
			return i
		}
	}
	w.t.Fatalf("no node %q", name)
	return 0
}

func (w *watchHarness) waitUpdate(match func(lavalink.PlayerState) bool) lavalink.PlayerState {
	w.t.Helper()
	timeout := time.After(patience)
	for {
		select {
		case st := <-w.updates:
			if match(st) {
				return st
			}
		case <-timeout:
			w.t.Fatalf("no matching playerUpdate taken in at %v", w.clock.Now().Sub(epoch))
			return lavalink.PlayerState{}
		}
	}
}

func (w *watchHarness) waitHeal(want HealStep) healNote {
	w.t.Helper()
	select {
	case n := <-w.heals:
		if n.step != want || n.err != nil {
			w.t.Fatalf("healing step = %+v, want %s without error", n, want)
		}
		return n
	case <-time.After(patience):
		w.t.Fatalf("no %s step taken", want)
		return healNote{}
	}
}

// waitJudged waits for the outcome of a step. Events published before it
// are returned too, so that a test can check what else happened.
func (w *watchHarness) waitJudged(step HealStep, outcome HealOutcome) []Event {
	w.t.Helper()
	var before []Event
	timeout := time.After(patience)
	for {
		select {
		case e := <-w.events:
			if h, ok := e.(HealAttempted); ok {
				if h.Step != step || h.Outcome != outcome || h.GuildID != guildID {
					w.t.Fatalf("HealAttempted = %+v, want %s %s", h, step, outcome)
				}
				return before
			}
			before = append(before, e)
		case <-timeout:
			w.t.Fatalf("no %s %s judged", step, outcome)
			return nil
		}
	}
}

func (w *watchHarness) healCount(step HealStep, outcome HealOutcome) float64 {
	return metricValue(w.t.(*testing.T), w.reg, "tunekit_player_heals_total", map[string]string{"step": string(step), "outcome": string(outcome)})
}

// silenced plays "one" from the epoch, lets it play 10 s (two
// playerUpdates show the position moving), then silences it with opts
// and has its node report it in stats.
func (w *watchHarness) silenced(opts ...lavalinktest.SilenceOption) {
	w.t.Helper()
	w.addTracks("one", "two")
	w.listen(guildID, userID, voiceID)
	w.play(guildID, listener, "one")
	w.on = w.nodeIndex(w.waitEvent(isType(TypeTrackStarted)).(TrackStarted).Node)
	w.step()
	w.step() // +10 s: the position moves
	if err := w.nodes[w.on].Silence(guildID, opts...); err != nil {
		w.t.Fatal(err)
	}
	w.sendStats(w.on)
}

// untilVoiceStep steps to +30 s: silent from the look at +15 s, healed
// 15 s later.
func (w *watchHarness) untilVoiceStep() {
	w.t.Helper()
	for range 4 {
		w.step()
	}
	if n := w.waitHeal(HealVoice); n.at != 30*time.Second {
		w.t.Errorf("voice step at %v, want 30s", n.at)
	}
}

func TestWatchdogVoiceHeals(t *testing.T) {
	w := newWatchHarness(t, 2)
	w.silenced(lavalinktest.HealOnVoice())
	before, _ := w.nodes[w.on].Player(guildID)
	w.untilVoiceStep()
	np, _ := w.nodes[w.on].Player(guildID)
	if np.Silent || np.Voice.SessionID == before.Voice.SessionID || np.Voice.ChannelID != voiceID.String() {
		t.Errorf("node player after the voice step = %+v, want a new voice session and sound", np)
	}
	w.settle(w.on) // frames flow again
	events := w.waitJudged(HealVoice, HealHealed)
	for _, e := range events {
		if e.Type() == TypeTrackStarted || e.Type() == TypePlayerMoved {
			t.Errorf("event %s while healing by voice", e.Type())
		}
	}
	if got := w.healCount(HealVoice, HealHealed); got != 1 {
		t.Errorf("heals{voice,healed} = %v, want 1", got)
	}
	for _, step := range []HealStep{HealReplay, HealMove} {
		if got := w.healCount(step, HealHealed) + w.healCount(step, HealFailed) + w.healCount(step, HealError); got != 0 {
			t.Errorf("heals of step %s = %v, want none", step, got)
		}
	}
	for range 6 {
		w.step()
	}
	if n := len(w.heals); n != 0 {
		t.Errorf("%d more steps taken", n)
	}
}

// untilReplay takes a silent player past the voice step, which fails,
// to the replay at +40 s.
func (w *watchHarness) untilReplay() {
	w.t.Helper()
	w.untilVoiceStep()
	w.settle(w.on) // +35 s: still silent, but the voice step's backoff runs to +40 s
	w.step()
	w.waitJudged(HealVoice, HealFailed)
	if n := w.waitHeal(HealReplay); n.at != 40*time.Second {
		w.t.Errorf("replay at %v, want 40s", n.at)
	}
}

// untilMove takes a silent player on past the replay, which fails, to the
// move at +60 s.
func (w *watchHarness) untilMove() healNote {
	w.t.Helper()
	w.untilReplay()
	w.settle(w.on) // +45 s: the replayed track is silent too
	for range 3 {
		w.step() // to +60 s: the replay's backoff is 20 s
	}
	w.waitJudged(HealReplay, HealFailed)
	select {
	case n := <-w.heals:
		if n.step != HealMove || n.at != 60*time.Second {
			w.t.Fatalf("step = %+v, want a move at 60s", n)
		}
		return n
	case <-time.After(patience):
		w.t.Fatal("no move")
		return healNote{}
	}
}

func TestWatchdogReplayHeals(t *testing.T) {
	w := newWatchHarness(t, 2)
	w.silenced(lavalinktest.HealOnPlay())
	w.untilReplay()
	np, _ := w.nodes[w.on].Player(guildID)
	if np.Silent || np.Track == nil || np.Track.Info.Title != "one" || np.Position != 40*time.Second {
		t.Errorf("node player after the replay = %+v, want one at 40s with sound", np)
	}
	w.settle(w.on)
	for _, e := range w.waitJudged(HealReplay, HealHealed) {
		if e.Type() == TypeTrackStarted || e.Type() == TypeTrackEnded {
			t.Errorf("event %s published for a replay", e.Type())
		}
	}
	if got := w.healCount(HealVoice, HealFailed) + w.healCount(HealReplay, HealHealed); got != 2 {
		t.Errorf("heals voice failed + replay healed = %v, want 2", got)
	}
	// The replayed track plays on and ends as usual.
	w.play(guildID, listener, "two")
	now, err := w.m.NowPlaying(w.ctx(), guildID, listener)
	if err != nil || now.Position != 45*time.Second || now.Track.Info.Title != "one" {
		t.Errorf("NowPlaying after the replay = %+v, %v", now, err)
	}
	w.clock.Advance(135 * time.Second)
	w.waitEvent(isStarted("two"))
}

func TestWatchdogMoveHeals(t *testing.T) {
	w := newWatchHarness(t, 2)
	w.silenced() // nothing heals it on node-1
	if n := w.untilMove(); n.err != nil {
		t.Fatalf("move = %v", n.err)
	}
	from, to := w.m.nodes[w.on].name, w.m.nodes[1-w.on].name
	moved := w.waitEvent(isType(TypePlayerMoved)).(PlayerMoved)
	if moved.From != from || moved.To != to || moved.Position != 60*time.Second {
		t.Errorf("PlayerMoved = %+v, want %s to %s at 60s", moved, from, to)
	}
	if _, ok := w.nodes[w.on].Player(guildID); ok {
		t.Error("the silent node still has the player")
	}
	w.settle(1 - w.on)
	w.waitJudged(HealMove, HealHealed)
	np, ok := w.nodes[1-w.on].Player(guildID)
	if !ok || np.Silent || np.Track == nil || np.Position != 65*time.Second || !np.Connected {
		t.Errorf("player on %s = %+v", to, np)
	}
	for _, c := range []struct {
		step    HealStep
		outcome HealOutcome
	}{{HealVoice, HealFailed}, {HealReplay, HealFailed}, {HealMove, HealHealed}} {
		if got := w.healCount(c.step, c.outcome); got != 1 {
			t.Errorf("heals{%s,%s} = %v, want 1", c.step, c.outcome, got)
		}
	}
}

func TestWatchdogNoNodeToMoveTo(t *testing.T) {
	w := newWatchHarness(t, 1)
	w.silenced()
	if n := w.untilMove(); !errors.Is(n.err, errNoTarget) {
		t.Fatalf("move = %v, want errNoTarget", n.err)
	}
	w.waitJudged(HealMove, HealError)
	if got := w.healCount(HealMove, HealError); got != 1 {
		t.Errorf("heals{move,error} = %v, want 1", got)
	}
	// The round is over: the next one waits twice as long (30 s, from
	// the look at +65 s) and starts with the voice step again.
	for range 6 {
		w.step() // to +90 s
	}
	if got := len(w.heals); got != 0 {
		t.Fatalf("%d steps taken before the longer threshold passed", got)
	}
	w.step() // +95 s
	if n := w.waitHeal(HealVoice); n.at != 95*time.Second {
		t.Errorf("second round's voice step at %v, want 95s", n.at)
	}
}

func TestWatchdogVoiceClosed(t *testing.T) {
	w := newWatchHarness(t, 2)
	w.addTracks("one")
	w.listen(guildID, userID, voiceID)
	w.play(guildID, listener, "one")
	w.on = w.nodeIndex(w.waitEvent(isType(TypeTrackStarted)).(TrackStarted).Node)
	w.step()
	w.step()
	// Silent and reporting no voice connection; no stats op tells.
	if err := w.nodes[w.on].Silence(guildID, lavalinktest.ReportDisconnected(), lavalinktest.HealOnVoice()); err != nil {
		t.Fatal(err)
	}
	if err := w.m.ResetFilters(w.ctx(), guildID, listener); err != nil { // a filters change sends an update now
		t.Fatal(err)
	}
	w.waitUpdate(func(st lavalink.PlayerState) bool { return !st.Connected })
	// Discord refuses a new voice session: the voice state the node has
	// is sent again, which reconnects it.
	w.voice.mu.Lock()
	w.voice.fail = errors.New("gateway down")
	w.voice.mu.Unlock()
	sent, _ := w.nodes[w.on].Player(guildID)
	w.untilVoiceStep()
	w.step()
	w.step() // +40 s: an update after the step reports the voice connected
	w.waitJudged(HealVoice, HealHealed)
	if np, _ := w.nodes[w.on].Player(guildID); !np.Connected || np.Silent || np.Voice != sent.Voice {
		t.Errorf("node player = %+v, want connected with sound, on the voice session it had", np)
	}
}

func TestWatchdogLeavesOthersAlone(t *testing.T) {
	w := newWatchHarness(t, 2)
	w.silenced()
	if err := w.m.Pause(w.ctx(), guildID, listener); err != nil {
		t.Fatal(err)
	}
	w.sendStats(w.on)
	for range 12 { // a minute, paused: no playerUpdate moves
		w.clock.Advance(5 * time.Second)
	}
	p := w.m.players.get(guildID)
	p.mu.Lock()
	wd := p.wd
	p.mu.Unlock()
	if !wd.since.IsZero() || wd.step != "" || wd.busy || len(w.heals) != 0 {
		t.Errorf("watch of a paused player = %+v, %d steps", wd, len(w.heals))
	}
	// Healthy and playing: nothing either.
	if err := w.nodes[w.on].Unsilence(guildID); err != nil {
		t.Fatal(err)
	}
	if err := w.m.Resume(w.ctx(), guildID, listener); err != nil {
		t.Fatal(err)
	}
	w.sendStats(w.on)
	for range 6 {
		w.step()
	}
	p.mu.Lock()
	wd = p.wd
	p.mu.Unlock()
	if !wd.since.IsZero() || wd.step != "" || len(w.heals) != 0 || !wd.advancing {
		t.Errorf("watch of a healthy player = %+v, %d steps", wd, len(w.heals))
	}
}

func TestWithSilenceWatchdogValidates(t *testing.T) {
	_, err := NewManager(Config{Nodes: []NodeConfig{{Name: "a", Address: "127.0.0.1:1", Password: secureheaders.NewSecret("pw")}},
		UserID: botID, Voice: &fakeVoice{}}, WithSilenceWatchdog(0, -time.Second))
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Field != "WithSilenceWatchdog" {
		t.Errorf("NewManager(negative backoff) = %v, want a ConfigError for WithSilenceWatchdog", err)
	}
	if got := scaled(time.Minute, 10); got != maxHealBackoff {
		t.Errorf("scaled(1m, 10) = %v, want %v", got, maxHealBackoff)
	}
	for s, want := range map[HealStep]HealStep{"": HealVoice, HealVoice: HealReplay, HealReplay: HealMove, HealMove: ""} {
		if got := s.next(); got != want {
			t.Errorf("%q.next() = %q, want %q", s, got, want)
		}
	}
	if HealMove.String() != "move" || HealFailed.String() != "failed" {
		t.Error("String() of a step or outcome is not its name")
	}
}

func TestHealAttemptedEncodes(t *testing.T) {
	e := HealAttempted{GuildID: guildID, Node: "eu-1", Step: HealReplay, Outcome: HealFailed, At: epoch}
	data, err := MarshalEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"type":"healAttempted","event":{"guildId":"800000000000000001","node":"eu-1","step":"replay","outcome":"failed","at":"2025-03-01T12:00:00Z"}}`
	if string(data) != want {
		t.Errorf("MarshalEvent = %s, want %s", data, want)
	}
	back, err := UnmarshalEvent(data)
	if err != nil || back != Event(e) || back.Guild() != guildID {
		t.Errorf("UnmarshalEvent = %#v, %v", back, err)
	}
}
