package music

import (
	"context"
	"errors"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// DefaultLeaveGrace is how long a requester may be out of the bot's
// voice channel before a fair queue drops their tracks: long enough for
// a dropped connection or a restarted client to come back.
const DefaultLeaveGrace = time.Minute

// WithLeaveGrace sets how long a requester may be out of the bot's voice
// channel before a fair queue drops their tracks; a negative d never
// drops them. Default: [DefaultLeaveGrace].
func WithLeaveGrace(d time.Duration) Option { return func(o *options) { o.leaveGrace = d } }

// WithVoteSkipTimeout sets how long a skip vote stays open. Default:
// [DefaultVoteSkipTimeout].
func WithVoteSkipTimeout(d time.Duration) Option { return func(o *options) { o.voteTimeout = d } }

// RemoveReason is why a user's tracks were removed.
type RemoveReason string

// Remove reasons.
const (
	RemovedByCommand RemoveReason = "command" // by [Manager.RemoveUser]
	RemovedLeft      RemoveReason = "left"    // the requester left the voice channel
)

// String returns the reason name.
func (r RemoveReason) String() string { return string(r) }

// TypeTracksRemoved tags [TracksRemoved] in JSON.
const TypeTracksRemoved EventType = "tracksRemoved"

// TracksRemoved says a user's queued tracks were removed.
type TracksRemoved struct {
	GuildID snowflake.ID `json:"guildId"`
	// UserID is the requester whose tracks went.
	UserID snowflake.ID `json:"userId"`
	Count  int          `json:"count"`
	Reason RemoveReason `json:"reason"`
	At     time.Time    `json:"at,omitzero"`
}

// Guild implements [Event].
func (e TracksRemoved) Guild() snowflake.ID { return e.GuildID }

// Type implements [Event].
func (TracksRemoved) Type() EventType { return TypeTracksRemoved }

func (TracksRemoved) sealed() {}

// Swap exchanges the queued tracks at positions a and b (from 1) and
// returns them: first the one that was at a and is now at b. It needs
// the permission of [Manager.Move], whose command name (rate limit and
// metrics) it shares: "move".
func (m *Manager) Swap(ctx context.Context, guild snowflake.ID, actor Actor, a, b int) (Track, Track, error) {
	var ta, tb Track
	err := m.run(ctx, "move", guild, actor, ActionMove, nil, func(ctx context.Context) error {
		return m.withPlayer(ctx, guild, func(p *player, sess *Session) error {
			_, err := m.editQueue(ctx, p, false, func(q *Queue) ([]QueueEdit, error) {
				ta, _ = q.At(a)
				tb, _ = q.At(b)
				return []QueueEdit{{Op: QueueSwap, Position: a, To: b}}, nil
			})
			if err != nil {
				return err
			}
			m.saver.dirty(guild, false)
			return nil
		})
	})
	return ta, tb, err
}

// SkipTo ends the current track and plays the track at queue position n
// (from 1) now. Unlike [Manager.Skip], the tracks before n stay queued,
// in order, so jumping ahead takes nothing from anyone. It is a control
// for DJs (or whoever is alone with the bot): requesting the current
// track is not enough, and it never goes to a vote. Its command name
// (rate limit and metrics) is "skip".
func (m *Manager) SkipTo(ctx context.Context, guild snowflake.ID, actor Actor, n int) (SkipResult, error) {
	var res SkipResult
	err := m.run(ctx, "skip", guild, actor, ActionSkip, nil, func(ctx context.Context) error {
		return m.withPlayer(ctx, guild, func(p *player, sess *Session) error {
			now := m.clock.Now()
			p.mu.Lock()
			cur, ok := sess.Current()
			if !ok {
				p.mu.Unlock()
				return &TransitionError{Action: "skip", From: sess.State()}
			}
			if healthy := p.node != nil && p.node.healthy() && !p.needSync; !healthy {
				p.mu.Unlock()
				return unavailable(errors.New("the guild's node is not available"))
			}
			p.askedAt = now
			p.mu.Unlock()
			next, err := m.skipToQueue(ctx, p, sess, n, now)
			if err != nil {
				return err
			}
			res = SkipResult{Skipped: cur, Next: next, Started: true}
			m.publish(TrackEnded{GuildID: guild, Track: cur, Reason: EndReplaced, At: now})
			return m.playCurrent(ctx, p)
		})
	})
	return res, err
}

// RemoveUser removes every queued track user requested and returns how
// many there were. Anyone may remove their own; removing someone else's
// needs the permission of [Manager.Remove], whose command name (rate
// limit and metrics) it shares: "remove". A [TracksRemoved] event
// follows when tracks were removed.
func (m *Manager) RemoveUser(ctx context.Context, guild snowflake.ID, actor Actor, user snowflake.ID) (int, error) {
	var n int
	requester := func(*Session) snowflake.ID { return user }
	err := m.run(ctx, "remove", guild, actor, ActionRemove, requester, func(ctx context.Context) error {
		if user == 0 {
			return ErrInvalidID
		}
		return m.withPlayer(ctx, guild, func(p *player, sess *Session) error {
			var err error
			n, err = m.removeRequester(ctx, p, user, RemovedByCommand)
			return err
		})
	})
	return n, err
}

// removeRequester drops user's queued tracks and announces it, with
// the turn.
func (m *Manager) removeRequester(ctx context.Context, p *player, user snowflake.ID, reason RemoveReason) (int, error) {
	res, err := m.editQueue(ctx, p, reason == RemovedLeft, func(q *Queue) ([]QueueEdit, error) {
		if q.Requested(user) == 0 {
			return nil, nil
		}
		return []QueueEdit{{Op: QueueRemoveRequester, Requester: user}}, nil
	})
	n := 0
	if len(res) > 0 {
		n = res[0].Removed
	}
	if n > 0 {
		m.saver.dirty(p.guild, false)
		m.cfg.Metrics.TrackTracksRemoved(string(reason), n)
		m.publish(TracksRemoved{GuildID: p.guild, UserID: user, Count: n, Reason: reason, At: m.clock.Now()})
	}
	if errors.Is(err, ErrNothingPlaying) {
		err = nil // the session ended meanwhile
	}
	return n, err
}

// memberMoved follows a listener who moved between voice channels
// (from, to; 0 is out of voice), with the turn: it counts an open skip
// vote again and, in a fair queue, drops the tracks of a requester who
// stays out of the bot's channel for the leave grace period.
func (m *Manager) memberMoved(ctx context.Context, p *player, user, from, to snowflake.ID) {
	p.mu.Lock()
	sess := p.sess
	if sess == nil {
		p.mu.Unlock()
		return
	}
	ch := sess.VoiceChannelID()
	switch {
	case ch == 0:
	case to == ch:
		if l := p.leavers[user]; l != nil {
			l.stop()
			delete(p.leavers, user)
		}
	case from == ch && m.opt.leaveGrace >= 0 && sess.Queue().Fair() && sess.Queue().Requested(user) > 0:
		if p.leavers == nil {
			p.leavers = make(map[snowflake.ID]*timerSlot)
		}
		l := p.leavers[user]
		if l == nil {
			l = &timerSlot{}
			p.leavers[user] = l
		}
		l.arm(m.clock, m.opt.leaveGrace, func(gen uint64) {
			p.post(func(ctx context.Context) { m.leaverGone(ctx, p, user, l, gen) })
		})
	}
	p.mu.Unlock()
	m.recount(ctx, p)
}

// leaverGone drops the tracks of a requester whose grace period ran out
// away from the bot's voice channel, with the turn.
func (m *Manager) leaverGone(ctx context.Context, p *player, user snowflake.ID, l *timerSlot, gen uint64) {
	p.mu.Lock()
	if p.leavers[user] != l || l.gen != gen || p.sess == nil {
		p.mu.Unlock()
		return
	}
	delete(p.leavers, user)
	ch, fair := p.sess.VoiceChannelID(), p.sess.Queue().Fair()
	p.mu.Unlock()
	if !fair || m.voice.isListener(p.guild, user, ch) {
		return
	}
	if _, err := m.removeRequester(ctx, p, user, RemovedLeft); err != nil {
		m.log.WarnContext(ctx, "remove the tracks of a listener who left", "guild", p.guild, "error", err)
	}
}
