package discordtest

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"
)

// Application command and option types, as Discord numbers them.
const (
	commandChatInput = 1
	commandUser      = 2
	commandMessage   = 3

	optSubcommand  = 1
	optGroup       = 2
	optString      = 3
	optInteger     = 4
	optBoolean     = 5
	optUser        = 6
	optChannel     = 7
	optRole        = 8
	optMentionable = 9
	optNumber      = 10
	optAttachment  = 11
)

// Discord's command limits.
const (
	maxChatInputCommands = 100
	maxContextCommands   = 15
	maxOptions           = 25
	maxChoices           = 25
	maxNameLength        = 32
	maxDescription       = 100
	maxChoiceName        = 100
	maxChoiceString      = 100
	maxStringLength      = 6000
)

// namePattern is Discord's documented command and option name pattern.
var namePattern = regexp.MustCompile(`^[-_'\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

type choiceSchema struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

type optionSchema struct {
	Type         int            `json:"type"`
	Name         string         `json:"name"`
	Description  string         `json:"description"`
	Required     bool           `json:"required"`
	Choices      []choiceSchema `json:"choices"`
	Options      []optionSchema `json:"options"`
	ChannelTypes []int          `json:"channel_types"`
	MinValue     *float64       `json:"min_value"`
	MaxValue     *float64       `json:"max_value"`
	MinLength    *int           `json:"min_length"`
	MaxLength    *int           `json:"max_length"`
	Autocomplete bool           `json:"autocomplete"`
}

type commandSchema struct {
	Type                     *int            `json:"type"`
	Name                     string          `json:"name"`
	Description              string          `json:"description"`
	Options                  []optionSchema  `json:"options"`
	DefaultMemberPermissions json.RawMessage `json:"default_member_permissions"`
	Contexts                 json.RawMessage `json:"contexts"`
	IntegrationTypes         json.RawMessage `json:"integration_types"`
	NSFW                     *bool           `json:"nsfw"`
}

func (c *commandSchema) typ() int {
	if c.Type == nil {
		return commandChatInput
	}
	return *c.Type
}

// memberPermissions decodes default_member_permissions (a string of
// digits, or null for "everyone").
func (c *commandSchema) memberPermissions() (discord.Permissions, bool, error) {
	if len(c.DefaultMemberPermissions) == 0 || string(c.DefaultMemberPermissions) == "null" {
		return 0, false, nil
	}
	var v any
	if err := json.Unmarshal(c.DefaultMemberPermissions, &v); err != nil {
		return 0, false, err
	}
	var n int64
	var err error
	switch t := v.(type) {
	case string:
		n, err = strconv.ParseInt(t, 10, 64)
	case float64:
		n = int64(t)
	default:
		err = strconv.ErrSyntax
	}
	return discord.Permissions(n), true, err
}

type command struct {
	id      snowflake.ID
	guildID snowflake.ID
	version snowflake.ID
	schema  commandSchema
	options json.RawMessage // as sent, for rendering
}

type commandSet struct {
	registered bool
	list       []*command
}

// wire renders the command as Discord returns it.
func (s *Server) wireCommand(c *command) object {
	perms := any(nil)
	if p, ok, _ := c.schema.memberPermissions(); ok {
		perms = strconv.FormatInt(int64(p), 10)
	}
	obj := object{
		"id":                         c.id,
		"type":                       c.schema.typ(),
		"application_id":             s.cfg.appID,
		"name":                       c.schema.Name,
		"name_localizations":         nil,
		"description":                c.schema.Description,
		"description_localizations":  nil,
		"default_member_permissions": perms,
		"nsfw":                       c.schema.NSFW != nil && *c.schema.NSFW,
		"version":                    c.version,
		"integration_types":          []int{0},
	}
	if len(c.options) > 0 && string(c.options) != "null" && string(c.options) != "[]" {
		obj["options"] = c.options
	}
	if c.guildID != 0 {
		obj["guild_id"] = c.guildID
	} else {
		obj["dm_permission"] = true
		obj["contexts"] = []int{0, 1, 2}
		if len(c.schema.Contexts) > 0 && string(c.schema.Contexts) != "null" {
			obj["contexts"] = c.schema.Contexts
		}
	}
	if len(c.schema.IntegrationTypes) > 0 && string(c.schema.IntegrationTypes) != "null" {
		obj["integration_types"] = c.schema.IntegrationTypes
	}
	return obj
}

// parseCommand decodes and validates one command; path prefixes errors
// (the index in a bulk overwrite).
func parseCommand(data json.RawMessage, fe *formErrors, path ...string) (*command, bool) {
	var sc commandSchema
	var opts struct {
		Options json.RawMessage `json:"options"`
	}
	if err := json.Unmarshal(data, &sc); err != nil || json.Unmarshal(data, &opts) != nil {
		fe.add("MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType", path...)
		return nil, false
	}
	at := func(p ...string) []string { return append(slices.Clone(path), p...) }
	before := fe.n
	switch sc.typ() {
	case commandChatInput:
		if !validName(sc.Name, true) {
			fe.add("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid", at("name")...)
		}
		if n := runes(sc.Description); n < 1 || n > maxDescription {
			fe.add("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.", at("description")...)
		}
		validateOptions(fe, sc.Options, 0, at("options"))
	case commandUser, commandMessage:
		if n := runes(sc.Name); n < 1 || n > maxNameLength {
			fe.add("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.", at("name")...)
		}
		if sc.Description != "" {
			fe.add("APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION_INVALID", "Context menu commands cannot have description", at("description")...)
		}
		if len(sc.Options) > 0 {
			fe.add("APPLICATION_COMMAND_CONTEXT_MENU_OPTIONS_INVALID", "Context menu commands cannot have options", at("options")...)
		}
	default:
		fe.add("BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.", at("type")...)
	}
	if _, _, err := sc.memberPermissions(); err != nil {
		fe.add("NUMBER_TYPE_COERCE", "Value is not int.", at("default_member_permissions")...)
	}
	if fe.n != before {
		return nil, false
	}
	return &command{schema: sc, options: opts.Options}, true
}

func validName(name string, lower bool) bool {
	return namePattern.MatchString(name) && (!lower || name == strings.ToLower(name))
}

// validateOptions applies Discord's option rules at one nesting level.
func validateOptions(fe *formErrors, opts []optionSchema, depth int, path []string) {
	if len(opts) > maxOptions {
		fe.add("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.", path...)
	}
	seen := map[string]bool{}
	subs, values, optional := 0, 0, false
	for i, o := range opts {
		at := append(slices.Clone(path), strconv.Itoa(i))
		p := func(f string) []string { return append(slices.Clone(at), f) }
		if !validName(o.Name, true) {
			fe.add("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid", p("name")...)
		}
		if seen[o.Name] {
			fe.add("APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique", p("name")...)
		}
		seen[o.Name] = true
		if n := runes(o.Description); n < 1 || n > maxDescription {
			fe.add("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.", p("description")...)
		}
		switch o.Type {
		case optSubcommand, optGroup:
			subs++
			switch {
			case o.Type == optGroup && depth > 0, o.Type == optSubcommand && depth > 1:
				fe.add("APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Sub-command and sub-command group option types are mutually exclusive to all other types", p("type")...)
			case o.Type == optGroup:
				for j, sub := range o.Options {
					if sub.Type != optSubcommand {
						fe.add("APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Sub-command groups may only contain sub-commands", append(p("options"), strconv.Itoa(j), "type")...)
					}
				}
				validateOptions(fe, o.Options, depth+1, p("options"))
			default:
				validateOptions(fe, o.Options, 2, p("options"))
			}
			if o.Required {
				fe.add("APPLICATION_COMMAND_OPTION_REQUIRED_INVALID", "Sub-commands cannot be required", p("required")...)
			}
		case optString, optInteger, optBoolean, optUser, optChannel, optRole, optMentionable, optNumber, optAttachment:
			values++
			if o.Required && optional {
				fe.add("APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options", p("required")...)
			}
			if !o.Required {
				optional = true
			}
			validateValueOption(fe, o, at)
		default:
			fe.add("BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.", p("type")...)
		}
	}
	if subs > 0 && values > 0 {
		fe.add("APPLICATION_COMMAND_OPTION_TYPE_INVALID", "Sub-command and sub-command group option types are mutually exclusive to all other types", path...)
	}
}

func validateValueOption(fe *formErrors, o optionSchema, at []string) {
	p := func(f ...string) []string { return append(slices.Clone(at), f...) }
	numeric := o.Type == optInteger || o.Type == optNumber
	if len(o.Choices) > 0 {
		if o.Type != optString && !numeric {
			fe.add("APPLICATION_COMMAND_OPTION_CHOICES_INVALID", "Choices are only allowed for string, integer and number options", p("choices")...)
		}
		if len(o.Choices) > maxChoices {
			fe.add("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.", p("choices")...)
		}
		if o.Autocomplete {
			fe.add("APPLICATION_COMMAND_AUTOCOMPLETE_CHOICES_EXCLUSIVE", "Autocomplete cannot be used with choices", p("autocomplete")...)
		}
		for j, ch := range o.Choices {
			ci := strconv.Itoa(j)
			if n := runes(ch.Name); n < 1 || n > maxChoiceName {
				fe.add("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.", p("choices", ci, "name")...)
			}
			var sv string
			var nv float64
			switch {
			case o.Type == optString && json.Unmarshal(ch.Value, &sv) != nil,
				numeric && json.Unmarshal(ch.Value, &nv) != nil:
				fe.add("BASE_TYPE_CHOICES", "Choice value does not match the option type", p("choices", ci, "value")...)
			case o.Type == optString && runes(sv) > maxChoiceString:
				fe.add("BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.", p("choices", ci, "value")...)
			}
		}
	}
	if o.Autocomplete && o.Type != optString && !numeric {
		fe.add("APPLICATION_COMMAND_AUTOCOMPLETE_INVALID", "Autocomplete is only allowed for string, integer and number options", p("autocomplete")...)
	}
	if (o.MinValue != nil || o.MaxValue != nil) && !numeric {
		fe.add("APPLICATION_COMMAND_OPTION_MIN_MAX_INVALID", "min_value and max_value are only allowed for integer and number options", p("min_value")...)
	}
	if o.MinLength != nil && (o.Type != optString || *o.MinLength < 0 || *o.MinLength > maxStringLength) {
		fe.add("NUMBER_TYPE_MAX", "min_length must be between 0 and 6000 on a string option.", p("min_length")...)
	}
	if o.MaxLength != nil && (o.Type != optString || *o.MaxLength < 1 || *o.MaxLength > maxStringLength) {
		fe.add("NUMBER_TYPE_MAX", "max_length must be between 1 and 6000 on a string option.", p("max_length")...)
	}
	if len(o.ChannelTypes) > 0 && o.Type != optChannel {
		fe.add("APPLICATION_COMMAND_OPTION_CHANNEL_TYPES_INVALID", "channel_types is only allowed for channel options", p("channel_types")...)
	}
}

// scopeLocked resolves the application and (optional) guild of a command
// route; the key is 0 for global commands.
func (s *Server) scopeLocked(call *restCall) (snowflake.ID, *apiError) {
	app, err := snowflake.Parse(call.param("app"))
	if err != nil || app != s.cfg.appID {
		return 0, newAPIError(http.StatusForbidden, 50001, "Missing Access")
	}
	if call.param("guild") == "" {
		return 0, nil
	}
	g, e := s.guildForLocked(call)
	if e != nil {
		return 0, newAPIError(http.StatusForbidden, 50001, "Missing Access")
	}
	return g.id, nil
}

func (s *Server) commandSetLocked(key snowflake.ID) *commandSet {
	set := s.commands[key]
	if set == nil {
		set = &commandSet{}
		s.commands[key] = set
	}
	return set
}

func (s *Server) getCommands(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, e := s.scopeLocked(call)
	if e != nil {
		return 0, e
	}
	out := []object{}
	for _, c := range s.commandSetLocked(key).list {
		out = append(out, s.wireCommand(c))
	}
	return http.StatusOK, out
}

// putCommands answers a bulk overwrite: all commands are validated first;
// commands keeping their name and type keep their ID, as on Discord.
func (s *Server) putCommands(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, e := s.scopeLocked(call)
	if e != nil {
		return 0, e
	}
	var items []json.RawMessage
	if e := call.decode(&items); e != nil {
		return 0, e
	}
	var fe formErrors
	parsed := make([]*command, 0, len(items))
	counts := map[int]int{}
	names := map[string]bool{}
	for i, item := range items {
		c, ok := parseCommand(item, &fe, strconv.Itoa(i))
		if !ok {
			continue
		}
		t := c.schema.typ()
		counts[t]++
		nk := strconv.Itoa(t) + "/" + c.schema.Name
		if names[nk] {
			fe.add("APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique", strconv.Itoa(i), "name")
		}
		names[nk] = true
		parsed = append(parsed, c)
	}
	if counts[commandChatInput] > maxChatInputCommands || counts[commandUser] > maxContextCommands || counts[commandMessage] > maxContextCommands {
		fe.add("BASE_TYPE_MAX_LENGTH", "Maximum number of application commands reached", "_root")
	}
	if e := fe.err(); e != nil {
		return 0, e
	}
	set := s.commandSetLocked(key)
	for _, c := range parsed {
		s.placeCommandLocked(set, c, key)
	}
	set.list = parsed
	set.registered = true
	s.notifyLocked()
	out := make([]object, 0, len(parsed))
	for _, c := range parsed {
		out = append(out, s.wireCommand(c))
	}
	return http.StatusOK, out
}

// placeCommandLocked gives c the ID of the command it replaces, or a new one.
func (s *Server) placeCommandLocked(set *commandSet, c *command, key snowflake.ID) {
	c.guildID = key
	c.version = s.nextIDLocked()
	for _, old := range set.list {
		if old.schema.Name == c.schema.Name && old.schema.typ() == c.schema.typ() {
			c.id = old.id
			return
		}
	}
	c.id = s.nextIDLocked()
}

func (s *Server) postCommand(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key, e := s.scopeLocked(call)
	if e != nil {
		return 0, e
	}
	var fe formErrors
	body := call.body
	if len(body) == 0 {
		body = []byte("{}")
	}
	c, ok := parseCommand(body, &fe)
	if !ok {
		return 0, fe.err()
	}
	set := s.commandSetLocked(key)
	s.placeCommandLocked(set, c, key)
	status := http.StatusCreated
	for i, old := range set.list {
		if old.id == c.id {
			set.list[i] = c
			status = http.StatusOK
		}
	}
	if status == http.StatusCreated {
		set.list = append(set.list, c)
	}
	set.registered = true
	s.notifyLocked()
	return status, s.wireCommand(c)
}

func (s *Server) findCommandLocked(call *restCall) (*commandSet, int, *apiError) {
	key, e := s.scopeLocked(call)
	if e != nil {
		return nil, 0, e
	}
	id, e := parseID(call, "cmd", "command_id")
	if e != nil {
		return nil, 0, e
	}
	set := s.commandSetLocked(key)
	for i, c := range set.list {
		if c.id == id {
			return set, i, nil
		}
	}
	return nil, 0, unknown(10063, "application command")
}

func (s *Server) getCommand(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	set, i, e := s.findCommandLocked(call)
	if e != nil {
		return 0, e
	}
	return http.StatusOK, s.wireCommand(set.list[i])
}

func (s *Server) deleteCommand(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	set, i, e := s.findCommandLocked(call)
	if e != nil {
		return 0, e
	}
	set.list = slices.Delete(set.list, i, i+1)
	s.notifyLocked()
	return http.StatusNoContent, nil
}

// lookupCommandLocked finds a chat-input command by name: the guild's own
// commands first, then global ones, as a Discord client lists them.
func (s *Server) lookupCommandLocked(guildID snowflake.ID, name string) *command {
	for _, key := range []snowflake.ID{guildID, 0} {
		if set := s.commands[key]; set != nil {
			for _, c := range set.list {
				if c.schema.Name == name && c.schema.typ() == commandChatInput {
					return c
				}
			}
		}
	}
	return nil
}

// Commands returns the commands registered for a guild, or the global
// commands for guildID 0, as disgo decodes them from GET .../commands.
func (s *Server) Commands(guildID snowflake.ID) []discord.ApplicationCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commandsLocked(guildID)
}

func (s *Server) commandsLocked(key snowflake.ID) []discord.ApplicationCommand {
	set := s.commands[key]
	if set == nil {
		return nil
	}
	out := make([]discord.ApplicationCommand, 0, len(set.list))
	for _, c := range set.list {
		var u discord.UnmarshalApplicationCommand
		if err := json.Unmarshal(raw(s.wireCommand(c)), &u); err == nil {
			out = append(out, u.ApplicationCommand)
		}
	}
	return out
}

// WaitCommands waits until the bot has registered commands for the guild (or
// globally for 0), by bulk overwrite or create, and returns them.
func (s *Server) WaitCommands(ctx context.Context, guildID snowflake.ID) ([]discord.ApplicationCommand, error) {
	return waitFor(ctx, s, func() ([]discord.ApplicationCommand, bool, error) {
		set := s.commands[guildID]
		if set == nil || !set.registered {
			return nil, false, nil
		}
		return s.commandsLocked(guildID), true, nil
	})
}
