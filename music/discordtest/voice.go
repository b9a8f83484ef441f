package discordtest

import (
	"context"
	"encoding/json"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/snowflake/v2"
)

// VoiceRequest is one gateway op 4 (voice state update) the bot sent.
type VoiceRequest struct {
	Shard     int // the shard of the session that sent it
	GuildID   snowflake.ID
	ChannelID *snowflake.ID // nil asks to leave voice
	SelfMute  bool
	SelfDeaf  bool
	// Ignored says why Discord would silently ignore the request (unknown
	// guild or channel, guild on another shard, missing Connect permission,
	// full channel); empty when it was applied.
	Ignored string
}

type voiceUpdateData struct {
	GuildID   flexID  `json:"guild_id"`
	ChannelID *flexID `json:"channel_id"`
	SelfMute  bool    `json:"self_mute"`
	SelfDeaf  bool    `json:"self_deaf"`
}

// voiceStateUpdateLocked handles op 4: the bot joins, moves or leaves voice.
// Joining is answered with VOICE_STATE_UPDATE (to sessions with the
// GUILD_VOICE_STATES intent) and VOICE_SERVER_UPDATE (to the requesting
// session); leaving with VOICE_STATE_UPDATE only.
func (s *Server) voiceStateUpdateLocked(c *conn, d json.RawMessage) {
	var vd voiceUpdateData
	if err := json.Unmarshal(d, &vd); err != nil {
		s.closeConnLocked(c, closeDecodeError, "Error while decoding payload.")
		return
	}
	req := VoiceRequest{Shard: c.sess.info.Shard, GuildID: snowflake.ID(vd.GuildID), SelfMute: vd.SelfMute, SelfDeaf: vd.SelfDeaf}
	if vd.ChannelID != nil {
		id := snowflake.ID(*vd.ChannelID)
		req.ChannelID = &id
	}
	req.Ignored = s.applyBotVoiceLocked(c.sess, vd)
	s.voiceReqs = append(s.voiceReqs, req)
	s.notifyLocked()
}

func (s *Server) applyBotVoiceLocked(sess *session, vd voiceUpdateData) string {
	g := s.guilds[snowflake.ID(vd.GuildID)]
	switch {
	case g == nil:
		return "unknown guild"
	case !sess.covers(g.id):
		return "guild is not on this session's shard"
	}
	bot := s.cfg.appID
	if vd.ChannelID == nil {
		if g.voice[bot] != nil {
			s.setVoiceLocked(g, bot, nil)
		}
		return ""
	}
	c := g.channel(snowflake.ID(*vd.ChannelID))
	if c == nil || !c.isVoice() {
		return "unknown or non-voice channel"
	}
	perms := g.permissions(bot, c)
	if !perms.Has(discord.PermissionConnect) {
		return "missing Connect permission"
	}
	if c.userLimit > 0 && !perms.Has(discord.PermissionMoveMembers) {
		in := 0
		for _, vs := range g.voice {
			if vs.channelID == c.id {
				in++
			}
		}
		if cur := g.voice[bot]; (cur == nil || cur.channelID != c.id) && in >= c.userLimit {
			return "channel is full"
		}
	}
	s.setVoiceLocked(g, bot, &voiceState{channelID: c.id, sessionID: sess.info.ID, selfMute: vd.SelfMute, selfDeaf: vd.SelfDeaf})
	s.voiceServerLocked(sess, g.id)
	return ""
}

// voiceServerLocked sends VOICE_SERVER_UPDATE to sess, preceded by one with
// a null endpoint under WithNullVoiceEndpointFirst.
func (s *Server) voiceServerLocked(sess *session, guildID snowflake.ID) {
	token := randomHex(8)
	if s.cfg.nullEndpointFirst {
		s.dispatchLocked(sess, gateway.EventTypeVoiceServerUpdate, object{"token": token, "guild_id": guildID, "endpoint": nil})
	}
	s.dispatchLocked(sess, gateway.EventTypeVoiceServerUpdate, object{"token": token, "guild_id": guildID, "endpoint": s.cfg.voiceEndpoint})
}

// VoiceRequests lists every op 4 the bot sent, in order.
func (s *Server) VoiceRequests() []VoiceRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]VoiceRequest, len(s.voiceReqs))
	copy(out, s.voiceReqs)
	return out
}

// VoiceStates lists the voice state of every user in voice, guild by guild
// in creation order and then in join order.
func (s *Server) VoiceStates() []discord.VoiceState {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []discord.VoiceState
	for _, gid := range s.guildOrder {
		g := s.guilds[gid]
		for _, uid := range g.voiceList {
			out = append(out, voiceStateOf(g, uid))
		}
	}
	return out
}

// VoiceState returns a user's voice state in a guild and whether the user is
// in voice there.
func (s *Server) VoiceState(guildID, userID snowflake.ID) (discord.VoiceState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.guilds[guildID]
	if g == nil || g.voice[userID] == nil {
		return discord.VoiceState{}, false
	}
	return voiceStateOf(g, userID), true
}

// WaitVoice waits until the user is in channelID of the guild, or out of
// voice when channelID is 0, and returns the voice state then (zero when
// out of voice).
func (s *Server) WaitVoice(ctx context.Context, guildID, userID, channelID snowflake.ID) (discord.VoiceState, error) {
	return waitFor(ctx, s, func() (discord.VoiceState, bool, error) {
		g := s.guilds[guildID]
		if g == nil {
			return discord.VoiceState{}, false, ErrUnknownGuild
		}
		vs := g.voice[userID]
		if vs == nil {
			return discord.VoiceState{}, channelID == 0, nil
		}
		return voiceStateOf(g, userID), vs.channelID == channelID, nil
	})
}

func voiceStateOf(g *guild, userID snowflake.ID) discord.VoiceState {
	vs := g.voice[userID]
	ch := vs.channelID
	return discord.VoiceState{
		GuildID:   g.id,
		ChannelID: &ch,
		UserID:    userID,
		SessionID: vs.sessionID,
		SelfMute:  vs.selfMute,
		SelfDeaf:  vs.selfDeaf,
	}
}
