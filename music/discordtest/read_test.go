package discordtest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/disgoorg/disgo/discord"

	"github.com/tunekit/tunekit/music/discordtest"
)

func TestMessageReaders(t *testing.T) {
	var plain discordtest.Message
	plain.Content = "hello"
	if plain.Ephemeral() || plain.EmbedAuthor() != "" || plain.EmbedTitle() != "" || plain.EmbedText() != "hello" || plain.Buttons() != nil {
		t.Errorf("readers of a plain message: %v %q %q %q %v",
			plain.Ephemeral(), plain.EmbedAuthor(), plain.EmbedTitle(), plain.EmbedText(), plain.Buttons())
	}

	var m discordtest.Message
	m.ID = 7
	m.Flags = discord.MessageFlagEphemeral
	m.Embeds = []discord.Embed{{Title: "Now playing", Description: "a song", Author: &discord.EmbedAuthor{Name: "Playing"}}}
	m.Components = []discord.LayoutComponent{
		discord.NewActionRow(discord.NewPrimaryButton("Pause", "/np/pause"), discord.NewSecondaryButton("Skip", "/np/skip").AsDisabled()),
		discord.NewActionRow(discord.NewDangerButton("Stop", "/np/stop")),
	}
	if !m.Ephemeral() || m.EmbedAuthor() != "Playing" || m.EmbedTitle() != "Now playing" || m.EmbedText() != "a song" {
		t.Errorf("readers: %v %q %q %q", m.Ephemeral(), m.EmbedAuthor(), m.EmbedTitle(), m.EmbedText())
	}
	if got, want := m.Buttons(), []string{"/np/pause", "!/np/skip", "/np/stop"}; !slices.Equal(got, want) {
		t.Errorf("Buttons() = %v, want %v", got, want)
	}
	d := discordtest.Describe([]discordtest.Message{plain, m})
	if strings.Count(d, "\n") != 2 || !strings.Contains(d, `ephemeral=true] "Playing" "Now playing" "a song" buttons=[/np/pause !/np/skip /np/stop]`) {
		t.Errorf("Describe = %s", d)
	}
}
