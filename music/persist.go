package music

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// storeTimeout bounds each store call the Manager makes in the
// background.
const storeTimeout = 10 * time.Second

// saver writes sessions and settings to the stores from one goroutine:
// coalesced (a guild's session at most once per save interval, except
// at once on a track change), retried with backoff until a write
// succeeds, and flushed at Close. What it has not written yet it keeps,
// so a store outage loses nothing while the process lives.
type saver struct {
	m      *Manager
	signal chan struct{}

	mu       sync.Mutex
	sessions map[snowflake.ID]*saveState
	settings map[snowflake.ID]*settingsWrite
	timer    Timer
	timerAt  time.Time

	// observe, set by tests before Start, sees each write once it is
	// accounted for.
	observe func(guild snowflake.ID, settings bool, err error)
	// waiting, set by tests before Start, is called each time the saver
	// has armed its timer for next (zero: nothing due) and is about to
	// wait.
	waiting func(next time.Time)
}

// saveState is a guild session's pending write.
type saveState struct {
	gen, written uint64 // changes made and written
	urgent       bool   // a track change: write without waiting
	last         time.Time
	fails        int
	retryAt      time.Time
}

// settingsWrite is a guild's settings waiting to be stored.
type settingsWrite struct {
	s            Settings
	gen, written uint64
	fails        int
	retryAt      time.Time
}

func newSaver(m *Manager) *saver {
	return &saver{
		m:        m,
		signal:   make(chan struct{}, 1),
		sessions: make(map[snowflake.ID]*saveState),
		settings: make(map[snowflake.ID]*settingsWrite),
	}
}

func (s *saver) wake() {
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

// dirty records that the guild's session changed; urgent writes it
// without waiting for the save interval.
func (s *saver) dirty(guild snowflake.ID, urgent bool) {
	s.mu.Lock()
	st := s.sessions[guild]
	if st == nil {
		st = &saveState{}
		s.sessions[guild] = st
	}
	st.gen++
	st.urgent = st.urgent || urgent
	s.mu.Unlock()
	s.wake()
}

// putSettings queues the guild's settings for storing.
func (s *saver) putSettings(guild snowflake.ID, st Settings) {
	s.mu.Lock()
	w := s.settings[guild]
	if w == nil {
		w = &settingsWrite{}
		s.settings[guild] = w
	}
	w.s = st
	w.gen++
	s.mu.Unlock()
	s.wake()
}

// pendingSettings returns settings not stored yet, which are newer than
// the store's.
func (s *saver) pendingSettings(guild snowflake.ID) (Settings, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.settings[guild]; w != nil {
		return w.s, true
	}
	return Settings{}, false
}

// hasSession reports whether a write of the guild's session waits.
func (s *saver) hasSession(guild snowflake.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.sessions[guild]
	return st != nil && st.gen != st.written
}

// forget drops the guild's waiting writes, for a guild handed over to
// another owner.
func (s *saver) forget(guild snowflake.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, guild)
	delete(s.settings, guild)
}

// pending reports how many writes wait, sessions and settings.
func (s *saver) pending() (sessions, settings int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.sessions {
		if st.gen != st.written {
			sessions++
		}
	}
	return sessions, len(s.settings)
}

func (s *saver) run() {
	ctx := s.m.ctx
	for {
		wrote, next := s.pass(ctx)
		if ctx.Err() != nil {
			return
		}
		if wrote {
			continue // changes may have come in meanwhile
		}
		s.schedule(next)
		if s.waiting != nil {
			s.waiting(next)
		}
		select {
		case <-s.signal:
		case <-ctx.Done():
			s.mu.Lock()
			if s.timer != nil {
				s.timer.Stop()
			}
			s.mu.Unlock()
			return
		}
	}
}

// schedule arms the wake-up timer for next (zero: none needed).
func (s *saver) schedule(next time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if next.IsZero() || (s.timer != nil && s.timerAt.Equal(next)) {
		return
	}
	if s.timer != nil {
		s.timer.Stop()
	}
	s.timerAt = next
	s.timer = s.m.clock.AfterFunc(next.Sub(s.m.clock.Now()), s.wake)
}

type due struct {
	guild snowflake.ID
	gen   uint64
}

// pass writes what is due and returns whether it wrote anything and when
// the next write falls due.
func (s *saver) pass(ctx context.Context) (wrote bool, next time.Time) {
	now := s.m.clock.Now()
	interval := s.m.opt.saveInterval
	var sessions, settings []due
	s.mu.Lock()
	later := func(at time.Time) {
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	for g, st := range s.sessions {
		if st.gen == st.written {
			// Written: the entry remembers when, for the interval.
			if now.Sub(st.last) >= interval {
				delete(s.sessions, g)
			} else {
				later(st.last.Add(interval))
			}
			continue
		}
		at := st.retryAt
		if !st.urgent && !st.last.IsZero() && st.last.Add(interval).After(at) {
			at = st.last.Add(interval)
		}
		if at.After(now) {
			later(at)
			continue
		}
		sessions = append(sessions, due{g, st.gen})
	}
	for g, w := range s.settings {
		if w.retryAt.After(now) {
			later(w.retryAt)
			continue
		}
		settings = append(settings, due{g, w.gen})
	}
	s.mu.Unlock()
	for _, d := range sessions {
		if ctx.Err() != nil {
			return true, next
		}
		_ = s.writeSession(ctx, d, now)
	}
	for _, d := range settings {
		if ctx.Err() != nil {
			return true, next
		}
		_ = s.writeSettings(ctx, d, now)
	}
	return len(sessions)+len(settings) > 0, next
}

// sessionWrite is what the saver writes for a guild.
type sessionWrite struct {
	snap  Snapshot
	has   bool     // false: the session ended; delete the stored one
	lease leaseRef // the guild's lease; token 0 when none is held
	keep  bool     // keep the stored queue (a shared queue in step)
	qgen  uint64   // the player's qgen when snap was taken
}

// sessionWrite captures the guild's session for the saver.
func (m *Manager) sessionWrite(guild snowflake.ID) sessionWrite {
	w := sessionWrite{lease: m.own.ref(guild)}
	p := m.players.get(guild)
	if p == nil {
		return w
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sess == nil {
		return w
	}
	w.snap, w.has = p.sess.Snapshot(), true
	w.keep, w.qgen = m.queues != nil && !p.qlocal, p.qgen
	if w.keep {
		w.snap.Queue = nil // the store keeps its own
	}
	return w
}

// queueSaved records that a save wrote the guild's queue whole at
// version v: the local queue is in step again unless it changed since.
func (m *Manager) queueSaved(guild snowflake.ID, v, qgen uint64) {
	p := m.players.get(guild)
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.qgen == qgen {
		p.qlocal = false
	}
	p.qver = v
}

// storeSession writes w: through [FencedStore] when the Manager leases
// guilds or shares queues, else with Save and Delete.
func (m *Manager) storeSession(ctx context.Context, guild snowflake.ID, w sessionWrite) error {
	if m.fenced == nil {
		if w.has {
			return m.cfg.Sessions.Save(ctx, w.snap)
		}
		return m.cfg.Sessions.Delete(ctx, guild)
	}
	if !w.has {
		return m.fenced.DeleteFenced(ctx, guild, w.lease.token)
	}
	v, err := m.fenced.SaveFenced(ctx, w.snap, SaveOptions{Token: w.lease.token, KeepQueue: w.keep})
	if err == nil && m.queues != nil && !w.keep {
		m.queueSaved(guild, v, w.qgen)
	}
	return err
}

func (s *saver) writeSession(ctx context.Context, d due, now time.Time) error {
	m := s.m
	w := m.sessionWrite(d.guild)
	var err error
	switch {
	case m.own != nil && w.lease.token == 0:
		// The guild is not leased here (any more): what is stored is
		// another owner's, or gone with the lease given back.
	default:
		wctx, cancel := context.WithTimeout(ctx, storeTimeout)
		err = m.storeSession(wctx, d.guild, w)
		cancel()
	}
	fenced := errors.Is(err, ErrFenced)
	s.mu.Lock()
	st := s.sessions[d.guild]
	if st != nil {
		if err == nil || fenced {
			st.written, st.last, st.fails, st.retryAt = max(st.written, d.gen), now, 0, time.Time{}
			if st.written == st.gen {
				st.urgent = false
			}
		} else {
			st.fails++
			st.retryAt = now.Add(s.backoff(st.fails))
		}
	}
	s.mu.Unlock()
	switch {
	case err == nil && !w.has && w.lease.token != 0:
		m.released(d.guild)
	case fenced:
		// Another owner has the guild: the write is not retried
		// (handOver drops the guild, or reclaim writes it anew).
		m.log.InfoContext(ctx, "session write fenced off", "guild", d.guild, "error", err)
		m.leaseLost(d.guild, w.lease, err)
	case err != nil:
		m.storeFailed(ctx, "save session", d.guild, err)
	}
	if s.observe != nil {
		s.observe(d.guild, false, err)
	}
	return err
}

func (s *saver) writeSettings(ctx context.Context, d due, now time.Time) error {
	m := s.m
	s.mu.Lock()
	w := s.settings[d.guild]
	var st Settings
	if w != nil {
		st = w.s
	}
	s.mu.Unlock()
	if w == nil {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, storeTimeout)
	var err error
	lease := m.own.ref(d.guild)
	if m.fencedSettings != nil && lease.token != 0 {
		err = m.fencedSettings.PutFenced(wctx, d.guild, st, lease.token)
	} else {
		err = m.cfg.Settings.Put(wctx, d.guild, st)
	}
	cancel()
	s.mu.Lock()
	if cur := s.settings[d.guild]; cur == w {
		if err == nil {
			w.written = d.gen
			if w.written == w.gen {
				delete(s.settings, d.guild)
				m.settings.Set(d.guild, settingsEntry{s: st, at: now, known: true})
			}
		} else {
			w.fails++
			w.retryAt = now.Add(s.backoff(w.fails))
		}
	}
	s.mu.Unlock()
	switch {
	case errors.Is(err, ErrFenced):
		m.log.InfoContext(ctx, "settings write fenced off", "guild", d.guild, "error", err)
		m.leaseLost(d.guild, lease, err)
	case err != nil:
		m.storeFailed(ctx, "save settings", d.guild, err)
	}
	if s.observe != nil {
		s.observe(d.guild, true, err)
	}
	return err
}

// backoff is the wait after n failed writes: from the minimum, doubling,
// up to the maximum.
func (s *saver) backoff(n int) time.Duration {
	d := s.m.opt.saveRetryMin
	for i := 1; i < n && d < s.m.opt.saveRetryMax; i++ {
		d *= 2
	}
	return min(d, s.m.opt.saveRetryMax)
}

// flush saves every session, with the position of a playing track
// brought up to now, and every pending write, once each. It runs at Close
// after the Manager's goroutines have stopped.
func (s *saver) flush(ctx context.Context) error {
	now := s.m.clock.Now()
	for _, p := range s.m.players.all() {
		p.mu.Lock()
		if p.sess != nil {
			if p.sess.State() == StatePlaying {
				p.sess.Observe(p.sess.Position(now), now)
			}
			p.mu.Unlock()
			s.dirty(p.guild, true)
			continue
		}
		p.mu.Unlock()
	}
	var sessions, settings []due
	s.mu.Lock()
	for g, st := range s.sessions {
		sessions = append(sessions, due{g, st.gen})
	}
	for g, w := range s.settings {
		settings = append(settings, due{g, w.gen})
	}
	s.mu.Unlock()
	var errs []error
	for _, d := range sessions {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.writeSession(ctx, d, now); err != nil {
			errs = append(errs, fmt.Errorf("save session of guild %d: %w", d.guild, err))
		}
	}
	for _, d := range settings {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.writeSettings(ctx, d, now); err != nil {
			errs = append(errs, fmt.Errorf("save settings of guild %d: %w", d.guild, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("music: close: %w", errors.Join(errs...))
	}
	return nil
}

// loadSessions restores the stored sessions of the guilds the Manager
// serves (Config.Owns) and, with leases, can lease, for Start. It
// returns the players and, by node name, the Lavalink session to resume
// (the one saved most recently).
func (m *Manager) loadSessions(ctx context.Context) ([]*player, map[string]string, error) {
	ids, err := m.cfg.Sessions.List(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("music: list stored sessions: %w", err)
	}
	sids := make(map[string]string)
	newest := make(map[string]time.Time)
	var out []*player
	for _, id := range ids {
		if !m.serves(id) {
			continue
		}
		p := m.players.getOrCreate(m, id)
		snap, err := m.restore(ctx, p)
		if err != nil {
			m.discardIfEmpty(p)
			switch {
			case errors.Is(err, ErrNotServed):
				m.log.DebugContext(ctx, "stored session leased by another instance", "guild", id, "error", err)
			case !errors.Is(err, ErrSnapshotNotFound):
				m.log.WarnContext(ctx, "skip stored session", "guild", id, "error", err)
			}
			continue
		}
		if snap.Node != "" && snap.NodeSessionID != "" && !snap.LastActivity.Before(newest[snap.Node]) {
			sids[snap.Node], newest[snap.Node] = snap.NodeSessionID, snap.LastActivity
		}
		out = append(out, p)
	}
	return out, sids, nil
}

// restore loads the guild's stored session into p, which has none,
// under the guild's lease when the store grants leases (another owner's
// lease is a [*NotServedError]); with a shared queue the queue and its
// version come from [QueueEditor.LoadQueue]. The lease stays taken when
// it fails ([Manager.discardIfEmpty] gives it back). It runs with the
// guild's turn, or at Start.
func (m *Manager) restore(ctx context.Context, p *player) (Snapshot, error) {
	if _, err := m.takeLease(ctx, p.guild); err != nil {
		return Snapshot{}, err
	}
	snap, err := m.cfg.Sessions.Load(ctx, p.guild)
	if err == nil {
		var sess *Session
		st := m.guildSettings(ctx, p.guild)
		// Fair from the start: a fair queue is restored in its order.
		if sess, err = RestoreSession(snap, WithMaxLength(st.MaxQueueLength()), WithFair(st.FairQueue())); err == nil {
			sess.ApplySettings(st)
			m.adoptSession(ctx, p, sess, st, true)
			return snap, nil
		}
	}
	return Snapshot{}, err
}

// adoptSession makes sess p's session: a restored one (to be synced with
// a node), or a new one. With a shared queue, the stored queue and its
// version replace the session's queue; when they cannot be read, the
// session's queue is written whole at the next save.
func (m *Manager) adoptSession(ctx context.Context, p *player, sess *Session, st Settings, restored bool) {
	var qs QueueState
	var qerr error
	if m.queues != nil {
		qs, qerr = m.queues.LoadQueue(ctx, p.guild)
		if qerr != nil {
			m.storeFailed(ctx, "load queue", p.guild, qerr)
		}
	}
	now := m.clock.Now()
	p.mu.Lock()
	p.sess, p.settings, p.joinedAt = sess, st, now
	p.errs, p.autoPause, p.needSync, p.restored = nil, false, false, restored
	p.qver, p.qlocal = 0, false
	if restored {
		p.needSync = sess.VoiceChannelID() != 0
	}
	if m.queues != nil {
		if qerr == nil {
			sess.Queue().replace(qs.Tracks)
			p.qver = qs.Version
		} else {
			p.qlocal = true
			p.qgen++
		}
	}
	p.mu.Unlock()
	n := m.sessions.Add(1)
	m.cfg.Metrics.SetSessions(int(n))
	m.cfg.Metrics.SetActiveGuilds(int(n))
}
