package disgobot

import (
	"context"
	"strings"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/handler"
	"github.com/disgoorg/disgo/rest"

	"github.com/tunekit/tunekit/music"
)

// maxChoices is how many autocomplete choices Discord shows.
const maxChoices = 25

// filterAutocomplete suggests the presets the guild's node can apply
// ([music.Manager.FilterPresets]), each with its description, matching
// what the user typed in its name or description.
func (b *Bot) filterAutocomplete(e *handler.AutocompleteEvent) error {
	typed, _ := e.Data.OptString(optName)
	choices := []discord.AutocompleteChoice{}
	if gid := e.GuildID(); gid != nil {
		choices = presetChoices(b.m.FilterPresets(*gid), typed)
	}
	ctx, cancel := context.WithTimeout(b.ctx, restTimeout)
	defer cancel()
	if err := e.AutocompleteResult(choices, rest.WithCtx(ctx)); err != nil {
		b.log.WarnContext(ctx, "answer autocomplete", "error", err)
	}
	return nil
}

// presetChoices are the choices for typed text: presets whose name or
// description contains it, ignoring case, named "name — description".
func presetChoices(presets []music.FilterPreset, typed string) []discord.AutocompleteChoice {
	typed = strings.ToLower(strings.TrimSpace(typed))
	out := make([]discord.AutocompleteChoice, 0, min(len(presets), maxChoices))
	for _, p := range presets {
		if len(out) == maxChoices {
			break
		}
		if typed != "" && !strings.Contains(strings.ToLower(p.Name+" "+p.Description), typed) {
			continue
		}
		name := p.Name
		if d := oneLine(p.Description); d != "" {
			name += " — " + d
		}
		out = append(out, discord.AutocompleteChoiceString{Name: truncate(name, maxChoiceName), Value: p.Name})
	}
	return out
}

// filterPreset applies a preset; the now-playing message shows it.
func (b *Bot) filterPreset(data discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	name, ok := optString(data, optName)
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if !ok || len(name) > maxPresetName {
			return answer{}, errBadOption
		}
		p, err := b.m.SetFilterPreset(ctx, c.guild, c.actor, strings.TrimSpace(name))
		if err != nil {
			return answer{}, err
		}
		b.touch(c.guild)
		text := emojiFilter + " " + labelFilter + ": **" + escapeMarkdown(p.Name) + "**"
		if d := oneLine(p.Description); d != "" {
			text += " — " + escapeMarkdown(d)
		}
		return reply(b.render.notice(text)), nil
	})
}

// filterReset turns every filter off.
func (b *Bot) filterReset(_ discord.SlashCommandInteractionData, e *handler.CommandEvent) error {
	return b.run(commandInteraction(e), false, func(ctx context.Context, c call) (answer, error) {
		if err := b.m.ResetFilters(ctx, c.guild, c.actor); err != nil {
			return answer{}, err
		}
		b.touch(c.guild)
		return reply(b.render.notice(emojiFilter + " " + msgFiltersOff)), nil
	})
}
