package music

import "github.com/disgoorg/snowflake/v2"

// Status reports the guild's current track and player state, as
// [Manager.NowPlaying] does, for a frontend's own use such as keeping a
// now-playing message up to date: it checks no permission, has no rate
// limit and records no command metric. ok is false when no track is
// loaded. It is cheap (no I/O, no waiting for commands) and safe before
// [Manager.Start] and after [Manager.Close].
func (m *Manager) Status(guild snowflake.ID) (np NowPlaying, ok bool) {
	p := m.players.get(guild)
	if p == nil {
		return NowPlaying{}, false
	}
	return m.nowPlaying(p)
}

// nowPlaying describes p's current track, if one is loaded.
func (m *Manager) nowPlaying(p *player) (NowPlaying, bool) {
	p.mu.Lock()
	sess := p.sess
	if sess == nil {
		p.mu.Unlock()
		return NowPlaying{}, false
	}
	cur, ok := sess.Current()
	if !ok {
		p.mu.Unlock()
		return NowPlaying{}, false
	}
	q := sess.Queue()
	total, _ := q.Duration()
	np := NowPlaying{
		State: sess.State(), Track: cur, Position: sess.Position(m.clock.Now()), Paused: sess.Paused(),
		Volume: sess.Volume(), Loop: sess.Loop(), Autoplay: sess.Autoplay(),
		QueueLength: q.Len(), QueueDuration: total, FairQueue: q.Fair(),
		VoiceChannelID: sess.VoiceChannelID(), TextChannelID: sess.TextChannelID(), Node: sess.Node(),
		Filters: p.shown.of(sess.Filters()),
	}
	p.mu.Unlock()
	np.Vote = m.currentVote(p)
	return np, true
}
