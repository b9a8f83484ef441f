package music

import (
	"context"
	"errors"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/internal/node"
)

// errNoTarget is a move with no node to go to.
var errNoTarget = errors.New("music: no other node can take the player")

// heal takes a step for p, with the turn.
func (m *Manager) heal(ctx context.Context, p *player, step HealStep) {
	p.mu.Lock()
	ln := p.node
	playing := false
	if p.sess != nil {
		_, playing = p.sess.Current()
	}
	var name string
	if ln != nil {
		name = ln.name
	}
	p.mu.Unlock()
	var err error
	switch {
	case !playing || ln == nil:
		err = ErrNothingPlaying
	case step == HealVoice:
		err = m.healVoice(ctx, p)
	case step == HealReplay:
		err = m.replay(ctx, p)
	default:
		err = m.healMove(p)
	}
	now := m.clock.Now()
	p.mu.Lock()
	w := &p.wd
	w.busy = false
	w.step, w.errored, w.doneAt, w.node = step, err != nil, now.Add(healSettle), name
	p.mu.Unlock()
	if err != nil && !errors.Is(err, ErrNothingPlaying) {
		m.log.WarnContext(ctx, "silent player: healing step failed", "guild", p.guild, "step", step, "error", err)
		m.judged(HealAttempted{GuildID: p.guild, Node: name, Step: step, Outcome: HealError, At: now})
	}
	if observe := m.hooks.heal; observe != nil {
		observe(p.guild, step, err)
	}
}

// healVoice renews the bot's voice session and gives the node the new
// voice state; when Discord gives none in time, it sends the state it
// has again (which reconnects a player whose voice connection closed).
func (m *Manager) healVoice(ctx context.Context, p *player) error {
	p.mu.Lock()
	ch := p.sess.VoiceChannelID()
	p.mu.Unlock()
	if ch == 0 {
		return ErrNothingPlaying
	}
	v, err := m.renewVoice(ctx, p.guild, ch)
	if err != nil {
		m.log.WarnContext(ctx, "silent player: renew voice session", "guild", p.guild, "error", err)
		v = m.voice.bot(p.guild).lavalink()
	}
	if !v.Complete() {
		return errors.New("music: no complete voice state to send")
	}
	if err := m.update(ctx, p, node.PlayerUpdate{Voice: &v}); err != nil {
		return err
	}
	p.mu.Lock()
	p.sentVoice = v
	p.mu.Unlock()
	return nil
}

// renewVoice asks Discord to join channel again, even though the bot is
// there, and waits for the new voice session and server.
func (m *Manager) renewVoice(ctx context.Context, guild, channel snowflake.ID) (node.Voice, error) {
	w := &voiceWaiter{channel: channel, done: make(chan struct{})}
	m.voice.with(guild, func(g *guildVoice) {
		w.minGen = g.bot.serverGen + 1
		g.waiters = append(g.waiters, w)
	})
	v, _, err := m.requestVoice(ctx, guild, channel, w)
	return v, err
}

// replay plays the current track again, at its position, on the
// player's node, with the player's volume, paused state, filters and
// voice. The node's events about the track it replaces are told apart by
// the new play ID.
func (m *Manager) replay(ctx context.Context, p *player) error {
	now := m.clock.Now()
	p.mu.Lock()
	cur, ok := p.sess.Current()
	pos := p.sess.Position(now)
	paused := p.sess.Paused()
	vol := lavalinkVolume(p.sess.Volume())
	filters, _ := filtersOf(p.sess.Filters())
	p.mu.Unlock()
	if !ok {
		return ErrNothingPlaying
	}
	if filters == nil {
		filters = &node.Filters{}
	}
	playID := m.newPlayID()
	upd := node.PlayerUpdate{
		Track:   &node.TrackUpdate{Encoded: cur.Encoded, UserData: userData(playID)},
		Paused:  &paused,
		Volume:  &vol,
		Filters: filters,
	}
	if cur.Info.IsSeekable {
		upd.Position = ptr(msDuration(pos))
	}
	v := m.voice.bot(p.guild).lavalink()
	if v.Complete() {
		upd.Voice = &v
	}
	if err := m.update(ctx, p, upd); err != nil {
		return err
	}
	p.mu.Lock()
	p.playID = playID
	if upd.Voice != nil {
		p.sentVoice = v
	}
	p.sess.Observe(pos, now)
	p.mu.Unlock()
	return nil
}

// healMove has the supervisor move p to another node, within the
// migration limits; errNoTarget when no healthy node other than its own
// can take it.
func (m *Manager) healMove(p *player) error {
	p.mu.Lock()
	cur := p.node
	var source string
	if t, ok := p.sess.Current(); ok {
		source = t.Info.SourceName
	}
	_, filters := filtersOf(p.sess.Filters())
	p.mu.Unlock()
	found := false
	for _, ln := range m.nodes {
		if ln == cur || !ln.placeable() || !ln.hasSource(source) {
			continue
		}
		if _, ok := ln.hasFilters(filters); ok {
			found = true
			break
		}
	}
	if !found {
		return errNoTarget
	}
	p.mu.Lock()
	p.relocate, p.avoid = true, cur
	p.mu.Unlock()
	m.sup.needSync(p.guild)
	return nil
}
