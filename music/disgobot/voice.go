package disgobot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/disgoorg/disgo/bot"
	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/events"
	"github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
)

// DefaultReadyWait bounds how long [VoiceGateway.UpdateVoiceState] waits
// for the guild's gateway shard to be ready when the caller's context
// has no earlier deadline.
const DefaultReadyWait = 30 * time.Second

// VoiceGateway is the [music.VoiceGateway] of a disgo client: it asks
// Discord to move the bot in and out of voice channels with the
// gateway's voice state update (opcode 4) on the shard of the guild.
//
// It exists before the Bot and the Manager, which breaks their circle:
// the Manager needs a VoiceGateway when it is built, and the Bot needs
// the Manager. Build them in this order:
//
//	client, _ := disgo.New(token, ...)
//	m, _ := music.NewManager(music.Config{Voice: disgobot.Voice(client), ...})
//	b, _ := disgobot.New(client, m)
//
// A request made while the shard is not ready (the gateway is still
// connecting, or reconnecting) waits for it, so a Manager may restore
// its sessions before or while the gateway opens.
//
// A VoiceGateway is safe for concurrent use.
type VoiceGateway struct {
	client *bot.Client

	mu    sync.Mutex
	ready chan struct{} // closed and replaced when a shard becomes ready
}

var _ music.VoiceGateway = (*VoiceGateway)(nil)

// Voice returns the VoiceGateway of client, listening on it for shards
// becoming ready. With a nil client every request fails with
// discord.ErrNoGatewayOrShardManager.
func Voice(client *bot.Client) *VoiceGateway {
	v := &VoiceGateway{client: client, ready: make(chan struct{})}
	if client == nil {
		return v
	}
	client.AddEventListeners(bot.NewListenerFunc(func(e bot.Event) {
		switch e.(type) {
		case *events.Ready, *events.Resumed:
			v.mu.Lock()
			close(v.ready)
			v.ready = make(chan struct{})
			v.mu.Unlock()
		}
	}))
	return v
}

// UpdateVoiceState asks Discord to move the bot into channel in guild, or
// out of voice when channel is nil. Discord answers with the bot's
// VOICE_STATE_UPDATE and a VOICE_SERVER_UPDATE, which the [Bot] forwards
// to the Manager. When the guild's shard is not ready, it waits until it
// is, until ctx ends, or at most [DefaultReadyWait]. A client without a
// gateway or shard manager fails at once.
func (v *VoiceGateway) UpdateVoiceState(ctx context.Context, guild snowflake.ID, channel *snowflake.ID, selfMute, selfDeaf bool) error {
	if v.client == nil {
		return fmt.Errorf("disgobot: voice state update in guild %s: no client: %w", guild, discord.ErrNoGatewayOrShardManager)
	}
	var deadline <-chan time.Time
	for {
		v.mu.Lock()
		ready := v.ready
		v.mu.Unlock()
		shard, err := v.client.Shard(guild)
		switch {
		case errors.Is(err, discord.ErrNoGatewayOrShardManager):
			return fmt.Errorf("disgobot: voice state update in guild %s: %w", guild, err)
		case err == nil && shard.Status() == gateway.StatusReady:
			err = shard.Send(ctx, gateway.OpcodeVoiceStateUpdate, gateway.MessageDataVoiceStateUpdate{
				GuildID: guild, ChannelID: channel, SelfMute: selfMute, SelfDeaf: selfDeaf,
			})
			if !errors.Is(err, discord.ErrShardNotReady) && !errors.Is(err, discord.ErrShardNotConnected) {
				if err != nil {
					return fmt.Errorf("disgobot: voice state update in guild %s: %w", guild, err)
				}
				return nil
			}
		}
		if deadline == nil {
			t := time.NewTimer(DefaultReadyWait)
			defer t.Stop()
			deadline = t.C
		}
		select {
		case <-ready:
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline:
			return fmt.Errorf("disgobot: voice state update in guild %s: %w", guild, discord.ErrShardNotReady)
		}
	}
}

// forwardVoiceState tells the Manager where a member is in voice.
func (b *Bot) forwardVoiceState(vs discord.VoiceState, member discord.Member) {
	isBot := member.User.Bot
	if member.User.ID == 0 {
		isBot = b.isBotUser(vs.GuildID, vs.UserID)
	}
	b.m.OnVoiceStateUpdate(voiceUpdate(vs, isBot || vs.UserID == b.selfID()))
}

// forwardGuild tells the Manager about the voice states of a guild that
// became available, the state it starts from.
func (b *Bot) forwardGuild(g discord.GatewayGuild) {
	bots := map[snowflake.ID]bool{}
	for _, m := range g.Members {
		if m.User.Bot {
			bots[m.User.ID] = true
		}
	}
	self := b.selfID()
	for _, vs := range g.VoiceStates {
		vs.GuildID = g.ID
		isBot := bots[vs.UserID] || vs.UserID == self || b.isBotUser(g.ID, vs.UserID)
		b.m.OnVoiceStateUpdate(voiceUpdate(vs, isBot))
	}
}

// forwardVoiceServer hands the Manager the voice server; the Manager
// holds back an update without an endpoint.
func (b *Bot) forwardVoiceServer(e gateway.EventVoiceServerUpdate) {
	var endpoint *string
	if e.Endpoint != nil {
		s := *e.Endpoint
		endpoint = &s
	}
	b.m.OnVoiceServerUpdate(music.VoiceServerUpdate{GuildID: e.GuildID, Token: e.Token, Endpoint: endpoint})
}

func (b *Bot) isBotUser(guild, user snowflake.ID) bool {
	if m, ok := b.client.Caches.Member(guild, user); ok {
		return m.User.Bot
	}
	return false
}

func voiceUpdate(vs discord.VoiceState, isBot bool) music.VoiceStateUpdate {
	u := music.VoiceStateUpdate{GuildID: vs.GuildID, UserID: vs.UserID, SessionID: vs.SessionID, Bot: isBot}
	if vs.ChannelID != nil {
		u.ChannelID = *vs.ChannelID
	}
	return u
}
