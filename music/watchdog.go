package music

import (
	"context"
	"sync"
	"time"

	"github.com/disgoorg/disgolink/v3/lavalink"
	"github.com/disgoorg/snowflake/v2"
)

// Defaults of the silent-player watchdog.
const (
	// DefaultSilenceThreshold is how long a player may look silent (its
	// position advancing while its node says it sends no audio) before
	// the watchdog heals it.
	DefaultSilenceThreshold = 15 * time.Second
	// DefaultHealBackoff is the least time between a healing step and
	// the next: the first step's, doubling with each step and with each
	// round of steps that did not heal, up to maxHealBackoff.
	DefaultHealBackoff = 10 * time.Second
)

const (
	// watchInterval is how often the watchdog looks at the players.
	watchInterval = 5 * time.Second
	// healSettle is how long after a step the node's reports start to
	// count as evidence of its effect: frames in flight when the step
	// ended describe the time before it.
	healSettle = time.Second
	// maxHealBackoff bounds the backoff and the silence threshold of a
	// player that no step healed.
	maxHealBackoff = 5 * time.Minute
)

// HealStep is a step the silent-player watchdog takes to heal a player,
// in the order it takes them.
type HealStep string

// Healing steps.
const (
	// HealVoice renews the bot's voice session (asking Discord to join
	// the channel again) and sends the voice state to the node, which
	// reconnects the player's voice.
	HealVoice HealStep = "voice"
	// HealReplay plays the track again at its position on the same node.
	HealReplay HealStep = "replay"
	// HealMove moves the player to another node, within the migration
	// limits.
	HealMove HealStep = "move"
)

// String returns the step's name.
func (s HealStep) String() string { return string(s) }

// next returns the step after s; "" after the last.
func (s HealStep) next() HealStep {
	switch s {
	case "":
		return HealVoice
	case HealVoice:
		return HealReplay
	case HealReplay:
		return HealMove
	}
	return ""
}

// HealOutcome is how a healing step turned out.
type HealOutcome string

// Healing outcomes.
const (
	// HealHealed: the node reports the player sending audio again.
	HealHealed HealOutcome = "healed"
	// HealFailed: the step was taken but the player stayed silent.
	HealFailed HealOutcome = "failed"
	// HealError: the step could not be taken (a request failed, or no
	// other node could take the player).
	HealError HealOutcome = "error"
)

// String returns the outcome's name.
func (o HealOutcome) String() string { return string(o) }

// HealAttempted says the silent-player watchdog took a healing step and
// how it turned out. A frontend may tell listeners that the audio
// dropped and is being restored.
type HealAttempted struct {
	GuildID snowflake.ID `json:"guildId"`
	// Node is the node the player was on when the step was taken.
	Node    string      `json:"node"`
	Step    HealStep    `json:"step"`
	Outcome HealOutcome `json:"outcome"`
	At      time.Time   `json:"at,omitzero"`
}

// Guild implements [Event].
func (e HealAttempted) Guild() snowflake.ID { return e.GuildID }

// Type implements [Event].
func (HealAttempted) Type() EventType { return TypeHealAttempted }

func (HealAttempted) sealed() {}

// WithSilenceWatchdog sets when the silent-player watchdog heals a
// player: after threshold of silence, with backoff between its steps. A
// negative threshold turns the watchdog off; zero values select
// [DefaultSilenceThreshold] and [DefaultHealBackoff].
func WithSilenceWatchdog(threshold, backoff time.Duration) Option {
	return func(o *options) { o.silenceThreshold, o.healBackoff = threshold, backoff }
}

// testHooks, set by tests before Start, see each playerUpdate once it is
// taken in and each healing step once taken.
type testHooks struct {
	update func(guild snowflake.ID, state lavalink.PlayerState)
	heal   func(guild snowflake.ID, step HealStep, err error)
	// leases sees each round of the lease keeper (ownership.go);
	// scanned when it looked for guilds to take over.
	leases func(scanned bool)
	// reloaded sees each reload of a shared queue (sharedqueue.go).
	reloaded func(guild snowflake.ID, version uint64)
	// released sees each lease given back (ownership.go).
	released func(guild snowflake.ID)
}

// Evidence of silence, as bits.
const (
	silentFrames uint8 = 1 << iota // the node's stats: no frame sent
	silentVoice                    // the player's updates: voice not connected
)

// watch is what the watchdog knows of one player. The evidence fields
// are written by the node's playerUpdates, the rest by the watchdog; all
// of it is guarded by the player's mu.
type watch struct {
	// Evidence.
	lastPos      time.Duration
	lastAt       time.Time // the node's time of the last update
	hasPos       bool
	advancing    bool      // the position moved on between the last two times updates were sent
	disconnected bool      // the last update said the voice connection is closed
	updateAt     time.Time // when the last update arrived

	// State.
	track   string    // the encoded track watched; another resets the state
	since   time.Time // when it was first seen silent in this round; zero when not
	step    HealStep  // the last step taken in this round; "" for none
	node    string    // the node the step was taken on
	doneAt  time.Time // when the step's effect may first show
	errored bool      // the step could not be taken
	reasons uint8     // the evidence of silence when the step was taken
	rounds  int       // rounds of steps that did not heal
	busy    bool      // a step is queued or running
}

// observe records a playerUpdate from the player's node, sent at at.
// Lavalink sends several at one time (two when a track starts, one after
// a voice or filters change): only a later time tells whether the
// position moves.
func (w *watch) observe(pos time.Duration, at time.Time, connected bool, now time.Time) {
	if !w.hasPos || at.After(w.lastAt) {
		w.advancing = w.hasPos && pos > w.lastPos
		w.lastAt = at
	}
	w.lastPos, w.hasPos = pos, true
	w.disconnected = !connected
	w.updateAt = now
}

// nodeChanged forgets the evidence of the player's old node. A move the
// watchdog asked for is done now, and its effect shows from now on.
func (w *watch) nodeChanged(now time.Time) {
	w.hasPos, w.advancing, w.disconnected = false, false, false
	w.updateAt = time.Time{}
	if w.step == HealMove {
		w.doneAt = now.Add(healSettle)
	}
}

// reset ends the watch of the current track.
func (w *watch) reset() {
	busy := w.busy
	*w = watch{lastPos: w.lastPos, lastAt: w.lastAt, hasPos: w.hasPos, advancing: w.advancing, disconnected: w.disconnected, updateAt: w.updateAt}
	w.busy = busy
}

// scaled returns d doubled n times, at most maxHealBackoff.
func scaled(d time.Duration, n int) time.Duration {
	for ; n > 0 && d < maxHealBackoff; n-- {
		d *= 2
	}
	return min(d, maxHealBackoff)
}

// stepBackoff is the least time after a step before the next.
func (m *Manager) stepBackoff(w *watch) time.Duration {
	n := w.rounds
	switch w.step {
	case HealReplay:
		n++
	case HealMove:
		n += 2
	}
	return scaled(m.opt.healBackoff, n)
}

// looks is the timer of the watchdog's next look.
type looks struct {
	mu      sync.Mutex
	timer   Timer
	stopped bool
}

// startWatchdog arms the watchdog's first look.
func (m *Manager) startWatchdog() {
	if m.opt.silenceThreshold >= 0 {
		m.armLook()
	}
}

// armLook sets the timer of the next look, unless the watchdog stopped.
func (m *Manager) armLook() {
	m.looks.mu.Lock()
	defer m.looks.mu.Unlock()
	if !m.looks.stopped {
		m.looks.timer = m.clock.AfterFunc(watchInterval, m.watchTick)
	}
}

// stopWatchdog cancels the watchdog's next look, at Close.
func (m *Manager) stopWatchdog() {
	m.looks.mu.Lock()
	defer m.looks.mu.Unlock()
	m.looks.stopped = true
	if m.looks.timer != nil {
		m.looks.timer.Stop()
		m.looks.timer = nil
	}
}

// validateWatchdog applies the watchdog's defaults and checks its
// options.
func validateWatchdog(o *options) error {
	if o.silenceThreshold == 0 {
		o.silenceThreshold = DefaultSilenceThreshold
	}
	switch {
	case o.healBackoff < 0:
		return &ConfigError{Field: "WithSilenceWatchdog", Reason: "negative backoff"}
	case o.healBackoff == 0:
		o.healBackoff = DefaultHealBackoff
	}
	return nil
}

// watchTick looks at every player and queues the steps that are due,
// then arms the next look.
func (m *Manager) watchTick() {
	if m.ctx.Err() != nil {
		return
	}
	now := m.clock.Now()
	for _, p := range m.players.all() {
		v := m.inspect(p, now)
		if v.judged != nil {
			if v.judged.Outcome == HealHealed {
				m.log.Info("silent player healed", "guild", p.guild, "node", v.node, "step", v.judged.Step)
			}
			m.judged(*v.judged)
		}
		switch {
		case v.step != "":
			m.log.Warn("silent player: healing", "guild", p.guild, "node", v.node, "step", v.step,
				"silent_for", v.silentFor, "no_frames", v.evidence&silentFrames != 0, "voice_closed", v.evidence&silentVoice != 0)
			p.post(func(ctx context.Context) { m.heal(ctx, p, v.step) })
		case v.retryIn > 0:
			m.log.Warn("silent player: no step healed it; trying again later", "guild", p.guild, "node", v.node, "wait", v.retryIn)
		}
	}
	m.armLook()
}

// verdict is what the watchdog does about a player after a look.
type verdict struct {
	step      HealStep       // the step to take; "" for none
	judged    *HealAttempted // the outcome of the last step, once known
	retryIn   time.Duration  // a round of steps ended; the next starts after this much silence
	node      string
	silentFor time.Duration
	evidence  uint8
}

// inspect decides what the watchdog does about p now.
func (m *Manager) inspect(p *player, now time.Time) verdict {
	p.mu.Lock()
	defer p.mu.Unlock()
	w := &p.wd
	if w.busy {
		return verdict{}
	}
	var cur Track
	playing := false
	if p.sess != nil && !p.needSync && p.node != nil && p.sess.State() == StatePlaying {
		cur, playing = p.sess.Current()
	}
	if !playing {
		w.reset()
		return verdict{}
	}
	if w.track != cur.Encoded {
		w.reset()
		w.track = cur.Encoded
	}
	ln := p.node
	v := verdict{node: ln.name}
	if ln.silent.Load() {
		v.evidence |= silentFrames
	}
	if w.disconnected {
		v.evidence |= silentVoice
	}
	silent := v.evidence != 0 && w.advancing

	if w.step == "" {
		if !silent {
			w.since = time.Time{}
			return v
		}
		if w.since.IsZero() {
			w.since = now
		}
		if v.silentFor = now.Sub(w.since); v.silentFor < scaled(m.opt.silenceThreshold, w.rounds) {
			return v
		}
		w.busy, w.reasons = true, v.evidence
		v.step = HealVoice
		return v
	}
	if w.step == HealMove && p.relocate || now.Before(w.doneAt) {
		return v // the move waits for its turn, or the step just ended
	}
	if !w.errored {
		// Judge the step on reports that came after it, of each kind
		// that said the player was silent.
		if w.reasons&silentFrames != 0 && !time.Unix(0, ln.statsAt.Load()).After(w.doneAt) ||
			w.reasons&silentVoice != 0 && !w.updateAt.After(w.doneAt) {
			return v
		}
		if v.evidence == 0 {
			v.judged = &HealAttempted{GuildID: p.guild, Node: w.node, Step: w.step, Outcome: HealHealed, At: now}
			w.step, w.since, w.rounds = "", time.Time{}, 0
			return v
		}
		if !w.advancing {
			return v // silent but not playing on: not the watchdog's case
		}
	}
	next := w.step.next()
	if now.Before(w.doneAt.Add(m.stepBackoff(w)-healSettle)) && !(w.errored && next == "") {
		return v
	}
	if !w.errored {
		v.judged = &HealAttempted{GuildID: p.guild, Node: w.node, Step: w.step, Outcome: HealFailed, At: now}
	}
	v.silentFor = now.Sub(w.since)
	if next == "" {
		// Every step was taken: start again, waiting longer.
		w.rounds++
		w.step, w.since, w.errored = "", now, false
		v.retryIn = scaled(m.opt.silenceThreshold, w.rounds)
		return v
	}
	w.busy = true
	if v.evidence != 0 {
		w.reasons = v.evidence
	}
	v.step = next
	return v
}

// judged records a step's outcome: the metric, then the event.
func (m *Manager) judged(e HealAttempted) {
	m.cfg.Metrics.TrackHeal(string(e.Step), string(e.Outcome))
	m.publish(e)
}
