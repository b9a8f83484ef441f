package discordtest

import (
	"encoding/json"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"
)

// This file holds the JSON shapes the server sends, written from Discord's
// API documentation (not from disgo's types, so a disgo decoding bug shows up
// in tests instead of being mirrored).

// timestamp marshals like Discord's ISO 8601 timestamps.
type timestamp time.Time

// MarshalJSON writes UTC with microseconds, as Discord does.
func (t timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000000+00:00") + `"`), nil
}

type wireUser struct {
	ID            snowflake.ID `json:"id"`
	Username      string       `json:"username"`
	Discriminator string       `json:"discriminator"`
	GlobalName    *string      `json:"global_name"`
	Avatar        *string      `json:"avatar"`
	Bot           bool         `json:"bot,omitempty"`
	System        bool         `json:"system,omitempty"`
	PublicFlags   int          `json:"public_flags"`
	Banner        *string      `json:"banner"`
	AccentColor   *int         `json:"accent_color"`
}

type wireMember struct {
	User                       *wireUser            `json:"user,omitempty"`
	Nick                       *string              `json:"nick"`
	Avatar                     *string              `json:"avatar"`
	Banner                     *string              `json:"banner"`
	Roles                      []snowflake.ID       `json:"roles"`
	JoinedAt                   timestamp            `json:"joined_at"`
	PremiumSince               *timestamp           `json:"premium_since"`
	Deaf                       bool                 `json:"deaf"`
	Mute                       bool                 `json:"mute"`
	Flags                      int                  `json:"flags"`
	Pending                    bool                 `json:"pending"`
	CommunicationDisabledUntil *timestamp           `json:"communication_disabled_until"`
	Permissions                *discord.Permissions `json:"permissions,omitempty"`
	GuildID                    *snowflake.ID        `json:"guild_id,omitempty"`
}

type wireRoleColors struct {
	Primary   int  `json:"primary_color"`
	Secondary *int `json:"secondary_color"`
	Tertiary  *int `json:"tertiary_color"`
}

type wireRoleTags struct {
	BotID snowflake.ID `json:"bot_id"`
}

type wireRole struct {
	ID           snowflake.ID        `json:"id"`
	Name         string              `json:"name"`
	Color        int                 `json:"color"`
	Colors       wireRoleColors      `json:"colors"`
	Hoist        bool                `json:"hoist"`
	Icon         *string             `json:"icon"`
	UnicodeEmoji *string             `json:"unicode_emoji"`
	Position     int                 `json:"position"`
	Permissions  discord.Permissions `json:"permissions"`
	Managed      bool                `json:"managed"`
	Mentionable  bool                `json:"mentionable"`
	Tags         *wireRoleTags       `json:"tags,omitempty"`
	Flags        int                 `json:"flags"`
}

type wireOverwrite struct {
	ID    snowflake.ID        `json:"id"`
	Type  int                 `json:"type"`
	Allow discord.Permissions `json:"allow"`
	Deny  discord.Permissions `json:"deny"`
}

type wireVoiceState struct {
	GuildID                 *snowflake.ID `json:"guild_id,omitempty"`
	ChannelID               *snowflake.ID `json:"channel_id"`
	UserID                  snowflake.ID  `json:"user_id"`
	Member                  *wireMember   `json:"member,omitempty"`
	SessionID               string        `json:"session_id"`
	Deaf                    bool          `json:"deaf"`
	Mute                    bool          `json:"mute"`
	SelfDeaf                bool          `json:"self_deaf"`
	SelfMute                bool          `json:"self_mute"`
	SelfStream              bool          `json:"self_stream,omitempty"`
	SelfVideo               bool          `json:"self_video"`
	Suppress                bool          `json:"suppress"`
	RequestToSpeakTimestamp *timestamp    `json:"request_to_speak_timestamp"`
}

// object is a JSON object under construction; map keys marshal sorted, which
// Discord's field order does not promise anyway.
type object = map[string]any

// raw marshals v. Everything the server marshals is built from validated
// values (option floats are checked for NaN and infinities), so the error
// branch is not reached; it yields JSON null rather than a panic.
func raw(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}
