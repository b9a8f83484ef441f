package disgobot

import (
	"context"
	"strings"
	"unicode"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/disgo/handler"
	"github.com/disgoorg/disgo/rest"
	"github.com/disgoorg/snowflake/v2"

	"github.com/tunekit/tunekit/music"
	"github.com/tunekit/tunekit/ratelimit"
)

// maxSuggestions is how many tracks autocomplete suggests (Discord shows
// at most 25).
const maxSuggestions = 10

// playAutocomplete suggests tracks while a user types /play's query.
// Discord lets the user send any text, so suggestions are only a help:
// whatever goes wrong (no searcher, rate limited, a slow or failed
// search) answers with no suggestions rather than an error.
func (b *Bot) playAutocomplete(e *handler.AutocompleteEvent) error {
	typed := ""
	if e.Data.Focused().Name == optQuery {
		typed, _ = e.Data.OptString(optQuery)
	}
	var choices []discord.AutocompleteChoice
	if gid, m := e.GuildID(), e.Member(); gid != nil && m != nil {
		choices = b.suggest(e.Ctx, gid.String(), m.User.ID.String(), *gid, typed)
	}
	if choices == nil {
		choices = []discord.AutocompleteChoice{}
	}
	ctx, cancel := context.WithTimeout(b.ctx, restTimeout)
	defer cancel()
	if err := e.AutocompleteResult(choices, rest.WithCtx(ctx)); err != nil {
		b.log.WarnContext(ctx, "answer autocomplete", "error", err)
	}
	return nil
}

// suggest returns the choices for typed text: from the cache, or from a
// search when the user's autocomplete limit allows one.
func (b *Bot) suggest(ctx context.Context, guildKey, userKey string, guild snowflake.ID, typed string) []discord.AutocompleteChoice {
	key := suggestionKey(typed)
	if key == "" || b.cfg.searcher == nil || isLink(key) {
		return nil
	}
	if c, ok := b.suggestions.Get(key); ok {
		return c
	}
	d, err := b.cfg.acLimiter.Allow(ctx, ratelimit.Key(guildKey, userKey, "autocomplete"), b.cfg.acLimit)
	if err != nil || !d.Allowed {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, SearchTimeout)
	defer cancel()
	choices, err := b.suggestions.GetOrLoad(ctx, key, func(ctx context.Context) ([]discord.AutocompleteChoice, error) {
		tracks, err := b.cfg.searcher.Search(ctx, guild, strings.TrimSpace(typed))
		if err != nil {
			return nil, err
		}
		return suggestions(tracks), nil
	})
	if err != nil {
		b.log.DebugContext(ctx, "autocomplete search", "error", err)
		return nil
	}
	return choices
}

// suggestions turns search results into choices whose value /play can
// load: the track's link, or its title and author as a search.
func suggestions(tracks []music.Track) []discord.AutocompleteChoice {
	out := make([]discord.AutocompleteChoice, 0, min(len(tracks), maxSuggestions))
	seen := map[string]bool{}
	for _, t := range tracks {
		if len(out) == maxSuggestions {
			break
		}
		value := safeURL(t.Info.URI)
		if value == "" || len([]rune(value)) > maxChoiceName {
			value = truncate(strings.TrimSpace(oneLine(t.Info.Title)+" "+oneLine(t.Info.Author)), maxChoiceName)
		}
		if value == "" || seen[value] {
			continue
		}
		seen[value] = true
		name := truncate(trackTitle(t)+" ("+trackLength(t)+")", maxChoiceName)
		out = append(out, discord.AutocompleteChoiceString{Name: name, Value: value})
	}
	return out
}

// suggestionKey normalises typed text for the cache: trimmed, spaces
// collapsed, lower case, and cut to the longest query Play accepts.
// Text that cannot be a query gives "".
func suggestionKey(typed string) string {
	if len(typed) > 4*music.MaxQueryLength {
		return ""
	}
	fields := strings.FieldsFunc(strings.ToLower(typed), unicode.IsSpace)
	key := strings.Join(fields, " ")
	if key == "" || len([]rune(key)) > music.MaxQueryLength || strings.ContainsFunc(key, isControl) {
		return ""
	}
	return key
}

// isLink reports whether the text is a link, for which suggestions make
// no sense.
func isLink(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}
