package discordtest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/snowflake/v2"
)

// Action is something a user does in a Discord client that makes an
// interaction: a [Command], a [Button] click or an [Autocomplete] keystroke.
type Action interface {
	build(s *Server, ix *interaction) (object, error)
}

// Command is a user running a slash command in a guild channel. Unless
// Forge is set, the command must be registered (the guild's commands first,
// then global ones), the user must see the channel, hold Use Application
// Commands and the command's default_member_permissions, and Options must
// fit the registered options, because a Discord client sends nothing else.
type Command struct {
	Guild   snowflake.ID
	Channel snowflake.ID
	User    snowflake.ID
	Name    string
	Options []CommandOption
	// Forge skips the client-side checks, standing in for a modified client
	// or a command definition that changed in between: the interaction is
	// sent as given (with a made-up command ID if none is registered).
	Forge bool
}

// Autocomplete is a user typing into an option with autocomplete: exactly
// one option, wrapped in [Focused], is the one being typed. Required options
// may be missing, as while the user is still typing. The checks of
// [Command] apply, and the focused option must have autocomplete enabled.
type Autocomplete struct {
	Guild   snowflake.ID
	Channel snowflake.ID
	User    snowflake.ID
	Name    string
	Options []CommandOption
	Forge   bool
}

// Button is a user clicking a button on a message the bot posted. The guild
// and channel are the message's. Unless Forge is set the message must carry
// an enabled button with CustomID, since a Discord client can click nothing
// else; Forge stands in for a modified client or a stale message.
type Button struct {
	User     snowflake.ID
	Message  snowflake.ID
	CustomID string
	Forge    bool
}

// CommandOption is a slash command option as a user filled it in. Make one with
// [String], [Integer], [Number], [Bool], [User], [Channel], [Role],
// [Mentionable], [Subcommand] or [Group].
type CommandOption struct {
	name    string
	typ     int
	value   any
	options []CommandOption
	focused bool
}

// String is a string option.
func String(name, value string) CommandOption {
	return CommandOption{name: name, typ: optString, value: value}
}

// Integer is an integer option.
func Integer(name string, value int) CommandOption {
	return CommandOption{name: name, typ: optInteger, value: value}
}

// Number is a number (float) option. NaN and infinities are rejected by
// [Server.Interact] with an [*OptionError].
func Number(name string, value float64) CommandOption {
	return CommandOption{name: name, typ: optNumber, value: value}
}

// Bool is a boolean option.
func Bool(name string, value bool) CommandOption {
	return CommandOption{name: name, typ: optBoolean, value: value}
}

// User is a user option; the user goes into the interaction's resolved data.
func User(name string, id snowflake.ID) CommandOption {
	return CommandOption{name: name, typ: optUser, value: id}
}

// Channel is a channel option; the channel goes into the resolved data.
func Channel(name string, id snowflake.ID) CommandOption {
	return CommandOption{name: name, typ: optChannel, value: id}
}

// Role is a role option; the role goes into the resolved data.
func Role(name string, id snowflake.ID) CommandOption {
	return CommandOption{name: name, typ: optRole, value: id}
}

// Mentionable is a mentionable option naming a user or a role.
func Mentionable(name string, id snowflake.ID) CommandOption {
	return CommandOption{name: name, typ: optMentionable, value: id}
}

// Subcommand selects a subcommand with its options.
func Subcommand(name string, options ...CommandOption) CommandOption {
	return CommandOption{name: name, typ: optSubcommand, options: options}
}

// Group selects a subcommand group; it holds one [Subcommand].
func Group(name string, sub CommandOption) CommandOption {
	return CommandOption{name: name, typ: optGroup, options: []CommandOption{sub}}
}

// Focused marks the option an [Autocomplete] is for; its value is what the
// user has typed so far.
func Focused(o CommandOption) CommandOption { o.focused = true; return o }

func (o CommandOption) wire() object {
	w := object{"name": o.name, "type": o.typ}
	if o.typ == optSubcommand || o.typ == optGroup {
		opts := make([]object, 0, len(o.options))
		for _, sub := range o.options {
			opts = append(opts, sub.wire())
		}
		w["options"] = opts
		return w
	}
	w["value"] = o.value
	if o.focused {
		w["focused"] = true
	}
	return w
}

// interaction is the server's record of one interaction.
type interaction struct {
	id        snowflake.ID
	token     string
	kind      discord.InteractionType
	guildID   snowflake.ID
	channelID snowflake.ID
	userID    snowflake.ID
	created   time.Time
	source    snowflake.ID // the message a button is on
	acked     bool
	respType  discord.InteractionResponseType
	original  snowflake.ID
	followups []snowflake.ID
	response  int // index in Server.responses, valid when acked
}

// Interaction is a handle to an interaction the test made with
// [Server.Interact], to await the bot's answer.
type Interaction struct {
	s     *Server
	id    snowflake.ID
	token string
}

// ID is the interaction ID.
func (i *Interaction) ID() snowflake.ID { return i.id }

// Token is the interaction token the bot answers with.
func (i *Interaction) Token() string { return i.token }

// Interact makes a user do action: it builds the INTERACTION_CREATE Discord
// would send, dispatches it to the session owning the guild and returns a
// handle to await the response. Errors: [ErrClosed], [ErrNoSession], the
// ErrUnknown... errors for IDs the server does not know, [ErrUnknownCommand],
// [ErrMissingPermissions], [ErrUnknownComponent] and [*OptionError].
func (s *Server) Interact(ctx context.Context, action Action) (*Interaction, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if action == nil {
		return nil, fmt.Errorf("discordtest: nil action")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	ix := &interaction{id: s.nextIDLocked(), created: s.cfg.now()}
	ix.token = base64.RawURLEncoding.EncodeToString([]byte("interaction:" + ix.id.String() + ":" + randomHex(24)))
	payload, err := action.build(s, ix)
	if err != nil {
		return nil, err
	}
	if len(s.sessionsForGuildLocked(ix.guildID)) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoSession, ix.guildID)
	}
	s.interactions[ix.id] = ix
	s.byToken[ix.token] = ix
	s.dispatchGuildLocked(ix.guildID, 0, gateway.EventTypeInteractionCreate, payload)
	s.notifyLocked()
	return &Interaction{s: s, id: ix.id, token: ix.token}, nil
}

// placeLocked resolves guild, channel and member of an interaction.
func (s *Server) placeLocked(ix *interaction, guildID, channelID, userID snowflake.ID) (*guild, *channel, error) {
	g := s.guilds[guildID]
	if g == nil {
		return nil, nil, fmt.Errorf("%w: %s", ErrUnknownGuild, guildID)
	}
	c := g.channel(channelID)
	if c == nil {
		return nil, nil, fmt.Errorf("%w: %s in guild %s", ErrUnknownChannel, channelID, guildID)
	}
	if g.member(userID) == nil {
		return nil, nil, fmt.Errorf("%w: %s is not a member of %s", ErrUnknownUser, userID, guildID)
	}
	ix.guildID, ix.channelID, ix.userID = g.id, c.id, userID
	return g, c, nil
}

// baseLocked renders the fields every guild interaction carries.
func (s *Server) baseLocked(ix *interaction, g *guild, c *channel) object {
	perms := g.permissions(ix.userID, c)
	m := s.wireMemberLocked(g, g.member(ix.userID))
	m.Permissions = &perms
	ch := s.wireChannelLocked(c)
	ch["permissions"] = perms
	return object{
		"id":                             ix.id,
		"application_id":                 s.cfg.appID,
		"type":                           ix.kind,
		"token":                          ix.token,
		"version":                        1,
		"guild":                          object{"id": g.id, "locale": "en-US", "features": []string{}},
		"guild_id":                       g.id,
		"guild_locale":                   "en-US",
		"channel":                        ch,
		"channel_id":                     c.id,
		"member":                         m,
		"locale":                         "en-US",
		"app_permissions":                g.permissions(s.cfg.appID, c),
		"entitlements":                   []any{},
		"authorizing_integration_owners": object{"0": g.id},
		"context":                        0,
		"attachment_size_limit":          25 << 20,
	}
}

func (a Command) build(s *Server, ix *interaction) (object, error) {
	ix.kind = discord.InteractionTypeApplicationCommand
	return s.buildCommandLocked(ix, a.Guild, a.Channel, a.User, a.Name, a.Options, a.Forge, false)
}

func (a Autocomplete) build(s *Server, ix *interaction) (object, error) {
	ix.kind = discord.InteractionTypeAutocomplete
	return s.buildCommandLocked(ix, a.Guild, a.Channel, a.User, a.Name, a.Options, a.Forge, true)
}

func (s *Server) buildCommandLocked(ix *interaction, guildID, channelID, userID snowflake.ID, name string, opts []CommandOption, forge, auto bool) (object, error) {
	g, c, err := s.placeLocked(ix, guildID, channelID, userID)
	if err != nil {
		return nil, err
	}
	cmd := s.lookupCommandLocked(g.id, name)
	if !forge {
		if cmd == nil {
			return nil, fmt.Errorf("%w: /%s in guild %s", ErrUnknownCommand, name, g.id)
		}
		perms := g.permissions(userID, c)
		if !perms.Has(discord.PermissionViewChannel | discord.PermissionUseApplicationCommands) {
			return nil, fmt.Errorf("%w: user %s cannot use commands in channel %s", ErrMissingPermissions, userID, c.id)
		}
		if need, ok, _ := cmd.schema.memberPermissions(); ok && !perms.Has(discord.PermissionAdministrator) && (need == 0 || !perms.Has(need)) {
			return nil, fmt.Errorf("%w: /%s needs %d", ErrMissingPermissions, name, need)
		}
		chk := optionChecker{s: s, g: g, command: name, auto: auto}
		if err := chk.check(cmd.schema.Options, opts, ""); err != nil {
			return nil, err
		}
		if auto && chk.focused != 1 {
			return nil, &OptionError{Command: name, Reason: fmt.Sprintf("autocomplete needs exactly one focused option, got %d", chk.focused)}
		}
	} else if err := checkFloats(name, opts); err != nil {
		return nil, err
	}
	data := object{"name": name, "type": commandChatInput}
	if cmd != nil {
		data["id"] = cmd.id
		if cmd.guildID != 0 {
			data["guild_id"] = cmd.guildID
		}
	} else {
		data["id"] = s.nextIDLocked()
	}
	if len(opts) > 0 {
		wire := make([]object, 0, len(opts))
		for _, o := range opts {
			wire = append(wire, o.wire())
		}
		data["options"] = wire
	}
	if !auto {
		if resolved := s.resolvedLocked(g, c, opts); resolved != nil {
			data["resolved"] = resolved
		}
	}
	payload := s.baseLocked(ix, g, c)
	payload["data"] = data
	return payload, nil
}

func checkFloats(command string, opts []CommandOption) error {
	for _, o := range opts {
		if f, ok := o.value.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return &OptionError{Command: command, Option: o.name, Reason: "not a finite number"}
		}
		if err := checkFloats(command, o.options); err != nil {
			return err
		}
	}
	return nil
}

// resolvedLocked builds the resolved users, members, roles and channels the
// options mention; nil when they mention none.
func (s *Server) resolvedLocked(g *guild, c *channel, opts []CommandOption) object {
	users, members, roles, channels := object{}, object{}, object{}, object{}
	var walk func([]CommandOption)
	walk = func(opts []CommandOption) {
		for _, o := range opts {
			walk(o.options)
			id, ok := o.value.(snowflake.ID)
			if !ok {
				continue
			}
			if u := s.users[id]; u != nil && (o.typ == optUser || o.typ == optMentionable) {
				users[id.String()] = u.wire()
				if m := g.member(id); m != nil {
					w := s.wireMemberLocked(g, m)
					w.User = nil
					perms := g.permissions(id, c)
					w.Permissions = &perms
					members[id.String()] = w
				}
			}
			if r := g.role(id); r != nil && (o.typ == optRole || o.typ == optMentionable) {
				roles[id.String()] = r.wire()
			}
			if ch := g.channel(id); ch != nil && o.typ == optChannel {
				channels[id.String()] = object{
					"id": ch.id, "name": ch.name, "type": ch.typ, "permissions": g.permissions(s.cfg.appID, ch),
					"guild_id": g.id, "parent_id": nil,
				}
			}
		}
	}
	walk(opts)
	out := object{}
	for k, v := range map[string]object{"users": users, "members": members, "roles": roles, "channels": channels} {
		if len(v) > 0 {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// optionChecker checks options against the registered command, as a
// Discord client enforces them before sending.
type optionChecker struct {
	s       *Server
	g       *guild
	command string
	auto    bool
	focused int
}

func (k *optionChecker) fail(path, format string, args ...any) error {
	return &OptionError{Command: k.command, Option: strings.TrimSpace(path), Reason: fmt.Sprintf(format, args...)}
}

func (k *optionChecker) check(schema []optionSchema, given []CommandOption, path string) error {
	subLevel := slices.ContainsFunc(schema, func(o optionSchema) bool { return o.Type == optSubcommand || o.Type == optGroup })
	if subLevel {
		if len(given) != 1 || (given[0].typ != optSubcommand && given[0].typ != optGroup) {
			return k.fail(path, "needs exactly one subcommand or group")
		}
		g := given[0]
		for _, sc := range schema {
			if sc.Name == g.name && sc.Type == g.typ {
				return k.check(sc.Options, g.options, path+" "+g.name)
			}
		}
		return k.fail(path+" "+g.name, "no such subcommand or group")
	}
	seen := map[string]bool{}
	for _, o := range given {
		p := path + " " + o.name
		if seen[o.name] {
			return k.fail(p, "given twice")
		}
		seen[o.name] = true
		i := slices.IndexFunc(schema, func(sc optionSchema) bool { return sc.Name == o.name })
		if i < 0 {
			return k.fail(p, "no such option")
		}
		if err := k.checkValue(schema[i], o, p); err != nil {
			return err
		}
	}
	if !k.auto {
		for _, sc := range schema {
			if sc.Required && !seen[sc.Name] {
				return k.fail(path+" "+sc.Name, "required option missing")
			}
		}
	}
	return nil
}

func (k *optionChecker) checkValue(sc optionSchema, o CommandOption, p string) error {
	if sc.Type != o.typ {
		return k.fail(p, "is type %d, given type %d", sc.Type, o.typ)
	}
	if o.focused {
		if !k.auto {
			return k.fail(p, "focused outside autocomplete")
		}
		if !sc.Autocomplete {
			return k.fail(p, "autocomplete is not enabled on this option")
		}
		k.focused++
		if f, ok := o.value.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return k.fail(p, "not a finite number")
		}
		return nil // a partial value is not checked against limits
	}
	switch v := o.value.(type) {
	case string:
		if sc.MinLength != nil && runes(v) < *sc.MinLength || sc.MaxLength != nil && runes(v) > *sc.MaxLength || runes(v) > maxStringLength {
			return k.fail(p, "length %d out of range", runes(v))
		}
	case int:
		if err := k.checkRange(sc, float64(v), p); err != nil {
			return err
		}
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return k.fail(p, "not a finite number")
		}
		if err := k.checkRange(sc, v, p); err != nil {
			return err
		}
	case snowflake.ID:
		if err := k.checkReference(sc, o.typ, v, p); err != nil {
			return err
		}
	}
	if len(sc.Choices) > 0 {
		given := raw(o.value)
		for _, ch := range sc.Choices {
			if jsonEqual(ch.Value, given) {
				return nil
			}
		}
		return k.fail(p, "%s is not one of the choices", given)
	}
	return nil
}

func (k *optionChecker) checkRange(sc optionSchema, v float64, p string) error {
	if sc.MinValue != nil && v < *sc.MinValue || sc.MaxValue != nil && v > *sc.MaxValue {
		return k.fail(p, "%v out of range", v)
	}
	return nil
}

func (k *optionChecker) checkReference(sc optionSchema, typ int, id snowflake.ID, p string) error {
	switch typ {
	case optUser:
		if k.s.users[id] == nil {
			return k.fail(p, "unknown user %s", id)
		}
	case optRole:
		if k.g.role(id) == nil {
			return k.fail(p, "unknown role %s", id)
		}
	case optMentionable:
		if k.s.users[id] == nil && k.g.role(id) == nil {
			return k.fail(p, "unknown user or role %s", id)
		}
	case optChannel:
		c := k.g.channel(id)
		if c == nil {
			return k.fail(p, "unknown channel %s", id)
		}
		if len(sc.ChannelTypes) > 0 && !slices.Contains(sc.ChannelTypes, int(c.typ)) {
			return k.fail(p, "channel type %d not allowed", c.typ)
		}
	}
	return nil
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return fmt.Sprint(x) == fmt.Sprint(y)
}

func (a Button) build(s *Server, ix *interaction) (object, error) {
	ix.kind = discord.InteractionTypeComponent
	m := s.messages[a.Message]
	if m == nil || m.deleted {
		return nil, fmt.Errorf("%w: %s", ErrUnknownMessage, a.Message)
	}
	g, c, err := s.placeLocked(ix, m.guildID, m.channelID, a.User)
	if err != nil {
		return nil, err
	}
	if !a.Forge && !hasButton(m.fields["components"], a.CustomID) {
		return nil, fmt.Errorf("%w: %q on message %s", ErrUnknownComponent, a.CustomID, m.id)
	}
	ix.source = m.id
	payload := s.baseLocked(ix, g, c)
	payload["message"] = m.fields
	payload["data"] = object{"custom_id": a.CustomID, "component_type": compButton}
	return payload, nil
}

// hasButton reports whether components hold an enabled button with the
// custom ID, at any depth (action rows, sections, containers).
func hasButton(components json.RawMessage, customID string) bool {
	var list []struct {
		Type       int             `json:"type"`
		CustomID   string          `json:"custom_id"`
		Disabled   bool            `json:"disabled"`
		Components json.RawMessage `json:"components"`
		Accessory  json.RawMessage `json:"accessory"`
	}
	if json.Unmarshal(components, &list) != nil {
		return false
	}
	for _, c := range list {
		if c.Type == compButton && c.CustomID == customID && !c.Disabled {
			return true
		}
		if len(c.Components) > 0 && hasButton(c.Components, customID) {
			return true
		}
		if len(c.Accessory) > 0 && hasButton(append(append([]byte("["), c.Accessory...), ']'), customID) {
			return true
		}
	}
	return false
}
