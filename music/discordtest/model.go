package discordtest

import (
	"slices"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"
)

// The server's world: users, guilds with their roles, channels, members and
// voice states. Everything here is guarded by Server.mu.

type user struct {
	id   snowflake.ID
	name string
	bot  bool
}

func (u *user) wire() *wireUser {
	w := &wireUser{ID: u.id, Username: u.name, Discriminator: "0", Bot: u.bot}
	if !u.bot {
		name := u.name
		w.GlobalName = &name
	}
	return w
}

type role struct {
	id       snowflake.ID
	name     string
	perms    discord.Permissions
	position int
	botID    snowflake.ID // set on the bot's managed role
}

func (r *role) wire() wireRole {
	w := wireRole{ID: r.id, Name: r.name, Position: r.position, Permissions: r.perms}
	if r.botID != 0 {
		w.Managed = true
		w.Tags = &wireRoleTags{BotID: r.botID}
	}
	return w
}

type overwrite struct {
	id          snowflake.ID
	allow, deny discord.Permissions
}

type channel struct {
	id         snowflake.ID
	guildID    snowflake.ID
	typ        discord.ChannelType
	name       string
	position   int
	userLimit  int
	overwrites []overwrite
	lastMsgID  snowflake.ID
}

func (c *channel) isVoice() bool {
	return c.typ == discord.ChannelTypeGuildVoice || c.typ == discord.ChannelTypeGuildStageVoice
}

type member struct {
	userID   snowflake.ID
	roles    []snowflake.ID
	joinedAt time.Time
}

type voiceState struct {
	channelID          snowflake.ID
	sessionID          string
	selfMute, selfDeaf bool
}

type guild struct {
	id        snowflake.ID
	name      string
	ownerID   snowflake.ID
	botRole   snowflake.ID
	joinedAt  time.Time
	roles     []*role // @everyone first
	channels  []*channel
	members   []*member
	voice     map[snowflake.ID]*voiceState
	voiceList []snowflake.ID // users in voice, in join order
}

func (g *guild) role(id snowflake.ID) *role {
	for _, r := range g.roles {
		if r.id == id {
			return r
		}
	}
	return nil
}

func (g *guild) member(userID snowflake.ID) *member {
	for _, m := range g.members {
		if m.userID == userID {
			return m
		}
	}
	return nil
}

func (g *guild) channel(id snowflake.ID) *channel {
	for _, c := range g.channels {
		if c.id == id {
			return c
		}
	}
	return nil
}

// basePermissions computes a member's guild-wide permissions the way
// Discord documents it: @everyone, then the union of the member's roles; the
// owner and administrators get everything.
func (g *guild) basePermissions(userID snowflake.ID) discord.Permissions {
	if userID == g.ownerID {
		return discord.PermissionsAll
	}
	m := g.member(userID)
	if m == nil {
		return 0
	}
	perms := g.roles[0].perms
	for _, id := range m.roles {
		if r := g.role(id); r != nil {
			perms |= r.perms
		}
	}
	if perms.Has(discord.PermissionAdministrator) {
		return discord.PermissionsAll
	}
	return perms
}

// permissions applies the channel's overwrites to the base permissions:
// @everyone's overwrite, then all role overwrites together, then the member's
// own, followed by Discord's implicit rules (no View Channel means nothing,
// no Connect means no voice permissions).
func (g *guild) permissions(userID snowflake.ID, c *channel) discord.Permissions {
	perms := g.basePermissions(userID)
	if c == nil || perms.Has(discord.PermissionAdministrator) {
		return perms
	}
	m := g.member(userID)
	if m == nil {
		return 0
	}
	apply := func(allow, deny discord.Permissions) { perms = perms&^deny | allow }
	for _, o := range c.overwrites {
		if o.id == g.id {
			apply(o.allow, o.deny)
		}
	}
	var allow, deny discord.Permissions
	for _, o := range c.overwrites {
		if o.id != g.id && slices.Contains(m.roles, o.id) {
			allow |= o.allow
			deny |= o.deny
		}
	}
	apply(allow, deny)
	for _, o := range c.overwrites {
		if o.id == userID {
			apply(o.allow, o.deny)
		}
	}
	if !perms.Has(discord.PermissionViewChannel) {
		return 0
	}
	if c.isVoice() && !perms.Has(discord.PermissionConnect) {
		perms &^= discord.PermissionsAllVoice &^ discord.PermissionViewChannel
	}
	return perms
}

func (g *guild) isRole(id snowflake.ID) bool { return g.role(id) != nil }

func (s *Server) wireMemberLocked(g *guild, m *member) *wireMember {
	roles := m.roles
	if roles == nil {
		roles = []snowflake.ID{}
	}
	return &wireMember{User: s.users[m.userID].wire(), Roles: roles, JoinedAt: timestamp(m.joinedAt)}
}

func (s *Server) wireChannelLocked(c *channel) object {
	ows := make([]wireOverwrite, 0, len(c.overwrites))
	g := s.guilds[c.guildID]
	for _, o := range c.overwrites {
		typ := 1
		if g.isRole(o.id) {
			typ = 0
		}
		ows = append(ows, wireOverwrite{ID: o.id, Type: typ, Allow: o.allow, Deny: o.deny})
	}
	obj := object{
		"id":                    c.id,
		"type":                  c.typ,
		"guild_id":              c.guildID,
		"position":              c.position,
		"permission_overwrites": ows,
		"name":                  c.name,
		"nsfw":                  false,
		"parent_id":             nil,
		"rate_limit_per_user":   0,
		"last_message_id":       nil,
		"flags":                 0,
	}
	if c.lastMsgID != 0 {
		obj["last_message_id"] = c.lastMsgID
	}
	if c.isVoice() {
		obj["bitrate"] = 64000
		obj["user_limit"] = c.userLimit
		obj["rtc_region"] = nil
	} else {
		obj["topic"] = nil
		obj["last_pin_timestamp"] = nil
	}
	return obj
}

func (s *Server) wireVoiceStateLocked(g *guild, userID snowflake.ID, withGuild bool) wireVoiceState {
	w := wireVoiceState{UserID: userID}
	if vs := g.voice[userID]; vs != nil {
		ch := vs.channelID
		w.ChannelID = &ch
		w.SessionID = vs.sessionID
		w.SelfMute, w.SelfDeaf = vs.selfMute, vs.selfDeaf
	}
	if withGuild {
		id := g.id
		w.GuildID = &id
		if m := g.member(userID); m != nil {
			w.Member = s.wireMemberLocked(g, m)
		}
	}
	return w
}
