package discordtest

import (
	"fmt"
	"slices"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/snowflake/v2"
)

// Guild is a handle to a guild of the [Server], used to declare its
// channels, roles and members and to move users in and out of voice. Changes
// made while the bot is connected are dispatched as Discord would
// (CHANNEL_CREATE, GUILD_ROLE_CREATE, GUILD_MEMBER_ADD, VOICE_STATE_UPDATE,
// ...), subject to the session's intents.
//
// A Guild is safe for concurrent use.
type Guild struct {
	s  *Server
	id snowflake.ID
}

// ChannelOption configures a channel made by [Guild.AddTextChannel] or
// [Guild.AddVoiceChannel].
type ChannelOption func(*channel)

// UserLimit caps how many users a voice channel admits; 0 means no limit.
// A bot without Move Members that asks to join a full channel is ignored, as
// on Discord.
func UserLimit(n int) ChannelOption { return func(c *channel) { c.userLimit = max(n, 0) } }

// Overwrite adds a permission overwrite for a role or member (the guild ID is
// @everyone). Overwrites for IDs that are neither are kept and grant nothing.
func Overwrite(id snowflake.ID, allow, deny discord.Permissions) ChannelOption {
	return func(c *channel) { c.overwrites = append(c.overwrites, overwrite{id: id, allow: allow, deny: deny}) }
}

// AddGuild creates a guild with an owner, an @everyone role with
// [DefaultEveryonePermissions] and the bot as a member holding a managed role
// (see [WithBotPermissions]). Guild IDs are chosen so successive guilds land
// on successive shards of the [WithShardCount] count. If the bot is
// connected, the owning session receives GUILD_CREATE, as when a bot is
// added to a server.
func (s *Server) AddGuild(name string) *Guild {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.now()
	want := uint64(len(s.guildOrder) % s.cfg.shardCount)
	id := s.nextIDLocked()
	for (uint64(id)>>22)%uint64(s.cfg.shardCount) != want {
		id += 1 << 22
	}
	s.lastID = id

	owner := &user{id: s.nextIDLocked(), name: name + "-owner"}
	s.users[owner.id] = owner
	g := &guild{
		id:       id,
		name:     name,
		ownerID:  owner.id,
		joinedAt: now,
		voice:    map[snowflake.ID]*voiceState{},
	}
	g.roles = []*role{{id: id, name: "@everyone", perms: DefaultEveryonePermissions}}
	g.botRole = s.nextIDLocked()
	g.roles = append(g.roles, &role{id: g.botRole, name: s.cfg.botName, perms: s.cfg.botPermissions, position: 1, botID: s.cfg.appID})
	g.members = []*member{
		{userID: owner.id, joinedAt: now},
		{userID: s.cfg.appID, roles: []snowflake.ID{g.botRole}, joinedAt: now},
	}
	s.guilds[id] = g
	s.guildOrder = append(s.guildOrder, id)
	for _, sess := range s.sessionsForGuildLocked(id) {
		if sess.info.Intents.Has(gateway.IntentGuilds) {
			s.dispatchLocked(sess, gateway.EventTypeGuildCreate, s.guildCreateLocked(g, sess))
		}
	}
	s.notifyLocked()
	return &Guild{s: s, id: id}
}

// Guild returns a handle to an existing guild.
func (s *Server) Guild(id snowflake.ID) (*Guild, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.guilds[id] == nil {
		return nil, fmt.Errorf("%w: %s", ErrUnknownGuild, id)
	}
	return &Guild{s: s, id: id}, nil
}

// ShardOf returns the shard that owns guildID for shardCount shards, by
// Discord's formula (guild_id >> 22) % shard_count.
func ShardOf(guildID snowflake.ID, shardCount int) int {
	if shardCount < 1 {
		return 0
	}
	return int((uint64(guildID) >> 22) % uint64(shardCount))
}

// ID is the guild's ID, which is also the ID of its @everyone role.
func (g *Guild) ID() snowflake.ID { return g.id }

// OwnerID is the guild owner, a user made with the guild. The owner has
// every permission.
func (g *Guild) OwnerID() snowflake.ID {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	return g.s.guilds[g.id].ownerID
}

// BotRole is the managed role the bot holds in this guild.
func (g *Guild) BotRole() snowflake.ID {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	return g.s.guilds[g.id].botRole
}

// AddTextChannel adds a text channel and returns its ID.
func (g *Guild) AddTextChannel(name string, opts ...ChannelOption) snowflake.ID {
	return g.addChannel(discord.ChannelTypeGuildText, name, opts)
}

// AddVoiceChannel adds a voice channel and returns its ID.
func (g *Guild) AddVoiceChannel(name string, opts ...ChannelOption) snowflake.ID {
	return g.addChannel(discord.ChannelTypeGuildVoice, name, opts)
}

func (g *Guild) addChannel(typ discord.ChannelType, name string, opts []ChannelOption) snowflake.ID {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	gd := s.guilds[g.id]
	c := &channel{id: s.nextIDLocked(), guildID: g.id, typ: typ, name: name, position: len(gd.channels)}
	for _, o := range opts {
		o(c)
	}
	gd.channels = append(gd.channels, c)
	s.channels[c.id] = c
	s.dispatchGuildLocked(g.id, gateway.IntentGuilds, gateway.EventTypeChannelCreate, s.wireChannelLocked(c))
	s.notifyLocked()
	return c.id
}

// AddRole adds a role with the given permissions and returns its ID.
func (g *Guild) AddRole(name string, perms discord.Permissions) snowflake.ID {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	gd := s.guilds[g.id]
	r := &role{id: s.nextIDLocked(), name: name, perms: perms, position: len(gd.roles)}
	gd.roles = append(gd.roles, r)
	s.dispatchGuildLocked(g.id, gateway.IntentGuilds, gateway.EventTypeGuildRoleCreate, object{"guild_id": g.id, "role": r.wire()})
	s.notifyLocked()
	return r.id
}

// SetPermissions replaces a role's permissions (the guild ID names
// @everyone) and dispatches GUILD_ROLE_UPDATE.
func (g *Guild) SetPermissions(roleID snowflake.ID, perms discord.Permissions) error {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.guilds[g.id].role(roleID)
	if r == nil {
		return fmt.Errorf("discordtest: unknown role %s in guild %s", roleID, g.id)
	}
	r.perms = perms
	s.dispatchGuildLocked(g.id, gateway.IntentGuilds, gateway.EventTypeGuildRoleUpdate, object{"guild_id": g.id, "role": r.wire()})
	s.notifyLocked()
	return nil
}

// AddMember creates a user named name, makes it a member holding roles and
// returns the user's ID. Role IDs that are not roles of the guild are kept
// but grant nothing.
func (g *Guild) AddMember(name string, roles ...snowflake.ID) snowflake.ID {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	gd := s.guilds[g.id]
	u := &user{id: s.nextIDLocked(), name: name}
	s.users[u.id] = u
	m := &member{userID: u.id, roles: slices.Clone(roles), joinedAt: s.cfg.now()}
	gd.members = append(gd.members, m)
	w := s.wireMemberLocked(gd, m)
	w.GuildID = &g.id
	s.dispatchGuildLocked(g.id, gateway.IntentGuildMembers, gateway.EventTypeGuildMemberAdd, w)
	s.notifyLocked()
	return u.id
}

// SetRoles replaces the roles of a member (the bot included) and dispatches
// GUILD_MEMBER_UPDATE.
func (g *Guild) SetRoles(userID snowflake.ID, roles ...snowflake.ID) error {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	gd := s.guilds[g.id]
	m := gd.member(userID)
	if m == nil {
		return fmt.Errorf("%w: %s is not a member of %s", ErrUnknownUser, userID, g.id)
	}
	m.roles = slices.Clone(roles)
	w := s.wireMemberLocked(gd, m)
	w.GuildID = &g.id
	intent := gateway.IntentGuildMembers
	if userID == s.cfg.appID {
		intent = 0 // the bot's own member updates arrive regardless
	}
	s.dispatchGuildLocked(g.id, intent, gateway.EventTypeGuildMemberUpdate, w)
	s.notifyLocked()
	return nil
}

// JoinVoice puts a member in a voice channel (moving them if they are in
// another) and dispatches VOICE_STATE_UPDATE, as when a user clicks the
// channel. Use it before the bot connects to declare initial voice states.
// For the bot itself it stands for a moderator dragging the bot: a connected
// session also gets a VOICE_SERVER_UPDATE. Permissions and user limits are
// not checked, as for a moderator.
func (g *Guild) JoinVoice(userID, channelID snowflake.ID) error {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	gd := s.guilds[g.id]
	if gd.member(userID) == nil {
		return fmt.Errorf("%w: %s is not a member of %s", ErrUnknownUser, userID, g.id)
	}
	c := gd.channel(channelID)
	if c == nil {
		return fmt.Errorf("%w: %s in guild %s", ErrUnknownChannel, channelID, g.id)
	}
	if !c.isVoice() {
		return fmt.Errorf("%w: %s", ErrNotVoiceChannel, channelID)
	}
	sid := randomHex(16)
	if vs := gd.voice[userID]; vs != nil {
		sid = vs.sessionID
	}
	// Moving the bot (as a member with Move Members would) also hands it a
	// voice server, like a join it asked for.
	var botSess *session
	if userID == s.cfg.appID {
		for _, sess := range s.sessionsForGuildLocked(g.id) {
			if sess.conn != nil {
				botSess = sess
				sid = sess.info.ID
				break
			}
		}
	}
	old := gd.voice[userID]
	vs := &voiceState{channelID: channelID, sessionID: sid}
	if old != nil {
		vs.selfMute, vs.selfDeaf = old.selfMute, old.selfDeaf
	}
	s.setVoiceLocked(gd, userID, vs)
	if botSess != nil {
		s.voiceServerLocked(botSess, g.id)
	}
	return nil
}

// LeaveVoice takes a member out of voice and dispatches VOICE_STATE_UPDATE
// with a null channel. Leaving when not in voice is a no-op.
func (g *Guild) LeaveVoice(userID snowflake.ID) error {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	gd := s.guilds[g.id]
	if gd.member(userID) == nil {
		return fmt.Errorf("%w: %s is not a member of %s", ErrUnknownUser, userID, g.id)
	}
	if gd.voice[userID] == nil {
		return nil
	}
	s.setVoiceLocked(gd, userID, nil)
	return nil
}

// setVoiceLocked stores (or, for nil, removes) a voice state and dispatches
// the VOICE_STATE_UPDATE.
func (s *Server) setVoiceLocked(g *guild, userID snowflake.ID, vs *voiceState) {
	old := g.voice[userID]
	if vs == nil {
		delete(g.voice, userID)
		g.voiceList = slices.DeleteFunc(g.voiceList, func(id snowflake.ID) bool { return id == userID })
	} else {
		if old == nil {
			g.voiceList = append(g.voiceList, userID)
		}
		g.voice[userID] = vs
	}
	w := s.wireVoiceStateLocked(g, userID, true)
	if vs == nil && old != nil {
		w.SessionID = old.sessionID
	}
	s.dispatchGuildLocked(g.id, gateway.IntentGuildVoiceStates, gateway.EventTypeVoiceStateUpdate, w)
	s.notifyLocked()
}

// guildCreateLocked renders a GUILD_CREATE payload for sess, whose intents
// decide what it holds: voice states need GUILD_VOICE_STATES, and without
// GUILD_PRESENCES the member list holds only the bot and users in voice.
func (s *Server) guildCreateLocked(g *guild, sess *session) object {
	roles := make([]wireRole, 0, len(g.roles))
	for _, r := range g.roles {
		roles = append(roles, r.wire())
	}
	channels := make([]object, 0, len(g.channels))
	for _, c := range g.channels {
		ch := s.wireChannelLocked(c)
		delete(ch, "guild_id") // channels in GUILD_CREATE carry no guild_id
		channels = append(channels, ch)
	}
	members := []*wireMember{}
	for _, m := range g.members {
		if sess.info.Intents.Has(gateway.IntentGuildPresences) || m.userID == s.cfg.appID || g.voice[m.userID] != nil {
			members = append(members, s.wireMemberLocked(g, m))
		}
	}
	voice := []wireVoiceState{}
	if sess.info.Intents.Has(gateway.IntentGuildVoiceStates) {
		for _, id := range g.voiceList {
			voice = append(voice, s.wireVoiceStateLocked(g, id, false))
		}
	}
	return object{
		"id":                            g.id,
		"name":                          g.name,
		"icon":                          nil,
		"icon_hash":                     nil,
		"splash":                        nil,
		"discovery_splash":              nil,
		"owner_id":                      g.ownerID,
		"afk_channel_id":                nil,
		"afk_timeout":                   300,
		"widget_enabled":                false,
		"widget_channel_id":             nil,
		"verification_level":            0,
		"default_message_notifications": 0,
		"explicit_content_filter":       0,
		"roles":                         roles,
		"emojis":                        []any{},
		"features":                      []string{},
		"mfa_level":                     0,
		"application_id":                nil,
		"system_channel_id":             nil,
		"system_channel_flags":          0,
		"rules_channel_id":              nil,
		"max_presences":                 nil,
		"max_members":                   500000,
		"vanity_url_code":               nil,
		"description":                   nil,
		"banner":                        nil,
		"premium_tier":                  0,
		"premium_subscription_count":    0,
		"preferred_locale":              "en-US",
		"public_updates_channel_id":     nil,
		"max_video_channel_users":       25,
		"max_stage_video_channel_users": 50,
		"nsfw_level":                    0,
		"stickers":                      []any{},
		"premium_progress_bar_enabled":  false,
		"safety_alerts_channel_id":      nil,
		"incidents_data":                nil,
		"joined_at":                     timestamp(g.joinedAt),
		"large":                         false,
		"unavailable":                   false,
		"member_count":                  len(g.members),
		"voice_states":                  voice,
		"members":                       members,
		"channels":                      channels,
		"threads":                       []any{},
		"presences":                     []any{},
		"stage_instances":               []any{},
		"guild_scheduled_events":        []any{},
		"soundboard_sounds":             []any{},
	}
}
