package music

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music/internal/node"
)

// VoiceStateUpdate is a member's voice state as Discord reports it in
// VOICE_STATE_UPDATE (and in GUILD_CREATE's voice states). The frontend
// forwards it for every member, the bot included, to
// [Manager.OnVoiceStateUpdate].
type VoiceStateUpdate struct {
	GuildID snowflake.ID
	UserID  snowflake.ID
	// ChannelID is the voice channel the member is in; 0 when they left
	// voice.
	ChannelID snowflake.ID
	// SessionID is Discord's voice session ID. Lavalink needs the bot's.
	SessionID string
	// Bot reports a bot account; bots are not counted as listeners.
	Bot bool
}

// VoiceServerUpdate is Discord's VOICE_SERVER_UPDATE, forwarded to
// [Manager.OnVoiceServerUpdate].
type VoiceServerUpdate struct {
	GuildID snowflake.ID
	Token   string
	// Endpoint is the voice server. Discord first sends null while it
	// allocates one; such an update is held back.
	Endpoint *string
}

// botVoice is the bot's own voice connection in a guild as Discord
// reported it.
type botVoice struct {
	channel   snowflake.ID
	sessionID string
	token     string
	endpoint  string
	serverGen uint64 // counts server updates
}

func (b botVoice) complete() bool {
	return b.channel != 0 && b.sessionID != "" && b.token != "" && b.endpoint != ""
}

func (b botVoice) lavalink() node.Voice {
	return node.Voice{Token: b.token, Endpoint: b.endpoint, SessionID: b.sessionID, ChannelID: b.channel}
}

// voiceWaiter waits for the bot's voice to be complete in channel with a
// server update at least as new as minGen.
type voiceWaiter struct {
	channel snowflake.ID
	minGen  uint64
	done    chan struct{}
}

// guildVoice is what the Manager knows about a guild's voice channels.
type guildVoice struct {
	users   map[snowflake.ID]snowflake.ID // listener (not a bot) → channel
	bot     botVoice
	waiters []*voiceWaiter
}

func (g *guildVoice) wake() {
	kept := g.waiters[:0]
	for _, w := range g.waiters {
		if g.bot.complete() && g.bot.channel == w.channel && g.bot.serverGen >= w.minGen {
			close(w.done)
			continue
		}
		kept = append(kept, w)
	}
	clear(g.waiters[len(kept):])
	g.waiters = kept
}

func (g *guildVoice) empty() bool {
	return len(g.users) == 0 && g.bot.channel == 0 && g.bot.token == "" && len(g.waiters) == 0
}

const shardCount = 64

// voiceMap holds every guild's voice state, in shards.
type voiceMap struct {
	shards [shardCount]struct {
		mu     sync.Mutex
		guilds map[snowflake.ID]*guildVoice
	}
}

func (v *voiceMap) init() {
	for i := range v.shards {
		v.shards[i].guilds = make(map[snowflake.ID]*guildVoice)
	}
}

// with runs f on the guild's voice state under its shard's lock, creating
// it if needed, and drops it afterwards if it holds nothing.
func (v *voiceMap) with(guild snowflake.ID, f func(g *guildVoice)) {
	s := &v.shards[uint64(guild)%shardCount]
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guilds[guild]
	if g == nil {
		g = &guildVoice{}
		s.guilds[guild] = g
	}
	f(g)
	if g.empty() {
		delete(s.guilds, guild)
	}
}

// bot returns the bot's voice in guild.
func (v *voiceMap) bot(guild snowflake.ID) botVoice {
	s := &v.shards[uint64(guild)%shardCount]
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.guilds[guild]; g != nil {
		return g.bot
	}
	return botVoice{}
}

// listeners counts the members other than bots in channel.
func (v *voiceMap) listeners(guild, channel snowflake.ID) int {
	if channel == 0 {
		return 0
	}
	s := &v.shards[uint64(guild)%shardCount]
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guilds[guild]
	if g == nil {
		return 0
	}
	n := 0
	for _, c := range g.users {
		if c == channel {
			n++
		}
	}
	return n
}

// isListener reports whether user is known to be in channel.
func (v *voiceMap) isListener(guild, user, channel snowflake.ID) bool {
	s := &v.shards[uint64(guild)%shardCount]
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guilds[guild]
	return g != nil && g.users[user] == channel
}

// OnVoiceStateUpdate tells the Manager where a member is in voice. The
// frontend forwards every VOICE_STATE_UPDATE, for every member and the
// bot, and the voice states of GUILD_CREATE, so the Manager knows who is
// listening. It does not block: work it causes (pausing when everyone
// left, following the bot when it was moved, ending the session when it
// was disconnected) runs on the guild's queue of work.
func (m *Manager) OnVoiceStateUpdate(u VoiceStateUpdate) {
	if u.GuildID == 0 || u.UserID == 0 {
		return
	}
	if u.UserID == m.cfg.UserID {
		var prev snowflake.ID
		m.voice.with(u.GuildID, func(g *guildVoice) {
			prev = g.bot.channel
			g.bot.channel, g.bot.sessionID = u.ChannelID, u.SessionID
			if u.ChannelID == 0 {
				g.bot.token, g.bot.endpoint, g.bot.sessionID = "", "", ""
			}
			g.wake()
		})
		if p := m.players.get(u.GuildID); p != nil {
			p.post(func(ctx context.Context) { m.botVoiceChanged(ctx, p, prev, u.ChannelID) })
		}
		return
	}
	var changed bool
	var from snowflake.ID // where the member was
	m.voice.with(u.GuildID, func(g *guildVoice) {
		old, had := g.users[u.UserID]
		from = old
		switch {
		case u.Bot || u.ChannelID == 0:
			if had {
				delete(g.users, u.UserID)
				changed = true
			}
		case !had || old != u.ChannelID:
			if g.users == nil {
				g.users = make(map[snowflake.ID]snowflake.ID)
			}
			g.users[u.UserID] = u.ChannelID
			changed = true
		}
	})
	if !changed {
		return
	}
	if p := m.players.get(u.GuildID); p != nil {
		to := u.ChannelID
		if u.Bot {
			to = 0
		}
		p.post(func(ctx context.Context) {
			m.checkListeners(ctx, p)
			m.memberMoved(ctx, p, u.UserID, from, to)
		})
	}
}

// OnVoiceServerUpdate gives the Manager the voice server Discord assigned
// the bot. An update with a nil or empty endpoint (Discord's first, while
// it allocates a server) is held back, as Lavalink cannot use it. It does
// not block; a changed server is sent to the guild's node on the guild's
// queue of work.
func (m *Manager) OnVoiceServerUpdate(u VoiceServerUpdate) {
	if u.GuildID == 0 || u.Endpoint == nil || *u.Endpoint == "" || u.Token == "" {
		return
	}
	m.voice.with(u.GuildID, func(g *guildVoice) {
		g.bot.token, g.bot.endpoint = u.Token, *u.Endpoint
		g.bot.serverGen++
		g.wake()
	})
	if p := m.players.get(u.GuildID); p != nil {
		p.post(func(ctx context.Context) { m.sendVoice(ctx, p) })
	}
}

// join asks Discord to move the bot into channel and waits, bounded by
// the voice timeout, until both voice events have arrived. It returns
// the voice state for Lavalink. When the bot is already connected there
// it returns at once.
func (m *Manager) join(ctx context.Context, guild, channel snowflake.ID) (node.Voice, error) {
	w := &voiceWaiter{channel: channel, done: make(chan struct{})}
	var cur botVoice
	m.voice.with(guild, func(g *guildVoice) {
		cur = g.bot
		if !cur.complete() || cur.channel != channel {
			w.minGen = g.bot.serverGen + 1
			g.waiters = append(g.waiters, w)
		}
	})
	if cur.complete() && cur.channel == channel {
		return cur.lavalink(), nil
	}
	v, timedOut, err := m.requestVoice(ctx, guild, channel, w)
	if timedOut {
		m.leaveVoice(guild)
	}
	return v, err
}

// requestVoice asks Discord to put the bot in channel and waits, bounded
// by the voice timeout, until w (registered by the caller) is woken. It
// reports whether the wait timed out.
func (m *Manager) requestVoice(ctx context.Context, guild, channel snowflake.ID, w *voiceWaiter) (node.Voice, bool, error) {
	drop := func() {
		m.voice.with(guild, func(g *guildVoice) {
			for i, x := range g.waiters {
				if x == w {
					g.waiters = append(g.waiters[:i], g.waiters[i+1:]...)
					break
				}
			}
		})
	}
	ch := channel
	if err := m.cfg.Voice.UpdateVoiceState(ctx, guild, &ch, false, true); err != nil {
		drop()
		return node.Voice{}, false, fmt.Errorf("music: join voice channel %d: %w", channel, err)
	}
	timeout := make(chan struct{})
	t := m.clock.AfterFunc(m.opt.voiceTimeout, func() { close(timeout) })
	defer t.Stop()
	select {
	case <-w.done:
		b := m.voice.bot(guild)
		if !b.complete() || b.channel != channel {
			return node.Voice{}, false, fmt.Errorf("music: voice changed while joining: %w", ErrVoiceTimeout)
		}
		return b.lavalink(), false, nil
	case <-timeout:
		drop()
		return node.Voice{}, true, ErrVoiceTimeout
	case <-ctx.Done():
		drop()
		return node.Voice{}, false, ctx.Err()
	case <-m.ctx.Done():
		drop()
		return node.Voice{}, false, ErrManagerClosed
	}
}

// leaveVoice asks Discord to take the bot out of voice in guild. A
// failure is logged: the bot may then stay until Discord drops it.
func (m *Manager) leaveVoice(guild snowflake.ID) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(m.ctx), m.opt.voiceTimeout)
	defer cancel()
	if err := m.cfg.Voice.UpdateVoiceState(ctx, guild, nil, false, false); err != nil && !errors.Is(err, context.Canceled) {
		m.log.Warn("leave voice channel", "guild", guild, "error", err)
	}
}
