package music

import (
	"context"
	"time"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/metrics"
)

// DefaultVoteSkipTimeout is how long a skip vote stays open.
const DefaultVoteSkipTimeout = 30 * time.Second

// VoteTally is the count of a skip vote.
type VoteTally struct {
	// Votes is the weight of the votes of listeners still in the bot's
	// voice channel: 1 each, 2 for whoever requested the track.
	Votes int
	// Needed is the weight that skips the track: the guild's
	// [Settings.VoteSkipShare] of the listeners (bots excluded), rounded
	// up, at least 1.
	Needed int
	// Passed reports that the vote skipped the track.
	Passed bool
	// Expires is when the vote closes unless it passes first.
	Expires time.Time
}

// VoteEndReason is why a skip vote ended.
type VoteEndReason string

// Vote end reasons.
const (
	VotePassed       VoteEndReason = "passed"       // the track was skipped
	VoteExpired      VoteEndReason = "expired"      // the vote timed out
	VoteTrackChanged VoteEndReason = "trackChanged" // the track ended or changed first
)

// String returns the reason name.
func (r VoteEndReason) String() string { return string(r) }

// Event types of skip votes.
const (
	TypeSkipVoteUpdated EventType = "skipVoteUpdated"
	TypeSkipVoteEnded   EventType = "skipVoteEnded"
)

// SkipVoteUpdated says a skip vote started or its count changed: a vote
// was cast, or listeners came or went.
type SkipVoteUpdated struct {
	GuildID snowflake.ID `json:"guildId"`
	// Track is the track voted on.
	Track Track `json:"track"`
	// Voter is who just voted; 0 when the count changed because
	// listeners came or went.
	Voter   snowflake.ID `json:"voter,omitzero"`
	Votes   int          `json:"votes"`
	Needed  int          `json:"needed"`
	Expires time.Time    `json:"expires,omitzero"`
	At      time.Time    `json:"at,omitzero"`
}

// SkipVoteEnded says a skip vote is over.
type SkipVoteEnded struct {
	GuildID snowflake.ID  `json:"guildId"`
	Track   Track         `json:"track"`
	Reason  VoteEndReason `json:"reason"`
	Votes   int           `json:"votes"`
	Needed  int           `json:"needed"`
	At      time.Time     `json:"at,omitzero"`
}

// Guild implements [Event].
func (e SkipVoteUpdated) Guild() snowflake.ID { return e.GuildID }

// Guild implements [Event].
func (e SkipVoteEnded) Guild() snowflake.ID { return e.GuildID }

// Type implements [Event].
func (SkipVoteUpdated) Type() EventType { return TypeSkipVoteUpdated }

// Type implements [Event].
func (SkipVoteEnded) Type() EventType { return TypeSkipVoteEnded }

func (SkipVoteUpdated) sealed() {}
func (SkipVoteEnded) sealed()   {}

// skipVote is a guild's open skip vote. It belongs to one play of a
// track (Session.playCount), so it ends when the track changes.
type skipVote struct {
	play    uint64
	track   Track
	voters  map[snowflake.ID]struct{}
	expires time.Time
	timer   timerSlot
	last    VoteTally // the count last published
}

// needed is the weight of votes that passes among listeners, at share
// percent, rounded up.
func needed(listeners, share int) int {
	return max(1, (listeners*share+99)/100)
}

// ballot is what counting a vote needs, copied from a skipVote under
// the player's lock.
type ballot struct {
	voters    []snowflake.ID
	requester snowflake.ID
	expires   time.Time
	share     int // percent of the listeners needed
}

// ballot copies v for counting, with the share from the guild's
// settings. It needs p.mu.
func (v *skipVote) ballot(st Settings) ballot {
	b := ballot{voters: make([]snowflake.ID, 0, len(v.voters)), requester: v.track.Requester, expires: v.expires, share: st.VoteSkipShare()}
	for id := range v.voters {
		b.voters = append(b.voters, id)
	}
	return b
}

// tally counts b among the listeners of channel; actor, when not 0, is
// in channel even if the frontend has not said so yet.
func (m *Manager) tally(guild snowflake.ID, b ballot, channel, actor snowflake.ID) VoteTally {
	listeners := m.voice.listeners(guild, channel)
	if actor != 0 && !m.voice.isListener(guild, actor, channel) {
		listeners++
	}
	t := VoteTally{Needed: needed(listeners, b.share), Expires: b.expires}
	for _, id := range b.voters {
		if id != actor && !m.voice.isListener(guild, id, channel) {
			continue // left the channel: the vote no longer counts
		}
		if id == b.requester {
			t.Votes += 2
		} else {
			t.Votes++
		}
	}
	t.Passed = t.Votes >= t.Needed
	return t
}

// VoteSkip casts the actor's vote to skip the current track, starting a
// vote when none is open. Anyone in the bot's voice channel may vote,
// DJs included; the vote of whoever requested the track counts double.
// The vote passes, and the track is skipped as [Manager.Skip] with n = 1
// skips it, once the votes reach the guild's [Settings.VoteSkipShare] of
// the listeners (bots excluded); it closes after
// [DefaultVoteSkipTimeout] (see [WithVoteSkipTimeout]) and ends when
// the track changes. A second vote by the same user counts once.
// [SkipVoteUpdated] and [SkipVoteEnded] follow the count. The result's
// Vote holds the tally; when it passed, Skipped, Next and Started say
// what the skip did. Its command name (rate limit and metrics) is
// "skip".
func (m *Manager) VoteSkip(ctx context.Context, guild snowflake.ID, actor Actor) (SkipResult, error) {
	var res SkipResult
	err := m.run(ctx, "skip", guild, actor, ActionView, nil, func(ctx context.Context) error {
		var err error
		res, err = m.vote(ctx, guild, actor)
		return err
	})
	return res, err
}

// vote records actor's vote and skips when it passes.
func (m *Manager) vote(ctx context.Context, guild snowflake.ID, actor Actor) (SkipResult, error) {
	var res SkipResult
	err := m.withPlayer(ctx, guild, func(p *player, sess *Session) error {
		now := m.clock.Now()
		p.mu.Lock()
		cur, ok := sess.Current()
		ch := sess.VoiceChannelID()
		if !ok {
			p.mu.Unlock()
			return &TransitionError{Action: "skip", From: sess.State()}
		}
		if actor.VoiceChannelID == 0 || actor.VoiceChannelID != ch {
			p.mu.Unlock()
			return &PermissionError{Action: ActionSkip, Reason: ErrNotInVoice}
		}
		v := p.vote
		if v == nil || p.stale(v) {
			if v != nil {
				v.timer.stop()
			}
			v = &skipVote{play: sess.playCount(), track: cur, voters: make(map[snowflake.ID]struct{}), expires: now.Add(m.opt.voteTimeout)}
			p.vote = v
			m.cfg.Metrics.TrackSkipVote(metrics.VoteStarted)
			v.timer.arm(m.clock, m.opt.voteTimeout, func(uint64) {
				p.post(func(ctx context.Context) { m.voteExpired(ctx, p, v) })
			})
		}
		v.voters[actor.UserID] = struct{}{}
		b := v.ballot(p.settings)
		p.mu.Unlock()

		t := m.tally(guild, b, ch, actor.UserID)
		res.Vote = &t
		m.publish(SkipVoteUpdated{GuildID: guild, Track: cur, Voter: actor.UserID, Votes: t.Votes, Needed: t.Needed, Expires: t.Expires, At: now})
		p.mu.Lock()
		v.last = t
		p.mu.Unlock()
		if !t.Passed {
			return nil
		}
		m.endVote(p, v, VotePassed, now)
		skipped, err := m.skip(ctx, p, sess, 1)
		skipped.Vote = &t
		res = skipped
		return err
	})
	return res, err
}

// endVote closes v, if it is still p's open vote, and announces why.
func (m *Manager) endVote(p *player, v *skipVote, reason VoteEndReason, now time.Time) {
	p.mu.Lock()
	if p.vote != v {
		p.mu.Unlock()
		return
	}
	p.vote = nil
	v.timer.stop()
	last := v.last
	p.mu.Unlock()
	m.cfg.Metrics.TrackSkipVote(string(reason))
	m.publish(SkipVoteEnded{GuildID: p.guild, Track: v.track, Reason: reason, Votes: last.Votes, Needed: last.Needed, At: now})
}

// voteExpired closes v when its time is up, with the turn.
func (m *Manager) voteExpired(_ context.Context, p *player, v *skipVote) {
	p.mu.Lock()
	reason := VoteExpired
	if p.stale(v) {
		reason = VoteTrackChanged
	}
	p.mu.Unlock()
	m.endVote(p, v, reason, m.clock.Now())
}

// stale reports whether v is about a track that no longer plays. It
// needs p.mu.
func (p *player) stale(v *skipVote) bool {
	if p.sess == nil || p.sess.playCount() != v.play {
		return true
	}
	_, playing := p.sess.Current()
	return !playing
}

// stopQueueTimers stops the timers of the open vote and of the
// requesters who left. It needs p.mu.
func (p *player) stopQueueTimers() {
	if p.vote != nil {
		p.vote.timer.stop()
		p.vote = nil
	}
	for id, t := range p.leavers {
		t.stop()
		delete(p.leavers, id)
	}
}

// voteTrackChanged ends the open vote when the track it was about is
// no longer the current one. It runs after a track starts or stops.
func (m *Manager) voteTrackChanged(p *player) {
	p.mu.Lock()
	v := p.vote
	stale := v != nil && p.stale(v)
	p.mu.Unlock()
	if stale {
		m.endVote(p, v, VoteTrackChanged, m.clock.Now())
	}
}

// recount counts the open vote again after listeners came or went, and
// skips when it now passes. It runs with the turn.
func (m *Manager) recount(ctx context.Context, p *player) {
	p.mu.Lock()
	v, sess := p.vote, p.sess
	if v == nil || p.stale(v) {
		p.mu.Unlock()
		return
	}
	ch := sess.VoiceChannelID()
	last, b := v.last, v.ballot(p.settings)
	p.mu.Unlock()
	t := m.tally(p.guild, b, ch, 0)
	if t.Votes == last.Votes && t.Needed == last.Needed {
		return
	}
	now := m.clock.Now()
	p.mu.Lock()
	v.last = t
	p.mu.Unlock()
	m.publish(SkipVoteUpdated{GuildID: p.guild, Track: v.track, Votes: t.Votes, Needed: t.Needed, Expires: t.Expires, At: now})
	if !t.Passed {
		return
	}
	m.endVote(p, v, VotePassed, now)
	if _, err := m.skip(ctx, p, sess, 1); err != nil {
		m.log.WarnContext(ctx, "skip after a vote passed", "guild", p.guild, "error", err)
	}
}

// currentVote returns the tally of the open vote, if any. It needs p.mu
// not held.
func (m *Manager) currentVote(p *player) *VoteTally {
	p.mu.Lock()
	v, sess := p.vote, p.sess
	if v == nil || p.stale(v) {
		p.mu.Unlock()
		return nil
	}
	ch, b := sess.VoiceChannelID(), v.ballot(p.settings)
	p.mu.Unlock()
	t := m.tally(p.guild, b, ch, 0)
	return &t
}
