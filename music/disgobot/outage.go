package disgobot

import (
	"context"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// troubleKind is a sign that the audio service is in trouble.
type troubleKind uint8

const (
	// troubleUnavailable: no node can play for the guild (a command
	// failed with ErrServiceUnavailable, or a progress update found the
	// guild's node down).
	troubleUnavailable troubleKind = iota + 1
	// troubleMoved: the guild's player moved to another node.
	troubleMoved
	// troubleHeal: the watchdog took a step to heal a silent player.
	troubleHeal
)

func (k troubleKind) notice() string {
	switch k {
	case troubleMoved:
		return msgOutageMoved
	case troubleHeal:
		return msgOutageHeal
	}
	return msgOutageDown
}

// outage is a guild's current trouble: whether its one notice is out,
// and the timer that ends it after a calm.
type outage struct {
	channel, message snowflake.ID // the notice, once posted
	noticed          bool
	last             time.Time // the latest sign of trouble
	timer            music.Timer
}

// trouble records a sign of trouble in guild. The first sign of an
// outage posts its notice in channel (0: none to post in, so a later
// sign may post it); every sign restarts the calm after which the outage
// is over. It never blocks: the notice is posted by the guild's queue.
func (b *Bot) trouble(guild snowflake.ID, kind troubleKind, channel snowflake.ID) {
	if b.cfg.outageCalm < 0 || guild == 0 {
		return
	}
	b.outMu.Lock()
	defer b.outMu.Unlock()
	if b.outClosed {
		return
	}
	o := b.outages[guild]
	if o == nil {
		o = &outage{}
		b.outages[guild] = o
	}
	o.last = b.cfg.clock.Now()
	b.calmAfter(guild, o)
	if o.noticed || channel == 0 {
		return
	}
	o.noticed, o.channel = true, channel
	if !b.work.do(guild, func(ctx context.Context) { b.postOutage(ctx, guild, o, kind) }) {
		b.log.Debug("outage notice dropped", "guild", guild)
	}
}

// calmAfter (re)sets o's timer to check, after the calm, whether the
// outage is over. Called with b.outMu held.
func (b *Bot) calmAfter(guild snowflake.ID, o *outage) {
	if o.timer != nil {
		o.timer.Stop()
	}
	o.timer = b.cfg.clock.AfterFunc(b.cfg.outageCalm, func() {
		b.work.do(guild, func(ctx context.Context) { b.checkOutage(ctx, guild, o) })
	})
}

// postOutage posts the notice of o.
func (b *Bot) postOutage(ctx context.Context, guild snowflake.ID, o *outage, kind troubleKind) {
	rctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	emb := discord.Embed{Author: &discord.EmbedAuthor{Name: headOutage}, Description: kind.notice(), Color: b.render.theme.ErrorColor}
	msg, err := b.client.Rest.CreateMessage(o.channel, discord.MessageCreate{Embeds: []discord.Embed{emb}}, rest.WithCtx(rctx))
	if err != nil {
		// Not posted again: a storm of retries is what notices avoid.
		b.log.WarnContext(ctx, "post outage notice", "guild", guild, "error", err)
		return
	}
	b.outMu.Lock()
	o.message = msg.ID
	b.outMu.Unlock()
}

// checkOutage ends o when the calm has passed since its last sign of
// trouble and the guild is served again: the notice then says so. While
// the service is still down it waits another calm.
func (b *Bot) checkOutage(ctx context.Context, guild snowflake.ID, o *outage) {
	b.outMu.Lock()
	if b.outages[guild] != o || b.cfg.clock.Now().Sub(o.last) < b.cfg.outageCalm {
		b.outMu.Unlock()
		return // a later sign set a later check
	}
	if !b.healthy(guild) {
		b.calmAfter(guild, o)
		b.outMu.Unlock()
		return
	}
	delete(b.outages, guild)
	channel, message := o.channel, o.message
	b.outMu.Unlock()
	if message == 0 {
		return
	}
	b.pacer.submit(guild, channel, editRef{message: message}, func(ctx context.Context) bool {
		rctx, cancel := context.WithTimeout(ctx, restTimeout)
		defer cancel()
		embeds := []discord.Embed{{Author: &discord.EmbedAuthor{Name: headRecovered}, Description: msgOutageOver, Color: b.render.theme.IdleColor}}
		if _, err := b.client.Rest.UpdateMessage(channel, message, discord.MessageUpdate{Embeds: &embeds}, rest.WithCtx(rctx)); err != nil && !isGone(err) {
			b.log.WarnContext(ctx, "update outage notice", "guild", guild, "error", err)
		}
		return true
	})
}

// stopOutages stops the outage timers, for Close.
func (b *Bot) stopOutages() {
	b.outMu.Lock()
	defer b.outMu.Unlock()
	b.outClosed = true
	for _, o := range b.outages {
		if o.timer != nil {
			o.timer.Stop()
		}
	}
	clear(b.outages)
}

// healthy reports whether the guild is served: a node is connected and,
// when the guild has a player, its node can serve.
func (b *Bot) healthy(guild snowflake.ID) bool {
	if !b.m.Ready() {
		return false
	}
	np, ok := b.m.Status(guild)
	return !ok || b.serving(np)
}

// serving reports whether np's node can serve it.
func (b *Bot) serving(np music.NowPlaying) bool {
	if np.Node == "" {
		return b.m.Ready()
	}
	for _, n := range b.m.Nodes() {
		if n.Name == np.Node {
			return n.Healthy
		}
	}
	return false
}

// noticeChannel is where a guild's notices go: the channel of its
// now-playing message, or of its session.
func (b *Bot) noticeChannel(guild snowflake.ID) snowflake.ID {
	if lm, ok := b.live.Peek(guild); ok {
		return lm.channel
	}
	np, _ := b.m.Status(guild)
	return np.TextChannelID
}
