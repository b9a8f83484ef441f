package discordtest

import (
	"fmt"
	"strings"

	"github.com/disgoorg/disgo/discord"
)

// This file holds what a test reads off a message most often, so that
// every test of a bot need not write it again.

// Ephemeral reports whether only the user who ran the interaction sees
// the message.
func (m Message) Ephemeral() bool { return m.Flags.Has(discord.MessageFlagEphemeral) }

// EmbedAuthor is the author name of the message's first embed; "" when
// it has none.
func (m Message) EmbedAuthor() string {
	if len(m.Embeds) == 0 || m.Embeds[0].Author == nil {
		return ""
	}
	return m.Embeds[0].Author.Name
}

// EmbedTitle is the title of the message's first embed; "" when it has
// none.
func (m Message) EmbedTitle() string {
	if len(m.Embeds) == 0 {
		return ""
	}
	return m.Embeds[0].Title
}

// EmbedText is the description of the message's first embed, or the
// message's content when it has no embed.
func (m Message) EmbedText() string {
	if len(m.Embeds) == 0 {
		return m.Content
	}
	return m.Embeds[0].Description
}

// Buttons lists the custom IDs of the message's buttons in order, a
// disabled one marked with a leading "!".
func (m Message) Buttons() []string {
	var out []string
	for c := range m.AllComponents() {
		if b, ok := c.(discord.ButtonComponent); ok {
			id := b.CustomID
			if b.Disabled {
				id = "!" + id
			}
			out = append(out, id)
		}
	}
	return out
}

// Describe writes one line per message (ID, deleted, edits, ephemeral,
// embed author, title and text, buttons), for a test's failure message.
func Describe(ms []Message) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "\n  [%s deleted=%v edits=%d ephemeral=%v] %q %q %q buttons=%v",
			m.ID, m.Deleted, m.Edits, m.Ephemeral(), m.EmbedAuthor(), m.EmbedTitle(), m.EmbedText(), m.Buttons())
	}
	return b.String()
}
