package disgobot_test

import (
	"strings"
	"testing"

	"github.com/disgoorg/disgo/discord"

	"github.com/tunekit/tunekit/music/discordtest"
	"github.com/tunekit/tunekit/music/disgobot"
	"github.com/tunekit/tunekit/music/lavalinktest"
)

// presets asks /filter preset's autocomplete for typed.
func (w *world) presets(typed string) []discordtest.Choice {
	w.t.Helper()
	ix, err := w.srv.Interact(w.ctx, discordtest.Autocomplete{Guild: w.guild.ID(), Channel: w.text, User: w.bob, Name: "filter",
		Options: []discordtest.CommandOption{discordtest.Subcommand("preset", discordtest.Focused(discordtest.String("name", typed)))}})
	must(w.t, err)
	r := w.response(ix)
	if r.Type != discord.InteractionResponseTypeAutocompleteResult {
		w.t.Fatalf("autocomplete response type = %d", r.Type)
	}
	return r.Choices
}

// TestFilterPresets: /filter preset suggests the presets with their
// descriptions, applies one (the now-playing message names it) and
// /filter reset turns it off.
func TestFilterPresets(t *testing.T) {
	w := newWorld(t, worldConfig{})
	w.play(w.alice, "Song 1")
	np := w.nowPlaying("Song 1")
	w.settle()

	all := w.presets("")
	if len(all) != 9 || all[3].Name != "nightcore — Faster and higher." || all[3].Value != "nightcore" {
		t.Errorf("presets(\"\") = %+v, want the nine with descriptions", all)
	}
	if got := w.presets("BASS"); len(got) != 4 {
		t.Errorf("presets(BASS) = %+v, want the three bass boosts and treble-bass", got)
	}
	if got := w.presets("circles"); len(got) != 1 || got[0].Value != "8d" {
		t.Errorf("presets(circles) = %+v, want 8d by its description", got)
	}

	got := w.original(w.command(w.alice, "filter", discordtest.Subcommand("preset", discordtest.String("name", "nightcore"))))
	if got.Ephemeral() || got.EmbedText() != "🎛️ Filter: **nightcore** — Faster and higher." {
		t.Errorf("/filter preset nightcore = %s", discordtest.Describe([]discordtest.Message{got}))
	}
	if p, ok := w.node.Player(w.guild.ID()); !ok || !strings.Contains(string(p.Filters), "timescale") {
		t.Errorf("node filters = %s, want a timescale", p.Filters)
	}
	w.settle()
	if m, _ := w.srv.Message(np.ID); !strings.HasSuffix(footer(m), "Filter: nightcore") {
		t.Errorf("now-playing footer = %q, want the preset named", footer(m))
	}

	got = w.original(w.command(w.alice, "filter", discordtest.Subcommand("reset")))
	if got.EmbedText() != "🎛️ Filters are off." {
		t.Errorf("/filter reset = %q", got.EmbedText())
	}
	w.settle()
	w.clock.Advance(disgobot.DefaultEditInterval)
	w.settle()
	if m, _ := w.srv.Message(np.ID); strings.Contains(footer(m), "Filter") {
		t.Errorf("now-playing footer after reset = %q", footer(m))
	}
	if got := w.original(w.command(w.alice, "filter", discordtest.Subcommand("preset", discordtest.String("name", "disco")))); !got.Ephemeral() || got.EmbedText() != "I don't know that filter; pick one of the listed presets." {
		t.Errorf("/filter preset disco = %s", discordtest.Describe([]discordtest.Message{got}))
	}
}

// TestFilterPresetsOffered: only the presets the node can apply are
// suggested; another is refused.
func TestFilterPresetsOffered(t *testing.T) {
	w := newWorld(t, worldConfig{nodeOpts: []lavalinktest.Option{lavalinktest.WithFilters("equalizer")}})
	w.play(w.alice, "Song 1")
	w.nowPlaying("Song 1")
	var names []string
	for _, c := range w.presets("") {
		names = append(names, c.Value.(string))
	}
	if strings.Join(names, ",") != "bassboost-low,bassboost-medium,bassboost-high,treble-bass" {
		t.Errorf("presets = %v, want the equalizer ones", names)
	}
	if got := w.original(w.command(w.alice, "filter", discordtest.Subcommand("preset", discordtest.String("name", "nightcore")))); !got.Ephemeral() || got.EmbedText() != "That effect isn't available right now." {
		t.Errorf("/filter preset nightcore = %s", discordtest.Describe([]discordtest.Message{got}))
	}
}
