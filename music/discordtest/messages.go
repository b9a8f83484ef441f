package discordtest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/gateway"
	"github.com/disgoorg/snowflake/v2"
)

// Message is a message the bot posted, as Discord holds it now (decoded by
// disgo from the JSON the server would return), plus what the server knows
// about its history.
type Message struct {
	discord.Message
	Deleted bool // the message was deleted; Discord would no longer return it
	Edits   int  // how many times the message was edited
	// InteractionID is the interaction this message answers (the original
	// response or a follow-up); 0 for messages posted to a channel.
	InteractionID snowflake.ID
}

// fields is a message's JSON object, field by field.
type fields map[string]json.RawMessage

type message struct {
	id, channelID, guildID snowflake.ID
	fields                 fields
	deleted                bool
	edits                  int
	ephemeral              bool
	loading                bool
	interactionID          snowflake.ID
}

func (m *message) flags() int {
	var f int
	_ = json.Unmarshal(m.fields["flags"], &f)
	return f
}

func (m *message) public() Message {
	out := Message{Deleted: m.deleted, Edits: m.edits, InteractionID: m.interactionID}
	if err := json.Unmarshal(raw(m.fields), &out.Message); err != nil {
		// The server only stores validated messages; keep the identity at least.
		out.ID, out.ChannelID = m.id, m.channelID
	}
	return out
}

// Message flags the server knows.
const (
	flagSuppressEmbeds = 1 << 2
	flagEphemeral      = 1 << 6
	flagLoading        = 1 << 7
	flagSuppressNotifs = 1 << 12
	flagComponentsV2   = 1 << 15
)

// Discord's message limits.
const (
	maxContent      = 2000
	maxEmbeds       = 10
	maxEmbedTotal   = 6000
	maxActionRows   = 5
	maxRowButtons   = 5
	maxCustomID     = 100
	maxButtonLabel  = 80
	maxEmbedFields  = 25
	maxEmbedTitle   = 256
	maxEmbedDesc    = 4096
	maxFieldName    = 256
	maxFieldValue   = 1024
	maxFooterText   = 2048
	maxAuthorName   = 256
	buttonStyleLink = 5
)

type embedWire struct {
	Title       *string `json:"title"`
	Description *string `json:"description"`
	Fields      []struct {
		Name  *string `json:"name"`
		Value *string `json:"value"`
	} `json:"fields"`
	Footer *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Author *struct {
		Name string `json:"name"`
	} `json:"author"`
}

type componentWire struct {
	Type       int             `json:"type"`
	Style      int             `json:"style"`
	CustomID   *string         `json:"custom_id"`
	Label      *string         `json:"label"`
	URL        *string         `json:"url"`
	Disabled   bool            `json:"disabled"`
	Components []componentWire `json:"components"`
	Accessory  *componentWire  `json:"accessory"`
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// validateMessage checks a create or edit payload against Discord's limits
// and returns the flags to store. current holds the flags of the message an
// edit applies to (0 for a create). Unknown fields are ignored, as Discord
// ignores them.
func validateMessage(body fields, create, allowEphemeral bool, files, current int) (int, *apiError) {
	var fe formErrors
	var content string
	if v, ok := body["content"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &content); err != nil {
			fe.add("BASE_TYPE_STRING", "Must be a string.", "content")
		} else if runes(content) > maxContent {
			fe.add("BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.", "content")
		}
	}
	var embeds []embedWire
	if v, ok := body["embeds"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &embeds); err != nil {
			fe.add("BASE_TYPE_ARRAY", "Must be an array of embeds.", "embeds")
		}
		validateEmbeds(&fe, embeds)
	}
	var components []componentWire
	if v, ok := body["components"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &components); err != nil {
			fe.add("BASE_TYPE_ARRAY", "Must be an array of components.", "components")
		}
	}
	flags := 0
	if v, ok := body["flags"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &flags); err != nil {
			fe.add("NUMBER_TYPE_COERCE", "Value is not int.", "flags")
		}
	}
	allowed := flagSuppressEmbeds | flagSuppressNotifs | flagComponentsV2
	if allowEphemeral {
		allowed |= flagEphemeral
	}
	flags &= allowed
	v2 := (flags|current)&flagComponentsV2 != 0
	if v2 && (content != "" || len(embeds) > 0) {
		fe.add("MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2", "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2", "components")
	}
	validateComponents(&fe, components, v2)
	if e := fe.err(); e != nil {
		return 0, e
	}
	if create && content == "" && len(embeds) == 0 && len(components) == 0 && files == 0 && !hasAny(body, "sticker_ids", "poll") {
		return 0, newAPIError(http.StatusBadRequest, 50006, "Cannot send an empty message")
	}
	return flags, nil
}

func hasAny(body fields, keys ...string) bool {
	for _, k := range keys {
		if v, ok := body[k]; ok && string(v) != "null" && string(v) != "[]" {
			return true
		}
	}
	return false
}

func validateEmbeds(fe *formErrors, embeds []embedWire) {
	if len(embeds) > maxEmbeds {
		fe.add("BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.", "embeds")
	}
	total := 0
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	for i, e := range embeds {
		idx := strconv.Itoa(i)
		check := func(v string, limit int, path ...string) {
			total += runes(v)
			if runes(v) > limit {
				fe.add("BASE_TYPE_MAX_LENGTH", "Must be "+strconv.Itoa(limit)+" or fewer in length.", append([]string{"embeds", idx}, path...)...)
			}
		}
		check(str(e.Title), maxEmbedTitle, "title")
		check(str(e.Description), maxEmbedDesc, "description")
		if e.Footer != nil {
			check(e.Footer.Text, maxFooterText, "footer", "text")
		}
		if e.Author != nil {
			check(e.Author.Name, maxAuthorName, "author", "name")
		}
		if len(e.Fields) > maxEmbedFields {
			fe.add("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.", "embeds", idx, "fields")
		}
		for j, f := range e.Fields {
			fi := strconv.Itoa(j)
			if f.Name == nil || *f.Name == "" {
				fe.add("BASE_TYPE_REQUIRED", "This field is required", "embeds", idx, "fields", fi, "name")
			}
			if f.Value == nil || *f.Value == "" {
				fe.add("BASE_TYPE_REQUIRED", "This field is required", "embeds", idx, "fields", fi, "value")
			}
			check(str(f.Name), maxFieldName, "fields", fi, "name")
			check(str(f.Value), maxFieldValue, "fields", fi, "value")
		}
	}
	if total > maxEmbedTotal {
		fe.add("MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000", "embeds")
	}
}

// Component types as Discord numbers them.
const (
	compActionRow   = 1
	compButton      = 2
	compTextInput   = 4
	compSection     = 9
	compTextDisplay = 10
	compThumbnail   = 11
	compGallery     = 12
	compFile        = 13
	compSeparator   = 14
	compContainer   = 17
)

func isSelect(t int) bool { return t == 3 || (t >= 5 && t <= 8) }

// componentChecker applies Discord's message component rules: legacy
// messages hold at most five action rows; Components V2 messages hold rows,
// sections, text, media, files, separators and containers, at most 40 in
// all. A row holds one to five buttons or one select menu; buttons need a
// custom_id (unique in the message, at most 100 characters) or, for link
// buttons, a URL instead.
type componentChecker struct {
	fe    *formErrors
	seen  map[string]bool
	total int
}

func validateComponents(fe *formErrors, top []componentWire, v2 bool) {
	k := componentChecker{fe: fe, seen: map[string]bool{}}
	if !v2 && len(top) > maxActionRows {
		fe.add("BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.", "components")
	}
	for i, c := range top {
		path := []string{"components", strconv.Itoa(i)}
		switch {
		case c.Type == compActionRow:
			k.row(c, path)
		case v2 && (c.Type == compSection || c.Type == compContainer || c.Type == compTextDisplay || c.Type == compGallery || c.Type == compFile || c.Type == compSeparator):
			k.layout(c, path)
		default:
			fe.add("UNION_TYPE_CHOICES", "Value of field \"type\" is not a top-level component type.", append(path, "type")...)
		}
	}
	if v2 && k.total > 40 {
		fe.add("BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer components in total.", "components")
	}
}

func (k *componentChecker) layout(c componentWire, path []string) {
	k.total++
	at := func(i int) []string { return append(slices.Clone(path), "components", strconv.Itoa(i)) }
	switch c.Type {
	case compSection:
		if len(c.Components) < 1 || len(c.Components) > 3 {
			k.fe.add("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 3 in length.", append(path, "components")...)
		}
		for i, sub := range c.Components {
			if sub.Type != compTextDisplay {
				k.fe.add("UNION_TYPE_CHOICES", "Sections hold text displays.", append(at(i), "type")...)
			}
			k.total++
		}
		switch {
		case c.Accessory == nil:
			k.fe.add("BASE_TYPE_REQUIRED", "This field is required", append(path, "accessory")...)
		case c.Accessory.Type == compButton:
			k.button(*c.Accessory, append(path, "accessory"))
		case c.Accessory.Type == compThumbnail:
			k.total++
		default:
			k.fe.add("UNION_TYPE_CHOICES", "An accessory is a button or a thumbnail.", append(path, "accessory", "type")...)
		}
	case compContainer:
		for i, sub := range c.Components {
			switch sub.Type {
			case compActionRow:
				k.row(sub, at(i))
			case compSection, compTextDisplay, compGallery, compFile, compSeparator:
				k.layout(sub, at(i))
			default:
				k.fe.add("UNION_TYPE_CHOICES", "Not a container child type.", append(at(i), "type")...)
			}
		}
	}
}

func (k *componentChecker) row(row componentWire, path []string) {
	k.total++
	if len(row.Components) == 0 || len(row.Components) > maxRowButtons {
		k.fe.add("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.", append(path, "components")...)
	}
	for j, c := range row.Components {
		at := append(slices.Clone(path), "components", strconv.Itoa(j))
		switch {
		case c.Type == compButton:
			k.button(c, at)
		case isSelect(c.Type):
			k.total++
			if len(row.Components) > 1 {
				k.fe.add("COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width", at...)
			}
			k.customID(c.CustomID, at)
		default:
			k.fe.add("UNION_TYPE_CHOICES", "Action rows hold buttons and select menus.", append(at, "type")...)
		}
	}
}

func (k *componentChecker) button(c componentWire, path []string) {
	k.total++
	if c.Label != nil && runes(*c.Label) > maxButtonLabel {
		k.fe.add("BASE_TYPE_MAX_LENGTH", "Must be 80 or fewer in length.", append(path, "label")...)
	}
	switch {
	case c.Style == buttonStyleLink:
		if c.URL == nil || *c.URL == "" {
			k.fe.add("BUTTON_COMPONENT_URL_REQUIRED", "A url is required", path...)
		}
		if c.CustomID != nil {
			k.fe.add("BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED", "A custom id cannot be specified", path...)
		}
	case c.Style < 1 || c.Style > 6:
		k.fe.add("BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6).", append(path, "style")...)
	case c.Style == 6:
		// Premium buttons carry a sku_id instead.
	default:
		k.customID(c.CustomID, path)
	}
}

func (k *componentChecker) customID(id *string, path []string) {
	switch {
	case id == nil || *id == "":
		k.fe.add("COMPONENT_CUSTOM_ID_REQUIRED", "A custom id is required", path...)
	case runes(*id) > maxCustomID:
		k.fe.add("BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.", append(path, "custom_id")...)
	case k.seen[*id]:
		k.fe.add("COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated", append(path, "custom_id")...)
	default:
		k.seen[*id] = true
	}
}

// newMessageLocked stores a validated message payload. kind is the message
// type (0 default, 20 slash command response, 19 reply to a component).
func (s *Server) newMessageLocked(c *channel, body fields, flags, kind int, files []upload, ix *interaction) *message {
	now := s.cfg.now()
	m := &message{id: s.nextIDLocked(), channelID: c.id, guildID: c.guildID, ephemeral: flags&flagEphemeral != 0, loading: flags&flagLoading != 0}
	attachments := make([]object, 0, len(files))
	for _, f := range files {
		id := s.nextIDLocked()
		url := "https://cdn.discordapp.com/attachments/" + c.id.String() + "/" + id.String() + "/" + f.filename
		attachments = append(attachments, object{"id": id, "filename": f.filename, "size": f.size, "url": url, "proxy_url": url})
	}
	m.fields = fields{
		"id":               raw(m.id),
		"channel_id":       raw(c.id),
		"author":           raw(s.users[s.cfg.appID].wire()),
		"content":          raw(""),
		"timestamp":        raw(timestamp(now)),
		"edited_timestamp": raw(nil),
		"tts":              raw(false),
		"mention_everyone": raw(false),
		"mentions":         raw([]any{}),
		"mention_roles":    raw([]any{}),
		"attachments":      raw(attachments),
		"embeds":           raw([]any{}),
		"components":       raw([]any{}),
		"pinned":           raw(false),
		"type":             raw(kind),
		"flags":            raw(flags),
	}
	if ix != nil {
		m.interactionID = ix.id
		m.fields["webhook_id"] = raw(s.cfg.appID)
		m.fields["application_id"] = raw(s.cfg.appID)
		m.fields["interaction_metadata"] = raw(object{
			"id":                             ix.id,
			"type":                           ix.kind,
			"user":                           s.users[ix.userID].wire(),
			"authorizing_integration_owners": object{"0": ix.guildID},
		})
	}
	m.apply(body, false)
	s.messages[m.id] = m
	s.msgOrder = append(s.msgOrder, m.id)
	if !m.ephemeral {
		c.lastMsgID = m.id
		s.dispatchMessageLocked(m, gateway.EventTypeMessageCreate)
	}
	s.notifyLocked()
	return m
}

// apply copies the editable fields present in body onto the message; null
// clears a field.
func (m *message) apply(body fields, edit bool) {
	for _, k := range []string{"content", "embeds", "components"} {
		v, ok := body[k]
		if !ok {
			continue
		}
		if string(v) == "null" {
			v = map[string]json.RawMessage{"content": raw(""), "embeds": raw([]any{}), "components": raw([]any{})}[k]
		}
		if k == "embeds" {
			v = normalizeEmbeds(v)
		}
		m.fields[k] = v
	}
	if v, ok := body["attachments"]; ok && edit && string(v) == "[]" {
		m.fields["attachments"] = v
	}
}

// normalizeEmbeds adds the "type": "rich" Discord reports for bot embeds.
func normalizeEmbeds(v json.RawMessage) json.RawMessage {
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(v, &list); err != nil {
		return v
	}
	for _, e := range list {
		if _, ok := e["type"]; !ok {
			e["type"] = raw("rich")
		}
	}
	return raw(list)
}

// editLocked applies a validated edit: fields, the suppress-embeds flag,
// the end of a deferred response's loading state.
func (s *Server) editLocked(m *message, body fields, flags int) {
	m.apply(body, true)
	cur := m.flags()
	if _, ok := body["flags"]; ok {
		cur = cur&^flagSuppressEmbeds | flags&flagSuppressEmbeds
	}
	if m.loading {
		m.loading = false
		cur &^= flagLoading
	}
	m.fields["flags"] = raw(cur)
	m.fields["edited_timestamp"] = raw(timestamp(s.cfg.now()))
	m.edits++
	if !m.ephemeral {
		s.dispatchMessageLocked(m, gateway.EventTypeMessageUpdate)
	}
	s.notifyLocked()
}

func (s *Server) deleteLocked(m *message) {
	m.deleted = true
	if !m.ephemeral {
		s.dispatchGuildLocked(m.guildID, gateway.IntentGuildMessages, gateway.EventTypeMessageDelete, object{
			"id": m.id, "channel_id": m.channelID, "guild_id": m.guildID,
		})
	}
	s.notifyLocked()
}

// dispatchMessageLocked sends MESSAGE_CREATE or MESSAGE_UPDATE: the message
// with guild_id and the author's partial member.
func (s *Server) dispatchMessageLocked(m *message, t gateway.EventType) {
	ev := make(fields, len(m.fields)+2)
	for k, v := range m.fields {
		ev[k] = v
	}
	ev["guild_id"] = raw(m.guildID)
	if g := s.guilds[m.guildID]; g != nil {
		if mem := g.member(s.cfg.appID); mem != nil {
			w := s.wireMemberLocked(g, mem)
			w.User = nil
			ev["member"] = raw(w)
		}
	}
	s.dispatchGuildLocked(m.guildID, gateway.IntentGuildMessages, t, ev)
}

// Messages lists the messages in a channel that are not deleted, oldest
// first, ephemeral interaction responses included.
func (s *Server) Messages(channelID snowflake.ID) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, id := range s.msgOrder {
		if m := s.messages[id]; m.channelID == channelID && !m.deleted {
			out = append(out, m.public())
		}
	}
	return out
}

// Message returns any message the server knows, deleted ones included.
func (s *Server) Message(id snowflake.ID) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.messages[id]
	if m == nil {
		return Message{}, false
	}
	return m.public(), true
}

// WaitMessage waits until a message in the channel (any channel for 0),
// deleted ones included, satisfies match, and returns it. match sees each
// message's current state, so it can wait for a post, an edit or a delete.
func (s *Server) WaitMessage(ctx context.Context, channelID snowflake.ID, match func(Message) bool) (Message, error) {
	return waitFor(ctx, s, func() (Message, bool, error) {
		for _, id := range s.msgOrder {
			m := s.messages[id]
			if channelID != 0 && m.channelID != channelID {
				continue
			}
			if pm := m.public(); match(pm) {
				return pm, true, nil
			}
		}
		return Message{}, false, nil
	})
}

func parseID(c *restCall, name, field string) (snowflake.ID, *apiError) {
	v := c.param(name)
	id, err := snowflake.Parse(v)
	if err != nil {
		var fe formErrors
		fe.add("NUMBER_TYPE_COERCE", "Value \""+v+"\" is not snowflake.", field)
		return 0, fe.err()
	}
	return id, nil
}

// channelFor resolves a channel path parameter and checks the bot may see it.
func (s *Server) channelForLocked(call *restCall, need discord.Permissions) (*channel, *apiError) {
	id, e := parseID(call, "channel", "channel_id")
	if e != nil {
		return nil, e
	}
	c := s.channels[id]
	if c == nil {
		return nil, unknown(10003, "Channel")
	}
	perms := s.guilds[c.guildID].permissions(s.cfg.appID, c)
	if !perms.Has(discord.PermissionViewChannel) {
		return nil, newAPIError(http.StatusForbidden, 50001, "Missing Access")
	}
	if !perms.Has(need) {
		return nil, newAPIError(http.StatusForbidden, 50013, "Missing Permissions")
	}
	return c, nil
}

func (s *Server) getChannel(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.channelForLocked(call, discord.PermissionViewChannel)
	if e != nil {
		return 0, e
	}
	return http.StatusOK, s.wireChannelLocked(c)
}

func (s *Server) getMessages(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.channelForLocked(call, discord.PermissionReadMessageHistory)
	if e != nil {
		return 0, e
	}
	limit := 50
	if v := call.r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			var fe formErrors
			fe.add("NUMBER_TYPE_MAX", "int value should be between 1 and 100.", "limit")
			return 0, fe.err()
		}
		limit = n
	}
	out := []fields{}
	for _, id := range slices.Backward(s.msgOrder) {
		if m := s.messages[id]; m.channelID == c.id && !m.deleted && !m.ephemeral && len(out) < limit {
			out = append(out, m.fields)
		}
	}
	return http.StatusOK, out
}

func (s *Server) postMessage(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.channelForLocked(call, discord.PermissionSendMessages)
	if e != nil {
		return 0, e
	}
	var body fields
	if e := call.decode(&body); e != nil {
		return 0, e
	}
	flags, e := validateMessage(body, true, false, len(call.files), 0)
	if e != nil {
		return 0, e
	}
	m := s.newMessageLocked(c, body, flags, 0, call.files, nil)
	return http.StatusOK, m.fields
}

// channelMessageLocked resolves the channel and message path parameters.
func (s *Server) channelMessageLocked(call *restCall, need discord.Permissions) (*message, *apiError) {
	c, e := s.channelForLocked(call, need)
	if e != nil {
		return nil, e
	}
	id, e := parseID(call, "msg", "message_id")
	if e != nil {
		return nil, e
	}
	m := s.messages[id]
	if m == nil || m.deleted || m.ephemeral || m.channelID != c.id {
		return nil, unknown(10008, "Message")
	}
	return m, nil
}

func (s *Server) getMessage(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.channelMessageLocked(call, discord.PermissionReadMessageHistory)
	if e != nil {
		return 0, e
	}
	return http.StatusOK, m.fields
}

func (s *Server) patchMessage(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.channelMessageLocked(call, discord.PermissionViewChannel)
	if e != nil {
		return 0, e
	}
	var body fields
	if e := call.decode(&body); e != nil {
		return 0, e
	}
	flags, e := validateMessage(body, false, false, len(call.files), m.flags())
	if e != nil {
		return 0, e
	}
	s.editLocked(m, body, flags)
	return http.StatusOK, m.fields
}

func (s *Server) deleteMessage(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.channelMessageLocked(call, discord.PermissionViewChannel)
	if e != nil {
		return 0, e
	}
	s.deleteLocked(m)
	return http.StatusNoContent, nil
}

func (s *Server) guildForLocked(call *restCall) (*guild, *apiError) {
	id, e := parseID(call, "guild", "guild_id")
	if e != nil {
		return nil, e
	}
	g := s.guilds[id]
	if g == nil {
		return nil, unknown(10004, "Guild")
	}
	return g, nil
}

func (s *Server) getGuild(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, e := s.guildForLocked(call)
	if e != nil {
		return 0, e
	}
	obj := s.guildCreateLocked(g, &session{})
	for _, k := range []string{"joined_at", "large", "unavailable", "member_count", "voice_states", "members", "channels", "threads", "presences", "stage_instances", "guild_scheduled_events", "soundboard_sounds"} {
		delete(obj, k)
	}
	return http.StatusOK, obj
}

func (s *Server) getGuildChannels(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, e := s.guildForLocked(call)
	if e != nil {
		return 0, e
	}
	out := []object{}
	for _, c := range g.channels {
		if g.permissions(s.cfg.appID, c).Has(discord.PermissionViewChannel) {
			out = append(out, s.wireChannelLocked(c))
		}
	}
	return http.StatusOK, out
}

func (s *Server) getMember(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, e := s.guildForLocked(call)
	if e != nil {
		return 0, e
	}
	id, e := parseID(call, "user", "user_id")
	if e != nil {
		return 0, e
	}
	m := g.member(id)
	if m == nil {
		return 0, unknown(10007, "Member")
	}
	return http.StatusOK, s.wireMemberLocked(g, m)
}
