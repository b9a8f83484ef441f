package disgobot

import (
	"encoding/json"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"
)

// The option readers below report false for an option that is missing
// or holds another type. disgo's own getters panic on the latter, which
// a modified client, or a command registered differently, can cause.

func optString(d discord.SlashCommandInteractionData, name string) (string, bool) {
	var v string
	return v, optValue(d, name, &v)
}

func optInt(d discord.SlashCommandInteractionData, name string) (int, bool) {
	var v int
	return v, optValue(d, name, &v)
}

func optBool(d discord.SlashCommandInteractionData, name string) (bool, bool) {
	var v bool
	return v, optValue(d, name, &v)
}

func optID(d discord.SlashCommandInteractionData, name string) (snowflake.ID, bool) {
	var v snowflake.ID
	return v, optValue(d, name, &v) && v != 0
}

func optValue(d discord.SlashCommandInteractionData, name string, v any) bool {
	o, ok := d.Options[name]
	return ok && len(o.Value) > 0 && json.Unmarshal(o.Value, v) == nil
}
